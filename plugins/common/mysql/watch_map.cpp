#include "plugins/common/mysql/watch_map.h"

#include <nlohmann/json.hpp>

#include "plugins/common/kube/conditions.h"
#include "plugins/common/mysql/mysql_object.h"

namespace mysqlop::mysql {

ObjectKeys objectsReferencingCluster(KubeGateway& kube, const mysqlop_type_resource& kind,
                                     std::string_view clusterNs, std::string_view clusterName) {
  ObjectKeys out;
  mysqlop::Reply listed = kube.list(kind, "");
  if (!listed.ok()) {
    return out;
  }
  nlohmann::json items = nlohmann::json::parse(listed.data, nullptr, false);
  if (items.is_object() && items.contains("items")) {
    items = items["items"];
  }
  if (!items.is_array()) {
    return out;
  }
  for (const auto& obj : items) {
    std::string error;
    auto ref = clusterRefOf(obj, &error);
    if (ref && ref->ns == clusterNs && ref->name == clusterName) {
      const auto& meta = obj["metadata"];
      out.emplace_back(objectNamespace(obj), meta.value("name", ""));
    }
  }
  return out;
}

ObjectKeys ClusterReadiness::referencesToRequeue(KubeGateway& kube,
                                                 const mysqlop_type_resource& kind,
                                                 std::string_view clusterJson) {
  nlohmann::json cluster = nlohmann::json::parse(clusterJson, nullptr, false);
  if (!cluster.is_object() || !cluster.contains("metadata")) {
    return {};
  }
  const bool ready =
      !isDeleting(cluster) &&
      kube::conditionStatus(
          cluster.value("status", nlohmann::json::object()).value("conditions", nlohmann::json()),
          "Ready") == "True";
  const std::string key = objectKey(cluster);
  bool turnedReady = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = ready_.find(key);
    // First sight counts: a cluster created Ready releases the objects that waited for it (at
    // startup those are queued anyway, and the queue collapses duplicates).
    turnedReady = ready && (it == ready_.end() || !it->second);
    ready_[key] = ready;
  }
  if (!turnedReady) {
    return {};
  }
  const auto& meta = cluster["metadata"];
  return objectsReferencingCluster(kube, kind, objectNamespace(cluster), meta.value("name", ""));
}

}  // namespace mysqlop::mysql
