#include "localcluster/node/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "localcluster/node/addresses.h"
#include "localcluster/node/bwrap_command.h"
#include "localcluster/node/command.h"
#include "localcluster/node/log_pump.h"
#include "localcluster/node/mount_points.h"
#include "localcluster/node/proc.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::node {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kLogDrainLimit = std::chrono::seconds(2);  // after bwrap exits, for the last lines
constexpr auto kInfoLimit = std::chrono::seconds(30);     // bwrap reports its child's pid

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}
}  // namespace

struct Supervisor::Impl {
  // One spawned container, shared by the maps, the log pump's callback and waiters.
  struct Proc {
    std::string key;
    pid_t bwrapPid = 0;
    uint64_t bwrapStart = 0;
    pid_t childPid = 0;
    uint64_t childStart = 0;
    int pidfd = -1;
    std::vector<std::string> env;
    std::chrono::system_clock::time_point startedAt;
    bool spawnFailed = false;  // no onExit: spawn reports the failure itself
    bool settled = false;      // spawn has handed the pipes to the log pump, or failed
    bool pipesClosed = false;
    bool reaped = false;
    int waitStatus = 0;
    std::chrono::system_clock::time_point finishedAt;
    Clock::time_point drainDeadline;
    bool done = false;  // record removed and onExit returned
  };
  using ProcPtr = std::shared_ptr<Proc>;

  Records& records;
  ExitCallback onExit;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, ProcPtr> procs;  // by key; removed before onExit, so a restart may spawn
  std::set<std::string> starting;        // keys of spawns in progress
  std::deque<std::packaged_task<void()>> tasks;  // forks, run on the supervisor thread
  bool stopping = false;
  int wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  std::thread::id threadId;
  std::unique_ptr<LogPump> logs = std::make_unique<LogPump>();
  std::thread thread;

  Impl(Records& r, ExitCallback cb) : records(r), onExit(std::move(cb)) {
    thread = std::thread([this] { run(); });
    threadId = thread.get_id();
  }

  void wake() const {
    const uint64_t one = 1;
    (void)::write(wakeFd, &one, sizeof one);
  }

  ProcPtr find(const std::string& key) const {
    auto it = procs.find(key);
    return it == procs.end() ? nullptr : it->second;
  }

