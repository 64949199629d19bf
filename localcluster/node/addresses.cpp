#include "localcluster/node/addresses.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "localcluster/node/command.h"

namespace mysqlop::local::node {

namespace {
constexpr uint32_t kTestRange = (198u << 24) | (18u << 16);  // 198.18.0.0/15
constexpr int kTestRangePrefix = 15;

uint32_t maskOf(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }

bool allDigits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  return out;
}
}  // namespace

std::optional<uint32_t> parseIpv4(const std::string& text) {
  uint32_t ip = 0;
  std::stringstream in(text);
  std::string part;
  int parts = 0;
  while (std::getline(in, part, '.')) {
    if (!allDigits(part) || part.size() > 3 || std::stoi(part) > 255 || ++parts > 4) {
      return std::nullopt;
    }
    ip = (ip << 8) | static_cast<uint32_t>(std::stoi(part));
  }
  if (parts != 4 || text.back() == '.') {
    return std::nullopt;
  }
  return ip;
}

std::string formatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

Result<Cidr> parseTestRangeCidr(const std::string& what, const std::string& text) {
  const auto slash = text.find('/');
  std::optional<uint32_t> ip;
  int prefix = -1;
  if (slash != std::string::npos && allDigits(text.substr(slash + 1)) && text.size() - slash <= 3) {
    ip = parseIpv4(text.substr(0, slash));
    prefix = std::stoi(text.substr(slash + 1));
  }
  if (!ip || prefix < 0 || prefix > 32) {
    return fail(Errc::Invalid, what + " \"" + text + "\" is not an IPv4 CIDR (a.b.c.d/n)");
  }
  if (prefix < kTestRangePrefix || (*ip & maskOf(kTestRangePrefix)) != kTestRange) {
    return fail(Errc::Invalid, what + " " + text +
                                   " is outside 198.18.0.0/15: local clusters use only the RFC "
                                   "2544 test range");
  }
  if (prefix > 24) {
    return fail(Errc::Invalid,
                what + " " + text + " is smaller than a /24: each cluster takes one /24");
  }
  return Cidr{*ip & maskOf(prefix), prefix};
}

std::string bridgeName(int slot) { return "mol" + std::to_string(slot); }
std::string serviceDeviceName(int slot) { return bridgeName(slot) + "svc"; }
std::string hostVethName(int slot, int index) {
  return bridgeName(slot) + "h" + std::to_string(index);
}
std::string podVethName(int slot, int index) {
  return bridgeName(slot) + "p" + std::to_string(index);
}
std::string netnsPrefix(int slot) { return bridgeName(slot) + "-"; }

bool linkOfSlot(int slot, const std::string& name) {
  const std::string base = bridgeName(slot);
  if (name == base || name == serviceDeviceName(slot)) {
    return true;
  }
  if (name.rfind(base, 0) != 0 || name.size() < base.size() + 2) {
    return false;
  }
  const char kind = name[base.size()];
  return (kind == 'h' || kind == 'p') && allDigits(name.substr(base.size() + 1));
}

bool netnsOfSlot(int slot, const std::string& name) {
  return name.rfind(netnsPrefix(slot), 0) == 0;
}

std::vector<std::string> hostLinks() { return entries("/sys/class/net"); }
std::vector<std::string> namedNetns() { return entries("/run/netns"); }

bool linkExists(const std::string& name) {
  std::error_code ec;
  return !name.empty() && name.find('/') == std::string::npos &&
         std::filesystem::exists("/sys/class/net/" + name, ec);
}

bool netnsExists(const std::string& name) {
  std::error_code ec;
  return !name.empty() && name.find('/') == std::string::npos &&
         std::filesystem::exists("/run/netns/" + name, ec);
}

Result<void> deleteNetns(const std::string& name) {
  if (!netnsExists(name)) {
    return {};
  }
  // A namespace lives as long as a process is inside it, whatever its name says.
  if (auto pids = runIp({"netns", "pids", name}); pids.ok()) {
    std::stringstream in(*pids);
    std::string pid;
    while (in >> pid) {
      if (allDigits(pid)) {
        ::kill(std::stoi(pid), SIGKILL);
      }
    }
  }
  auto r = runIp({"netns", "del", name});
  if (!r.ok() && netnsExists(name)) {
    return r.error();
  }
  return {};
}

Result<void> deleteLink(const std::string& name) {
  if (!linkExists(name)) {
    return {};
  }
  auto r = runIp({"link", "del", name});
  if (!r.ok() && linkExists(name)) {
    return r.error();
  }
  return {};
}

Result<void> deleteAll(const std::vector<std::string>& netns, const std::vector<std::string>& links,
                       const std::vector<std::string>& ownDevices) {
  // One `ip -force -batch` per step rather than a process per name: a cluster of 50 pods is torn
  // down in three ip processes. -force goes on past names that are gone already.
  auto batch = [](const std::string& verb, const std::vector<std::string>& names) {
    std::vector<std::string> lines;
    lines.reserve(names.size());
    for (const auto& n : names) {
      lines.push_back(verb + " " + n);
    }
    return lines.empty() ? Result<std::string>(std::string()) : runIpBatch("", lines, true);
  };
  // A namespace lives as long as a process is inside it, whatever its name says.
  if (auto pids = batch("netns pids", netns); pids.ok()) {
    std::stringstream in(*pids);
    std::string pid;
    while (in >> pid) {
      if (allDigits(pid)) {
        ::kill(std::stoi(pid), SIGKILL);
      }
    }
  }
  // Namespaces first: the kernel destroys their devices (and so the host veth ends) in one batch,
  // in tens of milliseconds for 50 pods, where deleting veths one by one takes a second.
  (void)batch("netns del", netns);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<std::string> remaining;
  for (;;) {
    remaining.clear();
    for (const auto& l : links) {
      if (linkExists(l)) {
        remaining.push_back(l);
      }
    }
    const bool onlyOwnDevices = std::all_of(remaining.begin(), remaining.end(), [&](const auto& l) {
      return std::find(ownDevices.begin(), ownDevices.end(), l) != ownDevices.end();
    });
    if (onlyOwnDevices || std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (void)batch("link del", remaining);
  std::string left;
  for (const auto& n : netns) {
    if (netnsExists(n)) {
      left += (left.empty() ? "netns " : ", netns ") + n;
    }
  }
  for (const auto& l : links) {
    if (linkExists(l)) {
      left += (left.empty() ? "link " : ", link ") + l;
    }
  }
  if (!left.empty()) {
    return fail(Errc::Unavailable, "could not remove " + left);
  }
  return {};
}

Result<void> removeSlotLeftovers(int slot) {
  std::vector<std::string> netns;
  for (const auto& ns : namedNetns()) {
    if (netnsOfSlot(slot, ns)) {
      netns.push_back(ns);
    }
  }
  // Host veth ends first, the bridge and the Service device last.
  std::vector<std::string> links;
  for (const auto& link : hostLinks()) {
    if (linkOfSlot(slot, link)) {
      links.push_back(link);
    }
  }
  std::stable_partition(links.begin(), links.end(), [&](const std::string& l) {
    return l != bridgeName(slot) && l != serviceDeviceName(slot);
  });
  if (auto r = deleteAll(netns, links, {bridgeName(slot), serviceDeviceName(slot)}); !r.ok()) {
    return fail(r.code(), "slot " + std::to_string(slot) + ": " + r.error().message);
  }
  return {};
}

}  // namespace mysqlop::local::node
