#include <nlohmann/json.hpp>

#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/mycnf.h"
#include "plugins/cluster/src/naming.h"
#include "plugins/common/kube/base64.h"
#include "plugins/common/kube/labels.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;

constexpr std::size_t kPasswordLength = 18;

json ownedMeta(const ClusterSpec& c, const std::string& name) {
  return {{"name", name},
          {"namespace", c.namespaceName},
          {"ownerReferences", json::array({c.ownerRef})}};
}

}  // namespace

json buildConfigMap(const ClusterSpec& c) {
  kube::Labels labels = clusterLabels(c);
  labels["generated"] = "true";
  json meta = ownedMeta(c, configMapName(c.name));
  meta["labels"] = kube::labelsJson(labels);
  json data = {{"my.cnf", buildMyCnf(c)}};
  if (c.mysqlLifecycle.is_null()) {
    data["pre-shutdown-ha.sh"] = preShutdownScript(clientPrograms(c).client);
  }
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta}, {"data", data}};
}

json buildOperatedSecret(const ClusterSpec& c, const Options& o, const json& existingData) {
  json data = json::object();
  // Keeps a value the Secret already has (so passwords are stable once written), else sets one.
  auto keep = [&](const char* key, const std::string& fallback) {
    if (existingData.is_object() && existingData.contains(key) && existingData[key].is_string() &&
        !existingData[key].get<std::string>().empty()) {
      data[key] = existingData[key];
    } else {
      data[key] = kube::base64Encode(fallback);
    }
  };
  auto random = [&](const char* key) {
    if (existingData.is_object() && existingData.contains(key) && existingData[key].is_string() &&
        !existingData[key].get<std::string>().empty()) {
      data[key] = existingData[key];
    } else {
      data[key] = kube::base64Encode(kube::randomAlphanumeric(kPasswordLength));
    }
  };
  keep("OPERATOR_USER", "sys_operator");
  random("OPERATOR_PASSWORD");
  keep("REPLICATION_USER", "sys_replication");
  random("REPLICATION_PASSWORD");
  keep("METRICS_EXPORTER_USER", "sys_exporter");
  random("METRICS_EXPORTER_PASSWORD");
  keep("BACKUP_USER", "sys_backups");
  random("BACKUP_PASSWORD");
  // bitpoke rewrites these from the operator flags on every reconcile.
  data["ORC_TOPOLOGY_USER"] = kube::base64Encode(o.orchestratorTopologyUser);
  data["ORC_TOPOLOGY_PASSWORD"] = kube::base64Encode(o.orchestratorTopologyPassword);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", ownedMeta(c, operatedSecretName(c.name))},
          {"type", "Opaque"},
          {"data", data}};
}

json buildPodDisruptionBudget(const ClusterSpec& c) {
  json minAvailable = c.minAvailable;
  if (!c.minAvailable.empty() && c.minAvailable.back() != '%') {
    minAvailable = std::stoi(c.minAvailable);  // intstr.Parse: a number is an int
  }
  return {{"apiVersion", "policy/v1"},
          {"kind", "PodDisruptionBudget"},
          {"metadata", ownedMeta(c, pdbName(c.name))},
          {"spec",
           {{"minAvailable", minAvailable},
            {"selector", {{"matchLabels", kube::labelsJson(selectorLabels(c.name))}}}}}};
}

}  // namespace mysqlop::cluster
