// The MysqlCluster reconciler plugin ("cluster"): see README.md and docs/flavors.md.
#include <array>
#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/cluster/src/reconciler.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/target_catalog.h"

namespace {

namespace res = mysqlop::kube::res;

class ClusterPlugin : public mysqlop::Plugin {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = res::kMysqlCluster;
  // Changes of these (controller-owned by a MysqlCluster) requeue the cluster, so a deleted or
  // edited child is put back.
  static constexpr std::array<mysqlop_type_resource, 5> kOwned = {
      res::kStatefulSet, res::kService, res::kConfigMap, res::kSecret, res::kPodDisruptionBudget};
  // Pods (role/healthy labels after a pod is recreated), PVCs (scale-down cleanup) and the shared
  // headless Service, which has no owner.
  static constexpr std::array<mysqlop_type_resource, 3> kWatches = {
      res::kPod, res::kPersistentVolumeClaim, res::kService};

  explicit ClusterPlugin(const mysqlop::Context& ctx)
      : Plugin(ctx), reconciler_(mysqlop::cluster::parseOptions(ctx.operatorJson, ctx.configJson)) {
    reconciler_.setBackupTargetCatalog(
        [this](mysqlop::Call& call) { return mysqlop::kube::backupTargetCatalog(host(), call); });
  }

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    return reconciler_.reconcile(call, req.namespaceName, req.name);
  }

  void mapWatched(mysqlop::Call& call, std::uint32_t watchIndex,
                  std::string_view objectJson) override {
    const nlohmann::json object = nlohmann::json::parse(objectJson, nullptr, false);
    if (watchIndex == 2) {
      reconciler_.mapHeadlessService(call, object);
    } else {
      reconciler_.mapPodOrClaim(call, object);
    }
  }

 private:
  mysqlop::cluster::Reconciler reconciler_;
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(ClusterPlugin, "cluster", mysqlop_plugin_kind_Reconciler)
