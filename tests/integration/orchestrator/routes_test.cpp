// The orchestrator plugin's routes, page, audit store and probe metrics, live: the real operator
// (only the orchestrator plugin) with the local API server and three real mariadbd as the pods of
// a cluster (observer_env.h), read with curl on the operator's metrics address.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "plugins/orchestrator/src/audit.h"
#include "tests/integration/orchestrator/observer_env.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing::orchestrator {
namespace {

using nlohmann::json;
using namespace mysqlop::orchestrator;
using namespace std::chrono_literals;

json getJson(const ObserverEnv& env, const std::string& path) {
  ObserverEnv::HttpAnswer a = env.get(path);
  json j = a.status == 200 ? json::parse(a.body, nullptr, false) : json();
  return j.is_object() ? j : json::object();
}

// The node `ordinal` of cluster obs/c in the topology route ({} when absent).
json topologyNode(const ObserverEnv& env, int ordinal) {
  const json clusters =
      getJson(env, "/plugins/orchestrator/api/topology?cluster=obs/c").value("clusters", json());
  if (!clusters.is_array() || clusters.size() != 1) {
    return json::object();
  }
  const json nodes = clusters[0].value("nodes", json());
  if (!nodes.is_array() || nodes.size() <= static_cast<std::size_t>(ordinal)) {
    return json::object();
  }
  return nodes[static_cast<std::size_t>(ordinal)];
}

TEST(OrchestratorRoutes, TopologyRecoveriesPageAndMetrics) {
  ObserverEnv env;
  const std::string auditPath = env.dir() + "/audit.db";
  // A recovery recorded before the operator starts (as by an earlier operator on the same
  // volume): the route reads it from the store.
  {
    auto store = AuditStore::open({auditPath, 7});
    ASSERT_TRUE(store.ok()) << store.error;
    auto id = store.value->beginRecovery(
        {"obs/c", "DeadMaster", "c-mysql-0.mysql.obs", {}, nowUnixMs() - 2000, 0});
    ASSERT_TRUE(id.ok()) << id.error;
    ASSERT_EQ(store.value->addStep(id.value, {"promote c-mysql-1.mysql.obs", 0, 0, kStepOk, ""}),
              "");
    ASSERT_EQ(store.value->endRecovery(id.value, true, "c-mysql-1.mysql.obs", {}, "promoted"), "");
    auto other = store.value->beginRecovery({"obs/other", "DeadMaster", "x", {}, 0, 0});
    ASSERT_TRUE(other.ok());
  }
  env.createCluster("c", 3);
  env.startOperator(1, "auditPath: '" + auditPath + "'");
  const Poll poll = within(40s);

  // The topology of the last pass: pod 0 the master, writable once up for 15 s; the others
  // replicate from it (by its pod IP), read-only.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(poll, topologyNode(env, 0).value("state", "") == "master"))
      << env.operatorLog();
  json t = getJson(env, "/plugins/orchestrator/api/topology");
  ASSERT_EQ(t["clusters"].size(), 1u) << t.dump();
  const json& c = t["clusters"][0];
  EXPECT_EQ(c["namespace"], "obs");
  EXPECT_EQ(c["name"], "c");
  EXPECT_EQ(c["replicas"], 3);
  EXPECT_EQ(c["master"], "c-mysql-0.mysql.obs");
  EXPECT_EQ(c["readOnly"], false);
  EXPECT_EQ(c["failoverInProgress"], false);
  EXPECT_TRUE(c["observedAt"].is_string());
  for (int i = 1; i < 3; ++i) {
    const json& n = c["nodes"][static_cast<std::size_t>(i)];
    EXPECT_EQ(n["host"], "c-mysql-" + std::to_string(i) + ".mysql.obs");
    EXPECT_EQ(n["state"], "replica") << n.dump();
    EXPECT_EQ(n["masterHost"], env.server(0).host());
    EXPECT_EQ(n["readOnly"], true);
    EXPECT_EQ(n["ioRunning"], true);
    EXPECT_EQ(n["sqlRunning"], true);
    EXPECT_TRUE(n["lagSeconds"].is_number_integer()) << n.dump();
    EXPECT_EQ(n["reachable"], true);
    EXPECT_EQ(n["error"], "");
    EXPECT_GT(n["probeSeconds"].get<double>(), 0);
  }
  EXPECT_TRUE(
      MYSQLOP_EVENTUALLY_WITHIN(poll, topologyNode(env, 0).value("readOnly", true) == false));

  // A node that stops answering: unreachable in the topology, counted as a probe error, and its
  // change recorded in the audit store.
  env.server(2).stop();
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(topologyNode(env, 2).value("state", "") == "unreachable"));
  const json down = topologyNode(env, 2);
  EXPECT_EQ(down["reachable"], false);
  EXPECT_EQ(down["errorKind"], "connect");
  EXPECT_EQ(down["error"].get<std::string>().rfind("c-mysql-2.mysql.obs: connecting to ", 0), 0u)
      << down.dump();
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      env.metrics().find("mysqlop_orchestrator_probe_errors_total{node=\"c-mysql-2.mysql.obs\","
                         "kind=\"connect\"}") != std::string::npos))
      << env.metrics();
  {
    auto store = AuditStore::open({auditPath, 7});  // a second reader of the operator's file
    ASSERT_TRUE(store.ok()) << store.error;
    auto recorded = [&] {
      for (const NodeChange& ch : store.value->recentNodeChanges("obs/c", 50).value) {
        if (ch.host == "c-mysql-2.mysql.obs" && ch.fromState == "replica" &&
            ch.toState == "unreachable") {
          return true;
        }
      }
      return false;
    };
    EXPECT_TRUE(MYSQLOP_EVENTUALLY(recorded()));
  }
  env.server(2).start();
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(topologyNode(env, 2).value("state", "") == "replica"));

  // The probe latency of every node, and the engine's families registered for it to use.
  const std::string m = env.metrics();
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(m.find("mysqlop_orchestrator_probe_seconds_count{node=\"c-mysql-" +
                     std::to_string(i) + ".mysql.obs\"}"),
              std::string::npos)
        << m;
  }
  EXPECT_NE(m.find("# TYPE mysqlop_orchestrator_detections_total counter"), std::string::npos);
  EXPECT_NE(m.find("# TYPE mysqlop_orchestrator_recoveries_total counter"), std::string::npos);
  EXPECT_NE(m.find("# TYPE mysqlop_orchestrator_recovery_seconds histogram"), std::string::npos);

  // The recoveries, newest first, filtered and limited.
  json r = getJson(env, "/plugins/orchestrator/api/recoveries");
  ASSERT_TRUE(r.is_object());
  ASSERT_EQ(r["recoveries"].size(), 2u) << r.dump();
  EXPECT_EQ(r["recoveries"][0]["cluster"], "obs/other");
  EXPECT_EQ(r["recoveries"][0]["result"], "running");
  EXPECT_EQ(r["recoveries"][0]["endedAt"], nullptr);
  r = getJson(env, "/plugins/orchestrator/api/recoveries?cluster=obs%2Fc&limit=5");
  ASSERT_EQ(r["recoveries"].size(), 1u) << r.dump();
  const json& rec = r["recoveries"][0];
  EXPECT_EQ(rec["id"], 1);
  EXPECT_EQ(rec["analysis"], "DeadMaster");
  EXPECT_EQ(rec["failedHost"], "c-mysql-0.mysql.obs");
  EXPECT_EQ(rec["successorHost"], "c-mysql-1.mysql.obs");
  EXPECT_EQ(rec["result"], "success");
  EXPECT_EQ(rec["message"], "promoted");
  EXPECT_EQ(rec["acknowledged"], false);
  ASSERT_EQ(rec["steps"].size(), 1u);
  EXPECT_EQ(rec["steps"][0]["name"], "promote c-mysql-1.mysql.obs");
  EXPECT_EQ(rec["steps"][0]["result"], "ok");
  EXPECT_EQ(getJson(env, "/plugins/orchestrator/api/recoveries?limit=1")["recoveries"].size(), 1u);
  EXPECT_EQ(
      getJson(env, "/plugins/orchestrator/api/recoveries?cluster=obs/none")["recoveries"].size(),
      0u);

  // Bad query parameters: 400 with the exact message.
  auto bad = [&](const std::string& path) {
    ObserverEnv::HttpAnswer a = env.get(path);
    return std::to_string(a.status) + " " + a.body;
  };
  EXPECT_EQ(bad("/plugins/orchestrator/api/recoveries?limit=0"),
            "400 limit must be an integer from 1 to 1000\n");
  EXPECT_EQ(bad("/plugins/orchestrator/api/recoveries?limit=abc"),
            "400 limit must be an integer from 1 to 1000\n");
  EXPECT_EQ(bad("/plugins/orchestrator/api/recoveries?cluster=c"),
            "400 cluster must be <namespace>/<name>\n");
  EXPECT_EQ(bad("/plugins/orchestrator/api/recoveries?since=1"),
            "400 unknown query parameter \"since\" (known: cluster, limit)\n");
  EXPECT_EQ(bad("/plugins/orchestrator/api/topology?limit=1"),
            "400 unknown query parameter \"limit\" (known: cluster)\n");
  EXPECT_EQ(bad("/plugins/orchestrator/api/topology?cluster=a&cluster=b"),
            "400 cluster must be <namespace>/<name>\n");
  EXPECT_EQ(bad("/plugins/orchestrator/api/topology?cluster=a/b&cluster=a/b"),
            "400 query parameter \"cluster\" is given twice\n");

  // The page: self-contained HTML that reads the two routes.
  ObserverEnv::HttpAnswer page = env.get("/plugins/orchestrator/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.contentType, "text/html; charset=utf-8");
  EXPECT_EQ(page.body.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.body.find("fetch(\"api/topology\")"), std::string::npos);

  // A deleted cluster leaves the topology.
  ASSERT_EQ(env.api()
                .request("DELETE", std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") +
                                       kNamespace + "/mysqlclusters/c")
                ->status,
            200);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(getJson(env, "/plugins/orchestrator/api/topology")
                                     .value("clusters", json::array({1}))
                                     .empty()));
}

TEST(OrchestratorRoutes, UnusableAuditPathRefusesThePlugin) {
  ObserverEnv env;
  const std::string path = env.dir() + "/no-such-dir/audit.db";
  env.startOperator(1, "auditPath: '" + path + "'");
  const std::string expected =
      "plugin \"orchestrator\": create failed (InvalidConfig): "
      "config.auditPath: cannot open the audit store " +
      path + ": directory " + env.dir() + "/no-such-dir does not exist";
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(env.operatorLog().find(expected) != std::string::npos))
      << env.operatorLog();
  EXPECT_EQ(env.get("/plugins/orchestrator/api/topology").status, 404);
}

}  // namespace
}  // namespace mysqlop::testing::orchestrator