  // Runs work on the supervisor thread (the parent thread of every bwrap: --die-with-parent
  // follows the thread that forked) and waits for it.
  void onSupervisorThread(std::function<void()> work) {
    if (std::this_thread::get_id() == threadId) {
      work();  // onExit spawning a restart
      return;
    }
    std::packaged_task<void()> task(std::move(work));
    auto done = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mutex);
      tasks.push_back(std::move(task));
    }
    wake();
    done.wait();
  }

  void run() {
    for (;;) {
      std::deque<std::packaged_task<void()>> work;
      std::vector<ProcPtr> watched;
      bool stop = false;
      {
        std::lock_guard<std::mutex> lock(mutex);
        work.swap(tasks);
        for (const auto& [key, p] : procs) {
          watched.push_back(p);
        }
        stop = stopping;
      }
      for (auto& t : work) {
        t();
      }
      reapAndFinish(watched);
      if (stop) {
        std::lock_guard<std::mutex> lock(mutex);
        if (procs.empty() && tasks.empty()) {
          break;
        }
      }
      std::vector<pollfd> polls{{wakeFd, POLLIN, 0}};
      int timeoutMs = -1;
      std::unique_lock<std::mutex> lock(mutex);
      for (const auto& p : watched) {
        if (p->done) {
          continue;
        }
        if (!p->reaped && p->pidfd >= 0) {
          polls.push_back({p->pidfd, POLLIN, 0});
        } else if (p->reaped && p->settled) {  // unsettled: spawn wakes us when it settles
          const auto left =
              std::chrono::duration_cast<std::chrono::milliseconds>(p->drainDeadline - Clock::now())
                  .count();
          const int ms = static_cast<int>(std::max<long long>(1, left));
          timeoutMs = timeoutMs < 0 ? ms : std::min(timeoutMs, ms);
        }
      }
      lock.unlock();
      if (stop) {
        timeoutMs = timeoutMs < 0 ? 50 : std::min(timeoutMs, 50);
      }
      (void)::poll(polls.data(), polls.size(), timeoutMs);
      uint64_t count = 0;
      (void)::read(wakeFd, &count, sizeof count);
    }
  }

  // waitpid on each bwrap pid that exited (never -1: other children are not ours), then finishes
  // those whose output is written (or whose drain time is over).
  void reapAndFinish(const std::vector<ProcPtr>& watched) {
    for (const auto& p : watched) {
      if (!p->reaped) {
        int status = 0;
        const pid_t r = ::waitpid(p->bwrapPid, &status, WNOHANG);
        if (r == p->bwrapPid || (r < 0 && errno == ECHILD)) {
          std::lock_guard<std::mutex> lock(mutex);
          p->reaped = true;
          p->waitStatus = status;
          p->finishedAt = std::chrono::system_clock::now();
          p->drainDeadline = Clock::now() + kLogDrainLimit;
          changed.notify_all();
        }
      }
      bool finish = false;
      {
        std::lock_guard<std::mutex> lock(mutex);
        finish = p->settled && p->reaped && !p->done &&
                 (p->pipesClosed || Clock::now() >= p->drainDeadline);
      }
      if (finish) {
        finishProc(p);
      }
    }
  }

  void finishProc(const ProcPtr& p) {
    if (p->pidfd >= 0) {
      ::close(p->pidfd);
      p->pidfd = -1;
    }
    (void)records.remove("process", p->key);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (auto it = procs.find(p->key); it != procs.end() && it->second == p) {
        procs.erase(it);
      }
    }
    if (!p->spawnFailed && onExit) {
      ExitStatus status;
      const int s = p->waitStatus;
      status.exitCode = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s);
      // bwrap reports a program killed by signal N as 128+N (bubblewrap 0.8, checked).
      status.signal =
          status.exitCode > 128 && status.exitCode <= 128 + 64 ? status.exitCode - 128 : 0;
      status.reason = status.exitCode == 0 ? "Completed" : "Error";
      status.startedAt = p->startedAt;
      status.finishedAt = p->finishedAt;
      onExit(p->key, status);
    }
    std::lock_guard<std::mutex> lock(mutex);
    p->done = true;
    changed.notify_all();
  }

  // On the supervisor thread: fork, setns, exec bwrap. Records the bwrap pid before returning.
  Result<ProcPtr> forkBwrap(const SpawnSpec& spec, std::vector<std::string> argv, int netnsFd,
                            int out, int err, int info) {
    std::vector<std::string> env = spec.env;
    auto argvC = cStrings(argv);
    auto envC = cStrings(env);
    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const auto startedAt = std::chrono::system_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(devNull);
      return fail(Errc::Internal, spec.key + ": fork: " + std::strerror(errno));
    }
    if (pid == 0) {
      // Only async-signal-safe calls from here to exec.
      if (netnsFd >= 0 && ::setns(netnsFd, CLONE_NEWNET) != 0) {
        static const char msg[] = "setns into the pod's network namespace failed\n";
        (void)::write(err, msg, sizeof msg - 1);
        ::_exit(127);
      }
      ::setsid();  // no terminal's signals reach containers
      // Moved above the targets first: a pipe may have got fd 0..3 (a daemon closed its stdio),
      // and dup2 onto itself would keep FD_CLOEXEC.
      const int in0 = ::fcntl(devNull, F_DUPFD, 10);
      const int out1 = ::fcntl(out, F_DUPFD, 10);
      const int err2 = ::fcntl(err, F_DUPFD, 10);
      const int info3 = ::fcntl(info, F_DUPFD, 10);
      ::dup2(in0, 0);
      ::dup2(out1, 1);
      ::dup2(err2, 2);
      ::dup2(info3, kInfoFd);
      ::close_range(kInfoFd + 1, ~0U, 0);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int s = 1; s < NSIG; ++s) {
        ::sigaction(s, &dfl, nullptr);
      }
      ::sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execve(argvC[0], argvC.data(), envC.data());
      ::_exit(127);
    }
    ::close(devNull);
    auto p = std::make_shared<Proc>();
    p->key = spec.key;
    p->bwrapPid = pid;
    p->bwrapStart = processStartTime(pid).value_or(0);
    p->env = spec.env;
    p->startedAt = startedAt;
    p->pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    (void)records.add({"process", spec.key, processDetail(pid, p->bwrapStart)});
    {
      std::lock_guard<std::mutex> lock(mutex);
      procs[spec.key] = p;
    }
    return p;
  }

  Result<int> spawn(const SpawnSpec& spec) {
    if (spec.key.empty() || spec.argv.empty() || spec.argv[0].empty()) {
      return fail(Errc::Invalid, "spawn \"" + spec.key + "\": the key and argv[0] are required");
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) {
        return fail(Errc::Unavailable, spec.key + ": the supervisor is stopping");
      }
      if (auto p = find(spec.key)) {
        return fail(Errc::AlreadyExists,
                    spec.key + ": already running (pid " + std::to_string(p->childPid) + ")");
      }
      if (!starting.insert(spec.key).second) {
        return fail(Errc::AlreadyExists, spec.key + ": already being started");
      }
    }
    // The key is reserved until this spawn returns, so two concurrent spawns of it cannot both
    // fork.
    struct Unreserve {
      Impl* impl;
      const std::string& key;
      ~Unreserve() {
        std::lock_guard<std::mutex> lock(impl->mutex);
        impl->starting.erase(key);
      }
    } unreserve{this, spec.key};
    int netnsFd = -1;
    if (!spec.netns.empty()) {
      netnsFd = ::open(("/run/netns/" + spec.netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (netnsFd < 0 || spec.netns.find('/') != std::string::npos) {
        if (netnsFd >= 0) {
          ::close(netnsFd);
        }
        return fail(Errc::NotFound,
                    spec.key + ": network namespace \"" + spec.netns + "\" does not exist");
      }
    }
    auto closeNetns = [&] {
      if (netnsFd >= 0) {
        ::close(netnsFd);
      }
    };
    if (auto r = checkProgram(spec); !r.ok()) {
      closeNetns();
      return r.error();
    }
    // Recorded before bwrap makes them on the host (see mount_points.h).
    for (const auto& top : missingMountPoints(spec.binds)) {
      (void)records.add({"mountpoint", top, ""});
    }
    const char* pathEnv = ::getenv("PATH");
    const std::string bwrap = findProgram("bwrap", pathEnv != nullptr ? pathEnv : "");
    if (bwrap.empty()) {
      closeNetns();
      return fail(Errc::Unavailable, spec.key + ": bwrap not found (install Debian's bubblewrap)");
    }
    int logFd = -1;
    if (!spec.logPath.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(spec.logPath).parent_path(), ec);
      logFd = ::open(spec.logPath.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
      if (logFd < 0) {
        closeNetns();
        return fail(Errc::Unavailable,
                    spec.key + ": cannot open " + spec.logPath + ": " + std::strerror(errno));
      }
    }
    int out[2], err[2], info[2];
    (void)::pipe2(out, O_CLOEXEC);
    (void)::pipe2(err, O_CLOEXEC);
    (void)::pipe2(info, O_CLOEXEC);
    Result<ProcPtr> forked = fail(Errc::Internal, "not run");
    onSupervisorThread([&] {
      forked = forkBwrap(spec, bwrapArgv(bwrap, spec), netnsFd, out[1], err[1], info[1]);
    });
    closeNetns();
    for (int fd : {out[1], err[1], info[1]}) {
      ::close(fd);
    }
    if (!forked.ok()) {
      for (int fd : {out[0], err[0], info[0], logFd}) {
        if (fd >= 0) {
          ::close(fd);
        }
      }
      return forked.error();
    }
    ProcPtr p = *forked;
    const std::string infoText = readAll(info[0], Clock::now() + kInfoLimit);
    ::close(info[0]);
    const int childPid = childPidOf(infoText);
    struct stat bwrapFile {};
    (void)::stat(bwrap.c_str(), &bwrapFile);
    std::string earlyStderr;
    if (childPid <= 0 || !awaitExec(childPid, bwrapFile, Clock::now() + kInfoLimit)) {
      // Dead before we saw it exec: bwrap's own refusal ("bwrap: ..." on stderr, then exit 1), or
      // a program that ran and ended at once. Both ends of stderr are closed by now.
      earlyStderr = readAll(err[0], Clock::now() + kInfoLimit);
      if (childPid <= 0 || earlyStderr.rfind("bwrap: ", 0) == 0) {
        const std::string message = lastLine(earlyStderr);
        for (int fd : {out[0], err[0], logFd}) {
          if (fd >= 0) {
            ::close(fd);
          }
        }
        ::kill(p->bwrapPid, SIGKILL);
        {
          std::unique_lock<std::mutex> lock(mutex);
          p->spawnFailed = true;
          p->pipesClosed = true;
          p->settled = true;
        }
        if (std::this_thread::get_id() == threadId) {
          // onExit spawning: this thread is the reaper, so reap here rather than wait for it.
          int status = 0;
          while (!p->reaped && ::waitpid(p->bwrapPid, &status, 0) < 0 && errno == EINTR) {
          }
          {
            std::lock_guard<std::mutex> lock(mutex);
            p->reaped = true;
          }
          if (!p->done) {
            finishProc(p);
          }
        } else {
          wake();
          waitDone(p);
        }
        return fail(
            Errc::Unavailable,
            spec.key + ": " + (message.empty() ? "bwrap did not start the program" : message));
      }
    }
    const uint64_t childStart = processStartTime(childPid).value_or(0);
    (void)records.add(
        {"process", spec.key,
         processDetail(p->bwrapPid, p->bwrapStart) + " " + processDetail(childPid, childStart)});
    {
      std::lock_guard<std::mutex> lock(mutex);
      p->childPid = childPid;
      p->childStart = childStart;
    }
    logs->add(
        out[0], err[0], logFd,
        [this, p] {
          {
            std::lock_guard<std::mutex> lock(mutex);
            p->pipesClosed = true;
          }
          wake();
        },
        earlyStderr);
    {
      std::lock_guard<std::mutex> lock(mutex);
      p->settled = true;
    }
    wake();
    return childPid;
  }

  void waitDone(const ProcPtr& p) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return p->done; });
  }

  // The program's pid when its start time still matches (0 otherwise): never a reused pid.
  pid_t liveChild(const ProcPtr& p) const {
    if (p->reaped || p->childPid <= 0) {
      return 0;
    }
    auto start = processStartTime(p->childPid);
    return start && *start == p->childStart ? p->childPid : 0;
  }

  void kill(const ProcPtr& p, int sig) {
    pid_t target = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      target = liveChild(p);
      if (target == 0 && !p->reaped && sig == SIGKILL) {
        target = p->bwrapPid;  // still starting: bwrap's death takes the sandbox along
      }
    }
    if (target > 0) {
      ::kill(target, sig);
    }
  }

  void stopProcs(const std::vector<ProcPtr>& ps, std::chrono::milliseconds grace) {
    for (const auto& p : ps) {
      kill(p, SIGTERM);
    }
    const auto deadline = Clock::now() + grace;
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait_until(lock, deadline, [&] {
        return std::all_of(ps.begin(), ps.end(), [](const ProcPtr& p) { return p->reaped; });
      });
    }
    for (const auto& p : ps) {
      kill(p, SIGKILL);  // pid 1 of the namespace: its whole tree goes
    }
    for (const auto& p : ps) {
      waitDone(p);
    }
  }
};

