// TEST-ONLY stand-in of node::Supervisor, used while branch wave9-node has no supervisor.cpp
// (CMake option KUBELET_TEST_STAND_IN_SUPERVISOR). Same command line as the real one
// (localcluster/node/README.md): bwrap --as-pid-1 in the pod's netns, exit code 128+N for signals.
// One thread per process for its output and its exit: simple, not efficient.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "localcluster/node/supervisor.h"

namespace mysqlop::local::node {

struct StandInProc {
  pid_t bwrap = 0;
  pid_t child = 0;
  bool done = false;
  std::chrono::system_clock::time_point startedAt;
};

namespace {

std::string criTime() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%09ldZ", buf, ts.tv_nsec);
  return out;
}

bool findInPath(const std::string& prog, const std::vector<std::string>& env) {
  if (prog.find('/') != std::string::npos) {
    return access(prog.c_str(), X_OK) == 0;
  }
  std::string path = "/usr/bin:/bin";
  for (const auto& e : env) {
    if (e.rfind("PATH=", 0) == 0) {
      path = e.substr(5);
    }
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && access((dir + "/" + prog).c_str(), X_OK) == 0) {
      return true;
    }
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

struct Supervisor::Impl {
  Records& records;
  ExitCallback onExit;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, StandInProc> procs;
  std::vector<std::thread> threads;
  Impl(Records& r, ExitCallback cb) : records(r), onExit(std::move(cb)) {}
};

Supervisor::Supervisor(Records& records, ExitCallback onExit)
    : impl_(std::make_unique<Impl>(records, std::move(onExit))) {}

Supervisor::~Supervisor() {
  stopAll(std::chrono::milliseconds(0));
  for (auto& t : impl_->threads) {
    t.join();
  }
}

Result<int> Supervisor::spawn(const SpawnSpec& spec) {
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->procs.count(spec.key) != 0) {
      return fail(Errc::AlreadyExists, spec.key + " is running");
    }
  }
  if (spec.argv.empty() || !findInPath(spec.argv[0], spec.env)) {
    return fail(Errc::NotFound, "exec: \"" + (spec.argv.empty() ? "" : spec.argv[0]) +
                                    "\": executable file not found in $PATH");
  }
  int netFd = -1;
  if (!spec.netns.empty()) {
    netFd = open(("/run/netns/" + spec.netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (netFd < 0) {
      return fail(Errc::NotFound, "netns " + spec.netns + ": " + std::strerror(errno));
    }
  }
  std::vector<std::string> args = {"bwrap", "--die-with-parent", "--unshare-pid", "--as-pid-1"};
  if (!spec.hostname.empty()) {
    args.insert(args.end(), {"--unshare-uts", "--hostname", spec.hostname});
  }
  args.insert(args.end(), {"--dev-bind", "/", "/", "--proc", "/proc"});
  for (const auto& b : spec.binds) {
    args.insert(args.end(), {b.readOnly ? "--ro-bind" : "--bind", b.source, b.target});
  }
  args.insert(args.end(), {"--chdir", spec.workingDir.empty() ? "/" : spec.workingDir,
                           "--info-fd", "3", "--"});
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  int out[2];
  int info[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(info, O_CLOEXEC) != 0) {
    return fail(Errc::Internal, "pipe failed");
  }
  pid_t pid = fork();
  if (pid == 0) {
    if (netFd >= 0 && setns(netFd, CLONE_NEWNET) != 0) {
      _exit(126);
    }
    dup2(out[1], 1);
    dup2(out[1], 2);
    dup2(info[1], 3);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> envCopy = spec.env;
    std::vector<char*> envp;
    for (auto& e : envCopy) {
      envp.push_back(e.data());
    }
    envp.push_back(nullptr);
    execve("/usr/bin/bwrap", argv.data(), envp.data());
    _exit(127);
  }
  if (netFd >= 0) {
    close(netFd);
  }
  close(out[1]);
  close(info[1]);
  // child-pid from the info fd.
  std::string infoText;
  char buf[512];
  ssize_t n = 0;
  while ((n = read(info[0], buf, sizeof buf)) > 0) {
    infoText.append(buf, static_cast<std::size_t>(n));
    if (infoText.find('}') != std::string::npos) {
      break;
    }
  }
  close(info[0]);
  pid_t child = pid;
  auto j = nlohmann::json::parse(infoText, nullptr, false);
  if (j.is_object() && j.contains("child-pid")) {
    child = j["child-pid"].get<pid_t>();
  }
  StandInProc p;
  p.bwrap = pid;
  p.child = child;
  p.startedAt = std::chrono::system_clock::now();
  {
    std::lock_guard lock(impl_->mu);
    impl_->procs[spec.key] = p;
  }
  std::string key = spec.key;
  std::string logPath = spec.logPath;
  int readFd = out[0];
  Impl* impl = impl_.get();
  std::lock_guard lock(impl_->mu);
  impl_->threads.emplace_back([impl, key, logPath, readFd, pid, started = p.startedAt] {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(logPath).parent_path(), ec);
    std::ofstream log(logPath, std::ios::app);
    std::string pending;
    char b[4096];
    ssize_t r = 0;
    while ((r = read(readFd, b, sizeof b)) > 0) {
      pending.append(b, static_cast<std::size_t>(r));
      std::size_t nl = 0;
      while ((nl = pending.find('\n')) != std::string::npos) {
        log << criTime() << " stdout F " << pending.substr(0, nl) << "\n" << std::flush;
        pending.erase(0, nl + 1);
      }
    }
    if (!pending.empty()) {
      log << criTime() << " stdout F " << pending << "\n" << std::flush;
    }
    close(readFd);
    int status = 0;
    waitpid(pid, &status, 0);
    ExitStatus es;
    es.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    es.signal = es.exitCode > 128 ? es.exitCode - 128 : 0;
    es.reason = es.exitCode == 0 ? "Completed" : "Error";
    es.startedAt = started;
    es.finishedAt = std::chrono::system_clock::now();
    {
      std::lock_guard l(impl->mu);
      impl->procs.erase(key);
    }
    impl->onExit(key, es);
    {
      std::lock_guard l(impl->mu);
      impl->cv.notify_all();
    }
  });
  return static_cast<int>(child);
}

bool Supervisor::running(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  return impl_->procs.count(key) != 0;
}

int Supervisor::pidOf(const std::string& key) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->procs.find(key);
  return it == impl_->procs.end() ? 0 : it->second.child;
}

