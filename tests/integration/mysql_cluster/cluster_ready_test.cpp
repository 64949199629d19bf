// A MysqlCluster becomes what it is in a real cluster: MariaDB pods cloned from each other,
// replicating with GTID, Ready=True, the master Service selecting the master; the MysqlDatabase
// and MysqlUser of the cluster become Ready and the user can log in.

#include <gtest/gtest.h>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;

std::string get(const MysqlClusterEnv& env, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"get"};
  full.insert(full.end(), args.begin(), args.end());
  const CommandResult r = env.kubectl().run(full);
  return r.exitCode == 0 ? r.out : "error: " + r.err;
}

TEST(MysqlClusterE2E, OneNodeIsReadyAndServesItsDatabaseAndUser) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("one", 1)), "");
  ASSERT_EQ(env.waitReady("one", 120s), "");

  EXPECT_EQ(get(env, {"mysqlcluster", "one", "-o", "jsonpath={.status.readyNodes}"}), "1");
  EXPECT_EQ(get(env, {"pod", "one-mysql-0", "-o", "jsonpath={.metadata.labels.role}"}), "master");
  EXPECT_EQ(get(env, {"pod", "one-mysql-0", "-o",
                      "jsonpath={.status.conditions[?(@.type==\"mysql.presslabs.org/"
                      "NodeInitialized\")].status}"}),
            "True");
  // The image's first boot made the app user and database from the Secret.
  EXPECT_EQ(env.sql("one-mysql-0", "SELECT COUNT(*) FROM mysql.user WHERE user='app'").out, "1");
  EXPECT_EQ(env.sql("one-mysql-0", "SELECT @@read_only").out, "0");

  ASSERT_EQ(env.apply("apiVersion: v1\nkind: Secret\nmetadata: {name: shop-pw}\n"
                      "stringData: {PASSWORD: shop-secret-1}\n---\n"
                      "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlDatabase\n"
                      "metadata: {name: shop}\nspec: {database: shop, clusterRef: {name: one}}\n"
                      "---\napiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlUser\n"
                      "metadata: {name: shop}\nspec:\n  user: shop\n  clusterRef: {name: one}\n"
                      "  password: {name: shop-pw, key: PASSWORD}\n  allowedHosts: ['%']\n"
                      "  permissions:\n  - {schema: shop, tables: ['*'], permissions: [ALL]}\n"),
            "");
  for (const char* kind : {"mysqldatabase", "mysqluser"}) {
    EXPECT_EQ(waitForJsonpath(env.kubectl(), std::string(kind) + " shop",
                              "{.status.conditions[?(@.type==\"Ready\")].status}", "True", 60s),
              "")
        << env.diagnostics();
  }
  const CommandResult login =
      runCommand({"/usr/bin/mariadb", "--no-defaults", "-h", env.podIp("one-mysql-0"), "-ushop",
                  "-NB", "-e", "CREATE TABLE shop.t (id INT PRIMARY KEY); SELECT DATABASE()"},
                 {"MYSQL_PWD=shop-secret-1"});
  EXPECT_EQ(login.exitCode, 0) << login.err;
}

TEST(MysqlClusterE2E, ThreeNodesReplicateFromTheMaster) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("three", 3)), "");
  ASSERT_EQ(env.waitReady("three", 180s), "");

  EXPECT_EQ(get(env, {"mysqlcluster", "three", "-o", "jsonpath={.status.readyNodes}"}), "3");
  EXPECT_EQ(get(env, {"pods", "-l", "role=master", "-o", "jsonpath={.items[*].metadata.name}"}),
            "three-mysql-0");
  EXPECT_EQ(get(env, {"pods", "-l", "role=replica,healthy=yes", "-o",
                      "jsonpath={.items[*].metadata.name}"}),
            "three-mysql-1 three-mysql-2");
  EXPECT_EQ(get(env, {"mysqlcluster", "three", "-o",
                      "jsonpath={.status.nodes[?(@.name==\"three-mysql-0.mysql.default\")]"
                      ".conditions[?(@.type==\"Master\")].status}"}),
            "True");
  // The master Service's endpoints are the master's.
  EXPECT_EQ(
      get(env, {"endpoints", "three-mysql-master", "-o", "jsonpath={.subsets[*].addresses[*].ip}"}),
      env.podIp("three-mysql-0"));

  ASSERT_EQ(env.sql("three-mysql-0",
                    "CREATE TABLE app.rows_e2e (id INT PRIMARY KEY, v VARCHAR(20)); "
                    "INSERT INTO app.rows_e2e VALUES (1, 'written on master')")
                .err,
            "");
  for (const char* replica : {"three-mysql-1", "three-mysql-2"}) {
    EXPECT_EQ(
        env.waitForSql(replica, "SELECT v FROM app.rows_e2e WHERE id=1", "written on master", 30s),
        "");
    EXPECT_EQ(env.sql(replica, "SELECT @@read_only").out, "1");
    // GTID replication from the master's FQDN.
    const SqlResult status = env.sql(replica, "SHOW SLAVE STATUS", true);
    EXPECT_NE(status.out.find("Master_Host: three-mysql-0.mysql.default"), std::string::npos)
        << status.out;
    EXPECT_NE(status.out.find("Using_Gtid: Slave_Pos"), std::string::npos) << status.out;
  }
  // Pod 1 was cloned from the master (no replica was ready yet), pod 2 from a peer replica.
  const CommandResult init1 = env.kubectl().run({"logs", "three-mysql-1", "-c", "init"});
  EXPECT_NE(init1.out.find("clone from http://three-mysql-master:8080/xbackup"), std::string::npos)
      << init1.out << init1.err;
  const CommandResult init2 = env.kubectl().run({"logs", "three-mysql-2", "-c", "init"});
  EXPECT_NE(init2.out.find("clone from http://three-mysql-replicas:8080/xbackup"),
            std::string::npos)
      << init2.out << init2.err;
}

TEST(MysqlClusterE2E, PerconaImageWaitsWithAClearReason) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  std::string manifest = clusterManifest("percona", 1);
  manifest.replace(manifest.find("\"mariadb-10.11\""), 15, "\"5.7.35\"");
  ASSERT_EQ(env.apply(manifest), "");
  EXPECT_EQ(
      waitForJsonpath(env.kubectl(), "pod percona-mysql-0",
                      "{.status.containerStatuses[?(@.name==\"mysql\")].state.waiting.reason}",
                      "ImageNotAvailableLocally", 60s),
      "")
      << env.diagnostics();
  const std::string message = get(
      env, {"pod", "percona-mysql-0", "-o",
            "jsonpath={.status.containerStatuses[?(@.name==\"mysql\")].state.waiting.message}"});
  EXPECT_NE(message.find("use a MariaDB version for local clusters"), std::string::npos) << message;
  EXPECT_EQ(get(env, {"mysqlcluster", "percona", "-o",
                      "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"}),
            "False");
}

}  // namespace
}  // namespace mysqlop::testing
