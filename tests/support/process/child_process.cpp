#include "tests/support/process/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/wait/poll.h"

extern char** environ;

namespace mysqlop::testing {

namespace {

std::string nameOf(const std::string& entry) { return entry.substr(0, entry.find('=')); }

// The parent's environment with spec.env applied; built before fork (no allocation after it).
std::vector<std::string> environmentOf(const SpawnSpec& spec) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    bool overridden = false;
    for (const auto& o : spec.env) {
      overridden = overridden || nameOf(o) == nameOf(entry);
    }
    if (!overridden) {
      out.push_back(entry);
    }
  }
  for (const auto& o : spec.env) {
    if (o.find('=') != std::string::npos && o.back() != '=') {
      out.push_back(o);
    }
  }
  return out;
}

std::vector<char*> pointersTo(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

}  // namespace

pid_t spawnProcess(const SpawnSpec& spec) {
  if (spec.argv.empty()) {
    throw std::runtime_error("spawnProcess: empty argv");
  }
  if (::access(spec.argv[0].c_str(), X_OK) != 0) {
    throw std::runtime_error("cannot start " + spec.argv[0] + ": " + std::strerror(errno));
  }
  // Output files are created (and truncated) before this returns, so that a caller polling them
  // never reads what an earlier run left there before the child gets to open them.
  for (const auto& [path, append] : {std::pair{spec.stdoutPath, spec.appendStdout},
                                     std::pair{spec.stderrPath, spec.appendStderr}}) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | (append ? 0 : O_TRUNC), 0600);
    if (fd < 0) {
      throw std::runtime_error("cannot start " + spec.argv[0] + ": cannot open " + path + ": " +
                               std::strerror(errno));
    }
    ::close(fd);
  }
  const std::vector<std::string> env = environmentOf(spec);
  const std::vector<char*> argv = pointersTo(spec.argv);
  const std::vector<char*> envp = pointersTo(env);
  const int outFlags = O_WRONLY | O_CREAT | (spec.appendStdout ? O_APPEND : O_TRUNC);
  const int errFlags = O_WRONLY | O_CREAT | (spec.appendStderr ? O_APPEND : O_TRUNC);
  const bool sameOutput = spec.stderrPath == spec.stdoutPath;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("cannot start " + spec.argv[0] + ": fork: " + std::strerror(errno));
  }
  if (pid > 0) {
    return pid;
  }
  // The child: only async-signal-safe calls from here on.
  if (spec.dieWithParent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(1);  // the parent died before prctl took effect
    }
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int in = ::open(spec.stdinPath.c_str(), O_RDONLY);
  const int out = ::open(spec.stdoutPath.c_str(), outFlags, 0600);
  const int err = sameOutput ? out : ::open(spec.stderrPath.c_str(), errFlags, 0600);
  if (in < 0 || out < 0 || err < 0) {
    ::_exit(126);
  }
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

int exitCodeOf(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

std::optional<int> waitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  std::optional<int> code;
  pollUntil(
      [&] {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
          code = exitCodeOf(status);
        } else if (r < 0 && errno != EINTR) {
          code = -1;
        }
        return code.has_value();
      },
      Poll{timeout, std::chrono::milliseconds(5)});
  return code;
}

int terminateProcess(pid_t pid, std::chrono::milliseconds grace) {
  ::kill(pid, SIGTERM);
  if (auto code = waitForExit(pid, grace)) {
    return *code;
  }
  return killProcess(pid);
}

int killProcess(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  return exitCodeOf(status);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace mysqlop::testing
