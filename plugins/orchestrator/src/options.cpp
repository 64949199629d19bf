#include "plugins/orchestrator/src/options.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "plugins/common/mysql/plugin_options.h"
#include "plugins/orchestrator/src/engine_options.h"

namespace mysqlop::orchestrator {

Options parseOptions(std::string_view operatorJson, std::string_view configJson) {
  mysql::OptionReader op(operatorJson, "operator settings");
  mysql::OptionReader cfg(configJson, "config");
  Options o;
  o.pollInterval = parseEngineOptions(configJson).pollInterval;
  // bitpoke's --orchestrator-concurrent-reconciles (operator setting) is how many clusters its
  // orchestrator controller syncs at once: the default of pollWorkers, capped at 64.
  const std::int64_t concurrent =
      op.integer("orchestratorConcurrentReconciles", 4, 1, std::numeric_limits<int>::max());
  o.pollWorkers =
      static_cast<int>(cfg.integer("pollWorkers", std::min<std::int64_t>(concurrent, 64), 1, 64));
  o.connectTimeout = std::chrono::seconds(cfg.integer("connectTimeoutSeconds", 1, 1, 60));
  o.queryTimeout = std::chrono::seconds(cfg.integer("queryTimeoutSeconds", 10, 1, 600));
  o.auditPath = cfg.string("auditPath", "");
  o.auditRetentionDays = static_cast<int>(cfg.integer("auditRetentionDays", 7, 1, 3650));
  cfg.rejectUnknown({"instancePollSeconds", "pollWorkers", "connectTimeoutSeconds",
                     "queryTimeoutSeconds", "auditPath", "auditRetentionDays", "staticClusters",
                     "failureDetectionGraceSeconds", "replicaLostSeconds",
                     "replicaHeartbeatSeconds", "recoveryPeriodBlockSeconds",
                     "promotionWaitSeconds", "fencing", "kubeSemiSync", "failoverAckSeconds",
                     "takeoverWaitSeconds"});
  return o;
}

}  // namespace mysqlop::orchestrator
