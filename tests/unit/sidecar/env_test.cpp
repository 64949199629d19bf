#include "sidecar/env.h"

#include <gtest/gtest.h>

#include <map>

namespace mysqlop::sidecar {
namespace {

std::map<std::string, std::string> base() {
  return {{"HOSTNAME", "my-cluster-mysql-2"},
          {"MY_CLUSTER_NAME", "my-cluster"},
          {"MY_NAMESPACE", "prod"},
          {"MY_SERVICE_NAME", "mysql"},
          {"OPERATOR_USER", "sys_operator"},
          {"OPERATOR_PASSWORD", "p1"},
          {"REPLICATION_USER", "sys_replication"},
          {"REPLICATION_PASSWORD", "p2"},
          {"METRICS_EXPORTER_USER", "sys_exporter"},
          {"METRICS_EXPORTER_PASSWORD", "p3"},
          {"ORC_TOPOLOGY_USER", "orchestrator"},
          {"ORC_TOPOLOGY_PASSWORD", "p4"},
          {"BACKUP_USER", "sys_backup"},
          {"BACKUP_PASSWORD", "p5"}};
}

EnvLookup lookup(std::map<std::string, std::string> env) {
  return [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

std::string errorOf(std::map<std::string, std::string> env) {
  auto c = loadConfig(lookup(std::move(env)));
  return c ? "" : c.error().message;
}

TEST(SidecarEnv, BitpokeDefaults) {
  auto c = loadConfig(lookup(base()));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ordinal, 2);
  EXPECT_EQ(c->serverId(), 102);
  EXPECT_EQ(c->fqdn(), "my-cluster-mysql-2.mysql.prod");
  EXPECT_EQ(c->version.describe(), "MySQL 5.7.35");
  EXPECT_EQ(c->dataDir, "/var/lib/mysql");
  EXPECT_EQ(c->confDir, "/etc/mysql");
  EXPECT_EQ(c->confSourceDir, "/mnt/conf");
  EXPECT_EQ(c->serverPort, 8080);
  EXPECT_EQ(c->mysqlHost, "127.0.0.1");
  EXPECT_EQ(c->mysqlPort, 3306);
  EXPECT_EQ(c->replicasUrl, "http://my-cluster-mysql-replicas:8080");
  EXPECT_EQ(c->masterUrl, "http://my-cluster-mysql-master:8080");
  EXPECT_EQ(c->xtrabackupTargetDir, "/tmp/xtrabackup_backupfiles/");
  EXPECT_TRUE(requireCredentials(*c, {Role::Operator, Role::Replication, Role::Exporter,
                                      Role::OrcTopology, Role::Backup})
                  .ok());
}

TEST(SidecarEnv, FlavorVersionAndOverrides) {
  auto env = base();
  env["MY_MYSQL_VERSION"] = "10.11.0";
  env["MY_MYSQL_FLAVOR"] = "mariadb";
  env["MY_SERVER_ID_OFFSET"] = "1000";
  env["MYSQLOP_DATA_DIR"] = "/d";
  env["MYSQLOP_REPLICAS_URL"] = "http://127.0.0.5:9000";
  env["XTRABACKUP_EXTRA_ARGS"] = "  --a  --b=1 ";
  env["INITFILE_EXTRA_SQL"] = "SET GLOBAL x = 1;\n SELECT\n1 ; ";
  auto c = loadConfig(lookup(env));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->version.describe(), "MariaDB 10.11.0");
  EXPECT_EQ(c->serverId(), 1002);
  EXPECT_EQ(c->dataDir, "/d");
  EXPECT_EQ(c->replicasUrl, "http://127.0.0.5:9000");
  EXPECT_EQ(c->xtrabackupExtraArgs, (std::vector<std::string>{"--a", "--b=1"}));
  EXPECT_EQ(c->initFileExtraSql, (std::vector<std::string>{"SET GLOBAL x = 1", "SELECT 1"}));
  env["MY_MYSQL_VERSION"] = "mariadb-10.6";
  EXPECT_EQ(loadConfig(lookup(env))->version.describe(), "MariaDB 10.6.0");
  env.erase("MY_MYSQL_FLAVOR");
  env["MY_MYSQL_VERSION"] = "8.0";
  EXPECT_EQ(loadConfig(lookup(env))->version.describe(), "MySQL 8.0.20");
}

TEST(SidecarEnv, EveryBadValueHasItsMessage) {
  auto env = base();
  env.erase("HOSTNAME");
  EXPECT_EQ(errorOf(env), "missing environment variable HOSTNAME");
  env = base();
  env["HOSTNAME"] = "my-cluster-mysql-";
  EXPECT_EQ(errorOf(env),
            "HOSTNAME=\"my-cluster-mysql-\": no pod ordinal at its end (want <cluster>-mysql-<N>)");
  env["HOSTNAME"] = "7";
  EXPECT_EQ(errorOf(env), "HOSTNAME=\"7\": no pod ordinal at its end (want <cluster>-mysql-<N>)");
  env = base();
  env["MY_NAMESPACE"] = "";
  EXPECT_EQ(errorOf(env), "missing environment variable MY_NAMESPACE");
  env = base();
  env["MY_SERVER_ID_OFFSET"] = "1e3";
  EXPECT_EQ(errorOf(env), "MY_SERVER_ID_OFFSET=\"1e3\": not a number");
  env = base();
  env["MY_MYSQL_FLAVOR"] = "percona";
  EXPECT_EQ(errorOf(env), "MY_MYSQL_FLAVOR=\"percona\": want mysql or mariadb");
  env = base();
  env["MY_MYSQL_VERSION"] = "10.11";
  EXPECT_EQ(errorOf(env).rfind("MY_MYSQL_VERSION: ", 0), 0u) << errorOf(env);
  env = base();
  env["MYSQLOP_SIDECAR_PORT"] = "0";
  EXPECT_EQ(errorOf(env), "MYSQLOP_SIDECAR_PORT=\"0\": not a port number (1-65535)");
}

TEST(SidecarEnv, CredentialsAreRequiredAndMustFitTheInitFile) {
  auto env = base();
  env.erase("REPLICATION_PASSWORD");
  auto c = loadConfig(lookup(env));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(requireCredentials(*c, {Role::Backup}).ok());
  EXPECT_EQ(requireCredentials(*c, {Role::Backup, Role::Replication}).error().message,
            "missing environment variable REPLICATION_PASSWORD");
  for (std::string bad : {"a'b", "a\\b", "a\nb", "a\"b"}) {
    env = base();
    env["ORC_TOPOLOGY_USER"] = bad;
    EXPECT_EQ(requireCredentials(*loadConfig(lookup(env)), {Role::OrcTopology}).error().message,
              "ORC_TOPOLOGY_USER: contains a quote, a backslash or a line break, which the "
              "init-file cannot carry");
  }
}

}  // namespace
}  // namespace mysqlop::sidecar
