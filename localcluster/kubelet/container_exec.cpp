#include "localcluster/kubelet/container_exec.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace mysqlop::local::kubelet {

namespace {

// What the child writes on its error pipe when it cannot run the command.
struct ExecFailure {
  int stage = 0;  // kStageEnter, kStageExec
  int error = 0;  // errno
};
constexpr int kStageEnter = 1;  // setns/chroot/chdir into the container, or fork
constexpr int kStageExec = 2;   // execve of every candidate failed

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::vector<char*> execCStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

// The paths execve tries, as execvp would in the container (its PATH, or the default).
std::vector<std::string> execCandidates(const std::string& program,
                                        const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) {
    return {program};
  }
  std::string path = kDefaultPath;
  for (const auto& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) {
      path = kv.substr(5);
    }
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t colon = path.find(':', start);
    if (colon == std::string::npos) {
      colon = path.size();
    }
    std::string dir = path.substr(start, colon - start);
    out.push_back((dir.empty() ? std::string(".") : dir) + "/" + program);
    start = colon + 1;
  }
  return out;
}

void closeFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

bool readAll(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      return false;
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

class ContainerProcess final : public PodProcess {
 public:
  ContainerProcess(pid_t helper, pid_t command, int in, int out, int err, bool tty)
      : helper_(helper), command_(command), in_(in), out_(out), err_(err), tty_(tty) {}

  ~ContainerProcess() override {
    // The helper is not reaped yet, so the command's pid cannot have been handed out again
    // unless it already ended and the helper is about to exit (a window of microseconds).
    if (!reaped_.load()) {
      // The command's session first (a shell's children with it), then the helper that waits.
      if (command_ > 0) {
        ::kill(-command_, SIGKILL);
        ::kill(command_, SIGKILL);
      }
      ::kill(helper_, SIGKILL);
      (void)wait();
    }
    if (tty_) {
      closeFd(out_);  // the master: in_ is the same descriptor
      in_ = -1;
    } else {
      closeFd(in_);
      closeFd(out_);
    }
    closeFd(err_);
  }

  int stdinFd() const override { return in_; }
  int stdoutFd() const override { return out_; }
  int stderrFd() const override { return err_; }

  void closeStdin() override {
    std::lock_guard lock(mu_);
    if (stdinClosed_ || in_ < 0) {
      return;
    }
    stdinClosed_ = true;
    if (!tty_) {
      closeFd(in_);
      return;
    }
    // A terminal has no end of file: its line discipline turns the EOF character into one.
    termios t{};
    cc_t eof = 4;  // ^D
    if (::tcgetattr(in_, &t) == 0 && t.c_cc[VEOF] != 0) {
      eof = t.c_cc[VEOF];
    }
    (void)::write(in_, &eof, 1);
  }

  void resize(std::uint16_t width, std::uint16_t height) override {
    if (!tty_ || out_ < 0) {
      return;
    }
    winsize ws{};
    ws.ws_col = width;
    ws.ws_row = height;
    (void)::ioctl(out_, TIOCSWINSZ, &ws);  // the kernel sends SIGWINCH to the foreground group
  }

  int wait() override {
    std::lock_guard lock(waitMu_);
    if (reaped_.load()) {
      return exitCode_;
    }
    int status = 0;
    pid_t r = 0;
    do {
      r = ::waitpid(helper_, &status, 0);
    } while (r < 0 && errno == EINTR);
    exitCode_ = r < 0 ? 1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    reaped_.store(true);
    return exitCode_;
  }

 private:
  pid_t helper_;
  pid_t command_;
  int in_;
  int out_;
  int err_;
  bool tty_;
  std::mutex mu_;
  bool stdinClosed_ = false;
  std::mutex waitMu_;
  std::atomic<bool> reaped_{false};
  int exitCode_ = 0;
};

}  // namespace