bool Supervisor::signal(const std::string& key, int sig) {
  int pid = pidOf(key);
  return pid > 0 && ::kill(pid, sig) == 0;
}

void Supervisor::stop(const std::string& key, std::chrono::milliseconds grace) {
  signal(key, SIGTERM);
  std::unique_lock lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, grace, [&] { return impl_->procs.count(key) == 0; })) {
    auto it = impl_->procs.find(key);
    if (it != impl_->procs.end()) {
      ::kill(it->second.child, SIGKILL);
      ::kill(it->second.bwrap, SIGKILL);
    }
    impl_->cv.wait(lock, [&] { return impl_->procs.count(key) == 0; });
  }
}

Result<ExecResult> Supervisor::exec(const std::string& key, const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) {
  int pid = pidOf(key);
  if (pid <= 0) {
    return fail(Errc::NotFound, key + " is not running");
  }
  std::vector<std::string> args = {"nsenter", "-t", std::to_string(pid), "-m", "-n", "-p", "-u",
                                   "-r", "-w", "--"};
  args.insert(args.end(), argv.begin(), argv.end());
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    return fail(Errc::Internal, "pipe failed");
  }
  pid_t c = fork();
  if (c == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    std::vector<char*> a;
    for (auto& s : args) {
      a.push_back(s.data());
    }
    a.push_back(nullptr);
    execvp("nsenter", a.data());
    _exit(127);
  }
  close(out[1]);
  ExecResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  char b[4096];
  for (;;) {
    ssize_t n = read(out[0], b, sizeof b);
    if (n > 0) {
      r.output.append(b, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) {
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(c, SIGKILL);
      r.timedOut = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  close(out[0]);
  int status = 0;
  waitpid(c, &status, 0);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (r.output.size() > 10240) {
    r.output.resize(10240);
  }
  return r;
}

void Supervisor::stopAll(std::chrono::milliseconds grace) {
  std::vector<std::string> keys;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [k, p] : impl_->procs) {
      keys.push_back(k);
    }
  }
  for (const auto& k : keys) {
    stop(k, grace);
  }
}

}  // namespace mysqlop::local::node
