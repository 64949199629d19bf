#include "tests/support/kube/local_cluster_process.h"

#include <dirent.h>
#include <signal.h>
#include <cctype>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/process/child_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

namespace fs = std::filesystem;

std::string LocalClusterProcess::binary() {
  return std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator-local";
}

LocalClusterProcess::LocalClusterProcess() = default;

LocalClusterProcess::~LocalClusterProcess() {
  down();
  if (ownDir_ && !dataDir_.empty()) {
    std::error_code ec;
    fs::remove_all(dataDir_, ec);
  }
}

Result<void> LocalClusterProcess::start(const Options& options) {
  options_ = options;
  if (dataDir_.empty()) {
    if (options.dataDir.empty()) {
      char tmpl[] = "/tmp/mysqlop-local-XXXXXX";
      if (::mkdtemp(tmpl) == nullptr) {
        return fail(Errc::Internal, "mkdtemp failed");
      }
      dataDir_ = tmpl;
      ownDir_ = true;
    } else {
      dataDir_ = options.dataDir;
    }
  }
  SpawnSpec spec;
  spec.argv = {binary(), "up", "--data-dir", dataDir_, "--listen", "127.0.0.1:0"};
  spec.argv.insert(spec.argv.end(), options.extraArgs.begin(), options.extraArgs.end());
  spec.stdoutPath = logFile();
  spec.stderrPath = logFile();
  spec.appendStdout = true;
  spec.appendStderr = true;
  try {
    pid_ = spawnProcess(spec);
  } catch (const std::exception& e) {
    return fail(Errc::Internal, e.what());
  }
  // Starting includes cleaning up after a crash and resuming pods: allow a minute.
  bool listening = pollUntil(
      [&] {
        if (waitForExit(pid_, std::chrono::milliseconds(0)).has_value()) {
          pid_ = -1;
          return true;
        }
        return readFile(logFile()).find("listening on ") != std::string::npos;
      },
      Poll{std::chrono::seconds(60), std::chrono::milliseconds(50)});
  if (pid_ < 0 || !listening) {
    return fail(Errc::Unavailable,
                "mysql-operator-local up did not start; its log:\n" + readFile(logFile()));
  }
  return {};
}

CommandResult LocalClusterProcess::down() {
  if (dataDir_.empty()) {
    return {};
  }
  CommandResult r = runCommand({binary(), "down", "--data-dir", dataDir_}, {}, "", 180);
  if (pid_ > 0) {
    // down waited for the lock; reap our child.
    if (!waitForExit(pid_, std::chrono::seconds(10)).has_value()) {
      killProcess(pid_);
    }
    pid_ = -1;
  }
  return r;
}

void LocalClusterProcess::kill() {
  if (pid_ > 0) {
    killProcess(pid_);
    pid_ = -1;
  }
}

CommandResult LocalClusterProcess::status() const {
  return runCommand({binary(), "status", "--data-dir", dataDir_}, {}, "", 60);
}

std::string LocalClusterProcess::machinePrefix() const {
  std::ifstream in(dataDir_ + "/node/slot");
  int slot = -1;
  if (!(in >> slot) || slot < 0) {
    return "";
  }
  return "mol" + std::to_string(slot);
}

std::vector<std::string> machineLeftovers(const std::string& prefix, const std::string& dataDir) {
  std::vector<std::string> left;
  if (prefix.empty()) {
    return left;
  }
  auto matches = [&](const std::string& name) {
    // "mol7" must not match "mol70": the names are "mol7", "mol7svc", "mol7-...", "mol7h...".
    if (name.rfind(prefix, 0) != 0) {
      return false;
    }
    return name.size() == prefix.size() ||
           !std::isdigit(static_cast<unsigned char>(name[prefix.size()]));
  };
  CommandResult netns = runCommand({"ip", "netns", "list"});
  std::istringstream ns(netns.out);
  for (std::string line; std::getline(ns, line);) {
    std::string name = line.substr(0, line.find(' '));
    if (matches(name)) {
      left.push_back("netns " + name);
    }
  }
  CommandResult links = runCommand({"ip", "-o", "link", "show"});
  std::istringstream ls(links.out);
  for (std::string line; std::getline(ls, line);) {
    // "12: mol7h3@if11: <...>"
    auto a = line.find(": ");
    auto b = line.find_first_of(":@", a + 2);
    if (a == std::string::npos || b == std::string::npos) {
      continue;
    }
    std::string name = line.substr(a + 2, b - a - 2);
    if (matches(name)) {
      left.push_back("link " + name);
    }
  }
  std::ifstream mounts("/proc/mounts");
  for (std::string line; std::getline(mounts, line);) {
    if ((line.find("/run/netns/" + prefix + "-") != std::string::npos) ||
        (!dataDir.empty() && line.find(dataDir) != std::string::npos)) {
      left.push_back("mount " + line);
    }
  }
  if (!dataDir.empty()) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) {
        continue;
      }
      std::string cmdline = readFile(entry.path().string() + "/cmdline");
      for (char& c : cmdline) {
        c = c == '\0' ? ' ' : c;
      }
      if (cmdline.find(dataDir) != std::string::npos) {
        left.push_back("process " + pid + ": " + cmdline);
      }
    }
  }
  return left;
}

}  // namespace mysqlop::testing
