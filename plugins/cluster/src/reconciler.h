#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/cluster/src/options.h"
#include "plugins/cluster/src/spec.h"

namespace mysqlop::cluster {

// The MysqlCluster reconcile (compat.md 2.1): persist bitpoke's two spec migrations, validate
// everything, then sync the children in bitpoke's order (ConfigMap, operated Secret, the four
// Services, StatefulSet, PDB), label the pods from status.nodes, clean PVCs left by a scale-down
// and write status. Thread-safe: it keeps no state between calls.
class Reconciler {
 public:
  explicit Reconciler(Options options) : options_(std::move(options)) {}

  mysqlop::Outcome reconcile(mysqlop::Call& call, std::string_view ns, std::string_view name) const;

  // Keys to requeue when a watched object changes: a pod or PVC maps to its cluster label; the
  // shared headless Service maps to one cluster of its namespace (any one recreates it).
  void mapPodOrClaim(mysqlop::Call& call, const nlohmann::json& object) const;
  void mapHeadlessService(mysqlop::Call& call, const nlohmann::json& service) const;

  // How long to wait before looking again at a cluster whose Secret is missing or incomplete
  // (Secrets of users are not watched).
  static constexpr std::uint64_t kSecretRecheckMs = 10000;

 private:
  // Adds the errors of spec.secretName's Secret (missing, or without ROOT_PASSWORD).
  void checkUserSecret(mysqlop::Call& call, const ClusterSpec& c,
                       std::vector<FieldError>* errors) const;
  mysqlop::Outcome reportInvalid(mysqlop::Call& call, nlohmann::json& cluster,
                                 const std::vector<FieldError>& errors) const;
  // Creates or updates one child; returns the stored object. Throws mysqlop::Error to retry.
  nlohmann::json sync(mysqlop::Call& call, const nlohmann::json& cluster,
                      const mysqlop_type_resource& res, const char* syncer,
                      const nlohmann::json& desired, bool owned) const;
  void syncPdb(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c) const;
  void syncPodLabels(mysqlop::Call& call, const ClusterSpec& c, const nlohmann::json& nodes) const;
  void cleanClaims(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c) const;
  mysqlop::Outcome writeStatus(mysqlop::Call& call, nlohmann::json& cluster, const ClusterSpec& c,
                               int readyNodes) const;

  Options options_;
};

}  // namespace mysqlop::cluster
