#include "localcluster/node/faults.h"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "localcluster/node/addresses.h"
#include "localcluster/node/command.h"
#include "localcluster/node/proc.h"

namespace mysqlop::local::node {

namespace {

// A decimal number, -1 when text is not one.
int parseNumber(std::string_view text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : -1;
}

struct PodNetns {
  std::string netns;
  std::string hostVeth;
};

std::optional<PodNetns> findPodNetns(const std::vector<Record>& all, const std::string& uid) {
  int slot = -1;
  for (const auto& r : all) {
    if (r.kind == "slot") {
      std::stringstream(r.detail) >> slot;
    }
  }
  for (const auto& r : all) {
    if (r.kind != "netns") {
      continue;
    }
    std::stringstream in(r.detail);
    std::string ip;
    std::string recordedUid;
    in >> ip >> recordedUid;
    const auto dot = ip.rfind('.');
    const int lastOctet = dot == std::string::npos ? -1 : parseNumber(ip.substr(dot + 1));
    if (recordedUid != uid || lastOctet < 0 || slot < 0) {
      continue;
    }
    return PodNetns{r.name, hostVethName(slot, lastOctet)};
  }
  return std::nullopt;
}

bool hasRecord(const std::vector<Record>& all, const std::string& kind, const std::string& name) {
  for (const auto& r : all) {
    if (r.kind == kind && r.name == name) {
      return true;
    }
  }
  return false;
}

// The running program of a process record ("<bwrap pid> <start> <child pid> <start>"): the child,
// pid 1 of the container's pid namespace, when its start time still matches.
std::optional<int> containerPid(const Record& record) {
  std::stringstream in(record.detail);
  int pid = 0;
  uint64_t start = 0;
  std::optional<int> child;
  for (int i = 0; in >> pid >> start; ++i) {
    if (i == 1) {
      auto now = processStartTime(pid);
      if (now && *now == start && !processGone(pid)) {
        child = pid;
      }
    }
  }
  return child;
}

std::string pidNamespace(int pid) {
  std::error_code ec;
  auto link = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/pid", ec);
  return ec ? "" : link.string();
}

// Every live process whose pid namespace is one of `namespaces` ("pid:[4026532...]").
std::vector<int> processesIn(const std::set<std::string>& namespaces) {
  std::vector<int> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const int pid = parseNumber(entry.path().filename().string());
    if (pid > 0 && !processGone(pid) && namespaces.count(pidNamespace(pid)) > 0) {
      pids.push_back(pid);
    }
  }
  return pids;
}

// The pid namespaces of the pod's running containers.
std::set<std::string> podPidNamespaces(const std::vector<Record>& all, const std::string& uid) {
  std::set<std::string> namespaces;
  for (const auto& r : all) {
    if (r.kind != "process" || r.name.rfind(uid + "/", 0) != 0) {
      continue;
    }
    if (auto pid = containerPid(r)) {
      if (std::string ns = pidNamespace(*pid); !ns.empty()) {
        namespaces.insert(ns);
      }
    }
  }
  return namespaces;
}

char processState(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() ? 'X' : line[close + 2];
}

Result<std::string> runTc(const std::string& netns, const std::vector<std::string>& lines) {
  CommandSpec spec;
  spec.argv = {"tc"};
  if (!netns.empty()) {
    spec.argv.insert(spec.argv.end(), {"-n", netns});
  }
  spec.argv.insert(spec.argv.end(), {"-batch", "-"});
  for (const auto& line : lines) {
    spec.input += line + "\n";
  }
  auto out = runCommand(spec);
  if (!out.ok()) {
    return fail(Errc::Unavailable, "tc: " + out.error().message);
  }
  if (out->exitCode != 0) {
    std::string text = out->output;
    while (!text.empty() && text.back() == '\n') {
      text.pop_back();
    }
    return fail(Errc::Unavailable, "tc" + (netns.empty() ? "" : " -n " + netns) + ": " + text);
  }
  return out->output;
}

// Every IP packet leaving `dev` goes to class 1:1, whose queue holds nothing: it is dropped.
// Anything unclassified (ARP) goes straight out (htb's direct queue with `default 0`).
std::vector<std::string> dropIpLines(const std::string& dev) {
  return {"qdisc add dev " + dev + " root handle 1: htb default 0",
          "class add dev " + dev + " parent 1: classid 1:1 htb rate 1mbit",
          "qdisc add dev " + dev + " parent 1:1 handle 10: pfifo limit 0",
          "filter add dev " + dev + " parent 1: protocol ip prio 1 u32 match u32 0 0 flowid 1:1",
          "filter add dev " + dev + " parent 1: protocol ipv6 prio 2 u32 match u32 0 0 flowid 1:1"};
}

// Removes our root qdisc of dev (in netns, "" = the host). A device or namespace that is gone, or
// a root that is already the default, is success.
Result<void> removeRootQdisc(const std::string& netns, const std::string& dev) {
  if (!netns.empty() && !netnsExists(netns)) {
    return {};
  }
  auto shown = runTc(netns, {"qdisc show dev " + dev + " root"});
  if (!shown.ok()) {
    // "Cannot find device": the pod's link went with its namespace.
    return shown.error().message.find("Cannot find device") != std::string::npos
               ? Result<void>()
               : Result<void>(shown.error());
  }
  if (shown->find("qdisc htb 1:") == std::string::npos) {
    return {};
  }
  if (auto r = runTc(netns, {"qdisc del dev " + dev + " root"}); !r.ok()) {
    return r.error();
  }
  return {};
}

std::string quoted(const std::string& pod) { return "pod \"" + pod + "\""; }

}  // namespace

