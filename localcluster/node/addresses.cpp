#include "localcluster/node/addresses.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

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

Result<void> removeSlotLeftovers(int slot) {
  std::string failures;
  for (const auto& ns : namedNetns()) {
    if (netnsOfSlot(slot, ns)) {
      if (auto r = deleteNetns(ns); !r.ok()) {
        failures += (failures.empty() ? "" : "; ") + r.error().message;
      }
    }
  }
  // Host veth ends first (each takes its peer along), the bridge and the Service device last.
  auto links = hostLinks();
  std::stable_partition(links.begin(), links.end(), [&](const std::string& l) {
    return l != bridgeName(slot) && l != serviceDeviceName(slot);
  });
  for (const auto& link : links) {
    if (linkOfSlot(slot, link)) {
      if (auto r = deleteLink(link); !r.ok()) {
        failures += (failures.empty() ? "" : "; ") + r.error().message;
      }
    }
  }
  if (!failures.empty()) {
    return fail(Errc::Unavailable, "slot " + std::to_string(slot) + ": " + failures);
  }
  return {};
}

}  // namespace mysqlop::local::node
