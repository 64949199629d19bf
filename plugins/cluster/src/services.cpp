#include <nlohmann/json.hpp>

#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/naming.h"
#include "plugins/common/kube/labels.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;

json port(const char* name, int number) {
  return {{"name", name}, {"port", number}, {"targetPort", number}, {"protocol", "TCP"}};
}

json service(const ClusterSpec& c, const std::string& name, const char* serviceType,
             const kube::Labels& selector, json ports, const ServiceShape* shape) {
  kube::Labels labels = clusterLabels(c);
  labels["mysql.presslabs.org/service-type"] = serviceType;
  json meta = {{"name", name},
               {"namespace", c.namespaceName},
               {"ownerReferences", json::array({c.ownerRef})}};
  json spec = {{"type", "ClusterIP"}, {"selector", kube::labelsJson(selector)}, {"ports", ports}};
  if (shape != nullptr) {
    for (const auto& [k, v] : shape->labels) {
      labels.emplace(k, v);  // ours win: the selector-relevant keys must stay ours
    }
    if (!shape->annotations.empty()) {
      meta["annotations"] = kube::labelsJson(shape->annotations);
    }
    spec["type"] = shape->type;
    if (shape->loadBalancerSourceRanges.is_array()) {
      spec["loadBalancerSourceRanges"] = shape->loadBalancerSourceRanges;
    }
    if (!shape->externalTrafficPolicy.empty()) {
      spec["externalTrafficPolicy"] = shape->externalTrafficPolicy;
    }
  }
  meta["labels"] = kube::labelsJson(labels);
  return {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", meta}, {"spec", spec}};
}

}  // namespace

json buildHeadlessService(const std::string& ns) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"name", kHeadlessServiceName},
        {"namespace", ns},
        {"labels",
         {{"app.kubernetes.io/name", "mysql"},
          {"app.kubernetes.io/managed-by", kManagedBy},
          {"mysql.presslabs.org/service-type", "namespace-nodes"}}}}},
      {"spec",
       {{"clusterIP", "None"},
        {"publishNotReadyAddresses", true},
        {"selector",
         {{"app.kubernetes.io/name", "mysql"}, {"app.kubernetes.io/managed-by", kManagedBy}}},
        {"ports", json::array({port("mysql", kMysqlPort), port("prometheus", kExporterPort)})}}}};
}

json buildMasterService(const ClusterSpec& c) {
  kube::Labels selector = selectorLabels(c.name);
  selector["role"] = "master";
  return service(c, masterServiceName(c.name), "master", selector,
                 json::array({port("mysql", kMysqlPort), port("sidecar-http", kSidecarPort)}),
                 &c.masterService);
}

json buildHealthyService(const ClusterSpec& c) {
  kube::Labels selector = selectorLabels(c.name);
  selector["healthy"] = "yes";
  return service(c, healthyServiceName(c.name), "ready-nodes", selector,
                 json::array({port("mysql", kMysqlPort)}), nullptr);
}

json buildReplicasService(const ClusterSpec& c) {
  kube::Labels selector = selectorLabels(c.name);
  selector["role"] = "replica";
  selector["healthy"] = "yes";
  return service(c, replicasServiceName(c.name), "ready-replicas", selector,
                 json::array({port("mysql", kMysqlPort), port("sidecar-http", kSidecarPort)}),
                 &c.replicasService);
}

}  // namespace mysqlop::cluster
