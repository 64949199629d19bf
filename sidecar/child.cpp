#include "sidecar/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mysqlop::sidecar {

Result<Child> spawnChild(const std::vector<std::string>& argv, PipeTo pipeTo, int stderrFd) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    return fail(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  }
  // A pipe that reports exec failures: closed by a successful exec (CLOEXEC).
  int errp[2];
  if (pipe2(errp, O_CLOEXEC) != 0) {
    close(p[0]);
    close(p[1]);
    return fail(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  }
  // 1 MiB pipes: the backup stream crosses them in fewer, larger steps (the default is 64 KiB).
  fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {p[0], p[1], errp[0], errp[1]}) {
      close(fd);
    }
    return fail(Errc::Internal, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
      _exit(127);
    }
    signal(SIGPIPE, SIG_DFL);
    if (stderrFd >= 0) {
      dup2(stderrFd, 2);
    }
    if (pipeTo == PipeTo::ChildStdin) {
      dup2(p[0], 0);
    } else {
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      dup2(p[1], 1);
    }
    execvp(args[0], args.data());
    int e = errno;
    (void)!write(errp[1], &e, sizeof e);
    _exit(127);
  }
  close(errp[1]);
  int childErrno = 0;
  ssize_t n;
  do {
    n = read(errp[0], &childErrno, sizeof childErrno);
  } while (n < 0 && errno == EINTR);
  close(errp[0]);
  if (n == sizeof childErrno) {
    close(p[0]);
    close(p[1]);
    waitChild(pid);
    return fail(Errc::Unavailable, "cannot run " + argv[0] + ": " + std::strerror(childErrno));
  }
  Child c;
  c.pid = pid;
  if (pipeTo == PipeTo::ChildStdin) {
    close(p[0]);
    c.fd = p[1];
  } else {
    close(p[1]);
    c.fd = p[0];
  }
  return c;
}

int waitChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return -1;
    }
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

int runChild(const std::vector<std::string>& argv) {
  auto c = spawnChild(argv, PipeTo::ChildStdout);
  if (!c) {
    return 127;
  }
  // Its stdout goes to ours: copy it through (the tools write little there).
  char buf[4096];
  for (;;) {
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    (void)!write(2, buf, static_cast<size_t>(n));
  }
  close(c->fd);
  return waitChild(c->pid);
}

std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) {
      out += ' ';
    }
    out += a.rfind("--password=", 0) == 0 ? "--password=***" : a;
  }
  return out;
}

}  // namespace mysqlop::sidecar
