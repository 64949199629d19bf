#pragma once

// MysqlUser -> accounts user@host for every allowed host, as bitpoke's mysql-user controller:
// password from the referenced Secret, GRANTs per permission entry, resource limits, finalizer
// mysql-operator.presslabs.org/user with DROP USER on delete unless annotated
// resourceDeletionPolicy: retain, cross-namespace clusters refused unless allowed, Ready
// condition with reasons ProvisionSucceeded / ProvisionFailed, status.allowedHosts, a 30 s requeue
// while the cluster is not Ready and a periodic requeue (2 minutes) that repairs drift. Beyond
// bitpoke: privileges and hosts removed from the spec are revoked / dropped, resource limits
// removed from the spec are reset, names and privileges are validated before any SQL, reserved
// accounts (root, the operator's) are refused, and nothing is written when MySQL already matches.

#include <string>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/cluster_link.h"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/pool.h"
#include "plugins/common/mysql/watch_map.h"
#include "plugins/user/src/options.h"

namespace mysqlop::user {

inline constexpr std::string_view kFinalizer = "mysql-operator.presslabs.org/user";

class Reconciler {
 public:
  Reconciler(Options options, mysql::LogFn log);

  mysqlop::Outcome reconcile(mysql::KubeGateway& kube, std::string_view ns, std::string_view name);

  // The MysqlUsers of the Secret's namespace whose spec.password names it.
  static mysql::ObjectKeys usersOfSecret(mysql::KubeGateway& kube, std::string_view secretJson);

  mysql::ConnectionPool& pool() { return pool_; }
  const Options& options() const { return options_; }

 private:
  mysqlop::Outcome finalize(mysql::KubeGateway& kube, nlohmann::json& obj);
  mysqlop::Outcome provision(mysql::KubeGateway& kube, nlohmann::json& obj);
  mysqlop::Outcome fail(mysql::KubeGateway& kube, nlohmann::json& obj, const std::string& error,
                        mysqlop::Outcome outcome,
                        const std::vector<std::string>& touchedHosts = {});
  void log(mysqlop_type_log_level level, const std::string& message) const;

  Options options_;
  mysql::LogFn log_;
  mysql::ConnectionPool pool_;
  mysql::ClusterConnector clusters_;
};

}  // namespace mysqlop::user
