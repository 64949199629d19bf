// Which replica the failover engine promotes on the local control plane (issue 12 item 2; bitpoke
// #865: a lagging replica promoted lost days of data). A replica whose replication is stopped, or
// whose SQL thread is stopped with transactions still in its relay log, is never promoted while a
// healthy replica exists, and the promoted one has every row the dead master acknowledged.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;

// Brings up a 3-node cluster `name` with 3 rows everywhere, runs `onPod1` on pod 1, writes 5
// more rows on the master (pod 1 does not apply them), kills the master's mysqld, and checks that
// pod 2 is the one promoted with all 8 rows while pod 1 stays read-only.
void expectPod2Promoted(const std::string& name, const std::string& onPod1) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest(name, 3)), "");
  ASSERT_EQ(env.waitReady(name, 180s), "");
  const std::string master = name + "-mysql-0";
  const std::string behind = name + "-mysql-1";
  const std::string healthy = name + "-mysql-2";
  ASSERT_EQ(env.sql(master,
                    "CREATE TABLE app.rows (id INT PRIMARY KEY); "
                    "INSERT INTO app.rows VALUES (1), (2), (3)")
                .err,
            "");
  for (const std::string& replica : {behind, healthy}) {
    ASSERT_EQ(env.waitForSql(replica, "SELECT COUNT(*) FROM app.rows", "3", 30s), "");
  }
  const SqlResult stop = env.sql(behind, onPod1);
  ASSERT_EQ(stop.exitCode, 0) << stop.err;
  ASSERT_EQ(env.sql(master, "INSERT INTO app.rows VALUES (4), (5), (6), (7), (8)").err, "");
  ASSERT_EQ(env.waitForSql(healthy, "SELECT COUNT(*) FROM app.rows", "8", 30s), "");
  ASSERT_EQ(env.sql(behind, "SELECT COUNT(*) FROM app.rows").out, "3");

  const CommandResult kill =
      runCommand({LocalClusterProcess::binary(), "fault", "kill", "--data-dir",
                  std::string(env.dataDir()), master, "-c", "mysql"});
  ASSERT_EQ(kill.exitCode, 0) << kill.out << kill.err;

  // Watch both replicas until one is writable: the one behind must never be.
  bool behindWasWritable = false;
  ASSERT_TRUE(pollUntil(
      [&] {
        behindWasWritable = behindWasWritable || env.sql(behind, "SELECT @@read_only").out == "0";
        return env.sql(healthy, "SELECT @@read_only").out == "0";
      },
      Poll{60s, 20ms}))
      << env.diagnostics();
  EXPECT_FALSE(behindWasWritable);
  EXPECT_EQ(env.sql(healthy, "SELECT COUNT(*) FROM app.rows").out, "8");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "pods -l role=master", "{.items[*].metadata.name}",
                            healthy, 30s),
            "")
      << env.diagnostics();
  EXPECT_EQ(env.sql(behind, "SELECT @@read_only").out, "1");
  const nlohmann::json recoveries = nlohmann::json::parse(
      env.operatorProcess().get("/plugins/orchestrator/api/recoveries?cluster=default/" + name),
      nullptr, false);
  ASSERT_TRUE(recoveries.is_object() && recoveries["recoveries"].size() == 1U)
      << env.operatorProcess().get("/plugins/orchestrator/api/recoveries");
  EXPECT_EQ(recoveries["recoveries"][0].value("successorHost", ""),
            healthy + ".mysql.default:3306");
}

TEST(MysqlClusterFailoverCandidate, StoppedReplicaIsNeverPromoted) {
  expectPod2Promoted("stopped", "STOP SLAVE");
}

// Pod 1 receives everything (its IO thread runs) but applies nothing: by received position it
// ties with pod 2; promoting it would need its relay log applied, which a stopped SQL thread
// never does.
TEST(MysqlClusterFailoverCandidate, ReplicaWithStoppedSqlThreadIsNeverPromoted) {
  expectPod2Promoted("sqlstop", "STOP SLAVE SQL_THREAD");
}

}  // namespace
}  // namespace mysqlop::testing
