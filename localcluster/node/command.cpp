#include "localcluster/node/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mysqlop::local::node {

namespace {

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

// The last non-empty line of ip's output: its error message without the batch noise.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  for (auto& c : text) {
    if (c == '\n') {
      c = ';';
    }
  }
  return text;
}

int exitCodeOf(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

}  // namespace

std::string findProgram(const std::string& program, const std::string& searchPath) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (program.empty()) {
    return "";
  }
  if (program.find('/') != std::string::npos) {
    return executable(program) ? program : "";
  }
  size_t start = 0;
  while (start <= searchPath.size()) {
    size_t end = searchPath.find(':', start);
    if (end == std::string::npos) {
      end = searchPath.size();
    }
    std::string dir = searchPath.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (executable(candidate)) {
      return candidate;
    }
    start = end + 1;
  }
  return "";
}

Result<CommandOutput> runCommand(const CommandSpec& spec) {
  if (spec.argv.empty()) {
    return fail(Errc::Invalid, "runCommand: empty argv");
  }
  const char* pathEnv = ::getenv("PATH");
  const std::string program = findProgram(spec.argv[0], pathEnv != nullptr ? pathEnv : "");
  if (program.empty()) {
    return fail(Errc::Unavailable, spec.argv[0] + " not found in PATH");
  }
  int out[2];
  int in[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return fail(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(in, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return fail(Errc::Internal, std::string("pipe: ") + std::strerror(errno));
  }
  // Everything the child touches is prepared before fork: after it only async-signal-safe calls.
  std::vector<std::string> argvCopy = spec.argv;
  std::vector<std::string> envCopy = spec.env.value_or(std::vector<std::string>{});
  auto argvC = cStrings(argvCopy);
  auto envC = cStrings(envCopy);
  const bool ownEnv = spec.env.has_value();
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], in[0], in[1]}) {
      ::close(fd);
    }
    return fail(Errc::Internal, std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // the whole tree is killed on timeout, nsenter's forked child included
    // Moved above 0..2 first: a pipe may have got one of them (a daemon closed its stdio), and
    // dup2 onto itself would keep FD_CLOEXEC.
    const int input = ::fcntl(in[0], F_DUPFD, 10);
    const int output = ::fcntl(out[1], F_DUPFD, 10);
    ::dup2(input, 0);
    ::dup2(output, 1);
    ::dup2(output, 2);
    ::close_range(3, ~0U, 0);
    ::sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (ownEnv) {
      ::execve(program.c_str(), argvC.data(), envC.data());
    } else {
      ::execv(program.c_str(), argvC.data());
    }
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  // Input is small (an ip batch): written whole before reading, well under a pipe buffer.
  size_t written = 0;
  while (written < spec.input.size()) {
    ssize_t n = ::write(in[1], spec.input.data() + written, spec.input.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    written += static_cast<size_t>(n);
  }
  ::close(in[1]);

  CommandOutput result;
  const auto deadline = std::chrono::steady_clock::now() + spec.timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timedOut = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      continue;  // the deadline check above ends it
    }
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    const size_t room = spec.maxOutput - std::min(spec.maxOutput, result.output.size());
    result.output.append(buf, std::min(room, static_cast<size_t>(n)));
  }
  ::close(out[0]);
  // The output may end before the process does (it closed its stdout): the deadline still holds.
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) {
      break;
    }
    if (!result.timedOut && std::chrono::steady_clock::now() >= deadline) {
      result.timedOut = true;
      ::kill(-pid, SIGKILL);
    }
    ::usleep(1000);
  }
  if (result.timedOut) {
    ::kill(-pid, SIGKILL);  // what the group left behind
  }
  result.exitCode = exitCodeOf(status);
  return result;
}

Result<std::string> runIp(const std::vector<std::string>& args) {
  CommandSpec spec;
  spec.argv = {"ip"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  auto r = runCommand(spec);
  if (!r.ok()) {
    return r.error();
  }
  if (r->exitCode != 0) {
    return fail(Errc::Unavailable, "ip " + joined(args) + ": " + trimmed(r->output));
  }
  return r->output;
}

Result<std::string> runIpBatch(const std::string& netns, const std::vector<std::string>& lines,
                               bool force) {
  CommandSpec spec;
  spec.argv = {"ip"};
  if (!netns.empty()) {
    spec.argv.insert(spec.argv.end(), {"-n", netns});
  }
  if (force) {
    spec.argv.emplace_back("-force");
  }
  spec.argv.insert(spec.argv.end(), {"-batch", "-"});
  for (const auto& line : lines) {
    spec.input += line + "\n";
  }
  auto r = runCommand(spec);
  if (!r.ok()) {
    return r.error();
  }
  if (r->exitCode != 0 && !force) {
    std::string where = netns.empty() ? "ip -batch" : "ip -n " + netns + " -batch";
    std::string commands;
    for (const auto& line : lines) {
      commands += (commands.empty() ? "" : "; ") + line;
    }
    return fail(Errc::Unavailable, where + " (" + commands + "): " + trimmed(r->output));
  }
  return r->output;
}

}  // namespace mysqlop::local::node
