// The backup plugin: MysqlBackup reconciler and backup schedules over the SDK (README.md).
#include <array>
#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/backup/src/naming.h"
#include "plugins/backup/src/progress.h"
#include "plugins/backup/src/reconciler.h"
#include "plugins/backup/src/spec.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/target_catalog.h"

namespace {

namespace res = mysqlop::kube::res;

class BackupPlugin : public mysqlop::Plugin {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = res::kMysqlBackup;
  // The backup and cleanup Jobs (controller-owned by their MysqlBackup) requeue it.
  static constexpr std::array<mysqlop_type_resource, 1> kOwned = {res::kJob};
  // A MysqlCluster with a backupSchedule requeues its schedule key.
  static constexpr std::array<mysqlop_type_resource, 1> kWatches = {res::kMysqlCluster};

  explicit BackupPlugin(const mysqlop::Context& ctx)
      : Plugin(ctx),
        reconciler_(
            mysqlop::backup::parseOptions(ctx.operatorJson, ctx.configJson),
            [this](mysqlop_type_log_level level, const std::string& message) {
              host().log(level, message);
            },
            [this](mysqlop::Call& call) { return catalog(call); },
            [](mysqlop::Call& call, const std::string& ns, const std::string& cluster,
               const std::string& pod, std::string* host, std::uint16_t* port, std::string* error) {
              std::uint16_t mysqlPort = 0;
              if (call.resolveEndpoint(ns, cluster, pod, host, &mysqlPort, error) !=
                  mysqlop_status_Ok) {
                return false;
              }
              *port = mysqlop::backup::kSidecarPort;  // the sidecar beside the server
              return true;
            }) {}

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    return reconciler_.reconcile(call, req.namespaceName, req.name);
  }

  void mapWatched(mysqlop::Call& call, std::uint32_t watchIndex,
                  std::string_view objectJson) override {
    (void)watchIndex;
    const nlohmann::json cluster = nlohmann::json::parse(objectJson, nullptr, false);
    if (!cluster.is_object() ||
        mysqlop::backup::text(cluster, {"spec", "backupSchedule"}).empty()) {
      return;  // a schedule removed: its pending key finds no schedule and is dropped
    }
    call.emitKey(mysqlop::backup::text(cluster, {"metadata", "namespace"}),
                 std::string(mysqlop::backup::kSchedulePrefix) +
                     mysqlop::backup::text(cluster, {"metadata", "name"}));
  }

 private:
  std::string catalog(mysqlop::Call& call) const {
    return mysqlop::kube::backupTargetCatalog(host(), call);
  }

  mysqlop::backup::Reconciler reconciler_;
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(BackupPlugin, "backup", mysqlop_plugin_kind_Reconciler)