Result<void> partitionPod(Records& records, const FaultTarget& target) {
  forgetStaleFaults(records);
  const auto all = records.all();
  auto pod = findPodNetns(all, target.uid);
  if (!pod) {
    return fail(Errc::NotFound, quoted(target.pod) + " has no network namespace on this node");
  }
  if (hasRecord(all, "partition", pod->netns)) {
    return fail(Errc::AlreadyExists, quoted(target.pod) + " is already partitioned");
  }
  if (findProgram("tc", std::getenv("PATH") ? std::getenv("PATH") : "/usr/sbin:/sbin").empty()) {
    return fail(Errc::Unavailable, "partition needs tc (iproute2) in PATH");
  }
  if (auto r = records.add({"partition", pod->netns, pod->hostVeth + " " + target.pod}); !r.ok()) {
    return r.error();
  }
  // The host end first: from then on nothing reaches the pod; then nothing leaves it.
  auto made = runTc("", dropIpLines(pod->hostVeth));
  if (made.ok()) {
    made = runTc(pod->netns, dropIpLines("eth0"));
  }
  if (!made.ok()) {
    (void)removeRootQdisc("", pod->hostVeth);
    (void)removeRootQdisc(pod->netns, "eth0");
    (void)records.remove("partition", pod->netns);
    return made.error();
  }
  return {};
}

Result<void> healPod(Records& records, const FaultTarget& target) {
  forgetStaleFaults(records);
  const auto all = records.all();
  auto pod = findPodNetns(all, target.uid);
  if (!pod || !hasRecord(all, "partition", pod->netns)) {
    return fail(Errc::Conflict, quoted(target.pod) + " is not partitioned");
  }
  if (auto r = removeRootQdisc(pod->netns, "eth0"); !r.ok()) {
    return r.error();
  }
  if (auto r = removeRootQdisc("", pod->hostVeth); !r.ok()) {
    return r.error();
  }
  return records.remove("partition", pod->netns);
}

Result<int> freezePod(Records& records, const FaultTarget& target) {
  forgetStaleFaults(records);
  const auto all = records.all();
  if (hasRecord(all, "freeze", target.uid)) {
    return fail(Errc::AlreadyExists, quoted(target.pod) + " is already frozen");
  }
  const auto namespaces = podPidNamespaces(all, target.uid);
  if (namespaces.empty()) {
    return fail(Errc::NotFound, quoted(target.pod) + " has no running container");
  }
  if (auto r = records.add({"freeze", target.uid, target.pod}); !r.ok()) {
    return r.error();
  }
  // A process may fork between the scan and its SIGSTOP: scan again until every process found is
  // stopped (bounded: a pod forking faster than we stop it is not a case we meet).
  std::set<int> stopped;
  for (int pass = 0; pass < 50; ++pass) {
    bool allStopped = true;
    for (int pid : processesIn(namespaces)) {
      ::kill(pid, SIGSTOP);
      stopped.insert(pid);
      const char state = processState(pid);
      allStopped = allStopped && (state == 'T' || state == 'Z' || state == 'X');
    }
    if (allStopped) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return static_cast<int>(stopped.size());
}

Result<int> thawPod(Records& records, const FaultTarget& target) {
  forgetStaleFaults(records);
  const auto all = records.all();
  if (!hasRecord(all, "freeze", target.uid)) {
    return fail(Errc::Conflict, quoted(target.pod) + " is not frozen");
  }
  const auto pids = processesIn(podPidNamespaces(all, target.uid));
  for (int pid : pids) {
    ::kill(pid, SIGCONT);
  }
  if (auto r = records.remove("freeze", target.uid); !r.ok()) {
    return r.error();
  }
  return static_cast<int>(pids.size());
}

Result<int> killContainer(Records& records, const FaultTarget& target,
                          const std::string& container) {
  for (const auto& r : records.all()) {
    if (r.kind == "process" && r.name == target.uid + "/" + container) {
      if (auto pid = containerPid(r)) {
        if (::kill(*pid, SIGKILL) != 0) {
          return fail(Errc::Internal, "kill " + std::to_string(*pid) + ": " + std::strerror(errno));
        }
        return *pid;
      }
    }
  }
  return fail(Errc::NotFound,
              "container \"" + container + "\" of " + quoted(target.pod) + " is not running");
}

std::vector<Record> activeFaults(Records& records) {
  forgetStaleFaults(records);
  std::vector<Record> faults;
  for (const auto& r : records.all()) {
    if (r.kind == "partition" || r.kind == "freeze") {
      faults.push_back(r);
    }
  }
  return faults;
}

void forgetStaleFaults(Records& records) {
  const auto all = records.all();
  for (const auto& r : all) {
    // A partition lives in its namespace's links: gone with the namespace.
    if (r.kind == "partition" && !netnsExists(r.name)) {
      (void)records.remove(r.kind, r.name);
    }
    // A freeze is of the processes running then: gone when none of the pod's is left.
    if (r.kind == "freeze" && podPidNamespaces(all, r.name).empty()) {
      (void)records.remove(r.kind, r.name);
    }
  }
}

}  // namespace mysqlop::local::node
