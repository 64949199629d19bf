#pragma once

// What the observer's last pass of a cluster saw (README.md, "Audit and routes"): the topology
// route, the page, the probe metrics and the node changes of the audit read it. Built by the pass
// (pure, from the ClusterState it ends with) and kept by the Observer, one per known cluster.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugins/orchestrator/src/analysis.h"
#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/topology.h"

namespace mysqlop::orchestrator {

struct NodeSnapshot {
  std::string host;
  std::string pod;
  int ordinal = 0;
  std::string state;  // master, replica, lagged, stopped, unreachable
  bool podExists = false;
  bool podReady = false;
  std::optional<Observation> seen;  // nullopt: not probed (no pod, or no endpoint)
};

struct ClusterSnapshot {
  std::string ns;
  std::string name;
  int replicas = 0;
  bool specReadOnly = false;
  bool failoverInProgress = false;
  std::optional<std::string> master;
  UnixMs observedAt = 0;
  double passSeconds = 0;
  std::vector<NodeSnapshot> nodes;

  std::string key() const { return ns + "/" + name; }
};

// The state of a node as the metrics and the page name it (the observer's stateOf).
std::string nodeState(const Node& n, const std::optional<std::string>& master, long long maxLag);

ClusterSnapshot snapshotOf(const ClusterState& c, const std::optional<std::string>& master,
                           UnixMs at);

// A static cluster (standalone mode) as the failover engine sees it: namespace "", nodes named
// "host:port" without pods, the master the engine knows last, a node's state from its last probe
// (unreachable while it does not answer).
ClusterSnapshot snapshotOfView(const ClusterView& view, UnixMs at);

// The JSON of the topology route (README.md): {"namespace", "name", ..., "nodes": [...]}.
nlohmann::json toJson(const ClusterSnapshot& c);

// The node changes between two passes of a cluster (a node seen for the first time has an empty
// fromState; previous null: the first pass). Only nodes whose pod exists.
std::vector<NodeChange> nodeChanges(const ClusterSnapshot* previous, const ClusterSnapshot& next);

}  // namespace mysqlop::orchestrator
