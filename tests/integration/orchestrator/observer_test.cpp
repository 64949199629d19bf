// The observer's pass, live: the real operator (only the orchestrator plugin), the local API
// server, and three real mariadbd as the pods of a cluster (observer_env.h). Each rule of the
// topology is driven by changing a real server and read back from status.nodes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/orchestrator/observer_env.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing::orchestrator {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string conditionReason(const json& cluster, const std::string& type) {
  for (const json& c : cluster.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == type) {
      return c.value("reason", "");
    }
  }
  return "";
}

std::string events(LocalApiServer& api, const std::string& object) {
  auto r = api.request("GET", std::string("/api/v1/namespaces/") + kNamespace + "/events");
  std::string out;
  if (!r.ok() || r->status != 200) {
    return "error";
  }
  for (const json& e : r->json().value("items", json::array())) {
    if (e.value("involvedObject", json::object()).value("name", "") == object) {
      out +=
          e.value("type", "") + " " + e.value("reason", "") + ": " + e.value("message", "") + "\n";
    }
  }
  return out;
}

TEST(OrchestratorObserver, FollowsEveryNodeAndWritesOnlyChanges) {
  ObserverEnv env;
  env.createCluster("c", 3);
  env.createCluster("nosecret", 1, /*withoutSecret=*/true);
  // A pod whose server never answers (outside the 127.0.0.X range test servers take).
  env.createUnreadyCluster("down", "127.0.1.254");
  env.startOperator(1);
  auto node = [&](int i, const char* type) { return env.nodeCondition("c", i, type); };
  const Poll poll = within(40s);

  // The topology: pod 0 the master (the replicas name it by its pod IP), the others replicate.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(poll, node(0, "Master") == "True")) << env.operatorLog();
  for (int i = 1; i < 3; ++i) {
    EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(i, "Replicating") == "True"));
    EXPECT_EQ(node(i, "Master"), "False");
    EXPECT_EQ(node(i, "Lagged"), "False");
    EXPECT_EQ(node(i, "ReadOnly"), "True");
  }
  EXPECT_EQ(node(0, "Lagged"), "False");
  EXPECT_EQ(node(0, "Replicating"), "False");
  EXPECT_EQ(conditionReason(env.cluster("c"), "FailoverInProgress"), "ClusterMasterHealthy");
  EXPECT_EQ(conditionReason(env.cluster("c"), "PendingFailoverAck"), "NoPendingFailoverAckExists");

  // Metrics: nodes by state over the clusters (the Secret-less cluster's node and the one whose
  // server never answers are unreachable),
  // and the duration of the passes.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      env.metrics().find("mysqlop_orchestrator_nodes{state=\"master\"} 1\n") != std::string::npos &&
      env.metrics().find("mysqlop_orchestrator_nodes{state=\"replica\"} 2\n") !=
          std::string::npos &&
      env.metrics().find("mysqlop_orchestrator_nodes{state=\"unreachable\"} 2\n") !=
          std::string::npos))
      << env.metrics();
  EXPECT_NE(env.metrics().find("mysqlop_orchestrator_poll_seconds_count"), std::string::npos);

  // Read-only handling: the master becomes writable once up for 15 s; the replicas stay
  // read-only.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(poll, node(0, "ReadOnly") == "False"));
  EXPECT_EQ(env.server(0).query("SELECT @@read_only"), "0\n");
  EXPECT_EQ(env.server(1).query("SELECT @@read_only"), "1\n");

  // Nothing changes, nothing is written: three more polls of every node leave the
  // resourceVersion as it was.
  const std::string rv = env.cluster("c")["metadata"]["resourceVersion"];
  const long long probes = env.probes();
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(env.probes() >= probes + 9));
  EXPECT_EQ(env.cluster("c")["metadata"]["resourceVersion"], rv);

  // Lag from the heartbeat table (bitpoke's SlaveLagQuery): a row 100 s old on replica 2.
  env.server(2).query(
      "SET SQL_LOG_BIN=0; CREATE TABLE sys_operator.heartbeat (ts varchar(26) NOT NULL, "
      "server_id int unsigned NOT NULL PRIMARY KEY);"
      "INSERT INTO sys_operator.heartbeat VALUES "
      "(DATE_FORMAT(UTC_TIMESTAMP() - INTERVAL 100 SECOND, '%Y-%m-%dT%H:%i:%s'), 100);");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(2, "Lagged") == "True"));
  env.server(2).query("SET SQL_LOG_BIN=0; DELETE FROM sys_operator.heartbeat;");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(2, "Lagged") == "False"));

  // A replica whose replication stopped.
  env.server(1).query("STOP SLAVE;");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(1, "Replicating") == "False"));
  env.server(1).query("START SLAVE;");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(1, "Replicating") == "True"));

  // An unreachable node: Unknown, its ReadOnly as last seen; back when it answers again.
  env.server(2).stop();
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(2, "Master") == "Unknown"));
  EXPECT_EQ(node(2, "Replicating"), "Unknown");
  EXPECT_EQ(node(2, "Lagged"), "Unknown");
  EXPECT_EQ(node(2, "ReadOnly"), "True");
  EXPECT_EQ(node(0, "Master"), "True");
  env.server(2).start();
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(2, "Replicating") == "True"));

  // spec.readOnly: every node read-only, and back.
  env.patchCluster("c", {{"spec", {{"readOnly", true}}}});
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(0, "ReadOnly") == "True"));
  EXPECT_EQ(env.server(0).query("SELECT @@read_only"), "1\n");
  env.patchCluster("c", {{"spec", {{"readOnly", false}}}});
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(node(0, "ReadOnly") == "False"));

  // Scale down: the removed node leaves status.nodes.
  env.patchCluster("c", {{"spec", {{"replicas", 2}}}});
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(env.cluster("c")["status"]["nodes"].size() == 2u &&
                                 env.cluster("c")["status"]["nodes"][1]["name"] ==
                                     std::string("c-mysql-1.mysql.obs")));

  // A cluster without its operated Secret: its node is Unknown and the user is told why.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(env.nodeCondition("nosecret", 0, "Master") == "Unknown"));
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      events(env.api(), "nosecret")
          .find("Warning OperatedSecretMissing: Secret obs/nosecret-mysql-operated not found\n") !=
      std::string::npos))
      << events(env.api(), "nosecret");

  // A pod whose server does not answer: NodeInitialized=False says why.
  const auto initCondition = [&] {
    for (const json& c : env.pod("down-mysql-0")["status"].value("conditions", json::array())) {
      if (c.value("type", "") == "mysql.presslabs.org/NodeInitialized") {
        return c.value("status", "") + " " + c.value("reason", "") + ": " + c.value("message", "");
      }
    }
    return std::string();
  };
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(!initCondition().empty()));
  EXPECT_EQ(initCondition(),
            "False mysqlInitializationFailed: down-mysql-0.mysql.obs: connecting to "
            "127.0.1.254:3306 as sys_operator: Can't connect to server on '127.0.1.254' (115)");

  env.stopOperator();
  const std::string log = env.operatorLog();
  EXPECT_EQ(log.find("operatorpw1"), std::string::npos);
  EXPECT_EQ(log.find("replpw1"), std::string::npos);
}

}  // namespace
}  // namespace mysqlop::testing::orchestrator
