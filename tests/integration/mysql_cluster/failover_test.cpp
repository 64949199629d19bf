// The failover engine on the local control plane (issue 12, plugins/orchestrator README "Failover
// on Kubernetes"): the master's mysqld is killed (the kubelet restarts the container at once); a
// replica is promoted, labelled and served by the master Service, with every row; the old master
// comes back fenced, as a replica of the new master; the Events and the condition say so.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;

std::string fqdn(const std::string& pod) { return pod + ".mysql.default"; }

std::string masterCondition(const MysqlClusterEnv& env, const std::string& pod,
                            const std::string& cluster = "fo") {
  return jsonpath(
      env.kubectl(), "mysqlcluster " + cluster,
      "{.status.nodes[?(@.name==\"" + fqdn(pod) + "\")].conditions[?(@.type==\"Master\")].status}");
}

std::string failoverCondition(const MysqlClusterEnv& env, const std::string& field) {
  return jsonpath(env.kubectl(), "mysqlcluster fo",
                  "{.status.conditions[?(@.type==\"FailoverInProgress\")]." + field + "}");
}

TEST(MysqlClusterFailover, KilledMasterIsReplacedAndRejoinsAsReplica) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("fo", 3)), "");
  ASSERT_EQ(env.waitReady("fo", 180s), "");
  ASSERT_EQ(env.sql("fo-mysql-0",
                    "CREATE TABLE app.fo (id INT PRIMARY KEY); "
                    "INSERT INTO app.fo VALUES (1), (2), (3)")
                .err,
            "");
  for (const char* replica : {"fo-mysql-1", "fo-mysql-2"}) {
    ASSERT_EQ(env.waitForSql(replica, "SELECT COUNT(*) FROM app.fo", "3", 30s), "");
  }
  ASSERT_EQ(failoverCondition(env, "status"), "False");
  const std::string transitionBefore = failoverCondition(env, "lastTransitionTime");

  // Kill the master's server; the kubelet restarts the container right away.
  const auto killedAt = std::chrono::steady_clock::now();
  const CommandResult kill =
      runCommand({LocalClusterProcess::binary(), "fault", "kill", "--data-dir",
                  std::string(env.dataDir()), "fo-mysql-0", "-c", "mysql"});
  ASSERT_EQ(kill.exitCode, 0) << kill.out << kill.err;

  // A replica becomes writable.
  std::string promoted, other;
  ASSERT_TRUE(pollUntil(
      [&] {
        for (const char* pod : {"fo-mysql-1", "fo-mysql-2"}) {
          if (env.sql(pod, "SELECT @@read_only").out == "0") {
            promoted = pod;
            return true;
          }
        }
        return false;
      },
      Poll{60s, 20ms}))
      << env.diagnostics();
  const double writableAfter =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killedAt).count();
  other = promoted == "fo-mysql-1" ? "fo-mysql-2" : "fo-mysql-1";
  std::printf("kill of the master's mysqld -> %s writable: %.2f s\n", promoted.c_str(),
              writableAfter);

  // Published: status.nodes, the role label, the master Service.
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "pods -l role=master", "{.items[*].metadata.name}",
                            promoted, 30s),
            "")
      << env.diagnostics();
  EXPECT_EQ(masterCondition(env, promoted), "True");
  EXPECT_NE(masterCondition(env, "fo-mysql-0"), "True");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "endpoints fo-mysql-master",
                            "{.subsets[*].addresses[*].ip}", env.podIp(promoted), 30s),
            "");

  // Every row is on the new master; a new write through it reaches the other replica.
  EXPECT_EQ(env.sql(promoted, "SELECT COUNT(*) FROM app.fo").out, "3");
  const SqlResult write = env.sqlAs(promoted, "app", "app-pw", "INSERT INTO app.fo VALUES (4)");
  EXPECT_EQ(write.exitCode, 0) << write.err;
  EXPECT_EQ(env.waitForSql(other, "SELECT COUNT(*) FROM app.fo", "4", 30s), "");
  const SqlResult otherStatus = env.sql(other, "SHOW SLAVE STATUS", true);
  EXPECT_NE(otherStatus.out.find("Master_Host: " + fqdn(promoted)), std::string::npos)
      << otherStatus.out;

  // The old master is back: read-only, replicating from the new master, with the new row.
  EXPECT_EQ(env.waitForSql("fo-mysql-0", "SELECT @@read_only", "1", 60s), "") << env.diagnostics();
  EXPECT_EQ(env.waitForSql("fo-mysql-0", "SELECT COUNT(*) FROM app.fo", "4", 60s), "")
      << env.diagnostics();
  const SqlResult oldStatus = env.sql("fo-mysql-0", "SHOW SLAVE STATUS", true);
  EXPECT_NE(oldStatus.out.find("Master_Host: " + fqdn(promoted)), std::string::npos)
      << oldStatus.out;
  EXPECT_NE(oldStatus.out.find("Slave_SQL_Running: Yes"), std::string::npos) << oldStatus.out;
  EXPECT_EQ(env.waitReady("fo", 60s), "");
  std::printf("kill -> the old master replicating again, the cluster Ready: %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - killedAt).count());
  EXPECT_EQ(waitForJsonpath(
                env.kubectl(), "pods -l role=replica", "{.items[*].metadata.name}",
                promoted == "fo-mysql-1" ? "fo-mysql-0 fo-mysql-2" : "fo-mysql-0 fo-mysql-1", 30s),
            "");

  // FailoverInProgress went True (OrcFailoverInProgress) and back to False.
  EXPECT_EQ(failoverCondition(env, "status"), "False");
  EXPECT_EQ(failoverCondition(env, "reason"), "ClusterMasterHealthy");
  EXPECT_NE(failoverCondition(env, "lastTransitionTime"), transitionBefore);
  // bitpoke's hook Events on the cluster.
  const std::string reasons =
      jsonpath(env.kubectl(), "events --field-selector involvedObject.name=fo",
               "{range .items[*]}{.type}/{.reason} {end}");
  EXPECT_NE(reasons.find("Warning/OrcFailureDetection"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("Normal/OrcPostMasterFailover"), std::string::npos) << reasons;
  EXPECT_EQ(reasons.find("OrcPostUnsuccessfulFailover"), std::string::npos) << reasons;
  // The recovery in the audit store (its route), and the rejoin in the operator's log.
  const nlohmann::json recoveries = nlohmann::json::parse(
      env.operatorProcess().get("/plugins/orchestrator/api/recoveries?cluster=default/fo"), nullptr,
      false);
  ASSERT_TRUE(recoveries.is_object() && recoveries["recoveries"].size() == 1U)
      << env.operatorProcess().get("/plugins/orchestrator/api/recoveries");
  const nlohmann::json& r = recoveries["recoveries"][0];
  EXPECT_EQ(r.value("analysis", ""), "DeadMaster") << r;
  EXPECT_EQ(r.value("result", ""), "success") << r;
  EXPECT_EQ(r.value("failedHost", ""), fqdn("fo-mysql-0") + ":3306") << r;
  EXPECT_EQ(r.value("successorHost", ""), fqdn(promoted) + ":3306") << r;
  EXPECT_NE(env.operatorProcess().err().find("OldMasterRejoined"), std::string::npos);
}

// spec.readOnly: a dead master is never failed over (NoFailoverReadOnly); the killed server
// comes back as the master, read-only like every node.
TEST(MysqlClusterFailover, ReadOnlyClusterIsNeverFailedOver) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("ro", 2, "  readOnly: true\n")), "");
  ASSERT_EQ(env.waitReady("ro", 180s), "");
  ASSERT_EQ(masterCondition(env, "ro-mysql-0", "ro"), "True") << env.diagnostics();
  const CommandResult kill =
      runCommand({LocalClusterProcess::binary(), "fault", "kill", "--data-dir",
                  std::string(env.dataDir()), "ro-mysql-0", "-c", "mysql"});
  ASSERT_EQ(kill.exitCode, 0) << kill.out << kill.err;
  EXPECT_EQ(env.operatorProcess().waitFor("NoFailoverReadOnly"), "NoFailoverReadOnly")
      << env.diagnostics();
  // Back: pod 0 restarted, the master again, the replica replicating from it.
  EXPECT_EQ(
      waitForJsonpath(env.kubectl(), "pod ro-mysql-0",
                      "{.status.containerStatuses[?(@.name==\"mysql\")].restartCount}", "1", 60s),
      "");
  EXPECT_EQ(env.waitReady("ro", 60s), "");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster ro",
                            "{.status.nodes[?(@.name==\"ro-mysql-0.mysql.default\")]"
                            ".conditions[?(@.type==\"Master\")].status}",
                            "True", 60s),
            "")
      << env.diagnostics();
  EXPECT_EQ(env.sql("ro-mysql-1", "SELECT @@read_only").out, "1");
  EXPECT_EQ(env.sql("ro-mysql-0", "SELECT @@read_only").out, "1");
  const std::string reasons =
      jsonpath(env.kubectl(), "events --field-selector involvedObject.name=ro",
               "{range .items[*]}{.reason} {end}");
  EXPECT_EQ(reasons.find("OrcFailureDetection"), std::string::npos) << reasons;
  EXPECT_EQ(reasons.find("OrcPostMasterFailover"), std::string::npos) << reasons;
  EXPECT_EQ(env.operatorProcess().err().find("recovering from"), std::string::npos);
  // Not only logged: one Warning Event for the detection that was not recovered.
  EXPECT_EQ(
      jsonpath(env.kubectl(), "events --field-selector involvedObject.name=ro",
               "{range .items[?(@.reason==\"OrcRecoveryBlocked\")]}{.type}: {.message};{end}"),
      "Warning: NoFailoverReadOnly of " + fqdn("ro-mysql-0") +
          ":3306 is not recovered: the cluster is read-only (spec.readOnly): no failover;");
}

}  // namespace
}  // namespace mysqlop::testing
