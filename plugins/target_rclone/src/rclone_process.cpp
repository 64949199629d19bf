#include "plugins/target_rclone/src/rclone_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targetrclone {

namespace {

void closeFd(int* fd) noexcept {
  if (*fd >= 0) {
    ::close(*fd);
    *fd = -1;
  }
}

}  // namespace

RcloneProcess::RcloneProcess(const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, Io io, const std::string& what) {
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    cargv.push_back(const_cast<char*>(a.c_str()));
  }
  cargv.push_back(nullptr);
  std::vector<char*> cenv;
  cenv.reserve(env.size() + 1);
  for (const auto& e : env) {
    cenv.push_back(const_cast<char*>(e.c_str()));
  }
  cenv.push_back(nullptr);

  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int report[2] = {-1, -1};  // CLOEXEC: closes on exec; carries errno when exec fails
  stderr_ = ::memfd_create("rclone-stderr", MFD_CLOEXEC);
  const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  bool ok = stderr_ >= 0 && devnull >= 0 && ::pipe2(report, O_CLOEXEC) == 0;
  if (ok && io.feedStdin) {
    ok = ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) == 0;
  }
  if (ok && io.readStdout) {
    ok = ::pipe2(out, O_CLOEXEC) == 0;
  }
  const int setupError = errno;
  pid_t pid = -1;
  if (ok) {
    pid = ::fork();
  }
  if (pid == 0) {
    const int childIn = io.feedStdin ? in[1] : devnull;
    const int childOut = io.readStdout ? out[1] : stderr_;
    if (::dup2(childIn, 0) < 0 || ::dup2(childOut, 1) < 0 || ::dup2(stderr_, 2) < 0 ||
        ::chdir("/") != 0) {
      const int e = errno;
      (void)!::write(report[1], &e, sizeof e);
      ::_exit(127);
    }
    // Descriptors the host opened without O_CLOEXEC (sockets, files of other plugins) must not
    // reach rclone; report[1] stays open until exec for the same reason it closes then.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    ::signal(SIGPIPE, SIG_DFL);
    ::execve(cargv[0], cargv.data(), cenv.data());
    const int e = errno;
    (void)!::write(report[1], &e, sizeof e);
    ::_exit(127);
  }
  const int forkError = errno;
  closeFd(&in[1]);
  closeFd(&out[1]);
  closeFd(&report[1]);
  int devnullFd = devnull;
  closeFd(&devnullFd);
  stdin_ = in[0];
  stdout_ = out[0];
  int execError = 0;
  if (pid > 0) {
    pid_ = pid;
    ssize_t n;
    do {
      n = ::read(report[0], &execError, sizeof execError);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof execError)) {
      execError = 0;  // EOF: exec succeeded
    }
  }
  closeFd(&report[0]);
  const int error = !ok ? setupError : pid < 0 ? forkError : execError;
  if (error != 0) {
    kill();
    closeFd(&stdin_);
    closeFd(&stdout_);
    closeFd(&stderr_);
    throw Error(mysqlop_status_Retry,
                what + ": cannot run " + argv[0] + ": " + std::strerror(error));
  }
}

RcloneProcess::~RcloneProcess() {
  kill();
  closeFd(&stdin_);
  closeFd(&stdout_);
  closeFd(&stderr_);
}

bool RcloneProcess::write(const char* data, std::size_t len) {
  while (len > 0) {
    const ssize_t n = ::send(stdin_, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data += n;
    len -= static_cast<std::size_t>(n);
  }
  return true;
}

long RcloneProcess::read(char* buffer, std::size_t capacity) {
  for (;;) {
    const ssize_t n = ::read(stdout_, buffer, capacity);
    if (n >= 0 || errno != EINTR) {
      return n;
    }
  }
}

int RcloneProcess::wait() {
  closeFd(&stdin_);
  if (pid_ > 0) {
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  return status_;
}

void RcloneProcess::kill() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    status_ = 128 + SIGKILL;
  }
}

std::string RcloneProcess::errorOutput() const {
  std::string s;
  if (stderr_ < 0) {
    return s;
  }
  char buf[4096];
  off_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(stderr_, buf, sizeof buf, at);
    if (n <= 0) {
      break;
    }
    s.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return s;
}

}  // namespace mysqlop::targetrclone
