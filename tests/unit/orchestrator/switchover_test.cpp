// The switchover's target choice and every refusal, with its exact message and HTTP status
// (plugins/orchestrator/src/switchover.h), over recorded topologies; and the result's JSON.
#include "plugins/orchestrator/src/switchover.h"
#include "plugins/orchestrator/src/kube_switchover.h"
#include "plugins/orchestrator/src/switchover_routes.h"

#include <gtest/gtest.h>

#include "tests/unit/orchestrator/engine_topologies.h"

namespace mysqlop::orchestrator {
namespace {

using namespace testdata;

// n1 the master at 0-1-100; n2 received everything and applied 98; n3 received and applied 99.
ClusterView swoHealthy() {
  return cluster({master(kN1, "1", "0-1-100"), replica(kN2, "2", kN1, "0-1-100", "0-1-98"),
                  replica(kN3, "3", kN1, "0-1-99", "0-1-99")});
}

SwitchoverPlan swoPlan(const ClusterView& c, const std::string& to) {
  return planSwitchover(c, Thresholds{1.0, 1.0}, to);
}

void expectRefused(const SwitchoverPlan& p, int status, const std::string& error) {
  EXPECT_EQ(p.status, status);
  EXPECT_EQ(p.error, error);
  EXPECT_EQ(p.target, "");
}

TEST(SwitchoverPlan, AutoTakesTheReplicaThatReceivedTheMost) {
  const SwitchoverPlan p = swoPlan(swoHealthy(), "auto");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.master, kN1);
  EXPECT_EQ(p.target, kN2);
  EXPECT_EQ(p.repoint, (std::vector<std::string>{kN3}));
  EXPECT_EQ(swoPlan(swoHealthy(), "").target, kN2);  // "" is auto
}

TEST(SwitchoverPlan, AutoTiesGoToTheMostAppliedThenHostOrder) {
  ClusterView c = swoHealthy();
  c.nodes[2] = replica(kN3, "3", kN1, "0-1-100", "0-1-100");
  EXPECT_EQ(swoPlan(c, "auto").target, kN3);
  c.nodes[1] = replica(kN2, "2", kN1, "0-1-100", "0-1-100");
  EXPECT_EQ(swoPlan(c, "auto").target, kN2);
}

TEST(SwitchoverPlan, AutoSkipsUnfitReplicas) {
  ClusterView c = swoHealthy();
  c.nodes[1].seen.slaveSqlRunning = false;
  const SwitchoverPlan p = swoPlan(c, "auto");
  EXPECT_EQ(p.target, kN3);
  EXPECT_EQ(p.repoint, (std::vector<std::string>{kN2}));
}

TEST(SwitchoverPlan, AutoWithNoFitReplicaNamesEach) {
  ClusterView c = swoHealthy();
  c.nodes[1].seen.slaveSqlRunning = false;
  c.nodes[2].seen.lastIoError = "error reconnecting";
  expectRefused(swoPlan(c, "auto"), 409,
                "no replica of " + kN1 + " can take over: " + kN2 +
                    ": cannot be promoted: its SQL thread is not running; " + kN3 +
                    ": is not a healthy replica: its IO thread failed: error reconnecting");
  expectRefused(swoPlan(cluster({master(kN1, "1", "0-1-5")}), "auto"), 409,
                "no replica of " + kN1 + " can take over: it has none");
}

TEST(SwitchoverPlan, ANamedReplicaByIdHostOrFirstLabel) {
  EXPECT_EQ(swoPlan(swoHealthy(), kN3).target, kN3);
  EXPECT_EQ(swoPlan(swoHealthy(), kN3).repoint, (std::vector<std::string>{kN2}));
  EXPECT_EQ(swoPlan(swoHealthy(), "127.0.33.3").target, kN3);
  // Pods: "<c>-mysql-1" names "<c>-mysql-1.mysql.<ns>:3306".
  const std::string p0 = "db-mysql-0.mysql.default:3306";
  const std::string p1 = "db-mysql-1.mysql.default:3306";
  ClusterView k =
      cluster({master(p0, "100", "0-100-7"), replica(p1, "101", p0, "0-100-7", "0-100-7")});
  EXPECT_EQ(swoPlan(k, "db-mysql-1").target, p1);
  EXPECT_EQ(matchTarget(k, "db-mysql-1.mysql.default"), (std::vector<std::string>{p1}));
  EXPECT_TRUE(matchTarget(k, "db-mysql").empty());
}

TEST(SwitchoverPlan, RefusesAReadOnlyCluster) {
  ClusterView c = swoHealthy();
  c.readOnly = true;
  expectRefused(swoPlan(c, "auto"), 409, "cluster bench is read-only: it is never switched over");
}

TEST(SwitchoverPlan, RefusesAClusterWithoutAHealthyMaster) {
  ClusterView c = swoHealthy();
  c.nodes[0] = gone(c.nodes[0], true, 0.2);
  expectRefused(swoPlan(c, kN2), 409,
                "cluster bench has no healthy master to switch over from (UnreachableMaster: the "
                "master does not answer but these replicas still hear it: " +
                    kN2 + ", " + kN3 + ")");
}

TEST(SwitchoverPlan, RefusesAnUnknownTarget) {
  expectRefused(
      swoPlan(swoHealthy(), "db-mysql-7"), 400,
      "db-mysql-7 is not a node of cluster bench (nodes: " + kN1 + ", " + kN2 + ", " + kN3 + ")");
}

TEST(SwitchoverPlan, RefusesATargetNamingTwoNodes) {
  ClusterView c = swoHealthy();
  c.nodes[2] = replica("127.0.33.2:3307", "3", kN1, "0-1-100", "0-1-100");
  expectRefused(
      swoPlan(c, "127.0.33.2"), 400,
      "127.0.33.2 names more than one node of cluster bench: " + kN2 + ", 127.0.33.2:3307");
}

TEST(SwitchoverPlan, RefusesTheMasterItself) {
  expectRefused(swoPlan(swoHealthy(), kN1), 400, kN1 + " is already the master of cluster bench");
}

TEST(SwitchoverPlan, RefusesATargetThatDoesNotAnswer) {
  ClusterView c = swoHealthy();
  c.nodes[2] = gone(c.nodes[2], true, 3);
  expectRefused(swoPlan(c, kN3), 400,
                kN3 + " does not answer: Can't connect to server on '127.0.33.1' (111)");
}

TEST(SwitchoverPlan, RefusesATargetThatIsNotAReplicaOfTheMaster) {
  // A node that replicates from elsewhere makes the replicas name two masters (NoMaster, 409
  // above); what is left is a node that does not replicate at all.
  ClusterView d = swoHealthy();
  d.nodes[2].seen.hasSlaveStatus = false;
  d.nodes[2].seen.masterHost.clear();
  d.nodes[2].seen.readOnly = true;
  expectRefused(swoPlan(d, kN3), 400,
                kN3 + " is not a replica of the master " + kN1 + " (it does not replicate)");
}

TEST(SwitchoverPlan, RefusesAReplicaWhoseIoThreadIsDownOrFailed) {
  ClusterView c = swoHealthy();
  c.nodes[2].seen.slaveIoRunning = false;
  expectRefused(swoPlan(c, kN3), 400,
                kN3 + " is not a healthy replica: its IO thread is not running");
  c.nodes[2].seen.lastIoError = "Access denied";
  expectRefused(swoPlan(c, kN3), 400,
                kN3 + " is not a healthy replica: its IO thread failed: Access denied");
}

TEST(SwitchoverPlan, RefusesAReplicaThatCannotBePromoted) {
  ClusterView c = swoHealthy();
  c.nodes[2].seen.lastSqlError = "Duplicate entry '7' for key 'PRIMARY'";
  expectRefused(swoPlan(c, kN3), 400,
                kN3 +
                    " cannot be promoted: its SQL thread failed: Duplicate entry '7' for key "
                    "'PRIMARY'");
  ClusterView d = swoHealthy();
  d.nodes[2].seen.gtidBinlogPos = "0-3-101";
  expectRefused(swoPlan(d, kN3), 400, kN3 + " cannot be promoted: errant GTIDs 0-3-101");
}

TEST(SwitchoverRun, APlanThatWasRefusedDoesNothing) {
  SwitchoverPlan p;
  p.master = kN1;
  p.error = "no replica of x can take over: it has none";
  bool connected = false;
  const SwitchoverResult r = runSwitchover(
      p, [](const std::string&) { return mysql::ReplicationSql(mysql::Flavor::MariaDB); },
      [&](const std::string&,
          std::chrono::seconds) -> mysql::SqlResult<std::unique_ptr<mysql::Connection>> {
        connected = true;
        return mysql::SqlError{mysql::SqlError::Kind::Invalid, 0, "no"};
      },
      ActSettings{});
  EXPECT_FALSE(connected);
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.refusedMs, -1);
  EXPECT_EQ(r.error, "planning the switchover: no replica of x can take over: it has none");
}

