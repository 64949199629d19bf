#pragma once

// Settings of the database plugin: its `config` from the operator config file and the operator-wide
// settings it uses.

#include <chrono>
#include <string_view>

#include "plugins/common/mysql/pool.h"

namespace mysqlop::database {

struct Options {
  // --allow-cross-namespace-database (operator setting allowCrossNamespaceDatabase).
  bool allowCrossNamespace = false;
  // config.clusterNotReadyRequeueSeconds: how often a MysqlDatabase whose cluster is not Ready is
  // retried (bitpoke: 30 s).
  std::chrono::milliseconds notReadyRequeue{std::chrono::seconds(30)};
  // config.connectTimeoutSeconds / config.queryTimeoutSeconds / config.maxIdleConnections.
  mysql::PoolOptions pool;
};

// Throws mysqlop::ConfigError naming the key on a bad value.
Options parseOptions(std::string_view operatorJson, std::string_view configJson);

}  // namespace mysqlop::database
