// The database plugin: MysqlDatabase reconciler over the SDK.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/object_plugin.h"
#include "plugins/database/src/reconciler.h"

namespace {

class DatabasePlugin : public mysqlop::mysql::ObjectPlugin<mysqlop::database::Reconciler> {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = mysqlop::kube::res::kMysqlDatabase;
  // A MysqlCluster that becomes Ready requeues the MysqlDatabases that wait for it.
  static constexpr std::array<mysqlop_type_resource, 1> kWatches = {
      mysqlop::kube::res::kMysqlCluster};

  explicit DatabasePlugin(const mysqlop::Context& ctx)
      : ObjectPlugin(ctx, mysqlop::database::parseOptions(ctx.operatorJson, ctx.configJson),
                     "database") {}

  void mapWatched(mysqlop::Call& call, std::uint32_t watchIndex,
                  std::string_view objectJson) override {
    (void)watchIndex;
    mysqlop::mysql::CallGateway kube(call);
    for (const auto& [ns, name] : waitingForCluster(kube, kPrimary, objectJson)) {
      call.emitKey(ns, name);
    }
  }
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(DatabasePlugin, "database", mysqlop_plugin_kind_Reconciler)