TEST(SwitchoverRun, AMasterThatCannotBeReachedFailsBeforeAnyChange) {
  SwitchoverPlan p = swoPlan(swoHealthy(), kN2);
  const SwitchoverResult r = runSwitchover(
      p, [](const std::string&) { return mysql::ReplicationSql(mysql::Flavor::MariaDB); },
      [&](const std::string& id,
          std::chrono::seconds) -> mysql::SqlResult<std::unique_ptr<mysql::Connection>> {
        return mysql::SqlError{mysql::SqlError::Kind::Unreachable, 2003, "cannot reach " + id};
      },
      ActSettings{});
  EXPECT_FALSE(r.success);
  EXPECT_FALSE(r.rolledBack);
  EXPECT_EQ(r.error, "connecting to the master " + kN1 + ": cannot reach " + kN1);
}

TEST(SwitchoverJson, HasTheResultAndTheTimeline) {
  SwitchoverResult r;
  r.success = true;
  r.oldMaster = kN1;
  r.newMaster = kN2;
  r.refusedMs = 123.456;
  r.totalMs = 400.04;
  r.finalGtid = "0-1-100";
  r.timeline = {{0.0125, "fenced", ""}, {0.2, "writable", ""}};
  const nlohmann::json j = switchoverJson("bench", r);
  EXPECT_EQ(
      j.dump(),
      R"({"cluster":"bench","durationMs":400.0,"error":"","finalGtid":"0-1-100",)"
      R"("newMaster":"127.0.33.2:3306","oldMaster":"127.0.33.1:3306","refusedWritesMs":123.5,)"
      R"("rolledBack":false,"success":true,"timeline":[{"atMs":13,"error":"","step":"fenced"},)"
      R"({"atMs":200,"error":"","step":"writable"}]})");
  r.refusedMs = -1;
  EXPECT_TRUE(switchoverJson("bench", r)["refusedWritesMs"].is_null());
}

