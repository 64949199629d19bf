#pragma once

// Prometheus metrics of a plugin's connection pool, registered with the host:
//   mysqlop_<plugin>_mysql_connections_opened_total  connections opened since start
//   mysqlop_<plugin>_mysql_connections               connections held now (idle + in use)
// so that connection reuse can be watched in production as the benchmark measures it.

#include <cstdint>
#include <mutex>
#include <string>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/pool.h"

namespace mysqlop::mysql {

class PoolMetrics {
 public:
  // plugin: "database" or "user" (part of the metric names).
  PoolMetrics(const mysqlop::Host& host, const std::string& plugin);

  // Publishes the pool's numbers; call after each reconcile. Thread-safe.
  void update(const PoolStats& stats);

 private:
  mysqlop::Metric opened_;
  mysqlop::Metric open_;
  std::mutex mu_;
  std::uint64_t reportedOpened_ = 0;
};

}  // namespace mysqlop::mysql
