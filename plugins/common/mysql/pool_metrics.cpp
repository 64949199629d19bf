#include "plugins/common/mysql/pool_metrics.h"

namespace mysqlop::mysql {

PoolMetrics::PoolMetrics(const mysqlop::Host& host, const std::string& plugin)
    : opened_(host.registerMetric(
          mysqlop_metric_Counter, "mysqlop_" + plugin + "_mysql_connections_opened_total",
          "MySQL connections opened by the " + plugin + " plugin since it started")),
      open_(host.registerMetric(
          mysqlop_metric_Gauge, "mysqlop_" + plugin + "_mysql_connections",
          "MySQL connections the " + plugin + " plugin holds (idle in its pool or in use)")) {}

void PoolMetrics::update(const PoolStats& stats) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stats.opened > reportedOpened_) {
    opened_.add(static_cast<double>(stats.opened - reportedOpened_));
    reportedOpened_ = stats.opened;
  }
  open_.set(static_cast<double>(stats.idle + stats.leased));
}

}  // namespace mysqlop::mysql
