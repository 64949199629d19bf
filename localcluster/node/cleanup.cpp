// cleanUp(records): removes everything a local cluster recorded, for `down`, the next `up` and the
// test fixtures. Order: processes (they keep namespaces alive), addresses, namespaces, links, then
// anything else named after the recorded slot.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "localcluster/node/addresses.h"
#include "localcluster/node/command.h"
#include "localcluster/node/faults.h"
#include "localcluster/node/mount_points.h"
#include "localcluster/node/proc.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::node {

namespace {

// SIGKILL to every recorded pid whose start time still matches; true when they are all gone.
bool killRecordedProcess(const Record& record) {
  std::stringstream in(record.detail);
  int pid = 0;
  uint64_t start = 0;
  std::vector<int> killed;
  while (in >> pid >> start) {
    auto now = processStartTime(pid);
    if (now && *now == start) {
      ::kill(pid, SIGKILL);
      killed.push_back(pid);
    }
  }
  // Killed processes are reaped by their parent (a Supervisor of this process, or init).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int p : killed) {
    while (!processGone(p) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!processGone(p)) {
      return false;
    }
  }
  return true;
}

Result<void> removeAddress(const std::string& name) {
  const auto slash = name.find('/');
  if (slash == std::string::npos) {
    return {};  // not ours to parse: forget it
  }
  const std::string ip = name.substr(0, slash);
  const std::string device = name.substr(slash + 1);
  if (!linkExists(device)) {
    return {};
  }
  auto r = runIp({"addr", "del", ip + "/32", "dev", device});
  if (!r.ok() && r.error().message.find("Cannot assign requested address") == std::string::npos) {
    return r.error();
  }
  return {};
}

// Whether a local cluster other than the one of `ownSlot` (whose lock the caller holds) holds a
// slot of the registry.
bool otherClusterRuns(const std::string& registryDir, int ownSlot) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(registryDir, ec)) {
    const std::string name = e.path().filename().string();
    // "slot-<N>.lock"
    if (name.rfind("slot-", 0) != 0 || name.size() < 11 ||
        name.compare(name.size() - 5, 5, ".lock") != 0) {
      continue;
    }
    const std::string digits = name.substr(5, name.size() - 10);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const int slot = std::stoi(digits);
    if (slot == ownSlot) {
      continue;
    }
    auto fd = tryLockSlot(registryDir, slot);
    if (!fd.ok() || *fd < 0) {
      return true;
    }
    ::close(*fd);
  }
  return false;
}

}  // namespace

Result<void> cleanUp(Records& records) {
  std::string failures;
  auto note = [&](const std::string& what) { failures += (failures.empty() ? "" : "; ") + what; };
  const auto all = records.all();
  // The network is touched only when its slot is free: a slot another cluster holds now (it was
  // reclaimed after a crash) carries that cluster's links under the same names.
  int slot = -1;
  int slotLock = -1;
  bool heldHere = false;
  std::string registryDir = "/run/mysqlop-local";
  for (const auto& r : all) {
    if (r.kind == "slot") {
      std::stringstream in(r.detail);
      in >> slot >> registryDir;
      if (slot >= 0) {
        heldHere = slotHeldHere(registryDir, slot);
        auto fd = heldHere ? Result<int>(-1) : tryLockSlot(registryDir, slot);
        slotLock = fd.ok() ? *fd : -1;
      }
    }
  }
  const bool networkFree = slot < 0 || slotLock >= 0;
  std::vector<std::string> netns;  // removed together: one ip process per step, not per name
  std::vector<std::string> links;
  for (const auto& r : all) {
    if (r.kind != "process") {
      continue;
    }
    if (killRecordedProcess(r)) {
      (void)records.remove(r.kind, r.name);
    } else {
      note("process " + r.name + " (" + r.detail + ") did not die after SIGKILL");
    }
  }
  for (const char* kind : {"address", "netns", "link"}) {
    for (const auto& r : all) {
      if (r.kind != kind) {
        continue;
      }
      if (heldHere) {
        note(r.kind + " " + r.name + ": slot " + std::to_string(slot) +
             " is held by a Network of this process (tear it down first)");
        continue;
      }
      if (!networkFree) {
        // Another cluster took the slot after ours died, and removed our leftovers by name
        // before it did: the names are its own now. Forget them.
        (void)records.remove(r.kind, r.name);
        continue;
      }
      if (r.kind == "netns") {
        netns.push_back(r.name);
        continue;
      }
      if (r.kind == "link") {
        links.push_back(r.name);
        continue;
      }
      if (auto done = removeAddress(r.name); done.ok()) {
        (void)records.remove(r.kind, r.name);
      } else {
        note(r.kind + " " + r.name + ": " + done.error().message);
      }
    }
  }
  if (!netns.empty() || !links.empty()) {
    std::vector<std::string> ownDevices;
    if (slot >= 0) {
      ownDevices = {bridgeName(slot), serviceDeviceName(slot)};
    }
    (void)deleteAll(netns, links, ownDevices);  // what is left is named below, one by one
    for (const auto& n : netns) {
      if (netnsExists(n)) {
        note("netns " + n + " could not be removed");
      } else {
        (void)records.remove("netns", n);
      }
    }
    for (const auto& l : links) {
      if (linkExists(l)) {
        note("link " + l + " could not be removed");
      } else {
        (void)records.remove("link", l);
      }
    }
  }
  if (slot >= 0 && !networkFree && !heldHere) {
    (void)records.remove("slot", "slot");
  }
  if (slot >= 0 && networkFree) {
    if (auto done = removeSlotLeftovers(slot); done.ok()) {
      (void)records.remove("slot", "slot");
    } else {
      note(done.error().message);
    }
  }
  // Mount points bwrap made on the host are shared by every container that binds there, of any
  // local cluster: deleting one under a running container would detach its mount. So they go only
  // when no other local cluster runs here; otherwise their records stay for a later cleanUp.
  bool mountPointsRecorded = false;
  for (const auto& r : all) {
    mountPointsRecorded = mountPointsRecorded || r.kind == "mountpoint";
  }
  if (mountPointsRecorded && !otherClusterRuns(registryDir, slot)) {
    for (const auto& r : all) {
      if (r.kind != "mountpoint") {
        continue;
      }
      if (auto done = removeEmptyTree(r.name); done.ok()) {
        (void)records.remove(r.kind, r.name);
      } else {
        note(done.error().message);
      }
    }
  }
  if (slotLock >= 0) {
    ::close(slotLock);
  }
  // Partitions went with their namespaces, freezes with their processes.
  forgetStaleFaults(records);
  if (!failures.empty()) {
    return fail(Errc::Unavailable, "clean up left: " + failures);
  }
  return {};
}

}  // namespace mysqlop::local::node
