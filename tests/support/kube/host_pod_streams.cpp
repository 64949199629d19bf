#include "tests/support/kube/host_pod_streams.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mysqlop::testing {

namespace {

class HostProcess : public local::PodProcess {
 public:
  HostProcess(pid_t pid, int in, int out, int err, bool tty)
      : pid_(pid), in_(in), out_(out), err_(err), tty_(tty) {}
  ~HostProcess() override {
    if (!waited_) {
      ::kill(-pid_, SIGKILL);  // the process group: the command and its children
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (!tty_ && in_ >= 0) ::close(in_);  // with a terminal it is the same fd as out_
    if (out_ >= 0) ::close(out_);
    if (err_ >= 0) ::close(err_);
  }
  int stdinFd() const override { return in_; }
  int stdoutFd() const override { return out_; }
  int stderrFd() const override { return err_; }
  void closeStdin() override {
    if (tty_) {
      struct termios t {};
      char eof = 4;
      if (::tcgetattr(out_, &t) == 0) eof = static_cast<char>(t.c_cc[VEOF]);
      [[maybe_unused]] ssize_t n = ::write(out_, &eof, 1);
      return;
    }
    if (in_ >= 0) {
      ::close(in_);
      in_ = -1;
    }
  }
  void resize(std::uint16_t width, std::uint16_t height) override {
    if (!tty_) return;
    struct winsize ws {};
    ws.ws_col = width;
    ws.ws_row = height;
    ::ioctl(out_, TIOCSWINSZ, &ws);
  }
  int wait() override {
    if (waited_) return code_;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    waited_ = true;
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return code_;
  }

 private:
  pid_t pid_;
  int in_, out_, err_;
  bool tty_;
  bool waited_ = false;
  int code_ = -1;
};

bool hasContainer(const nlohmann::json& pod, const std::string& name) {
  for (const auto& c :
       pod.value("spec", nlohmann::json::object()).value("containers", nlohmann::json::array())) {
    if (c.value("name", "") == name) return true;
  }
  return false;
}

}  // namespace

Result<void> HostPodStreams::logs(const nlohmann::json&, const local::PodLogOptions&,
                                  local::TextSink&) {
  return fail(Errc::Unsupported, "logs are not part of the host pod streams");
}

Result<std::unique_ptr<local::PodProcess>> HostPodStreams::exec(
    const nlohmann::json& pod, const local::PodExecOptions& options) {
  if (notRunning.count(options.container) != 0 || !hasContainer(pod, options.container)) {
    return fail(Errc::Invalid, "container not found (\"" + options.container + "\")");
  }
  int inPipe[2] = {-1, -1}, outPipe[2] = {-1, -1}, errPipe[2] = {-1, -1}, execErr[2] = {-1, -1};
  int master = -1, slave = -1;
  if (::pipe2(execErr, O_CLOEXEC) != 0) return fail(Errc::Internal, "pipe failed");
  if (options.tty) {
    if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
      return fail(Errc::Internal, "openpty failed");
    }
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
  } else {
    if ((options.stdin && ::pipe2(inPipe, O_CLOEXEC) != 0) ||
        (options.stdout && ::pipe2(outPipe, O_CLOEXEC) != 0) ||
        (options.stderr && ::pipe2(errPipe, O_CLOEXEC) != 0)) {
      return fail(Errc::Internal, "pipe failed");
    }
  }
  std::vector<std::string> args = options.command;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    if (options.tty) {
      ::setsid();
      ::ioctl(slave, TIOCSCTTY, 0);
      ::dup2(slave, 0);
      ::dup2(slave, 1);
      ::dup2(slave, 2);
      if (slave > 2) ::close(slave);
    } else {
      ::setpgid(0, 0);
      int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(options.stdin ? inPipe[0] : devnull, 0);
      ::dup2(options.stdout ? outPipe[1] : devnull, 1);
      ::dup2(options.stderr ? errPipe[1] : devnull, 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = ::write(execErr[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(execErr[1]);
  for (int fd : {inPipe[0], outPipe[1], errPipe[1], slave}) {
    if (fd >= 0) ::close(fd);
  }
  int childErrno = 0;
  ssize_t got = ::read(execErr[0], &childErrno, sizeof childErrno);
  ::close(execErr[0]);
  std::unique_ptr<local::PodProcess> process;
  if (options.tty) {
    process = std::make_unique<HostProcess>(pid, master, master, -1, true);
  } else {
    process = std::make_unique<HostProcess>(pid, inPipe[1], outPipe[0], errPipe[0], false);
  }
  ++started;
  lastPid = pid;
  if (got == static_cast<ssize_t>(sizeof childErrno)) {
    return fail(Errc::NotFound, "exec: \"" + args[0] + "\": executable file not found in $PATH");
  }
  return process;
}

Result<int> HostPodStreams::connectPort(const nlohmann::json&, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return fail(Errc::Unavailable,
                "dial tcp4 127.0.0.1:" + std::to_string(port) + ": connect: " + why);
  }
  return fd;
}

}  // namespace mysqlop::testing
