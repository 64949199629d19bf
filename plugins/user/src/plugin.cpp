// The user plugin: MysqlUser reconciler over the SDK.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/object_plugin.h"
#include "plugins/user/src/reconciler.h"

namespace {

class UserPlugin : public mysqlop::mysql::ObjectPlugin<mysqlop::user::Reconciler> {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = mysqlop::kube::res::kMysqlUser;
  // 0: a MysqlCluster that turns Ready requeues the MysqlUsers waiting for it.
  // 1: a changed Secret requeues the MysqlUsers whose password it holds (password rotation).
  static constexpr std::array<mysqlop_type_resource, 2> kWatches = {
      mysqlop::kube::res::kMysqlCluster, mysqlop::kube::res::kSecret};

  explicit UserPlugin(const mysqlop::Context& ctx)
      : ObjectPlugin(ctx, mysqlop::user::parseOptions(ctx.operatorJson, ctx.configJson), "user") {}

  void mapWatched(mysqlop::Call& call, std::uint32_t watchIndex,
                  std::string_view objectJson) override {
    mysqlop::mysql::CallGateway kube(call);
    const mysqlop::mysql::ObjectKeys keys =
        watchIndex == 0 ? waitingForCluster(kube, kPrimary, objectJson)
                        : mysqlop::user::Reconciler::usersOfSecret(kube, objectJson);
    for (const auto& [ns, name] : keys) {
      call.emitKey(ns, name);
    }
  }
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(UserPlugin, "user", mysqlop_plugin_kind_Reconciler)