Supervisor::Supervisor(Records& records, ExitCallback onExit)
    : impl_(std::make_unique<Impl>(records, std::move(onExit))) {}

Supervisor::~Supervisor() {
  stopAll(std::chrono::milliseconds(0));
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake();
  impl_->thread.join();
  impl_->logs.reset();
  ::close(impl_->wakeFd);
}

Result<int> Supervisor::spawn(const SpawnSpec& spec) { return impl_->spawn(spec); }

bool Supervisor::running(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto p = impl_->find(key);
  return p && !p->reaped;
}

int Supervisor::pidOf(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto p = impl_->find(key);
  return p ? impl_->liveChild(p) : 0;
}

std::vector<std::string> Supervisor::envOf(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto p = impl_->find(key);
  return p ? p->env : std::vector<std::string>{};
}

bool Supervisor::active(const std::string& key) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->find(key) != nullptr;
}

bool Supervisor::signal(const std::string& key, int sig) {
  pid_t target = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto p = impl_->find(key);
    target = p ? impl_->liveChild(p) : 0;
  }
  return target > 0 && ::kill(target, sig) == 0;
}

void Supervisor::stop(const std::string& key, std::chrono::milliseconds grace) {
  Impl::ProcPtr p;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    p = impl_->find(key);
  }
  if (p) {
    impl_->stopProcs({p}, grace);
  }
}

