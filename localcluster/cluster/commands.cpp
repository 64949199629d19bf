#include "localcluster/cluster/commands.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "localcluster/cluster/listen_address.h"
#include "localcluster/cluster/local_cluster.h"
#include "localcluster/cluster/run_lock.h"
#include "localcluster/cluster/status_report.h"
#include "localcluster/node/faults.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::cluster {

namespace {

constexpr const char* kUpUsage =
    "usage: mysql-operator-local up --data-dir DIR [--listen HOST:PORT] [--apply FILE|DIR ...]\n"
    "                               [--image-profiles FILE ...] [--detach]\n"
    "\n"
    "Runs a local cluster: the API server, the controllers, the Service proxy and a process\n"
    "kubelet that runs pods as processes in network namespaces (root, bwrap and ip needed).\n"
    "Writes DIR/kubeconfig and prints 'listening on URL' once it serves. SIGTERM or `down`\n"
    "stops it; the next `up` on DIR resumes its objects and runs its pods again.\n"
    "\n"
    "options:\n"
    "  --data-dir DIR          state, certificates, kubeconfig, pod files, volumes, logs\n"
    "  --listen HOST:PORT      API address (default 127.0.0.1:6443; port 0 picks a free one)\n"
    "  --apply FILE|DIR        manifests applied once the cluster runs (repeatable)\n"
    "  --image-profiles FILE   image profiles after the shipped ones (repeatable)\n"
    "  --pod-cidr CIDR         within 198.18.0.0/15 (default 198.18.0.0/16)\n"
    "  --service-cidr CIDR     within 198.18.0.0/15 (default 198.19.0.0/16)\n"
    "  --detach                return once the API serves; the cluster runs on (DIR/up.pid,\n"
    "                          its log in DIR/up.log)\n"
    "  --log-level LEVEL       trace, debug, info, warn, error (default info)\n";

[[noreturn]] void usageError(const std::string& message, const char* usage) {
  std::fprintf(stderr, "mysql-operator-local: %s\n%s", message.c_str(), usage);
  std::exit(2);
}

// Parses "--flag value" pairs; `handle` returns false for an unknown flag.
template <class Handle>
void parseFlags(int argc, char** argv, const char* usage, Handle handle) {
  for (int i = 0; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usageError(flag + " needs a value", usage);
      }
      return argv[++i];
    };
    if (!handle(flag, value)) {
      usageError("unknown flag " + flag, usage);
    }
  }
}

void setUpLogging(const std::string& level) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("local"));
  spdlog::set_level(spdlog::level::from_str(level));
}

// Runs the cluster in this process until SIGTERM or SIGINT. readyFd (-1 = none) receives one
// line, "listening on URL" or "error: MESSAGE", and is closed.
int runForeground(const LocalClusterOptions& options, int readyFd) {
  auto report = [&](const std::string& line) {
    if (readyFd >= 0) {
      std::string text = line + "\n";
      (void)!::write(readyFd, text.data(), text.size());
      ::close(readyFd);
      readyFd = -1;
    }
  };
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto lock = RunLock::acquire(options.dataDir);
  if (!lock.ok()) {
    std::fprintf(stderr, "mysql-operator-local: %s\n", lock.error().message.c_str());
    report("error: " + lock.error().message);
    return 1;
  }
  if (auto r = lock->writePid(::getpid()); !r.ok()) {
    std::fprintf(stderr, "mysql-operator-local: %s\n", r.error().message.c_str());
    report("error: " + r.error().message);
    return 1;
  }
  LocalCluster cluster(options);
  if (auto r = cluster.start(); !r.ok()) {
    std::fprintf(stderr, "mysql-operator-local: %s\n", r.error().message.c_str());
    report("error: " + r.error().message);
    return 1;
  }
  std::printf("listening on %s\n", cluster.url().c_str());
  std::fflush(stdout);
  spdlog::info("local cluster up: API {}, pods {}, Services {}, data in {}", cluster.url(),
               cluster.podSubnet(), cluster.serviceSubnet(), options.dataDir);
  report("listening on " + cluster.url());
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("signal {}: stopping the local cluster", sig);
  cluster.stop();
  spdlog::info("stopped");
  return 0;
}

// Forks; the child runs the cluster with its output in DIR/up.log, the parent returns once the
// child reports that it serves (or why it could not).
int runDetached(const LocalClusterOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.dataDir, ec);
  const std::string logPath = options.dataDir + "/up.log";
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::fprintf(stderr, "mysql-operator-local: pipe: %s\n", std::strerror(errno));
    return 1;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::fprintf(stderr, "mysql-operator-local: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    int devnull = ::open("/dev/null", O_RDONLY);
    int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
    }
    if (log >= 0) {
      ::dup2(log, 1);
      ::dup2(log, 2);
    }
    std::_Exit(runForeground(options, fds[1]));
  }
  ::close(fds[1]);
  std::string line;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) {
      line.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fds[0]);
  while (!line.empty() && line.back() == '\n') {
    line.pop_back();
  }
  if (line.rfind("listening on ", 0) == 0) {
    std::printf("%s\n", line.c_str());
    return 0;
  }
  if (line.rfind("error: ", 0) == 0) {
    std::fprintf(stderr, "mysql-operator-local: %s\n", line.substr(7).c_str());
  } else {
    std::fprintf(stderr, "mysql-operator-local: up stopped before serving; see %s\n",
                 logPath.c_str());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return 1;
}

}  // namespace

