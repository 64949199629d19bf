// The pure half of the routes (README.md, "Audit and routes"): query parsing with its exact 400
// messages, the JSON of the topology (from a pass's snapshot) and of a recovery, the node
// changes between two passes, and the page's self-containment.
#include "plugins/orchestrator/src/routes.h"

#include <gtest/gtest.h>

#include "plugins/orchestrator/src/web/page.h"

namespace mysqlop::orchestrator {
namespace {

using nlohmann::json;

std::string refusal(std::string_view raw, bool allowLimit = true) {
  RouteQuery q;
  return parseRouteQuery(raw, allowLimit, &q);
}

TEST(OrchestratorRoutes, Query) {
  RouteQuery q;
  EXPECT_EQ(parseRouteQuery("", true, &q), "");
  EXPECT_EQ(q.cluster, "");
  EXPECT_EQ(q.limit, 50);
  EXPECT_EQ(parseRouteQuery("cluster=ns%2Fc&limit=7", true, &q), "");
  EXPECT_EQ(q.cluster, "ns/c");
  EXPECT_EQ(q.limit, 7);
  RouteQuery plain;
  EXPECT_EQ(parseRouteQuery("cluster=ns/c&", false, &plain), "");
  EXPECT_EQ(plain.cluster, "ns/c");

  EXPECT_EQ(refusal("limit=0"), "limit must be an integer from 1 to 1000");
  EXPECT_EQ(refusal("limit=1001"), "limit must be an integer from 1 to 1000");
  EXPECT_EQ(refusal("limit=5x"), "limit must be an integer from 1 to 1000");
  EXPECT_EQ(refusal("limit="), "limit must be an integer from 1 to 1000");
  EXPECT_EQ(refusal("limit=-3"), "limit must be an integer from 1 to 1000");
  EXPECT_EQ(refusal("cluster=c"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(refusal("cluster=/c"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(refusal("cluster=ns/"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(refusal("cluster=a/b/c"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(refusal("cluster"), "cluster must be <namespace>/<name>");
  EXPECT_EQ(refusal("since=5"), "unknown query parameter \"since\" (known: cluster, limit)");
  EXPECT_EQ(refusal("limit=5", false), "unknown query parameter \"limit\" (known: cluster)");
  EXPECT_EQ(refusal("limit=5&limit=6"), "query parameter \"limit\" is given twice");
}

Node node(int i, bool reachable, const std::string& masterHost) {
  Node n;
  n.ordinal = i;
  n.pod = podName("c", i);
  n.host = podFqdn("c", i, "ns");
  n.podState.exists = true;
  n.podState.ready = reachable;
  Observation o;
  o.host = n.host;
  o.address = "127.0.0." + std::to_string(i + 1);
  o.reachable = reachable;
  o.error = reachable ? "" : "connecting to 127.0.0.3:3306 as sys_operator: refused";
  o.errorKind = reachable ? "" : "connect";
  o.readOnly = i != 0;
  o.masterHost = masterHost;
  o.hasSlaveStatus = !masterHost.empty();
  o.slaveIoRunning = o.slaveSqlRunning = !masterHost.empty();
  if (i == 1) {
    o.lagSeconds = 3;
  }
  o.configured = true;
  o.probeSeconds = 0.002;
  n.seen = o;
  return n;
}

ClusterState cluster() {
  ClusterState c;
  c.name = "c";
  c.ns = "ns";
  c.replicas = 3;
  c.nodes = {node(0, true, ""), node(1, true, "127.0.0.1"), node(2, false, "")};
  return c;
}

TEST(OrchestratorRoutes, TopologyJson) {
  const ClusterState c = cluster();
  const std::optional<std::string> master = determineMaster(c.nodes);
  ASSERT_EQ(master, "c-mysql-0.mysql.ns");
  auto snap = std::make_shared<ClusterSnapshot>(snapshotOf(c, master, 1764750075123));
  snap->passSeconds = 0.25;
  ClusterSnapshot other;
  other.ns = "a";
  other.name = "z";
  const json j = topologyJson({snap, std::make_shared<ClusterSnapshot>(other)}, "");
  ASSERT_EQ(j["clusters"].size(), 2u);
  EXPECT_EQ(j["clusters"][0]["name"], "z");  // sorted: a/z before ns/c
  const json& t = j["clusters"][1];
  EXPECT_EQ(t["namespace"], "ns");
  EXPECT_EQ(t["master"], "c-mysql-0.mysql.ns");
  EXPECT_EQ(t["observedAt"], "2025-12-03T08:21:15.123Z");
  EXPECT_EQ(t["passSeconds"], 0.25);
  EXPECT_EQ(t["failoverInProgress"], false);
  ASSERT_EQ(t["nodes"].size(), 3u);
  EXPECT_EQ(t["nodes"][0]["state"], "master");
  EXPECT_EQ(t["nodes"][0]["readOnly"], false);
  EXPECT_EQ(t["nodes"][0]["lagSeconds"], nullptr);
  EXPECT_EQ(t["nodes"][1]["state"], "replica");
  EXPECT_EQ(t["nodes"][1]["masterHost"], "127.0.0.1");
  EXPECT_EQ(t["nodes"][1]["lagSeconds"], 3);
  EXPECT_EQ(t["nodes"][1]["ioRunning"], true);
  EXPECT_EQ(t["nodes"][1]["probeSeconds"], 0.002);
  EXPECT_EQ(t["nodes"][2]["state"], "unreachable");
  EXPECT_EQ(t["nodes"][2]["reachable"], false);
  EXPECT_EQ(t["nodes"][2]["errorKind"], "connect");
  EXPECT_EQ(t["nodes"][2]["error"], "connecting to 127.0.0.3:3306 as sys_operator: refused");
  // Filtered by cluster.
  EXPECT_EQ(topologyJson({snap}, "ns/c")["clusters"].size(), 1u);
  EXPECT_EQ(topologyJson({snap}, "ns/d")["clusters"].size(), 0u);
  EXPECT_EQ(topologyJson({}, "").dump(), R"({"clusters":[]})");
}

// A standalone cluster in the topology route: the engine's view, nodes by host:port, states from
// the last probes.
TEST(OrchestratorRoutes, StaticClusterSnapshot) {
  ClusterView v;
  v.name = "bench";
  v.lastMaster = "127.0.33.2:3306";
  NodeView oldMaster;
  oldMaster.id = "127.0.33.1:3306";
  oldMaster.answering = false;
  oldMaster.lastError = "connect timed out";
  NodeView master;
  master.id = "127.0.33.2:3306";
  master.answering = true;
  NodeView replica;
  replica.id = "127.0.33.3:3306";
  replica.answering = true;
  replica.seen.slaveIoRunning = true;
  replica.seen.slaveSqlRunning = true;
  replica.seen.masterHost = "127.0.33.2";
  NodeView broken = replica;
  broken.id = "127.0.33.4:3306";
  broken.seen.slaveSqlRunning = false;
  v.nodes = {oldMaster, master, replica, broken};

  const json j = toJson(snapshotOfView(v, 1000));
  EXPECT_EQ(j["namespace"], "");
  EXPECT_EQ(j["name"], "bench");
  EXPECT_EQ(j["master"], "127.0.33.2:3306");
  EXPECT_EQ(j["replicas"], 4);
  ASSERT_EQ(j["nodes"].size(), 4U);
  EXPECT_EQ(j["nodes"][0]["state"], "unreachable");
  EXPECT_EQ(j["nodes"][0]["error"], "connect timed out");
  EXPECT_EQ(j["nodes"][0]["reachable"], false);
  EXPECT_EQ(j["nodes"][1]["state"], "master");
  EXPECT_EQ(j["nodes"][2]["state"], "replica");
  EXPECT_EQ(j["nodes"][2]["masterHost"], "127.0.33.2");
  EXPECT_EQ(j["nodes"][3]["state"], "stopped");
  EXPECT_EQ(j["nodes"][3]["podExists"], false);
}

TEST(OrchestratorRoutes, NodeChanges) {
  ClusterState c = cluster();
  const ClusterSnapshot first = snapshotOf(c, determineMaster(c.nodes), 100);
  auto changes = nodeChanges(nullptr, first);
  ASSERT_EQ(changes.size(), 3u);  // every node is new
  EXPECT_EQ(changes[0].cluster, "ns/c");
  EXPECT_EQ(changes[0].fromState, "");
  EXPECT_EQ(changes[0].toState, "master");
  EXPECT_EQ(changes[2].toState, "unreachable");
  EXPECT_EQ(changes[2].error, "connecting to 127.0.0.3:3306 as sys_operator: refused");
  EXPECT_EQ(changes[2].at, 100);
  EXPECT_TRUE(nodeChanges(&first, first).empty());
  // Replica 1 stops replicating; nothing else changes.
  c.nodes[1].seen->slaveSqlRunning = false;
  const ClusterSnapshot second = snapshotOf(c, determineMaster(c.nodes), 200);
  changes = nodeChanges(&first, second);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].host, "c-mysql-1.mysql.ns");
  EXPECT_EQ(changes[0].fromState, "replica");
  EXPECT_EQ(changes[0].toState, "stopped");
}

TEST(OrchestratorRoutes, RecoveryJson) {
  Recovery r;
  r.id = 4;
  r.uid = "00000000000000ab";
  r.cluster = "ns/c";
  r.analysis = "DeadMaster";
  r.failedHost = "c-mysql-0.mysql.ns";
  r.successorHost = "c-mysql-1.mysql.ns";
  r.lostReplicas = {"c-mysql-2.mysql.ns"};
  r.detectedAt = 1764750075000;
  r.startedAt = 1764750075100;
  r.result = kRecoveryRunning;
  r.steps = {{"promote c-mysql-1", 1764750075100, 1764750075300, kStepOk, ""}};
  const json j = recoveryJson(r);
  EXPECT_EQ(
      j.dump(),
      R"({"ackComment":"","acknowledged":false,"acknowledgedAt":null,"acknowledgedBy":"",)"
      R"("analysis":"DeadMaster","auditId":4,"cluster":"ns/c",)"
      R"("detectedAt":"2025-12-03T08:21:15.000Z","endedAt":null,"failedHost":"c-mysql-0.mysql.ns","id":4,)"
      R"("lostReplicas":["c-mysql-2.mysql.ns"],"message":"","result":"running",)"
      R"("startedAt":"2025-12-03T08:21:15.100Z","steps":[{"endedAt":)"
      R"("2025-12-03T08:21:15.300Z","message":"","name":"promote c-mysql-1","result":"ok",)"
      R"("startedAt":"2025-12-03T08:21:15.100Z"}],"successorHost":"c-mysql-1.mysql.ns",)"
      R"("uid":"00000000000000ab"})");
  // A recovery with an id in its cluster (the Lease's): that is the id the user sees (the
  // condition, the RecoveryAcked Event, the ack route); the row's own id is auditId.
  r.clusterId = 2;
  const json k = recoveryJson(r);
  EXPECT_EQ(k["id"], 2);
  EXPECT_EQ(k["auditId"], 4);
}

// A detection no recovery followed (README "Audit and routes"): recoveryId null.
TEST(OrchestratorRoutes, DetectionJson) {
  Detection d{5, "ns/c", "DeadMaster", "c-mysql-0.mysql.ns:3306", "blocked", 1764750075000, 0};
  EXPECT_EQ(detectionJson(d).dump(),
            R"({"analysis":"DeadMaster","at":"2025-12-03T08:21:15.000Z","cluster":"ns/c",)"
            R"("description":"blocked","failedHost":"c-mysql-0.mysql.ns:3306","id":5,)"
            R"("recoveryId":null})");
  d.recoveryId = 2;
  EXPECT_EQ(detectionJson(d)["recoveryId"], 2);
}

TEST(OrchestratorRoutes, PageIsSelfContained) {
  const std::string_view page = web::indexPage();
  EXPECT_EQ(page.substr(0, 15), "<!DOCTYPE html>");
  // It fetches the two routes relative to itself, and nothing from elsewhere.
  EXPECT_NE(page.find("fetch(\"api/topology\")"), std::string_view::npos);
  EXPECT_NE(page.find("fetch(\"api/recoveries?limit=200\")"), std::string_view::npos);
  EXPECT_EQ(page.find("http://"), std::string_view::npos);
  EXPECT_EQ(page.find("https://"), std::string_view::npos);
  EXPECT_EQ(page.find("src="), std::string_view::npos);
  EXPECT_EQ(page.find("<link"), std::string_view::npos);
  EXPECT_EQ(page.find("innerHTML"), std::string_view::npos);
}

}  // namespace
}  // namespace mysqlop::orchestrator
