// What happens to a running MysqlCluster: scaling up and down, pods deleted one at a time and all
// at once, and the whole local cluster stopped and started again (bitpoke's most reported bug:
// after such a restart its nodes never became ready). A deleted master is replaced by a replica
// (the failover engine) and comes back as a replica.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;

std::string podNames(const MysqlClusterEnv& env, const std::string& selector) {
  return jsonpath(env.kubectl(), "pods -l " + selector, "{.items[*].metadata.name}");
}

std::string nodeNames(const MysqlClusterEnv& env, const std::string& cluster) {
  return jsonpath(env.kubectl(), "mysqlcluster " + cluster, "{.status.nodes[*].name}");
}

void insertRow(const MysqlClusterEnv& env, const std::string& pod, int id) {
  const SqlResult r = env.sql(pod, "INSERT INTO app.e2e VALUES (" + std::to_string(id) + ")");
  ASSERT_EQ(r.exitCode, 0) << r.err << env.diagnostics();
}

// Every listed pod has exactly `count` rows in app.e2e.
void expectRowsEverywhere(const MysqlClusterEnv& env, const std::vector<std::string>& pods,
                          int count) {
  for (const std::string& pod : pods) {
    EXPECT_EQ(env.waitForSql(pod, "SELECT COUNT(*) FROM app.e2e", std::to_string(count), 60s), "");
  }
}

class TopologyChanges : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env.ok()) << env.error();
    ASSERT_EQ(env.apply(clusterManifest("topo", 3)), "");
    ASSERT_EQ(env.waitReady("topo", 180s), "");
    ASSERT_EQ(env.sql("topo-mysql-0", "CREATE TABLE app.e2e (id INT PRIMARY KEY)").err, "");
    insertRow(env, "topo-mysql-0", 1);
  }
  void scale(int replicas) {
    const CommandResult r =
        env.kubectl().run({"patch", "mysqlcluster", "topo", "--type=merge", "-p",
                           "{\"spec\":{\"replicas\":" + std::to_string(replicas) + "}}"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  MysqlClusterEnv env;
};

TEST_F(TopologyChanges, ScaleThreeToFiveToTwo) {
  scale(5);
  ASSERT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster topo", "{.status.readyNodes}", "5", 180s),
            "")
      << env.diagnostics();
  ASSERT_EQ(env.waitReady("topo", 60s), "");
  insertRow(env, "topo-mysql-0", 2);
  expectRowsEverywhere(env, {"topo-mysql-3", "topo-mysql-4"}, 2);
  // The new replicas were cloned from a peer replica, not from the master.
  for (const char* pod : {"topo-mysql-3", "topo-mysql-4"}) {
    const CommandResult init = env.kubectl().run({"logs", pod, "-c", "init"});
    EXPECT_NE(init.out.find("clone from http://topo-mysql-replicas:8080/xbackup"),
              std::string::npos)
        << pod << ": " << init.out << init.err;
  }
  EXPECT_EQ(nodeNames(env, "topo"),
            "topo-mysql-0.mysql.default topo-mysql-1.mysql.default topo-mysql-2.mysql.default "
            "topo-mysql-3.mysql.default topo-mysql-4.mysql.default");

  scale(2);
  ASSERT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster topo", "{.status.nodes[*].name}",
                            "topo-mysql-0.mysql.default topo-mysql-1.mysql.default", 120s),
            "")
      << env.diagnostics();
  ASSERT_EQ(env.waitReady("topo", 60s), "");
  EXPECT_EQ(podNames(env, "mysql.presslabs.org/cluster=topo"), "topo-mysql-0 topo-mysql-1");
  // The removed replicas' PVCs are cleaned up, pod 0's and 1's stay.
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "pvc", "{.items[*].metadata.name}",
                            "data-topo-mysql-0 data-topo-mysql-1", 60s),
            "");
}

