// The user plugin: MysqlUser reconciler over the SDK.
#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/pool_metrics.h"
#include "plugins/common/mysql/watch_map.h"
#include "plugins/user/src/reconciler.h"

namespace {

class UserPlugin : public mysqlop::Plugin {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = mysqlop::kube::res::kMysqlUser;
  // 0: a MysqlCluster that turns Ready requeues the MysqlUsers waiting for it.
  // 1: a changed Secret requeues the MysqlUsers whose password it holds (password rotation).
  static constexpr std::array<mysqlop_type_resource, 2> kWatches = {
      mysqlop::kube::res::kMysqlCluster, mysqlop::kube::res::kSecret};

  explicit UserPlugin(const mysqlop::Context& ctx)
      : Plugin(ctx),
        reconciler_(mysqlop::user::parseOptions(ctx.operatorJson, ctx.configJson),
                    [this](mysqlop_type_log_level level, const std::string& message) {
                      host().log(level, message);
                    }),
        metrics_(host(), "user") {}

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    mysqlop::mysql::CallGateway kube(call);
    mysqlop::Outcome outcome = reconciler_.reconcile(kube, req.namespaceName, req.name);
    metrics_.update(reconciler_.pool().stats());
    return outcome;
  }

  void mapWatched(mysqlop::Call& call, std::uint32_t watchIndex,
                  std::string_view objectJson) override {
    mysqlop::mysql::CallGateway kube(call);
    const mysqlop::mysql::ObjectKeys keys =
        watchIndex == 0 ? readiness_.referencesToRequeue(kube, kPrimary, objectJson)
                        : mysqlop::user::Reconciler::usersOfSecret(kube, objectJson);
    for (const auto& [ns, name] : keys) {
      call.emitKey(ns, name);
    }
  }

 private:
  mysqlop::user::Reconciler reconciler_;
  mysqlop::mysql::ClusterReadiness readiness_;
  mysqlop::mysql::PoolMetrics metrics_;
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(UserPlugin, "user", mysqlop_plugin_kind_Reconciler)
