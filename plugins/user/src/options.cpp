#include "plugins/user/src/options.h"

#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/plugin_options.h"

namespace mysqlop::user {

Options parseOptions(std::string_view operatorJson, std::string_view configJson) {
  mysql::OptionReader op(operatorJson, "operator settings");
  mysql::OptionReader cfg(configJson, "config");
  Options o;
  o.allowCrossNamespace = op.boolean("allowCrossNamespaceUser", false);
  o.requeueAfter = std::chrono::seconds(cfg.seconds("requeueAfterSeconds", 120));
  o.notReadyRequeue = std::chrono::seconds(cfg.seconds("clusterNotReadyRequeueSeconds", 30));
  o.pool = cfg.poolOptions();
  o.reservedUsers = {"root",          "sys_operator", "sys_replication", "sys_exporter",
                     "sys_heartbeat", "mysql.sys",    "mysql.session",   "mysql.infoschema",
                     "mariadb.sys",   "PUBLIC"};
  const std::string topology = op.string("orchestratorTopologyUser", "");
  if (!topology.empty()) {
    o.reservedUsers.insert(topology);
  }
  // config.reservedUsers: a list of further names.
  const nlohmann::json cfgJson =
      configJson.empty() ? nlohmann::json::object() : nlohmann::json::parse(configJson);
  if (auto it = cfgJson.find("reservedUsers"); it != cfgJson.end() && !it->is_null()) {
    if (!it->is_array()) {
      throw mysqlop::ConfigError("config.reservedUsers must be a list of user names");
    }
    for (const auto& name : *it) {
      if (!name.is_string() || name.get<std::string>().empty()) {
        throw mysqlop::ConfigError("config.reservedUsers must be a list of user names");
      }
      o.reservedUsers.insert(name.get<std::string>());
    }
  }
  cfg.rejectUnknown({"requeueAfterSeconds", "clusterNotReadyRequeueSeconds", "reservedUsers",
                     "connectTimeoutSeconds", "queryTimeoutSeconds", "maxIdleConnections"});
  return o;
}

}  // namespace mysqlop::user
