#include "localcluster/cluster/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mysqlop::local::cluster {

namespace {

std::string lockPath(const std::string& dir) { return dir + "/up.lock"; }
std::string pidPath(const std::string& dir) { return dir + "/up.pid"; }

int readPidFile(const std::string& dir) {
  std::ifstream in(pidPath(dir));
  int pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

Result<RunLock> RunLock::acquire(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  int fd = ::open(lockPath(dataDir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(Errc::Invalid, lockPath(dataDir) + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return fail(Errc::AlreadyExists, "a local cluster is already running in " + dataDir + " (pid " +
                                         std::to_string(readPidFile(dataDir)) + ")");
  }
  return RunLock(dataDir, fd);
}

RunLock::RunLock(RunLock&& other) noexcept : dataDir_(std::move(other.dataDir_)), fd_(other.fd_) {
  other.fd_ = -1;
}

RunLock::~RunLock() {
  if (fd_ >= 0) {
    std::error_code ec;
    std::filesystem::remove(pidPath(dataDir_), ec);
    ::close(fd_);
  }
}

Result<void> RunLock::writePid(int pid) {
  const std::string tmp = pidPath(dataDir_) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << pid << "\n";
    if (!out) {
      return fail(Errc::Invalid, tmp + ": cannot write");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, pidPath(dataDir_), ec);
  if (ec) {
    return fail(Errc::Invalid, pidPath(dataDir_) + ": " + ec.message());
  }
  return {};
}

int runningPid(const std::string& dataDir) {
  int fd = ::open(lockPath(dataDir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return 0;
  }
  int pid = 0;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    pid = readPidFile(dataDir);
    if (pid <= 0) {
      pid = -1;  // held, but the pid file is not written yet
    }
  }
  ::close(fd);
  return pid;
}

}  // namespace mysqlop::local::cluster
