#pragma once
// The machine side of a local cluster's network: a bridge with the gateway of the cluster's pod
// subnet, one network namespace and veth pair per pod, the Service IPs on a host device. Every
// link and namespace is recorded (records.h) before it is made; see localcluster/node/README.md.

#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::node {

class Records;

struct NetworkOptions {
  std::string dataDir;                        // the cluster's DIR (its slot is remembered there)
  std::string podCidr = "198.18.0.0/16";      // RFC 2544 test range: never another
  std::string serviceCidr = "198.19.0.0/16";  // RFC 2544 test range: never another
  std::string registryDir = "/run/mysqlop-local";  // slots shared by every local cluster here
};

// What one cluster got. Slot N gives the pod subnet 198.18.N.0/24 (gateway .1 on the bridge)
// and the Service subnet 198.19.N.0/24; names derive from the slot so that leftovers of a
// crashed cluster are found by name alone.
struct ClusterSubnets {
  int slot = -1;
  std::string bridge;         // "mol<slot>"
  std::string podSubnet;      // "198.18.7.0/24"
  std::string gateway;        // "198.18.7.1"
  std::string serviceSubnet;  // "198.19.7.0/24"
};

struct PodNetwork {
  std::string netns;     // name under /run/netns: "mol<slot>-<first 12 hex of the pod uid>"
  std::string ip;        // "198.18.7.23"
  std::string hostVeth;  // the host end, on the bridge
};

class Network {
 public:
  // Claims a slot: the one remembered in DIR if it is free, else the lowest free one. A slot is
  // held by an flock on registryDir/slot-<N>.lock for the life of this object; a slot whose
  // holder died is reclaimed after its leftovers (bridge, namespaces, links named after it) are
  // removed. Creates the bridge with the gateway address and the host device for Service IPs.
  static Result<std::unique_ptr<Network>> setUp(const NetworkOptions& options, Records& records);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const ClusterSubnets& subnets() const;

  // Idempotent per pod uid: a namespace with lo up, eth0 holding the pod IP (/24, default route
  // via the gateway), the host end on the bridge. preferredIp is kept when it is in the subnet and
  // free (a pod coming back after a restart of `up`).
  Result<PodNetwork> addPod(const std::string& podUid, const std::string& preferredIp = "");
  // The namespace name of a pod added here (PodNetwork::netns), "" when it has none (not added,
  // removed, or a hostNetwork pod): where `kubectl port-forward` dials.
  std::string netnsOf(const std::string& podUid) const;
  // Removes the pod's namespace and links; succeeds when they are already gone.
  Result<void> removePod(const std::string& podUid);

  // Service IPs live on a host device so that host processes (the Service proxy) can listen on
  // them and pods reach them through their default route.
  Result<void> addServiceIp(const std::string& ip);
  Result<void> removeServiceIp(const std::string& ip);

  // Removes every pod namespace, link and the bridge, and releases the slot.
  Result<void> tearDown();

 private:
  struct Impl;
  explicit Network(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One line naming what the machine lacks to run pods ("" when nothing is missing): not root,
// no bwrap, no ip (iproute2), no nsenter.
std::string missingPrerequisite();

}  // namespace mysqlop::local::node
