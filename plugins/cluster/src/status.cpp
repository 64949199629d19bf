#include "plugins/cluster/src/status.h"

#include <nlohmann/json.hpp>

#include "plugins/cluster/src/naming.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;

std::string nodeCondition(const json& node, const char* type) {
  return kube::conditionStatus(node.value("conditions", json::array()), type);
}

const json* findNode(const json& nodes, const std::string& name) {
  if (!nodes.is_array()) {
    return nullptr;
  }
  for (const json& n : nodes) {
    if (n.is_object() && n.value("name", "") == name) {
      return &n;
    }
  }
  return nullptr;
}

}  // namespace

kube::Condition readyCondition(const std::string& cluster, const std::string& ns, int replicas,
                               bool readOnly, int readyNodes, const json& nodes) {
  if (readyNodes != replicas) {
    return {kReady, "False", "StatefulSetNotReady", "StatefulSet is not ready"};
  }
  bool hasMaster = false;
  for (int i = 0; i < replicas; ++i) {
    const std::string host = podFqdn(cluster, i, ns);
    const json* node = findNode(nodes, host);
    const bool master = node && nodeCondition(*node, "Master") == "True";
    const bool replicating = node && nodeCondition(*node, "Replicating") == "True";
    hasMaster = hasMaster || master;
    if (!master && !replicating) {
      return {kReady, "False", "NotReplicating",
              "Node " + host + " is part of topology and not replicating"};
    }
  }
  if (!hasMaster && !readOnly && replicas > 0) {
    return {kReady, "False", "NoMaster", "Cluster has no designated master"};
  }
  return {kReady, "True", "ClusterReady", "Cluster is ready"};
}

std::optional<kube::Condition> readOnlyCondition(const json& nodes) {
  std::string readOnlyHosts;
  std::string writableHosts;
  if (!nodes.is_array()) {
    return std::nullopt;
  }
  for (const json& n : nodes) {
    const std::string status = nodeCondition(n, "ReadOnly");
    const std::string name = n.value("name", "");
    if (status == "True") {
      readOnlyHosts += (readOnlyHosts.empty() ? "" : " ") + name;
    } else if (status == "False") {
      writableHosts += (writableHosts.empty() ? "" : " ") + name;
    }
  }
  if (readOnlyHosts.empty() && writableHosts.empty()) {
    return std::nullopt;
  }
  if (writableHosts.empty()) {
    return kube::Condition{kReadOnly, "True", "ClusterReadOnlyTrue",
                           "read-only nodes: " + readOnlyHosts};
  }
  return kube::Condition{kReadOnly, "False", "ClusterReadOnlyFalse",
                         "writable nodes: " + writableHosts};
}

kube::Condition failoverNotRunningCondition() {
  return {kFailoverInProgress, "False", "ClusterNotRunning", "cluster is not running"};
}

kube::Condition noPendingFailoverAckCondition() {
  return {kPendingFailoverAck, "False", "NoPendingFailoverAckExists", "no pending ack"};
}

std::vector<PodRole> podRoles(const std::string& cluster, const json& nodes) {
  std::vector<PodRole> replicas;
  std::vector<PodRole> masters;
  if (!nodes.is_array()) {
    return replicas;
  }
  const std::string prefix = statefulSetName(cluster) + "-";
  for (const json& n : nodes) {
    const std::string name = n.is_object() ? n.value("name", "") : "";
    const std::string pod = name.substr(0, name.find('.'));
    if (pod.rfind(prefix, 0) != 0 || pod.size() == prefix.size()) {
      continue;
    }
    const std::string master = nodeCondition(n, "Master");
    if (master.empty()) {
      continue;  // the failover engine has not looked at this node yet
    }
    const bool isMaster = master == "True";
    const bool healthy = isMaster || (nodeCondition(n, "Replicating") == "True" &&
                                      nodeCondition(n, "Lagged") != "True");
    PodRole r{pod, isMaster ? "master" : "replica", healthy ? "yes" : "no"};
    (isMaster ? masters : replicas).push_back(std::move(r));
  }
  replicas.insert(replicas.end(), masters.begin(), masters.end());
  return replicas;
}

}  // namespace mysqlop::cluster
