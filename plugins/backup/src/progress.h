#pragma once

// status.progress of a MysqlBackup while its Job runs (docs/backups.md "Progress"): the source
// pod's sidecar counts the bytes of /xbackup it has streamed (GET /xbackup/progress); the plugin
// polls it every kProgressIntervalMs and shows
//   {bytesStreamed, totalBytesEstimate, percent, startedAt, updatedAt}.
// While the Job runs, percent is at most 99 (the upload still has to be committed); when the Job
// completes, the termination message is the truth: bytesStreamed = sourceBytes, percent 100.
// A failed Job keeps the last progress seen (how far it got).

#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/backup/src/status.h"

namespace mysqlop::backup {

// How often a running backup's progress is polled (and at most how often it is patched).
constexpr std::uint64_t kProgressIntervalMs = 5000;
// The sidecar's port (bitpoke's, fixed).
constexpr std::uint16_t kSidecarPort = 8080;
// The sidecar's start of a backup and the Job's startTime come from two clocks (node and control
// plane): a backup that started at most this long before the Job is still the Job's.
constexpr std::time_t kClockSkewSeconds = 60;

// The body of GET /xbackup/progress.
struct SidecarProgress {
  bool running = false;
  std::uint64_t bytes = 0;
  std::uint64_t estimateBytes = 0;  // 0: unknown
  std::string startedAt;            // RFC 3339, "" before the first backup
  std::string status;               // "", Running, Success, Failed
};

// nullopt with *error saying why when text is not the sidecar's answer.
std::optional<SidecarProgress> parseSidecarProgress(std::string_view text, std::string* error);

// Seconds since the epoch of an RFC 3339 time in UTC ("2024-05-01T12:00:00Z", fractions
// ignored); nullopt when it is not one.
std::optional<std::time_t> parseUtcTime(std::string_view text);

// Whether the sidecar's record is the Job's backup: it started no earlier than the Job's
// status.startTime (less kClockSkewSeconds). Without a startTime, only a running backup is.
bool belongsToJob(const SidecarProgress& p, const nlohmann::json& job);

// status.progress from the sidecar's record while the Job runs. percent = bytes * 100 / estimate,
// floored, at most 99; no totalBytesEstimate nor percent when the estimate is unknown.
nlohmann::json runningProgress(const SidecarProgress& p, const std::string& now);

// status.progress once the Job finished: null when no progress was ever shown (`last` is not an
// object); Complete: bytesStreamed from the report's sourceBytes (else the last one), percent 100,
// updatedAt now; Failed: `last` unchanged.
nlohmann::json finishedProgress(const nlohmann::json& last, bool complete,
                                const std::optional<TerminationReport>& report,
                                const std::string& now);

// Milliseconds until the progress may be polled again: 0 when `progress` has no updatedAt or it
// is kProgressIntervalMs old or more.
std::uint64_t progressWaitMs(const nlohmann::json& progress, std::time_t now);

// The pod name of a source host: its first DNS label ("c-mysql-1.mysql.ns" → "c-mysql-1").
std::string podOfHost(std::string_view host);

// The source host of a backup Job: args[1] of its container "backup" ("" when absent).
std::string sourceHostOfJob(const nlohmann::json& job);

// A JSON merge patch (RFC 7386) turning `before` into `after`, top-level keys only: the keys
// whose value differs, and null for the keys `after` no longer has. An empty object when equal.
nlohmann::json mergePatch(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace mysqlop::backup
