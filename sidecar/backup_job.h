#pragma once

// The backup Job's and the cleanup Job's subcommands (contract16 3-5):
//   take-backup-to <srcHost> <url>   /xbackup of the source → gzip or zstd → the target's writer
//   remove-backup <url>              the target's remove (absent is fine)
// Neither needs the pod identity of clone-and-init: they read only BACKUP_USER/BACKUP_PASSWORD,
// the targets (targets.h) and the MYSQLOP_* settings below.

#include <chrono>
#include <cstdint>
#include <string>

#include "core/common/result.h"
#include "sidecar/env.h"

namespace mysqlop::sidecar {

// What take-backup-to reports in the termination message (contract16 4).
struct BackupReport {
  bool complete = false;
  std::string url;
  std::uint64_t sourceBytes = 0;  // the xbstream bytes received
  std::uint64_t storedBytes = 0;  // the compressed bytes written to the target
  double seconds = 0;
  std::string gtid;
  // When failed: InvalidConfig, SourceUnavailable, SourceFailed, TargetFailed, Terminated.
  std::string reason;
  std::string message;
};

// {"phase":"Complete"|"Failed","url",...}: one line of JSON.
std::string reportJson(const BackupReport& r);

struct TakeBackupSettings {
  std::string sourceHost;
  std::string url;
  std::string backupUser, backupPassword;
  std::uint16_t sourcePort = 8080;                 // MYSQLOP_SIDECAR_PORT
  std::chrono::seconds healthDeadline{300};        // MYSQLOP_BACKUP_HEALTH_TIMEOUT
  std::chrono::milliseconds healthInterval{5000};  // MYSQLOP_BACKUP_HEALTH_INTERVAL_MS
  std::chrono::seconds idle{300};                  // a source silent this long is dead
  int gzipLevel = 6, zstdLevel = 3;                // MYSQLOP_BACKUP_COMPRESS_LEVEL
};

// Reads the settings of take-backup-to from env. Fails (Invalid) on a missing BACKUP_USER or
// BACKUP_PASSWORD, a bad number, or BACKUP_COMPRESS_COMMAND set (the sidecar compresses
// in-process; the message says so).
Result<TakeBackupSettings> takeBackupSettings(const EnvLookup& env, const std::string& sourceHost,
                                              const std::string& url);

// Asks a running takeBackupTo to stop: it aborts its writer at the next chunk of the stream (or
// the next health check) and fails with reason Terminated. Async-signal-safe (take-backup-to's
// SIGTERM handler calls it), so that a deleted backup Job leaves not even a temporary object.
void requestBackupStop();

// The whole backup. Never throws; the report says what happened. Credentials: from environ.
BackupReport takeBackupTo(const TakeBackupSettings& s, const EnvLookup& env,
                          const char* const* environ);

// remove-backup: Ok when removed or already absent (logged), else the failure.
Result<void> removeBackup(const std::string& url, const EnvLookup& env, const char* const* environ);

// Writes text to MYSQLOP_TERMINATION_LOG (default /dev/termination-log); false when it cannot.
bool writeTerminationMessage(const EnvLookup& env, const std::string& text);

}  // namespace mysqlop::sidecar
