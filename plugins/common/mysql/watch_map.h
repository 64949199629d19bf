#pragma once

// Mapping watched objects to the MysqlDatabase / MysqlUser keys they should requeue.

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugins/common/mysql/kube_gateway.h"

namespace mysqlop::mysql {

using ObjectKeys = std::vector<std::pair<std::string, std::string>>;  // namespace, name

// Objects of `kind` (in ns, "" = all) whose spec.clusterRef names cluster ns/name (the reference's
// namespace defaulting to the object's own).
ObjectKeys objectsReferencingCluster(KubeGateway& kube, const mysqlop_type_resource& kind,
                                     std::string_view clusterNs, std::string_view clusterName);

// Remembers whether each MysqlCluster was Ready, so that the frequent status updates of a Ready
// cluster requeue nothing, and only a cluster that turns Ready (or is first seen Ready) requeues
// the objects waiting for it (they otherwise wait for their 30 s requeue). Thread-safe.
class ClusterReadiness {
 public:
  ObjectKeys referencesToRequeue(KubeGateway& kube, const mysqlop_type_resource& kind,
                                 std::string_view clusterJson);

 private:
  std::mutex mu_;
  std::map<std::string, bool> ready_;
};

}  // namespace mysqlop::mysql
