#pragma once
// Who runs the local cluster of a data directory: `up` holds an flock on DIR/up.lock for its whole
// life and writes its pid to DIR/up.pid. The lock, not the pid file, is the truth: a crashed `up`
// releases it, so a stale pid file is never mistaken for a running cluster.

#include <string>

#include "core/common/result.h"

namespace mysqlop::local::cluster {

class RunLock {
 public:
  // Takes the lock or fails with "a local cluster is already running in DIR (pid N)".
  static Result<RunLock> acquire(const std::string& dataDir);
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();  // removes the pid file and releases the lock
  Result<void> writePid(int pid);

 private:
  RunLock(std::string dataDir, int fd) : dataDir_(std::move(dataDir)), fd_(fd) {}
  std::string dataDir_;
  int fd_ = -1;
};

// The pid of the `up` running in dataDir, 0 when none holds the lock.
int runningPid(const std::string& dataDir);

}  // namespace mysqlop::local::cluster
