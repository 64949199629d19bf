#include "localcluster/node/network.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "localcluster/node/addresses.h"
#include "localcluster/node/command.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::node {

namespace {

constexpr int kMaxSlots = 256;
constexpr int kFirstPodHost = 2;   // .1 is the gateway
constexpr int kLastPodHost = 254;  // .255 is the broadcast address

// The first 12 hex digits of a pod uid (a UUID): the namespace name's suffix.
Result<std::string> uidHex(const std::string& uid) {
  std::string hex;
  for (char c : uid) {
    if (std::isxdigit(static_cast<unsigned char>(c)) != 0 && hex.size() < 12) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c != '-' && std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return fail(Errc::Invalid, "pod uid \"" + uid + "\" is not a UUID");
    }
  }
  if (hex.size() < 12) {
    return fail(Errc::Invalid, "pod uid \"" + uid + "\" has fewer than 12 hex digits");
  }
  return hex;
}

std::string slotFile(const std::string& dataDir) { return dataDir + "/node/slot"; }

int rememberedSlot(const std::string& dataDir) {
  std::ifstream in(slotFile(dataDir));
  int slot = -1;
  if (in >> slot && slot >= 0 && slot < kMaxSlots) {
    return slot;
  }
  return -1;
}

}  // namespace

Result<int> tryLockSlot(const std::string& registryDir, int slot) {
  const std::string path = registryDir + "/slot-" + std::to_string(slot) + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(Errc::Unavailable, "cannot open " + path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

namespace {
std::mutex heldMutex;
std::set<std::pair<std::string, int>>& heldSlots() {
  static std::set<std::pair<std::string, int>> held;
  return held;
}
}  // namespace

bool slotHeldHere(const std::string& registryDir, int slot) {
  std::lock_guard<std::mutex> lock(heldMutex);
  return heldSlots().count({registryDir, slot}) != 0;
}

void noteSlotHeldHere(const std::string& registryDir, int slot, bool held) {
  std::lock_guard<std::mutex> lock(heldMutex);
  if (held) {
    heldSlots().insert({registryDir, slot});
  } else {
    heldSlots().erase({registryDir, slot});
  }
}

struct Network::Impl {
  NetworkOptions options;
  Records* records = nullptr;
  ClusterSubnets subnets;
  uint32_t podNet = 0;      // the slot's pod /24
  uint32_t serviceNet = 0;  // the slot's Service /24
  int lockFd = -1;
  std::mutex mutex;  // one change of the machine at a time; pod set-up is a few ip calls
  std::map<std::string, PodNetwork> pods;  // by pod uid
  std::set<std::string> serviceIps;

  ~Impl() { releaseSlot(); }

  void releaseSlot() {
    if (lockFd >= 0) {
      noteSlotHeldHere(options.registryDir, subnets.slot, false);
      ::close(lockFd);
      lockFd = -1;
    }
  }

  // Runs a change after recording it; on failure undoes what may exist and forgets it.
  Result<void> createBaseDevices() {
    const int slot = subnets.slot;
    for (const auto& link : {bridgeName(slot), serviceDeviceName(slot)}) {
      if (auto r = records->add({"link", link, ""}); !r.ok()) {
        return r;
      }
    }
    auto r =
        runIpBatch("", {
                           "link add " + bridgeName(slot) + " type bridge",
                           "addr add " + subnets.gateway + "/24 dev " + bridgeName(slot),
                           "link set " + bridgeName(slot) + " up",
                           // A bridge without ports: its addresses are local to the host
                           // (the Service proxy listens on them), pods reach them through
                           // their gateway. No dummy module is needed.
                           "link add " + serviceDeviceName(slot) + " type bridge",
                           "link set " + serviceDeviceName(slot) + " up",
                           // The whole Service /24 routes to that device: a ClusterIP not
                           // (yet) bound there is unreachable instead of following the
                           // default route off the machine. The route goes with the device.
                           "route add " + subnets.serviceSubnet + " dev " + serviceDeviceName(slot),
                       });
    if (!r.ok()) {
      (void)removeSlotLeftovers(slot);
      (void)records->remove("link", bridgeName(slot));
      (void)records->remove("link", serviceDeviceName(slot));
      return r.error();
    }
    return {};
  }

  Result<std::string> allocateIp(const std::string& preferredIp) const {
    std::set<uint32_t> used;
    for (const auto& [uid, pod] : pods) {
      used.insert(*parseIpv4(pod.ip));
    }
    if (auto preferred = parseIpv4(preferredIp);
        preferred && (*preferred & 0xFFFFFF00u) == podNet && (*preferred & 255) >= kFirstPodHost &&
        (*preferred & 255) <= kLastPodHost && used.count(*preferred) == 0) {
      return formatIpv4(*preferred);
    }
    for (uint32_t host = kFirstPodHost; host <= kLastPodHost; ++host) {
      if (used.count(podNet | host) == 0) {
        return formatIpv4(podNet | host);
      }
    }
    return fail(Errc::Unavailable, "no free pod IP in " + subnets.podSubnet);
  }

  Result<void> deletePod(const PodNetwork& pod) {
    // The namespace first: the kernel takes the veth pair along (see deleteAll).
    if (auto r = deleteAll({pod.netns}, {pod.hostVeth}, {}); !r.ok()) {
      return r;
    }
    (void)records->remove("link", pod.hostVeth);
    (void)records->remove("netns", pod.netns);
    return {};
  }
};

Network::Network(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Network::~Network() {
  if (impl_) {
    impl_->releaseSlot();
  }
}

const ClusterSubnets& Network::subnets() const { return impl_->subnets; }

Result<std::unique_ptr<Network>> Network::setUp(const NetworkOptions& options, Records& records) {
  auto podCidr = parseTestRangeCidr("podCidr", options.podCidr);
  if (!podCidr.ok()) {
    return podCidr.error();
  }
  auto serviceCidr = parseTestRangeCidr("serviceCidr", options.serviceCidr);
  if (!serviceCidr.ok()) {
    return serviceCidr.error();
  }
  if (options.dataDir.empty()) {
    return fail(Errc::Invalid, "network: dataDir is empty");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.registryDir, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot create " + options.registryDir + ": " + ec.message());
  }
  const int slots =
      std::min({kMaxSlots, 1 << (24 - podCidr->prefix), 1 << (24 - serviceCidr->prefix)});

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->records = &records;
  std::vector<int> candidates;
  if (int remembered = rememberedSlot(options.dataDir); remembered >= 0 && remembered < slots) {
    candidates.push_back(remembered);
  }
  for (int s = 0; s < slots; ++s) {
    candidates.push_back(s);
  }
  int slot = -1;
  for (int s : candidates) {
    auto fd = tryLockSlot(options.registryDir, s);
    if (!fd.ok()) {
      return fd.error();
    }
    if (*fd >= 0) {
      slot = s;
      impl->lockFd = *fd;
      break;
    }
  }
  if (slot < 0) {
    return fail(Errc::Unavailable, "every one of " + std::to_string(slots) +
                                       " local cluster slots is taken (" + options.registryDir +
                                       ")");
  }
  noteSlotHeldHere(options.registryDir, slot, true);
  impl->subnets.slot = slot;
  // The lock was free: whatever carries this slot's names belonged to a cluster that died.
  if (auto r = removeSlotLeftovers(slot); !r.ok()) {
    return fail(r.code(), "cannot reclaim " + r.error().message);
  }
  if (auto r = records.add({"slot", "slot", std::to_string(slot) + " " + options.registryDir});
      !r.ok()) {
    return r.error();
  }
  {
    std::ofstream out(slotFile(options.dataDir), std::ios::trunc);
    out << slot << '\n';
  }
  auto& s = impl->subnets;
  s.slot = slot;
  s.bridge = bridgeName(slot);
  impl->podNet = podCidr->base + (static_cast<uint32_t>(slot) << 8);
  impl->serviceNet = serviceCidr->base + (static_cast<uint32_t>(slot) << 8);
  s.podSubnet = formatIpv4(impl->podNet) + "/24";
  s.gateway = formatIpv4(impl->podNet | 1);
  s.serviceSubnet = formatIpv4(impl->serviceNet) + "/24";
  if (auto r = impl->createBaseDevices(); !r.ok()) {
    return r.error();
  }
  return std::unique_ptr<Network>(new Network(std::move(impl)));
}

std::string Network::netnsOf(const std::string& podUid) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->pods.find(podUid);
  return it == impl_->pods.end() ? std::string() : it->second.netns;
}

Result<PodNetwork> Network::addPod(const std::string& podUid, const std::string& preferredIp) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->lockFd < 0) {
    return fail(Errc::Unavailable,
                "network of slot " + std::to_string(impl_->subnets.slot) + " was torn down");
  }
  if (auto it = impl_->pods.find(podUid); it != impl_->pods.end()) {
    return it->second;
  }
  auto hex = uidHex(podUid);
  if (!hex.ok()) {
    return hex.error();
  }
  const int slot = impl_->subnets.slot;
  PodNetwork pod;
  pod.netns = netnsPrefix(slot) + *hex;
  for (const auto& [uid, other] : impl_->pods) {
    if (other.netns == pod.netns) {
      return fail(Errc::Conflict, "pod uids " + uid + " and " + podUid +
                                      " share their first 12 hex digits (" + pod.netns + ")");
    }
  }
  auto ip = impl_->allocateIp(preferredIp);
  if (!ip.ok()) {
    return ip.error();
  }
  pod.ip = *ip;
  const int index = static_cast<int>(*parseIpv4(pod.ip) & 255);
  pod.hostVeth = hostVethName(slot, index);
  const std::string peer = podVethName(slot, index);

  Records& records = *impl_->records;
  if (auto r = records.add({"netns", pod.netns, pod.ip + " " + podUid}); !r.ok()) {
    return r.error();
  }
  if (auto r = records.add({"link", pod.hostVeth, ""}); !r.ok()) {
    return r.error();
  }
  auto made = [&]() -> Result<void> {
    // A namespace of this name not in our map is a failed earlier attempt: start afresh.
    if (auto r = deleteNetns(pod.netns); !r.ok()) {
      return r;
    }
    if (auto r = deleteLink(pod.hostVeth); !r.ok()) {
      return r;
    }
    if (auto r = runIp({"netns", "add", pod.netns}); !r.ok()) {
      return r.error();
    }
    if (auto r = runIpBatch("", {"link add " + pod.hostVeth + " type veth peer name " + peer +
                                     " netns " + pod.netns,
                                 "link set " + pod.hostVeth + " master " + bridgeName(slot),
                                 "link set " + pod.hostVeth + " up"});
        !r.ok()) {
      return r.error();
    }
    if (auto r = runIpBatch(
            pod.netns, {"link set " + peer + " name eth0", "addr add " + pod.ip + "/24 dev eth0",
                        "link set eth0 up", "link set lo up",
                        "route add default via " + impl_->subnets.gateway});
        !r.ok()) {
      return r.error();
    }
    return {};
  }();
  if (!made.ok()) {
    (void)impl_->deletePod(pod);
    return fail(made.code(), "pod " + podUid + ": " + made.error().message);
  }
  impl_->pods[podUid] = pod;
  return pod;
}

