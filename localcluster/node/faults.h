#pragma once
// Faults injected into a running pod for failover tests (`mysql-operator-local fault`): a network
// partition that peers see as a hang, freeze/thaw of every process of the pod, SIGKILL of one
// container. Works from the records of DIR/node (records.h) alone, so it runs in a process of its
// own beside `up`. Each fault is recorded before it is made and forgotten after it is undone;
// `cleanUp` forgets what `down` took along. See localcluster/node/README.md, "Faults".

#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/node/records.h"

namespace mysqlop::local::node {

// `pod` is "<namespace>/<name>", used in messages only; `uid` finds the pod's netns and processes.
struct FaultTarget {
  std::string uid;
  std::string pod;
};

// Drops every IPv4/IPv6 packet to and from the pod (ARP still passes, so peers keep the pod's
// neighbour entry and see no "no route to host"): an htb root qdisc whose only class ends in
// `pfifo limit 0`, on the host end of the pod's veth and on the pod's eth0. Record
// {"partition", <netns>, <host veth>}.
// Failures: NotFound `pod "ns/name" has no network namespace on this node`, AlreadyExists
// `pod "ns/name" is already partitioned`, Unavailable `tc ...: <tc's stderr>`.
Result<void> partitionPod(Records& records, const FaultTarget& target);
// Removes both root qdiscs (the veth's own `noqueue` is back); Conflict `pod "ns/name" is not
// partitioned`.
Result<void> healPod(Records& records, const FaultTarget& target);

// SIGSTOP to every process in the pid namespace of each running container of the pod, repeated
// until all are stopped (a process forked meanwhile is caught by the next pass). Record
// {"freeze", <uid>, <ns/name>}. Returns the number of processes stopped.
// Failures: NotFound `pod "ns/name" has no running container`, AlreadyExists `... is already
// frozen`.
Result<int> freezePod(Records& records, const FaultTarget& target);
// SIGCONT to the same processes; Conflict `pod "ns/name" is not frozen`. Returns their number.
Result<int> thawPod(Records& records, const FaultTarget& target);

// SIGKILL to the container's main process (pid 1 of its pid namespace, so the whole namespace
// dies); the kubelet restarts it by the pod's restart policy. Returns the pid.
// NotFound `container "c" of pod "ns/name" is not running`.
Result<int> killContainer(Records& records, const FaultTarget& target,
                          const std::string& container);

// The fault records ("partition", "freeze") whose pod still exists on the machine, and forgetting
// the others (a pod deleted or a cluster taken down while a fault was on).
std::vector<Record> activeFaults(Records& records);
void forgetStaleFaults(Records& records);

}  // namespace mysqlop::local::node
