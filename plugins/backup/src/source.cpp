#include "plugins/backup/src/source.h"

#include "plugins/backup/src/spec.h"
#include "plugins/common/kube/conditions.h"

namespace mysqlop::backup {

std::string chooseSourceHost(const nlohmann::json& cluster) {
  const nlohmann::json nodes = cluster.contains("status") && cluster["status"].is_object()
                                   ? cluster["status"].value("nodes", nlohmann::json::array())
                                   : nlohmann::json::array();
  std::string master;
  if (nodes.is_array()) {
    for (const nlohmann::json& node : nodes) {
      if (!node.is_object()) {
        continue;
      }
      const nlohmann::json conditions = node.value("conditions", nlohmann::json::array());
      std::string name = text(node, {"name"});
      const std::string isMaster = kube::conditionStatus(conditions, "Master");
      if (name.empty()) {
        continue;
      }
      if (isMaster == "False" && kube::conditionStatus(conditions, "Replicating") == "True" &&
          kube::conditionStatus(conditions, "Lagged") == "False") {
        return name;
      }
      if (isMaster == "True" && master.empty()) {
        master = name;
      }
    }
  }
  if (!master.empty()) {
    return master;
  }
  return text(cluster, {"metadata", "name"}) + "-mysql-0.mysql." +
         text(cluster, {"metadata", "namespace"});
}

}  // namespace mysqlop::backup
