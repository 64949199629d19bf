// The database plugin: MysqlDatabase reconciler over the SDK.
#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/mysql_object.h"
#include "plugins/common/mysql/pool_metrics.h"
#include "plugins/common/mysql/watch_map.h"
#include "plugins/database/src/reconciler.h"

namespace {

class DatabasePlugin : public mysqlop::Plugin {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = mysqlop::kube::res::kMysqlDatabase;
  // A MysqlCluster that becomes Ready requeues the MysqlDatabases that wait for it.
  static constexpr std::array<mysqlop_type_resource, 1> kWatches = {
      mysqlop::kube::res::kMysqlCluster};

  explicit DatabasePlugin(const mysqlop::Context& ctx)
      : Plugin(ctx),
        reconciler_(mysqlop::database::parseOptions(ctx.operatorJson, ctx.configJson),
                    [this](mysqlop_type_log_level level, const std::string& message) {
                      host().log(level, message);
                    }),
        metrics_(host(), "database") {}

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    mysqlop::mysql::CallGateway kube(call);
    mysqlop::Outcome outcome = reconciler_.reconcile(kube, req.namespaceName, req.name);
    metrics_.update(reconciler_.pool().stats());
    return outcome;
  }

  void mapWatched(mysqlop::Call& call, std::uint32_t watchIndex,
                  std::string_view objectJson) override {
    (void)watchIndex;
    mysqlop::mysql::CallGateway kube(call);
    for (const auto& [ns, name] : readiness_.referencesToRequeue(kube, kPrimary, objectJson)) {
      call.emitKey(ns, name);
    }
  }

 private:
  mysqlop::database::Reconciler reconciler_;
  mysqlop::mysql::ClusterReadiness readiness_;
  mysqlop::mysql::PoolMetrics metrics_;
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(DatabasePlugin, "database", mysqlop_plugin_kind_Reconciler)