int upCommand(int argc, char** argv) {
  LocalClusterOptions options;
  bool detach = false;
  std::string level = "info";
  parseFlags(argc, argv, kUpUsage, [&](const std::string& flag, auto value) {
    if (flag == "--data-dir") {
      options.dataDir = value();
    } else if (flag == "--listen") {
      std::string text = value();
      if (!parseListen(text, &options.listenHost, &options.port)) {
        usageError("invalid --listen address " + text, kUpUsage);
      }
    } else if (flag == "--apply") {
      options.applyPaths.push_back(value());
    } else if (flag == "--image-profiles") {
      options.imageProfileFiles.push_back(value());
    } else if (flag == "--pod-cidr") {
      options.podCidr = value();
    } else if (flag == "--service-cidr") {
      options.serviceCidr = value();
    } else if (flag == "--detach") {
      detach = true;
    } else if (flag == "--log-level") {
      level = value();
    } else {
      return false;
    }
    return true;
  });
  if (options.dataDir.empty()) {
    usageError("--data-dir is required", kUpUsage);
  }
  options.dataDir = std::filesystem::absolute(options.dataDir).lexically_normal().string();
  if (detach) {
    // The child sets up logging after the fork: spdlog's threads do not survive fork().
    int rc = runDetached(options);
    return rc;
  }
  setUpLogging(level);
  return runForeground(options, -1);
}

int downCommand(int argc, char** argv) {
  constexpr const char* kUsage =
      "usage: mysql-operator-local down --data-dir DIR [--timeout SECONDS]\n"
      "\n"
      "Stops the local cluster running in DIR (SIGTERM: pods get their grace periods) and removes\n"
      "everything it made on the machine; also removes what a crashed run left. Objects, volumes\n"
      "and logs in DIR stay: the next `up` resumes them.\n";
  std::string dataDir;
  int timeoutSeconds = 120;
  parseFlags(argc, argv, kUsage, [&](const std::string& flag, auto value) {
    if (flag == "--data-dir") {
      dataDir = value();
    } else if (flag == "--timeout") {
      std::string text = value();
      try {
        timeoutSeconds = std::stoi(text);
      } catch (const std::exception&) {
        usageError("invalid --timeout " + text, kUsage);
      }
    } else {
      return false;
    }
    return true;
  });
  if (dataDir.empty()) {
    usageError("--data-dir is required", kUsage);
  }
  int pid = runningPid(dataDir);
  if (pid != 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
    if (pid > 0) {
      ::kill(pid, SIGTERM);
    }
    while (runningPid(dataDir) != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (int left = runningPid(dataDir); left > 0) {
      std::fprintf(stderr, "mysql-operator-local: pid %d did not stop within %d s: killing it\n",
                   left, timeoutSeconds);
      ::kill(left, SIGKILL);
      while (runningPid(dataDir) != 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  // Whatever a crash (or the SIGKILL above) left: processes, namespaces, links, addresses.
  if (std::filesystem::exists(dataDir + "/node")) {
    auto records = node::Records::open(dataDir);
    if (!records.ok()) {
      std::fprintf(stderr, "mysql-operator-local: %s\n", records.error().message.c_str());
      return 1;
    }
    if (auto r = node::cleanUp(*records.value()); !r.ok()) {
      std::fprintf(stderr, "mysql-operator-local: %s\n", r.error().message.c_str());
      return 1;
    }
  }
  std::printf(pid != 0 ? "stopped the local cluster in %s\n"
                       : "no local cluster was running in %s; nothing of it is left\n",
              dataDir.c_str());
  return 0;
}

int statusCommand(int argc, char** argv) {
  constexpr const char* kUsage =
      "usage: mysql-operator-local status --data-dir DIR\n"
      "\n"
      "Prints the nodes, the pods with their IPs and phases, and the Services with their IPs of\n"
      "the local cluster running in DIR.\n";
  std::string dataDir;
  parseFlags(argc, argv, kUsage, [&](const std::string& flag, auto value) {
    if (flag == "--data-dir") {
      dataDir = value();
    } else {
      return false;
    }
    return true;
  });
  if (dataDir.empty()) {
    usageError("--data-dir is required", kUsage);
  }
  if (runningPid(dataDir) == 0) {
    std::fprintf(stderr, "mysql-operator-local: no local cluster is running in %s\n",
                 dataDir.c_str());
    return 1;
  }
  auto report = statusReport(dataDir + "/kubeconfig");
  if (!report.ok()) {
    std::fprintf(stderr, "mysql-operator-local: %s\n", report.error().message.c_str());
    return 1;
  }
  std::fputs(report->c_str(), stdout);
  // Faults injected with `fault` (partitions, frozen pods) that are still on.
  if (auto records = node::Records::open(dataDir); records.ok()) {
    const auto faults = node::activeFaults(*records.value());
    if (!faults.empty()) {
      std::printf("\nFAULTS\n");
    }
    for (const auto& f : faults) {
      // partition: name = netns, detail = "<host veth> <ns/pod>"; freeze: detail = "<ns/pod>".
      const std::string pod =
          f.kind == "partition" ? f.detail.substr(f.detail.find(' ') + 1) : f.detail;
      std::printf("%s %s\n", f.kind == "partition" ? "partitioned" : "frozen", pod.c_str());
    }
  }
  return 0;
}

}  // namespace mysqlop::local::cluster
