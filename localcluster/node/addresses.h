#pragma once
// IPv4 addresses and CIDRs of the local cluster's ranges, and the names derived from a slot.
// Internal to local_node.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::node {

struct Cidr {
  uint32_t base = 0;  // host order, host bits zero
  int prefix = 0;
};

std::optional<uint32_t> parseIpv4(const std::string& text);
std::string formatIpv4(uint32_t ip);
// "198.18.0.0/16", checked to lie inside 198.18.0.0/15 (RFC 2544, the only range we use); `what`
// names the option in the message ("podCidr").
Result<Cidr> parseTestRangeCidr(const std::string& what, const std::string& text);

// Names of slot N: everything a cluster makes on the machine is found from them alone.
std::string bridgeName(int slot);               // mol<N>
std::string serviceDeviceName(int slot);        // mol<N>svc
std::string hostVethName(int slot, int index);  // mol<N>h<i>
std::string podVethName(int slot, int index);   // mol<N>p<i>, renamed eth0 in the pod
std::string netnsPrefix(int slot);              // mol<N>-
// Whether a link or namespace name belongs to slot N ("mol1h2" is slot 1's, "mol12" is not).
bool linkOfSlot(int slot, const std::string& name);
bool netnsOfSlot(int slot, const std::string& name);

// What exists now: links of the host's network namespace, names under /run/netns.
std::vector<std::string> hostLinks();
std::vector<std::string> namedNetns();
bool linkExists(const std::string& name);
bool netnsExists(const std::string& name);

// Takes the lock of one slot (registryDir/slot-<N>.lock) without waiting: the fd on success, -1
// when another holder (another process, or another Network of this one) has it.
Result<int> tryLockSlot(const std::string& registryDir, int slot);
// Whether a Network of this process holds the slot (flock cannot tell "us" from another process).
bool slotHeldHere(const std::string& registryDir, int slot);
void noteSlotHeldHere(const std::string& registryDir, int slot, bool held);

// Removes every link and namespace named after the slot, killing the processes still inside those
// namespaces (they are what keeps a deleted namespace alive). Gone already is success.
Result<void> removeSlotLeftovers(int slot);
// Kills the processes inside the namespaces, deletes the namespaces, waits (5 s at most) for the
// kernel to take the links that were in them along (every link but ownDevices, the host's own),
// then deletes what is left; success when none of them exists afterwards.
Result<void> deleteAll(const std::vector<std::string>& netns, const std::vector<std::string>& links,
                       const std::vector<std::string>& ownDevices);
// `ip netns pids` killed with SIGKILL, then `ip netns del`; success when it is gone already.
Result<void> deleteNetns(const std::string& name);
// `ip link del`; success when it is gone already.
Result<void> deleteLink(const std::string& name);

}  // namespace mysqlop::local::node
