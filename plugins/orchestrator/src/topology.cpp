#include "plugins/orchestrator/src/topology.h"

#include <map>
#include <set>

#include "plugins/common/kube/conditions.h"

namespace mysqlop::orchestrator {
namespace {

using nlohmann::json;

bool inTopology(const Node& n) { return n.seen && n.seen->reachable && n.seen->configured; }

const json* previousNode(const json& statusNodes, const std::string& host) {
  if (!statusNodes.is_array()) {
    return nullptr;
  }
  for (const json& n : statusNodes) {
    if (n.is_object() && n.value("name", "") == host) {
      return &n;
    }
  }
  return nullptr;
}

std::string previousStatus(const json& node, const char* type) {
  if (!node.is_object()) {
    return {};
  }
  return kube::conditionStatus(node.value("conditions", json::array()), type);
}

const char* tf(bool v) { return v ? "True" : "False"; }

}  // namespace

std::string podName(const std::string& cluster, int ordinal) {
  return cluster + "-mysql-" + std::to_string(ordinal);
}

std::string podFqdn(const std::string& cluster, int ordinal, const std::string& ns) {
  return podName(cluster, ordinal) + ".mysql." + ns;
}

std::optional<std::string> determineMaster(const std::vector<Node>& nodes) {
  std::map<std::string, const Observation*> topology;
  std::map<std::string, std::string> byAddress;  // pod IP -> node name
  for (const Node& n : nodes) {
    if (inTopology(n)) {
      topology[n.host] = &*n.seen;
    }
    if (n.seen && !n.seen->address.empty()) {
      byAddress[n.seen->address] = n.host;
    }
  }
  std::optional<std::string> root;
  for (const auto& [host, seen] : topology) {
    std::set<std::string> visited;
    std::string at = host;
    for (;;) {
      if (!visited.insert(at).second) {
        return std::nullopt;  // a replication loop
      }
      auto it = topology.find(at);
      if (it == topology.end() || !it->second->hasSlaveStatus || it->second->masterHost.empty()) {
        break;  // a root: a node without a master, or a host outside the topology
      }
      at = it->second->masterHost;
      if (auto alias = byAddress.find(at); alias != byAddress.end()) {
        at = alias->second;
      }
    }
    if (root && *root != at) {
      return std::nullopt;  // two roots
    }
    root = at;
  }
  return root;
}

NodeConditions nodeConditions(const Node& node, const std::optional<std::string>& master,
                              long long maxSlaveLatency, const json& previous) {
  NodeConditions c;
  c.host = node.host;
  if (!node.seen || !node.seen->reachable) {
    c.lagged = c.replicating = c.master = "Unknown";
    const std::string ro = previousStatus(previous, "ReadOnly");
    c.readOnly = ro.empty() ? "Unknown" : ro;
    return c;
  }
  const Observation& o = *node.seen;
  const bool isMaster = master && *master == node.host;
  c.master = tf(isMaster);
  c.replicating = tf(o.slaveIoRunning && o.slaveSqlRunning);
  if (isMaster) {
    c.lagged = "False";
  } else if (!o.lagSeconds) {
    c.lagged = "Unknown";
  } else {
    c.lagged = tf(*o.lagSeconds > maxSlaveLatency);
  }
  c.readOnly = tf(o.readOnly);
  return c;
}

json nextStatusNodes(const ClusterState& c, const std::optional<std::string>& master,
                     const std::string& now) {
  json out = json::array();
  for (const Node& n : c.nodes) {
    if (n.ordinal >= c.replicas) {
      continue;
    }
    const json* before = previousNode(c.statusNodes, n.host);
    if (!n.podState.exists && !before) {
      continue;
    }
    const NodeConditions nc =
        nodeConditions(n, master, c.maxSlaveLatency, before ? *before : json());
    json conditions = json::array();
    const std::pair<const char*, const std::string*> order[] = {{"Lagged", &nc.lagged},
                                                                {"Replicating", &nc.replicating},
                                                                {"Master", &nc.master},
                                                                {"ReadOnly", &nc.readOnly}};
    for (const auto& [type, status] : order) {
      std::string since = now;
      if (before) {
        const json previous = before->value("conditions", json::array());
        const json* prev = kube::findCondition(previous, type);
        if (prev && prev->value("status", "") == *status && prev->contains("lastTransitionTime")) {
          since = (*prev)["lastTransitionTime"];
        }
      }
      conditions.push_back({{"type", type}, {"status", *status}, {"lastTransitionTime", since}});
    }
    out.push_back({{"name", n.host}, {"conditions", std::move(conditions)}});
  }
  return out;
}

std::string masterForInit(const ClusterState& c) {
  if (c.statusNodes.is_array()) {
    for (const json& n : c.statusNodes) {
      if (previousStatus(n, "Master") == "True") {
        return n.value("name", "");
      }
    }
  }
  return podFqdn(c.name, 0, c.ns);
}

std::vector<int> nodesToInitialise(const ClusterState& c) {
  std::vector<int> out;
  for (const Node& n : c.nodes) {
    const PodState& p = n.podState;
    if (n.ordinal >= c.replicas || !p.exists || !p.running || p.ready || p.deleting) {
      continue;
    }
    const bool reachable = n.seen && n.seen->reachable;
    if (reachable && n.seen->configured) {
      continue;
    }
    if (!reachable && p.runningSeconds >= 0 && p.runningSeconds < kInitGraceSeconds) {
      continue;
    }
    out.push_back(n.ordinal);
  }
  return out;
}

std::vector<ReadOnlyChange> readOnlyChanges(const ClusterState& c,
                                            const std::optional<std::string>& master) {
  std::vector<ReadOnlyChange> out;
  if (c.failoverInProgress) {
    return out;
  }
  for (const Node& n : c.nodes) {
    if (!inTopology(n) ||
        (n.seen->uptimeSeconds < kMinUptimeForReadOnly && !n.initialisedThisPass)) {
      continue;
    }
    const bool writable = master && *master == n.host && !c.specReadOnly;
    if (n.seen->readOnly == writable) {
      out.push_back({n.ordinal, !writable});
    }
  }
  return out;
}

bool masterHealthy(const ClusterState& c, const std::optional<std::string>& master) {
  if (!master) {
    return false;
  }
  for (const Node& n : c.nodes) {
    if (n.host == *master) {
      return n.seen && n.seen->reachable;
    }
  }
  return false;
}

}  // namespace mysqlop::orchestrator