Result<void> Network::removePod(const std::string& podUid) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->pods.find(podUid);
  if (it == impl_->pods.end()) {
    return {};
  }
  if (auto r = impl_->deletePod(it->second); !r.ok()) {
    return fail(r.code(), "pod " + podUid + ": " + r.error().message);
  }
  impl_->pods.erase(it);
  return {};
}

Result<void> Network::addServiceIp(const std::string& ip) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto parsed = parseIpv4(ip);
  if (!parsed || (*parsed & 0xFFFFFF00u) != impl_->serviceNet) {
    return fail(Errc::Invalid, "Service IP \"" + ip +
                                   "\" is not in this cluster's Service subnet " +
                                   impl_->subnets.serviceSubnet);
  }
  if (impl_->serviceIps.count(ip) != 0) {
    return {};
  }
  const std::string device = serviceDeviceName(impl_->subnets.slot);
  if (auto r = impl_->records->add({"address", ip + "/" + device, ""}); !r.ok()) {
    return r;
  }
  if (auto r = runIp({"addr", "replace", ip + "/32", "dev", device}); !r.ok()) {
    (void)impl_->records->remove("address", ip + "/" + device);
    return r.error();
  }
  impl_->serviceIps.insert(ip);
  return {};
}

Result<void> Network::removeServiceIp(const std::string& ip) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->serviceIps.count(ip) == 0) {
    return {};
  }
  const std::string device = serviceDeviceName(impl_->subnets.slot);
  if (auto r = runIp({"addr", "del", ip + "/32", "dev", device}); !r.ok()) {
    return r.error();
  }
  impl_->serviceIps.erase(ip);
  return impl_->records->remove("address", ip + "/" + device);
}

Result<void> Network::tearDown() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (impl_->lockFd < 0) {
    return {};
  }
  const int slot = impl_->subnets.slot;
  // Everything is named after the slot: pods, the bridge and the Service device (its addresses
  // go with it) are removed together.
  if (auto r = removeSlotLeftovers(slot); !r.ok()) {
    return fail(Errc::Unavailable, "tear down: " + r.error().message);
  }
  Records& records = *impl_->records;
  for (const auto& [uid, pod] : impl_->pods) {
    (void)records.remove("link", pod.hostVeth);
    (void)records.remove("netns", pod.netns);
  }
  impl_->pods.clear();
  for (const auto& ip : impl_->serviceIps) {
    (void)records.remove("address", ip + "/" + serviceDeviceName(slot));
  }
  impl_->serviceIps.clear();
  (void)records.remove("link", bridgeName(slot));
  (void)records.remove("link", serviceDeviceName(slot));
  (void)records.remove("slot", "slot");
  impl_->releaseSlot();
  return {};
}

}  // namespace mysqlop::local::node
