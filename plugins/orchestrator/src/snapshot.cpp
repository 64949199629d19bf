#include "plugins/orchestrator/src/snapshot.h"

#include <map>

namespace mysqlop::orchestrator {

using nlohmann::json;

std::string nodeState(const Node& n, const std::optional<std::string>& master, long long maxLag) {
  if (!n.seen || !n.seen->reachable) {
    return "unreachable";
  }
  if (master && *master == n.host) {
    return "master";
  }
  if (!(n.seen->slaveIoRunning && n.seen->slaveSqlRunning)) {
    return "stopped";
  }
  if (n.seen->lagSeconds && *n.seen->lagSeconds > maxLag) {
    return "lagged";
  }
  return "replica";
}

ClusterSnapshot snapshotOf(const ClusterState& c, const std::optional<std::string>& master,
                           UnixMs at) {
  ClusterSnapshot s;
  s.ns = c.ns;
  s.name = c.name;
  s.replicas = c.replicas;
  s.specReadOnly = c.specReadOnly;
  s.failoverInProgress = c.failoverInProgress;
  s.master = master;
  s.observedAt = at;
  for (const Node& n : c.nodes) {
    NodeSnapshot ns;
    ns.host = n.host;
    ns.pod = n.pod;
    ns.ordinal = n.ordinal;
    ns.state = nodeState(n, master, c.maxSlaveLatency);
    ns.podExists = n.podState.exists;
    ns.podReady = n.podState.ready;
    ns.seen = n.seen;
    s.nodes.push_back(std::move(ns));
  }
  return s;
}

ClusterSnapshot snapshotOfView(const ClusterView& view, UnixMs at) {
  ClusterSnapshot c;
  c.name = view.name;
  c.replicas = static_cast<int>(view.nodes.size());
  c.specReadOnly = view.readOnly;
  if (!view.lastMaster.empty()) {
    c.master = view.lastMaster;
  }
  c.observedAt = at;
  int ordinal = 0;
  for (const NodeView& n : view.nodes) {
    NodeSnapshot s;
    s.host = n.id;
    s.ordinal = ordinal++;
    Observation seen = n.seen;
    seen.reachable = n.answering;
    seen.error = n.lastError;
    if (!n.answering) {
      s.state = "unreachable";
    } else if (n.id == view.lastMaster) {
      s.state = "master";
    } else if (!seen.slaveIoRunning || !seen.slaveSqlRunning) {
      s.state = "stopped";
    } else if (seen.lagSeconds && *seen.lagSeconds > kDefaultMaxSlaveLatency) {
      s.state = "lagged";
    } else {
      s.state = "replica";
    }
    s.seen = seen;
    c.nodes.push_back(std::move(s));
  }
  return c;
}

json toJson(const ClusterSnapshot& c) {
  json nodes = json::array();
  for (const NodeSnapshot& n : c.nodes) {
    json j = {{"host", n.host},
              {"pod", n.pod},
              {"ordinal", n.ordinal},
              {"state", n.state},
              {"podExists", n.podExists},
              {"podReady", n.podReady},
              {"probed", n.seen.has_value()}};
    const Observation o = n.seen.value_or(Observation{});
    j["address"] = o.address;
    j["reachable"] = o.reachable;
    j["error"] = o.error;
    j["errorKind"] = o.errorKind;
    j["readOnly"] = o.readOnly;
    j["masterHost"] = o.masterHost;
    j["ioRunning"] = o.slaveIoRunning;
    j["sqlRunning"] = o.slaveSqlRunning;
    j["lagSeconds"] = o.lagSeconds ? json(*o.lagSeconds) : json(nullptr);
    j["lastIoError"] = o.lastIoError;
    j["lastSqlError"] = o.lastSqlError;
    j["gtidExecuted"] = o.gtidExecuted;
    j["serverId"] = o.serverId;
    j["uptimeSeconds"] = o.uptimeSeconds;
    j["configured"] = o.configured;
    j["probeSeconds"] = o.probeSeconds;
    nodes.push_back(std::move(j));
  }
  return {{"namespace", c.ns},
          {"name", c.name},
          {"replicas", c.replicas},
          {"readOnly", c.specReadOnly},
          {"failoverInProgress", c.failoverInProgress},
          {"master", c.master ? json(*c.master) : json(nullptr)},
          {"observedAt", formatUnixMs(c.observedAt)},
          {"passSeconds", c.passSeconds},
          {"nodes", std::move(nodes)}};
}

std::vector<NodeChange> nodeChanges(const ClusterSnapshot* previous, const ClusterSnapshot& next) {
  std::map<std::string, std::string> before;
  if (previous) {
    for (const NodeSnapshot& n : previous->nodes) {
      if (n.podExists) {
        before[n.host] = n.state;
      }
    }
  }
  std::vector<NodeChange> out;
  for (const NodeSnapshot& n : next.nodes) {
    if (!n.podExists) {
      continue;
    }
    auto it = before.find(n.host);
    const std::string from = it == before.end() ? std::string() : it->second;
    if (from == n.state) {
      continue;
    }
    NodeChange c;
    c.cluster = next.key();
    c.host = n.host;
    c.fromState = from;
    c.toState = n.state;
    c.error = n.seen ? n.seen->error : std::string();
    c.at = next.observedAt;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace mysqlop::orchestrator