void Supervisor::stopAll(std::chrono::milliseconds grace) {
  std::vector<Impl::ProcPtr> all;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (const auto& [key, p] : impl_->procs) {
      all.push_back(p);
    }
  }
  impl_->stopProcs(all, grace);
}

Result<ExecResult> Supervisor::exec(const std::string& key, const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) {
  pid_t pid = 0;
  std::vector<std::string> env;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto p = impl_->find(key);
    pid = p ? impl_->liveChild(p) : 0;
    if (p) {
      env = p->env;
    }
  }
  if (pid == 0) {
    return fail(Errc::NotFound, key + ": not running");
  }
  if (argv.empty()) {
    return fail(Errc::Invalid, key + ": exec needs a command");
  }
  CommandSpec spec;
  // The container's mount, network, pid and UTS namespaces, its root and working directory.
  spec.argv = {"nsenter", "-t", std::to_string(pid), "-m", "-n", "-p", "-u", "-r", "-w", "--"};
  spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
  spec.env = env;
  spec.timeout = timeout;
  spec.maxOutput = std::size_t{10} * 1024;
  auto r = runCommand(spec);
  if (!r.ok()) {
    return fail(r.code(), key + ": " + r.error().message);
  }
  return ExecResult{r->exitCode, r->output, r->timedOut};
}

}  // namespace mysqlop::local::node
