#pragma once

// The progress of the /xbackup the sidecar is serving, for GET /xbackup/progress (read by the
// backup plugin while a backup Job runs, docs/backups.md "Progress").
//
// States: idle (no backup since the start: running false, bytes 0, status "") → running (bytes
// grows as chunks are sent; estimateBytes is the data directory's size when it started) →
// finished (running false, status Success|Failed, the last backup's bytes kept until the next
// one starts). One backup at a time (server.cpp serialises /xbackup), so one record suffices.
//
// The route needs no credentials: it tells byte counts and times, nothing of the data, and it
// starts nothing (the backup plugin would otherwise need the cluster's backup password).

#include <cstdint>
#include <mutex>
#include <string>

namespace mysqlop::sidecar {

// Bytes of the regular files under dir (recursively; symlinks not followed); 0 when unreadable.
std::uint64_t directorySize(const std::string& dir);

class BackupProgress {
 public:
  void start(std::uint64_t estimateBytes);
  void add(std::uint64_t bytes);
  void finish(bool success);
  // {"running","bytes","estimateBytes","startedAt","finishedAt","status"} (times RFC 3339 UTC,
  // "" when not yet).
  std::string json() const;

 private:
  mutable std::mutex mutex_;
  bool running_ = false;
  std::uint64_t bytes_ = 0;
  std::uint64_t estimate_ = 0;
  std::string startedAt_;
  std::string finishedAt_;
  std::string status_;
};

}  // namespace mysqlop::sidecar