TEST(SwitchoverRoutes, BodyParsing) {
  std::string c, to;
  EXPECT_EQ(parseSwitchoverBody(R"({"cluster": "default/db"})", &c, &to), "");
  EXPECT_EQ(c, "default/db");
  EXPECT_EQ(to, "");
  EXPECT_EQ(parseSwitchoverBody(R"({"cluster": "bench", "to": "127.0.0.1:3306"})", &c, &to), "");
  EXPECT_EQ(c, "bench");
  EXPECT_EQ(to, "127.0.0.1:3306");
  EXPECT_EQ(parseSwitchoverBody("[]", &c, &to),
            "the body must be a JSON object: {\"cluster\": ..., \"to\": ...}");
  EXPECT_EQ(
      parseSwitchoverBody(R"({"cluster": ""})", &c, &to),
      "\"cluster\" must be a non-empty string: <namespace>/<name> or a static cluster's name");
  EXPECT_EQ(parseSwitchoverBody(R"({"cluster": "a/b", "to": null})", &c, &to),
            "\"to\" must be a string: a pod name, host:port or \"auto\"");
  EXPECT_EQ(parseSwitchoverBody(R"({"cluster": "a/b", "x": 1})", &c, &to),
            "unknown field \"x\" (known: cluster, to)");
}

TEST(SwitchoverRoutes, OrchestratorAliasesAndInstances) {
  EXPECT_EQ(clusterKeyOfAlias("db.default"), "default/db");
  EXPECT_EQ(clusterKeyOfAlias("bench"), "");
  EXPECT_EQ(clusterKeyOfAlias(".x"), "");
  EXPECT_EQ(orchestratorInstance("db-mysql-0.mysql.default:3306").dump(),
            R"({"Key":{"Hostname":"db-mysql-0.mysql.default","Port":3306}})");
}

TEST(SwitchoverAnnotation, AutoOrAPodOfTheCluster) {
  EXPECT_EQ(badSwitchoverAnnotation("auto", "db", 3), "");
  EXPECT_EQ(badSwitchoverAnnotation("db-mysql-2", "db", 3), "");
  EXPECT_EQ(badSwitchoverAnnotation("db-mysql-3", "db", 3),
            "annotation mysql.presslabs.org/switchover: \"db-mysql-3\" is neither \"auto\" nor a "
            "pod of the cluster (db-mysql-0 .. db-mysql-2)");
  EXPECT_EQ(badSwitchoverAnnotation("", "db", 3),
            "annotation mysql.presslabs.org/switchover: \"\" is neither \"auto\" nor a pod of the "
            "cluster (db-mysql-0 .. db-mysql-2)");
}

}  // namespace
}  // namespace mysqlop::orchestrator
