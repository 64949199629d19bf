#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
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
//
// Failures travel one way: every step returns what it needs to say, and a failed step ends the
// pass with the Outcome it gives (nothing is thrown). A failure the user can act on or should see
// also records a Warning Event on the MysqlCluster naming the object and the cause (invalid specs
// set Ready=False as well); a write that lost a race with another writer is only retried.
class Reconciler {
 public:
  explicit Reconciler(Options options) : options_(std::move(options)) {}

  // Where the MYSQLOP_BACKUP_TARGETS of a restoring cluster's init container comes from (the
  // host's backup-target catalog); unset or "" leaves the env out.
  using CatalogFn = std::function<std::string(mysqlop::Call&)>;
  void setBackupTargetCatalog(CatalogFn catalog) { catalog_ = std::move(catalog); }

  mysqlop::Outcome reconcile(mysqlop::Call& call, std::string_view ns, std::string_view name) const;

  // Keys to requeue when a watched object changes: a pod or PVC maps to its cluster label; the
  // shared headless Service maps to one cluster of its namespace (any one recreates it).
  void mapPodOrClaim(mysqlop::Call& call, const nlohmann::json& object) const;
  void mapHeadlessService(mysqlop::Call& call, const nlohmann::json& service) const;

  // How long to wait before looking again at a cluster whose Secret is missing or incomplete
  // (Secrets of users are not watched).
  static constexpr std::uint64_t kSecretRecheckMs = 10000;

 private:
  // Set when a step ends the pass: the Outcome to return. Empty: go on.
  using Stop = std::optional<mysqlop::Outcome>;

  // Adds the errors of spec.secretName's Secret (missing, or without ROOT_PASSWORD).
  Stop checkUserSecret(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c,
                       std::vector<FieldError>* errors) const;
  mysqlop::Outcome reportInvalid(mysqlop::Call& call, nlohmann::json& cluster,
                                 const std::vector<FieldError>& errors) const;
  // Creates or updates one child and sets *stored to the object the server stored.
  Stop sync(mysqlop::Call& call, const nlohmann::json& cluster, const mysqlop_type_resource& res,
            const char* syncer, const nlohmann::json& desired, bool owned,
            nlohmann::json* stored) const;
  // The operated Secret: its existing keys are kept, so it is read before it is synced.
  Stop syncOperatedSecret(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c,
                          nlohmann::json* stored) const;
  Stop syncPdb(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c) const;
  Stop syncPodLabels(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c,
                     const nlohmann::json& nodes) const;
  Stop cleanClaims(mysqlop::Call& call, const nlohmann::json& cluster, const ClusterSpec& c) const;
  // While pod 0 restores from initBucketURL: a Warning Event RestoreFailed naming the URL and
  // the cause when its init container failed (restore.h); returns that message, which also
  // becomes the Ready condition's (reason RestoreFailed). Never stops the pass.
  std::optional<std::string> reportRestoreFailure(mysqlop::Call& call,
                                                  const nlohmann::json& cluster,
                                                  const ClusterSpec& c) const;
  mysqlop::Outcome writeStatus(mysqlop::Call& call, nlohmann::json& cluster, const ClusterSpec& c,
                               int readyNodes,
                               const std::optional<std::string>& restoreFailed = {}) const;

  Options options_;
  CatalogFn catalog_;
};

}  // namespace mysqlop::cluster
