#pragma once

// The pure half of a pass over one cluster (README.md): from the pods and what the probes saw to
// the master, the node conditions, the nodes to initialise and the read-only changes. No I/O, so
// every rule of compat.md 3.2-3.5 is unit-tested here.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugins/orchestrator/src/observation.h"

namespace mysqlop::orchestrator {

// bitpoke's defaults.
inline constexpr long long kDefaultMaxSlaveLatency = 30;
inline constexpr long long kMinUptimeForReadOnly = 15;  // #566
// A pod whose server does not answer yet is not tried (nor reported as failing) for this long
// after its container started: bitpoke's node controller waits 5 s with SELECT 1 every second; a
// first boot with mariadb-install-db takes a few seconds more.
inline constexpr long long kInitGraceSeconds = 10;

// The pod of one ordinal, as the API shows it.
struct PodState {
  bool exists = false;
  bool running = false;   // status.phase Running
  bool ready = false;     // condition Ready=True
  bool deleting = false;  // metadata.deletionTimestamp set
  // Seconds since its newest running container started (-1 when unknown).
  long long runningSeconds = -1;
};

struct Node {
  int ordinal = 0;
  std::string pod;                  // <c>-mysql-<i>
  std::string host;                 // <c>-mysql-<i>.mysql.<ns>
  PodState podState;                // {} when the pod does not exist
  std::optional<Observation> seen;  // nullopt: not probed (no pod, or no endpoint)
  // Configured by this pass's node initialisation, against the master this pass determined.
  bool initialisedThisPass = false;
};

struct ClusterState {
  std::string name;
  std::string ns;
  int replicas = 0;
  bool specReadOnly = false;
  long long maxSlaveLatency = kDefaultMaxSlaveLatency;
  bool failoverInProgress = false;
  nlohmann::json statusNodes = nlohmann::json::array();  // status.nodes before this pass
  std::vector<Node> nodes;                               // ordinals 0..replicas-1
};

std::string podName(const std::string& cluster, int ordinal);
std::string podFqdn(const std::string& cluster, int ordinal, const std::string& ns);

// bitpoke's DetermineMaster over the nodes that are part of the topology (reachable and
// configured): follow each one's Master_Host chain; all must end at the same root, which is the
// master. A host outside the topology (an unreachable or unconfigured node, or an external
// server) ends a chain. A Master_Host naming a node by the address it was reached at (its pod
// IP) stands for that node, as orchestrator resolves hosts it has discovered. A loop, two roots
// or no node at all: nullopt.
std::optional<std::string> determineMaster(const std::vector<Node>& nodes);

// The four node conditions (compat.md 3.3), in bitpoke's order Lagged, Replicating, Master,
// ReadOnly, as "True" / "False" / "Unknown". A node that was not reached gets Lagged, Replicating
// and Master Unknown and keeps its previous ReadOnly (Unknown when it had none).
struct NodeConditions {
  std::string host;
  std::string lagged, replicating, master, readOnly;
};
NodeConditions nodeConditions(const Node& node, const std::optional<std::string>& master,
                              long long maxSlaveLatency, const nlohmann::json& previousNode);

// status.nodes after this pass: one entry per ordinal below replicas whose pod exists or that was
// listed before (in ordinal order), conditions {type, status, lastTransitionTime} where the time
// changes only when the status does. Entries of other names (scaled-down pods) are dropped.
nlohmann::json nextStatusNodes(const ClusterState& c, const std::optional<std::string>& master,
                               const std::string& now);

// The host bitpoke's GetMasterHost gives: the node with Master=True in status.nodes, else pod 0.
std::string masterForInit(const ClusterState& c);

// Ordinals to initialise: pod Running, not Ready, not being deleted, and not known to be
// configured. A node that could not be probed is tried once its container has run for
// kInitGraceSeconds (or when that is unknown): the attempt then reports why it fails.
std::vector<int> nodesToInitialise(const ClusterState& c);

struct ReadOnlyChange {
  int ordinal = 0;
  bool readOnly = true;
};
// compat.md 3.4: nothing while a failover is in progress; with a master and not spec.readOnly the
// master writable and every other node read-only, else all read-only; only reachable, configured
// nodes up for kMinUptimeForReadOnly seconds or more (or initialised in this pass: the grace is for
// servers whose place in the topology is not known yet, and this one was just put there), and only
// where the state differs.
std::vector<ReadOnlyChange> readOnlyChanges(const ClusterState& c,
                                            const std::optional<std::string>& master);

// True when the master was reached in this pass (FailoverInProgress=False ClusterMasterHealthy).
bool masterHealthy(const ClusterState& c, const std::optional<std::string>& master);

}  // namespace mysqlop::orchestrator
