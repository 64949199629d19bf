#include "plugins/orchestrator/src/options.h"

#include "plugins/common/mysql/plugin_options.h"

namespace mysqlop::orchestrator {

Options parseOptions(std::string_view operatorJson, std::string_view configJson) {
  mysql::OptionReader op(operatorJson, "operator settings");
  mysql::OptionReader cfg(configJson, "config");
  Options o;
  o.pollInterval = std::chrono::seconds(cfg.integer("instancePollSeconds", 5, 1, 3600));
  o.pollWorkers = static_cast<int>(cfg.integer("pollWorkers", 4, 1, 64));
  o.connectTimeout = std::chrono::seconds(cfg.integer("connectTimeoutSeconds", 1, 1, 60));
  o.queryTimeout = std::chrono::seconds(cfg.integer("queryTimeoutSeconds", 10, 1, 600));
  cfg.rejectUnknown(
      {"instancePollSeconds", "pollWorkers", "connectTimeoutSeconds", "queryTimeoutSeconds"});
  return o;
}

}  // namespace mysqlop::orchestrator
