#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugins/common/kube/conditions.h"

namespace mysqlop::cluster {

// Cluster condition types and the reasons bitpoke writes (compat.md 3.3).
inline constexpr const char* kReady = "Ready";
inline constexpr const char* kReadOnly = "ReadOnly";
inline constexpr const char* kPendingFailoverAck = "PendingFailoverAck";
inline constexpr const char* kFailoverInProgress = "FailoverInProgress";

// Ready from the StatefulSet's ready replicas and the node conditions the failover engine writes:
// True ClusterReady when readyNodes == replicas, every pod 0..replicas-1 is Master or Replicating,
// and a master exists (not required when readOnly or replicas == 0); else False with
// StatefulSetNotReady, NotReplicating or NoMaster.
kube::Condition readyCondition(const std::string& cluster, const std::string& ns, int replicas,
                               bool readOnly, int readyNodes, const nlohmann::json& nodes);

// ReadOnly from the nodes' ReadOnly conditions: True ClusterReadOnlyTrue when no node is writable,
// else False ClusterReadOnlyFalse naming the writable nodes. nullopt while no node reports.
std::optional<kube::Condition> readOnlyCondition(const nlohmann::json& nodes);

// FailoverInProgress=False ClusterNotRunning, written when a stopped cluster (replicas 0, no
// ready node) still shows a failover in progress.
kube::Condition failoverNotRunningCondition();
// The initial PendingFailoverAck (no recovery to acknowledge yet).
kube::Condition noPendingFailoverAckCondition();

// The labels the pod of a status.nodes entry should carry: role master|replica and healthy
// yes|no (yes = master, or replicating and not lagged).
struct PodRole {
  std::string pod;
  std::string role;
  std::string healthy;
};
// Roles of the nodes that have a Master condition, replicas first and the master last (so that a
// switchover never shows two masters to the master Service). Nodes of other clusters are skipped.
std::vector<PodRole> podRoles(const std::string& cluster, const nlohmann::json& nodes);

}  // namespace mysqlop::cluster
