#pragma once

// MysqlDatabase -> CREATE DATABASE / DROP DATABASE, as bitpoke's mysql-database controller:
// finalizer mysql-operator.presslabs.org/database, DROP on delete unless annotated
// resourceDeletionPolicy: retain, cross-namespace clusters refused unless allowed, Ready condition
// with reasons ProvisionSucceeded / ProvisionFailed, and a 30 s requeue while the cluster is not
// Ready. Beyond bitpoke: spec.database is validated (never a system schema) before any SQL, and a
// changed characterSet / collation is applied to an existing database (ALTER DATABASE).

#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/cluster_link.h"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/pool.h"
#include "plugins/database/src/options.h"
#include "plugins/database/src/spec.h"

namespace mysqlop::database {

inline constexpr std::string_view kFinalizer = "mysql-operator.presslabs.org/database";

class Reconciler {
 public:
  Reconciler(Options options, mysql::LogFn log);

  mysqlop::Outcome reconcile(mysql::KubeGateway& kube, std::string_view ns, std::string_view name);

  mysql::ConnectionPool& pool() { return pool_; }
  const Options& options() const { return options_; }

 private:
  mysqlop::Outcome finalize(mysql::KubeGateway& kube, nlohmann::json& obj);
  mysqlop::Outcome provision(mysql::KubeGateway& kube, nlohmann::json& obj);
  // Sets Ready=False with message, saves the status, records a Warning Event when the condition
  // changed, and returns `outcome`.
  mysqlop::Outcome fail(mysql::KubeGateway& kube, nlohmann::json& obj, const std::string& message,
                        mysqlop::Outcome outcome);
  void log(mysqlop_type_log_level level, const std::string& message) const;

  Options options_;
  mysql::LogFn log_;
  mysql::ConnectionPool pool_;
  mysql::ClusterConnector clusters_;
};

}  // namespace mysqlop::database