TEST_F(TopologyChanges, DeletedPodsComeBackAndCatchUp) {
  // A replica: rows written while it is away reach it when it is back.
  ASSERT_EQ(env.kubectl().run({"delete", "pod", "topo-mysql-2", "--wait=false"}).exitCode, 0);
  insertRow(env, "topo-mysql-0", 2);
  insertRow(env, "topo-mysql-0", 3);
  ASSERT_EQ(env.waitReady("topo", 120s), "");
  expectRowsEverywhere(env, {"topo-mysql-1", "topo-mysql-2"}, 3);

  // The master's pod: the failover engine promotes a replica (the master is gone longer than
  // failureDetectionGraceSeconds), and the pod comes back as its replica.
  ASSERT_EQ(env.kubectl().run({"delete", "pod", "topo-mysql-0"}).exitCode, 0);
  ASSERT_EQ(env.waitReady("topo", 120s), "");
  std::string master;
  ASSERT_TRUE(pollUntil(
      [&] {
        master = podNames(env, "role=master");
        return master == "topo-mysql-1" || master == "topo-mysql-2";
      },
      Poll{60s, 250ms}))
      << master << env.diagnostics();
  EXPECT_EQ(env.waitForSql(master, "SELECT @@read_only", "0", 30s), "");
  EXPECT_EQ(env.waitForSql("topo-mysql-0", "SELECT @@read_only", "1", 30s), "");
  insertRow(env, master, 4);
  expectRowsEverywhere(env, {"topo-mysql-0", "topo-mysql-1", "topo-mysql-2"}, 4);

  // Every pod at once.
  ASSERT_EQ(env.kubectl()
                .run({"delete", "pods", "-l", "mysql.presslabs.org/cluster=topo", "--wait=false"})
                .exitCode,
            0);
  ASSERT_EQ(env.waitReady("topo", 30s, "False"), "");
  // Two outcomes are right, and which one comes depends on the order in which the deletions reach
  // the engine: the master's pod being deleted is switched over to a replica not being deleted
  // yet; when that one is deleted next, a failover follows. If the new master had not yet applied
  // everything the deleted one wrote (pt-heartbeat writes every second), the deleted one comes
  // back with transactions its successor lacks: it is fenced and kept out (OldMasterKeptOut), as
  // it must never rejoin with them, even though its restart reset its configured flag. Otherwise
  // every pod comes back and the cluster is Ready.
  std::string keptOut;
  const auto keptOutEvent = [&] {
    return jsonpath(env.kubectl(), "events --field-selector involvedObject.name=topo",
                    "{.items[?(@.reason==\"OldMasterKeptOut\")].message}");
  };
  ASSERT_TRUE(pollUntil(
      [&] {
        keptOut = keptOutEvent();
        return !keptOut.empty() || env.waitReady("topo", 1s).empty();
      },
      Poll{240s, 1s}))
      << env.diagnostics();
  ASSERT_TRUE(pollUntil(
      [&] {
        master = podNames(env, "role=master");
        return !master.empty() && master.find(' ') == std::string::npos &&
               env.sql(master, "SELECT @@read_only").out == "0";
      },
      Poll{60s, 250ms}))
      << master << env.diagnostics();
  // As the application user: read_only does not stop root, so a root write that lands on a
  // replica would look like a lost row.
  ASSERT_EQ(env.sqlAs(master, "app", "app-pw", "INSERT INTO app.e2e VALUES (5)").exitCode, 0);
  if (keptOut.empty()) {
    expectRowsEverywhere(env, {"topo-mysql-0", "topo-mysql-1", "topo-mysql-2"}, 5);
    return;
  }
  std::printf("the deleted master came back with transactions its successor lacks: %s\n",
              keptOut.c_str());
  EXPECT_NE(keptOut.find("and kept out: it has transactions its successor "), std::string::npos)
      << keptOut;
  std::vector<std::string> others;
  for (const std::string pod : {"topo-mysql-0", "topo-mysql-1", "topo-mysql-2"}) {
    if (keptOut.rfind("old master " + pod + ".mysql.default fenced", 0) == 0) {
      EXPECT_EQ(env.waitForSql(pod, "SELECT @@read_only", "1", 30s), "");  // fenced
    } else {
      others.push_back(pod);
    }
  }
  EXPECT_EQ(others.size(), 2U) << keptOut;
  expectRowsEverywhere(env, others, 5);
}

TEST_F(TopologyChanges, TheWholeLocalClusterStopsAndStartsAgain) {
  insertRow(env, "topo-mysql-0", 2);
  expectRowsEverywhere(env, {"topo-mysql-1", "topo-mysql-2"}, 2);
  const CommandResult down = env.cluster().down();
  ASSERT_EQ(down.exitCode, 0) << down.out << down.err;
  ASSERT_TRUE(env.cluster().start().ok());
  env.restartOperator();  // the API server listens on a new port
  ASSERT_EQ(env.waitReady("topo", 180s), "");
  EXPECT_EQ(podNames(env, "role=master"), "topo-mysql-0");
  insertRow(env, "topo-mysql-0", 3);
  expectRowsEverywhere(env, {"topo-mysql-0", "topo-mysql-1", "topo-mysql-2"}, 3);
}

}  // namespace
}  // namespace mysqlop::testing
