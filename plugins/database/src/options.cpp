#include "plugins/database/src/options.h"

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/plugin_options.h"

namespace mysqlop::database {

Options parseOptions(std::string_view operatorJson, std::string_view configJson) {
  mysql::OptionReader op(operatorJson, "operator settings");
  mysql::OptionReader cfg(configJson, "config");
  Options o;
  o.allowCrossNamespace = op.boolean("allowCrossNamespaceDatabase", false);
  o.notReadyRequeue = std::chrono::seconds(cfg.seconds("clusterNotReadyRequeueSeconds", 30));
  o.pool = cfg.poolOptions();
  cfg.rejectUnknown({"clusterNotReadyRequeueSeconds", "connectTimeoutSeconds",
                     "queryTimeoutSeconds", "maxIdleConnections"});
  return o;
}

}  // namespace mysqlop::database
