#pragma once

// The MysqlBackup status the plugin owns: completed and the Complete/Failed conditions copied from
// the backup Job (as bitpoke), and, from the sidecar's termination message (contract 4 of
// docs/backups.md), the sizes, the duration and the GTID position of the backup.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::backup {

// What take-backup-to writes to /dev/termination-log.
struct TerminationReport {
  std::string phase;  // "Complete" or "Failed"
  std::string url;
  std::optional<std::uint64_t> sourceBytes;
  std::optional<std::uint64_t> storedBytes;
  std::optional<double> seconds;
  std::string gtid;
  std::string reason;   // Failed only
  std::string message;  // Failed only
};

// nullopt with *error saying why when text is not the report (not JSON, not an object, a field of
// the wrong type, phase neither Complete nor Failed).
std::optional<TerminationReport> parseTermination(std::string_view text, std::string* error);

// The termination message of container `container` in a list of the Job's pods (a JSON array):
// the most recently finished one that has a message, or "".
std::string terminationMessage(const nlohmann::json& pods, std::string_view container);

// True when the Job has condition type=True.
bool jobCondition(const nlohmann::json& job, std::string_view type);

// Sets status.completed, the Complete/Failed conditions (from the Job; the Failed condition takes
// the report's reason and message when the report says Failed) and the report's fields
// (sourceBytes, storedBytes, durationSeconds, gtid) on a copy of `status`. `now` is RFC 3339.
nlohmann::json statusFromJob(const nlohmann::json& status, const nlohmann::json& job,
                             const std::optional<TerminationReport>& report,
                             const std::string& now);

}  // namespace mysqlop::backup
