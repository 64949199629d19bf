#include "plugins/cluster/src/naming.h"

#include "plugins/cluster/src/spec.h"

namespace mysqlop::cluster {

std::string statefulSetName(const std::string& c) { return c + "-mysql"; }
std::string masterServiceName(const std::string& c) { return c + "-mysql-master"; }
std::string healthyServiceName(const std::string& c) { return c + "-mysql"; }
std::string replicasServiceName(const std::string& c) { return c + "-mysql-replicas"; }
std::string configMapName(const std::string& c) { return c + "-mysql"; }
std::string operatedSecretName(const std::string& c) { return c + "-mysql-operated"; }
std::string pdbName(const std::string& c) { return c + "-mysql"; }
std::string podName(const std::string& c, int ordinal) {
  return statefulSetName(c) + "-" + std::to_string(ordinal);
}
std::string podFqdn(const std::string& c, int ordinal, const std::string& ns) {
  return podName(c, ordinal) + "." + kHeadlessServiceName + "." + ns;
}

LabelMap clusterLabels(const ClusterSpec& c) {
  LabelMap l = {{kClusterLabel, c.name},
                {"app.kubernetes.io/name", "mysql"},
                {"app.kubernetes.io/instance", c.name},
                {"app.kubernetes.io/version", c.mysqlVersionLabel},
                {"app.kubernetes.io/component", "database"},
                {"app.kubernetes.io/managed-by", kManagedBy}};
  for (const char* key :
       {"app.kubernetes.io/instance", "app.kubernetes.io/component", "app.kubernetes.io/part-of"}) {
    if (auto it = c.annotations.find(key); it != c.annotations.end()) {
      l[key] = it->second;
    }
  }
  return l;
}

LabelMap selectorLabels(const std::string& cluster) {
  return {{kClusterLabel, cluster},
          {"app.kubernetes.io/name", "mysql"},
          {"app.kubernetes.io/managed-by", kManagedBy}};
}

}  // namespace mysqlop::cluster
