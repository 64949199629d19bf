#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "plugins/cluster/src/options.h"
#include "plugins/cluster/src/spec.h"

namespace mysqlop::cluster {

// Pure builders of the objects a MysqlCluster owns. Each returns the complete desired object
// (apiVersion, kind, metadata, spec/data) as bitpoke's syncers shape it.

// StatefulSet <c>-mysql. configRev and secretRev are the resourceVersions of the ConfigMap and the
// operated Secret: the pod template annotations config_rev / secret_rev roll the pods when they
// change.
nlohmann::json buildStatefulSet(const ClusterSpec& c, const Options& o,
                                const std::string& configRev, const std::string& secretRev);

// The namespace's shared headless Service "mysql" (no owner: every cluster of the namespace uses
// it, and it is never deleted).
nlohmann::json buildHeadlessService(const std::string& ns);
nlohmann::json buildMasterService(const ClusterSpec& c);
nlohmann::json buildHealthyService(const ClusterSpec& c);
nlohmann::json buildReplicasService(const ClusterSpec& c);

// ConfigMap <c>-mysql with my.cnf and (unless podSpec.mysqlLifecycle replaces the preStop hook)
// pre-shutdown-ha.sh.
nlohmann::json buildConfigMap(const ClusterSpec& c);

// The operated Secret <c>-mysql-operated. `existing` is its current data (base64 values, or null):
// random passwords already there are kept, missing ones are generated with a CSPRNG. The
// orchestrator topology credentials are rewritten from the options every time.
nlohmann::json buildOperatedSecret(const ClusterSpec& c, const Options& o,
                                   const nlohmann::json& existingData);

// PodDisruptionBudget <c>-mysql (only when c.minAvailable is set).
nlohmann::json buildPodDisruptionBudget(const ClusterSpec& c);

// The MySQL client programs of the flavor: {"mysql", "mysqladmin"} or {"mariadb", "mariadb-admin"}.
struct ClientPrograms {
  std::string client;
  std::string admin;
};
ClientPrograms clientPrograms(const ClusterSpec& c);

}  // namespace mysqlop::cluster