Result<std::unique_ptr<PodProcess>> execInContainer(int containerPid,
                                                    const std::vector<std::string>& containerEnv,
                                                    const PodExecOptions& options) {
  if (options.command.empty() || options.command[0].empty()) {
    return fail(Errc::Invalid, "you must specify at least one command for the container");
  }
  const std::string program = options.command[0];
  // Everything the children need is prepared here: between fork and exec only async-signal-safe
  // calls are allowed (this process has threads).
  const std::string proc = "/proc/" + std::to_string(containerPid);
  const std::array<std::pair<const char*, int>, 4> nsTypes = {
      {{"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}}};
  std::array<int, 4> nsFds{};
  nsFds.fill(-1);
  int rootFd = -1;
  int cwdFd = -1;
  auto closeAll = [&](std::initializer_list<int*> more) {
    for (int& fd : nsFds) {
      closeFd(fd);
    }
    closeFd(rootFd);
    closeFd(cwdFd);
    for (int* fd : more) {
      closeFd(*fd);
    }
  };
  for (std::size_t i = 0; i < nsTypes.size(); ++i) {
    nsFds[i] = ::open((proc + "/ns/" + nsTypes[i].first).c_str(), O_RDONLY | O_CLOEXEC);
  }
  rootFd = ::open((proc + "/root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cwdFd = ::open((proc + "/cwd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int fd : nsFds) {
    if (fd < 0) {
      const int e = errno;
      closeAll({});
      return fail(Errc::Unavailable, "cannot enter the container (process " +
                                         std::to_string(containerPid) + "): " + std::strerror(e));
    }
  }
  if (rootFd < 0 || cwdFd < 0) {
    const int e = errno;
    closeAll({});
    return fail(Errc::Unavailable,
                "cannot enter the container's root: " + std::string(std::strerror(e)));
  }

  std::vector<std::string> env = containerEnv;
  if (options.tty) {
    bool hasTerm = false;
    for (const auto& kv : env) {
      hasTerm = hasTerm || kv.rfind("TERM=", 0) == 0;
    }
    if (!hasTerm) {
      env.emplace_back("TERM=xterm");  // as container runtimes set it for a terminal
    }
  }
  std::vector<std::string> argv = options.command;
  std::vector<std::string> candidates = execCandidates(program, env);
  auto argvC = execCStrings(argv);
  auto envC = execCStrings(env);
  auto candC = execCStrings(candidates);

  // The child's ends (0, 1, 2) and ours.
  int childIn = -1, childOut = -1, childErr = -1;
  int ourIn = -1, ourOut = -1, ourErr = -1;
  if (options.tty) {
    // Close-on-exec from the start (not openpty + fcntl): another thread's fork must not keep
    // the terminal open.
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    int slave = -1;
    char name[64] = {0};
    if (master >= 0 && ::grantpt(master) == 0 && ::unlockpt(master) == 0 &&
        ::ptsname_r(master, name, sizeof name) == 0) {
      slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    }
    if (slave < 0) {
      const int e = errno;
      closeFd(master);
      closeAll({});
      return fail(Errc::Internal, std::string("opening a pseudo-terminal: ") + std::strerror(e));
    }
    childIn = childOut = childErr = slave;
    ourIn = options.stdin ? master : -1;
    ourOut = master;
  } else {
    int p[2];
    auto pipeFor = [&](bool wanted, bool readByUs, int* ours, int* theirs) {
      if (!wanted) {
        *theirs = ::open("/dev/null", O_RDWR | O_CLOEXEC);
        return;
      }
      if (::pipe2(p, O_CLOEXEC) != 0) {
        return;
      }
      *ours = readByUs ? p[0] : p[1];
      *theirs = readByUs ? p[1] : p[0];
    };
    pipeFor(options.stdin, false, &ourIn, &childIn);
    pipeFor(options.stdout, true, &ourOut, &childOut);
    pipeFor(options.stderr, true, &ourErr, &childErr);
    if (childIn < 0 || childOut < 0 || childErr < 0) {
      const int e = errno;
      closeAll({&childIn, &childOut, &childErr, &ourIn, &ourOut, &ourErr});
      return fail(Errc::Internal, std::string("pipe: ") + std::strerror(e));
    }
  }
  int errPipe[2];
  int pidPipe[2];
  if (::pipe2(errPipe, O_CLOEXEC) != 0) {
    errPipe[0] = errPipe[1] = -1;
  }
  if (::pipe2(pidPipe, O_CLOEXEC) != 0) {
    pidPipe[0] = pidPipe[1] = -1;
  }

  const bool tty = options.tty;
  const pid_t helper = ::fork();
  if (helper == 0) {
    // The helper: enters the container's namespaces and root, forks the command (a pid
    // namespace applies to children only) and waits for it, passing its exit status on.
    // Our SIGCHLD disposition is inherited: an ignored SIGCHLD would reap the command for us.
    struct sigaction childDefault {};
    childDefault.sa_handler = SIG_DFL;
    ::sigaction(SIGCHLD, &childDefault, nullptr);
    auto failEnter = [&](int e) {
      ExecFailure f{kStageEnter, e};
      (void)::write(errPipe[1], &f, sizeof f);
      ::_exit(126);
    };
    for (std::size_t i = 0; i < nsTypes.size(); ++i) {
      if (::setns(nsFds[i], nsTypes[i].second) != 0) {
        failEnter(errno);
      }
    }
    if (::fchdir(rootFd) != 0 || ::chroot(".") != 0 || ::fchdir(cwdFd) != 0) {
      failEnter(errno);
    }
    const pid_t command = ::fork();
    if (command < 0) {
      failEnter(errno);
    }
    if (command == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the helper is killed: so is the command
      ::setsid();
      if (tty) {
        ::ioctl(childIn, TIOCSCTTY, 0);
      }
      // Above 2 first: one of ours may already sit on 0..2.
      const int in0 = ::fcntl(childIn, F_DUPFD, 10);
      const int out1 = ::fcntl(childOut, F_DUPFD, 10);
      const int err2 = ::fcntl(childErr, F_DUPFD, 10);
      const int report = ::fcntl(errPipe[1], F_DUPFD_CLOEXEC, 10);
      ::dup2(in0, 0);
      ::dup2(out1, 1);
      ::dup2(err2, 2);
      ::dup2(report, 3);
      ::fcntl(3, F_SETFD, FD_CLOEXEC);
      ::close_range(4, ~0U, 0);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int s = 1; s < NSIG; ++s) {
        ::sigaction(s, &dfl, nullptr);
      }
      sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      int error = ENOENT;
      for (std::size_t i = 0; candC[i] != nullptr; ++i) {
        ::execve(candC[i], argvC.data(), envC.data());
        if (errno != ENOENT && errno != ENOTDIR) {
          error = errno;  // as execvp: a program that exists but cannot run wins over "absent"
        }
      }
      ExecFailure f{kStageExec, error};
      (void)::write(3, &f, sizeof f);
      ::_exit(127);
    }
    (void)::write(pidPipe[1], &command, sizeof command);
    // Nothing of the command's but its exit status stays with the helper.
    ::close_range(3, ~0U, 0);
    int status = 0;
    pid_t r = 0;
    do {
      r = ::waitpid(command, &status, 0);
    } while (r < 0 && errno == EINTR);
    ::_exit(r < 0 ? 1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  const int forkErrno = errno;
  // Ours: the child's ends are the children's now.
  if (tty) {
    closeFd(childIn);  // the slave (the same fd for all three)
    childOut = childErr = -1;
  } else {
    closeFd(childIn);
    closeFd(childOut);
    closeFd(childErr);
  }
  closeFd(errPipe[1]);
  closeFd(pidPipe[1]);
  closeAll({});
  if (helper < 0) {
    closeFd(errPipe[0]);
    closeFd(pidPipe[0]);
    if (tty) {
      closeFd(ourOut);
    } else {
      closeAll({&ourIn, &ourOut, &ourErr});
    }
    return fail(Errc::Internal, std::string("fork: ") + std::strerror(forkErrno));
  }
  pid_t command = 0;
  if (!readAll(pidPipe[0], &command, sizeof command)) {
    command = 0;  // the helper failed before it forked: its error follows
  }
  closeFd(pidPipe[0]);
  // End of file on the error pipe: the command's exec succeeded (close-on-exec), or it died.
  ExecFailure failure;
  const bool failed = readAll(errPipe[0], &failure, sizeof failure);
  closeFd(errPipe[0]);
  if (failed) {
    int status = 0;
    while (::waitpid(helper, &status, 0) < 0 && errno == EINTR) {
    }
    if (tty) {
      closeFd(ourOut);
    } else {
      closeFd(ourIn);
      closeFd(ourOut);
      closeFd(ourErr);
    }
    if (failure.stage == kStageExec) {
      if (failure.error == ENOENT) {
        if (program.find('/') != std::string::npos) {
          return fail(Errc::NotFound,
                      "exec: \"" + program + "\": stat " + program + ": no such file or directory");
        }
        return fail(Errc::NotFound,
                    "exec: \"" + program + "\": executable file not found in $PATH");
      }
      return fail(Errc::Invalid, "exec: \"" + program + "\": " + std::strerror(failure.error));
    }
    return fail(Errc::Unavailable,
                "cannot enter the container: " + std::string(std::strerror(failure.error)));
  }
  std::unique_ptr<PodProcess> p =
      std::make_unique<ContainerProcess>(helper, command, ourIn, ourOut, tty ? -1 : ourErr, tty);
  return p;
}

}  // namespace mysqlop::local::kubelet
