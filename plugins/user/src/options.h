#pragma once

// Settings of the user plugin: its `config` from the operator config file and the operator-wide
// settings it uses.

#include <chrono>
#include <set>
#include <string>
#include <string_view>

#include "plugins/common/mysql/pool.h"

namespace mysqlop::user {

struct Options {
  // --allow-cross-namespace-user (operator setting allowCrossNamespaceUser).
  bool allowCrossNamespace = false;
  // config.requeueAfterSeconds: how often a provisioned MysqlUser is checked again, so that a user
  // dropped or altered by hand is restored (bitpoke: 2 minutes).
  std::chrono::milliseconds requeueAfter{std::chrono::minutes(2)};
  // config.clusterNotReadyRequeueSeconds (bitpoke: 30 s).
  std::chrono::milliseconds notReadyRequeue{std::chrono::seconds(30)};
  // Accounts a MysqlUser may never name: root, the operator's own (sys_operator, sys_replication,
  // sys_exporter, sys_heartbeat, the orchestratorTopologyUser setting), the servers' system
  // accounts, plus config.reservedUsers.
  std::set<std::string> reservedUsers;
  // config.connectTimeoutSeconds / config.queryTimeoutSeconds / config.maxIdleConnections.
  mysql::PoolOptions pool;
};

// Throws mysqlop::ConfigError naming the key on a bad value.
Options parseOptions(std::string_view operatorJson, std::string_view configJson);

}  // namespace mysqlop::user
