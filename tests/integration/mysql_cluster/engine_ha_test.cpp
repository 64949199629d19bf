// The failover engine's state across operator restarts (issue 12 item 8, plugins/orchestrator
// README "Engine state and leader takeover", "PendingFailoverAck"): a leader killed in the middle
// of a recovery is finished by the next one with the recorded candidate; an old master that
// returns after a restart is still fenced; PendingFailoverAck and its ack; deleting a cluster right
// after a failover is never blocked.

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
using nlohmann::json;

std::string fqdn(const std::string& pod) { return pod + ".mysql.default"; }

std::string masterCondition(const MysqlClusterEnv& env, const std::string& cluster,
                            const std::string& pod) {
  return jsonpath(
      env.kubectl(), "mysqlcluster " + cluster,
      "{.status.nodes[?(@.name==\"" + fqdn(pod) + "\")].conditions[?(@.type==\"Master\")].status}");
}

std::string condition(const MysqlClusterEnv& env, const std::string& cluster,
                      const std::string& type, const std::string& field) {
  return jsonpath(env.kubectl(), "mysqlcluster " + cluster,
                  "{.status.conditions[?(@.type==\"" + type + "\")]." + field + "}");
}

// The state annotation of the cluster's Lease, parsed (null when absent).
json leaseState(const MysqlClusterEnv& env, const std::string& cluster) {
  const std::string text =
      jsonpath(env.kubectl(), "lease " + cluster + "-mysql-failover",
               "{.metadata.annotations.mysql\\.presslabs\\.org/failover-state}");
  return json::parse(text, nullptr, false);
}

std::string fault(const MysqlClusterEnv& env, const std::string& verb, const std::string& pod,
                  bool container = false) {
  std::vector<std::string> args = {LocalClusterProcess::binary(), "fault", verb, "--data-dir",
                                   std::string(env.dataDir()),    pod};
  if (container) {
    args.insert(args.end(), {"-c", "mysql"});
  }
  const CommandResult r = runCommand(args);
  return r.exitCode == 0 ? "" : "fault " + verb + " " + pod + ": " + r.out + r.err;
}

// POST to the operator's metrics address: "<code> <body without its newline>".
std::string post(MysqlClusterEnv& env, const std::string& path, const std::string& body) {
  const CommandResult r = runCommand(
      {"/usr/bin/curl", "-s", "-X", "POST", "--data-binary", body, "-w", " %{http_code}",
       "http://127.0.0.1:" + std::to_string(env.operatorProcess().metricsPort()) + path});
  // curl prints the body, then " <code>"; put the code first.
  std::string out = r.out;
  const auto space = out.rfind(' ');
  if (space == std::string::npos) {
    return "curl failed: " + r.err;
  }
  std::string text = out.substr(0, space);
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return out.substr(space + 1) + " " + text;
}

// GET from the operator's metrics address, parsed (null when it is not JSON).
json getJson(MysqlClusterEnv& env, const std::string& path) {
  const CommandResult r = runCommand(
      {"/usr/bin/curl", "-s",
       "http://127.0.0.1:" + std::to_string(env.operatorProcess().metricsPort()) + path});
  return json::parse(r.out, nullptr, false);
}

// A 3-node cluster, Ready, with a table of three rows on every node.
void readyWithRows(MysqlClusterEnv& env, const std::string& c) {
  ASSERT_EQ(env.apply(clusterManifest(c, 3)), "");
  ASSERT_EQ(env.waitReady(c, 180s), "");
  ASSERT_EQ(
      env.sql(c + "-mysql-0",
              "CREATE TABLE app.t (id INT PRIMARY KEY); INSERT INTO app.t VALUES (1), (2), (3)")
          .err,
      "");
  for (const std::string& replica : {c + "-mysql-1", c + "-mysql-2"}) {
    ASSERT_EQ(env.waitForSql(replica, "SELECT COUNT(*) FROM app.t", "3", 30s), "");
  }
}

// Where a node replicates from ("" when it has no replication config), and its SQL thread.
std::string slaveField(const MysqlClusterEnv& env, const std::string& pod,
                       const std::string& field) {
  const SqlResult r = env.sql(pod, "SHOW SLAVE STATUS", true);
  const std::string key = field + ": ";
  auto at = r.out.find(key);
  if (at == std::string::npos) {
    return "";
  }
  at += key.size();
  return r.out.substr(at, r.out.find('\n', at) - at);
}

// (a) The leader is killed during a recovery: it had recorded "promoting tk-mysql-2" and made it
// writable and detached; the master is dead; tk-mysql-1 still points at it. The next operator
// finishes with tk-mysql-2 (never promotes tk-mysql-1), repoints tk-mysql-1, fences the old
// master and the Service follows.
TEST(MysqlClusterEngineHa, LeaderKilledDuringRecoveryIsFinishedWithTheRecordedCandidate) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_NO_FATAL_FAILURE(readyWithRows(env, "tk"));
  ASSERT_EQ(masterCondition(env, "tk", "tk-mysql-0"), "True") << env.diagnostics();

  // The crashed leader: SIGKILL, nothing released. What it had done before dying, by hand.
  env.stopOperator(true);
  const SqlResult promoted = env.sql("tk-mysql-2",
                                     "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0; "
                                     "SELECT @@gtid_current_pos");
  ASSERT_EQ(promoted.exitCode, 0) << promoted.err;
  const std::string promotedAt = promoted.out;
  ASSERT_EQ(fault(env, "kill", "tk-mysql-0", true), "");
  const json state = {{"version", 1},
                      {"nextId", 2},
                      {"master", fqdn("tk-mysql-0")},
                      {"inProgress",
                       {{"id", 1},
                        {"uid", "e2e-takeover"},
                        {"phase", "promoting"},
                        {"analysis", "DeadMaster"},
                        {"oldMaster", fqdn("tk-mysql-0") + ":3306"},
                        {"candidate", fqdn("tk-mysql-2") + ":3306"},
                        {"promotedAt", promotedAt},
                        {"startedAtMs", 1}}}};
  ASSERT_EQ(env.apply("apiVersion: coordination.k8s.io/v1\nkind: Lease\n"
                      "metadata:\n  name: tk-mysql-failover\n  namespace: default\n"
                      "  annotations:\n    mysql.presslabs.org/failover-state: '" +
                      state.dump() + "'\nspec: {}\n"),
            "");

  env.startOperator();
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "pods -l role=master", "{.items[*].metadata.name}",
                            "tk-mysql-2", 60s),
            "")
      << env.diagnostics();
  EXPECT_EQ(masterCondition(env, "tk", "tk-mysql-2"), "True");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "endpoints tk-mysql-master",
                            "{.subsets[*].addresses[*].ip}", env.podIp("tk-mysql-2"), 30s),
            "");
  // tk-mysql-1 was repointed, never promoted.
  EXPECT_EQ(env.sql("tk-mysql-1", "SELECT @@read_only").out, "1");
  EXPECT_EQ(slaveField(env, "tk-mysql-1", "Master_Host"), fqdn("tk-mysql-2"));
  // The old master is fenced and rejoined (nothing beyond the promotion position).
  EXPECT_EQ(env.waitForSql("tk-mysql-0", "SELECT @@read_only", "1", 60s), "");
  EXPECT_TRUE(
      pollUntil([&] { return slaveField(env, "tk-mysql-0", "Master_Host") == fqdn("tk-mysql-2"); },
                Poll{60s, 250ms}))
      << env.diagnostics();
  // A new write on the new master reaches both.
  ASSERT_EQ(env.sqlAs("tk-mysql-2", "app", "app-pw", "INSERT INTO app.t VALUES (4)").err, "");
  EXPECT_EQ(env.waitForSql("tk-mysql-1", "SELECT COUNT(*) FROM app.t", "4", 30s), "");
  EXPECT_EQ(env.waitForSql("tk-mysql-0", "SELECT COUNT(*) FROM app.t", "4", 60s), "");
  EXPECT_EQ(env.waitReady("tk", 60s), "");

  // The Lease: the recovery ended, recorded as recovery 1; the old master no longer to fence.
  const json after = leaseState(env, "tk");
  ASSERT_TRUE(after.is_object()) << after;
  EXPECT_FALSE(after.contains("inProgress")) << after;
  ASSERT_EQ(after["recent"].size(), 1U) << after;
  EXPECT_EQ(after["recent"][0]["id"], 1) << after;
  EXPECT_EQ(after["recent"][0]["success"], true) << after;
  EXPECT_EQ(after["master"], fqdn("tk-mysql-2")) << after;
  EXPECT_TRUE(after["demoted"].empty()) << after;
  const std::string log = env.operatorProcess().err();
  EXPECT_NE(log.find("takeover (finish)"), std::string::npos) << log;
  EXPECT_NE(log.find("OldMasterRejoined"), std::string::npos) << log;
  EXPECT_EQ(log.find("recovering from"), std::string::npos) << log;  // no second recovery
  const std::string events =
      jsonpath(env.kubectl(), "events --field-selector involvedObject.name=tk",
               "{range .items[*]}{.reason}: {.message}{\"\\n\"}{end}");
  EXPECT_NE(events.find("OrcPostMasterFailover: Failover of " + fqdn("tk-mysql-0") +
                        ":3306 succeeded, new master: " + fqdn("tk-mysql-2") + ":3306"),
            std::string::npos)
      << events;
}

// (a) again, the leader killed right after writing its intent: the recorded candidate td-mysql-2
// is still a read-only replica of the dead master. The next operator detaches it, makes it
// writable and repoints td-mysql-1, although the analysis would have picked td-mysql-1 (the
// first of two equal replicas).
TEST(MysqlClusterEngineHa, IntentOnlyIsFinishedByDetachingTheRecordedCandidate) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_NO_FATAL_FAILURE(readyWithRows(env, "td"));
  env.stopOperator(true);
  const SqlResult pos = env.sql("td-mysql-2", "SELECT @@gtid_current_pos");
  ASSERT_EQ(pos.exitCode, 0) << pos.err;
  // The master dies and stays away (partitioned after the kill, so its replicas saw the reset).
  ASSERT_EQ(fault(env, "kill", "td-mysql-0", true), "");
  ASSERT_EQ(fault(env, "partition", "td-mysql-0"), "");
  const json state = {{"version", 1},
                      {"nextId", 5},
                      {"inProgress",
                       {{"id", 4},
                        {"uid", "e2e-intent"},
                        {"phase", "promoting"},
                        {"analysis", "DeadMaster"},
                        {"oldMaster", fqdn("td-mysql-0") + ":3306"},
                        {"candidate", fqdn("td-mysql-2") + ":3306"},
                        {"promotedAt", pos.out},
                        {"startedAtMs", 1}}}};
  ASSERT_EQ(env.apply("apiVersion: coordination.k8s.io/v1\nkind: Lease\n"
                      "metadata:\n  name: td-mysql-failover\n  namespace: default\n"
                      "  annotations:\n    mysql.presslabs.org/failover-state: '" +
                      state.dump() + "'\nspec: {}\n"),
            "");
  env.startOperator();
  EXPECT_EQ(env.waitForSql("td-mysql-2", "SELECT @@read_only", "0", 60s), "");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "pods -l role=master", "{.items[*].metadata.name}",
                            "td-mysql-2", 60s),
            "")
      << env.diagnostics();
  EXPECT_EQ(slaveField(env, "td-mysql-2", "Master_Host"), "");  // detached
  EXPECT_EQ(env.sql("td-mysql-1", "SELECT @@read_only").out, "1");
  EXPECT_TRUE(
      pollUntil([&] { return slaveField(env, "td-mysql-1", "Master_Host") == fqdn("td-mysql-2"); },
                Poll{30s, 250ms}))
      << env.diagnostics();
  ASSERT_EQ(env.sqlAs("td-mysql-2", "app", "app-pw", "INSERT INTO app.t VALUES (4)").err, "");
  EXPECT_EQ(env.waitForSql("td-mysql-1", "SELECT COUNT(*) FROM app.t", "4", 30s), "");
  // The old master returns: fenced and rejoined from the recorded succession.
  ASSERT_EQ(fault(env, "heal", "td-mysql-0"), "");
  EXPECT_EQ(env.waitForSql("td-mysql-0", "SELECT COUNT(*) FROM app.t", "4", 90s), "")
      << env.diagnostics();
  EXPECT_EQ(env.sql("td-mysql-0", "SELECT @@read_only").out, "1");
  const std::string log = env.operatorProcess().err();
  EXPECT_NE(log.find("finishing with its candidate " + fqdn("td-mysql-2") +
                     ":3306 (detach it) (make it writable)"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("recovering from"), std::string::npos) << log;
  const json after = leaseState(env, "td");
  ASSERT_TRUE(after.is_object()) << after;
  EXPECT_FALSE(after.contains("inProgress")) << after;
  ASSERT_EQ(after["recent"].size(), 1U) << after;
  EXPECT_EQ(after["recent"][0]["id"], 4) << after;
  EXPECT_EQ(after["nextId"], 5) << after;
}

// (a3) The recorded candidate is gone for good (its pod does not exist): the next leader waits
// for it with FailoverInProgress=True, then after takeoverWaitSeconds drops the recovery with a
// Warning Event naming it (no node replicates from the candidate, so it was never made the
// master); the live master was never touched and the cluster is healthy again.
TEST(MysqlClusterEngineHa, TakeoverDropsARecordedCandidateThatIsGoneForGood) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  env.setOrchestratorConfig("{instancePollSeconds: 1, takeoverWaitSeconds: 15}");
  env.restartOperator();
  ASSERT_NO_FATAL_FAILURE(readyWithRows(env, "td"));
  env.stopOperator(true);
  const json state = {{"version", 1},
                      {"nextId", 2},
                      {"master", fqdn("td-mysql-0")},
                      {"inProgress",
                       {{"id", 1},
                        {"uid", "e2e-gone"},
                        {"phase", "promoting"},
                        {"analysis", "DeadMaster"},
                        {"oldMaster", fqdn("td-mysql-0") + ":3306"},
                        {"candidate", fqdn("td-mysql-9") + ":3306"},
                        {"promotedAt", "0-1-1"},
                        {"startedAtMs", 1}}}};
  ASSERT_EQ(env.apply("apiVersion: coordination.k8s.io/v1\nkind: Lease\n"
                      "metadata:\n  name: td-mysql-failover\n  namespace: default\n"
                      "  annotations:\n    mysql.presslabs.org/failover-state: '" +
                      state.dump() + "'\nspec: {}\n"),
            "");
  env.startOperator();
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster td",
                            "{.status.conditions[?(@.type==\"FailoverInProgress\")].status}",
                            "True", 30s),
            "")
      << env.diagnostics();
  EXPECT_EQ(condition(env, "td", "FailoverInProgress", "message"),
            "recovery 1 of " + fqdn("td-mysql-0") +
                ":3306 is being finished by a new leader with its candidate " + fqdn("td-mysql-9") +
                ":3306");
  const std::string dropped = "Warning/OrcTakeoverDropped: Recovery with id 1 (DeadMaster of " +
                              fqdn("td-mysql-0") + ":3306) was dropped: its candidate " +
                              fqdn("td-mysql-9") + ":3306 did not answer for ";
  std::string events;
  EXPECT_TRUE(pollUntil(
      [&] {
        events = jsonpath(env.kubectl(), "events --field-selector involvedObject.name=td",
                          "{range .items[*]}{.type}/{.reason}: {.message}{\"\\n\"}{end}");
        return events.find(dropped) != std::string::npos;
      },
      Poll{60s, 500ms}))
      << events << env.diagnostics();
  EXPECT_NE(events.find(" seconds and no node replicates from it"), std::string::npos) << events;
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster td",
                            "{.status.conditions[?(@.type==\"FailoverInProgress\")].status}",
                            "False", 30s),
            "");
  const json after = leaseState(env, "td");
  ASSERT_TRUE(after.is_object()) << after;
  EXPECT_FALSE(after.contains("inProgress")) << after;
  EXPECT_TRUE(after.value("recent", json::array()).empty()) << after;
  // The master was never touched: still writable, the replicas still follow it.
  EXPECT_EQ(env.sql("td-mysql-0", "SELECT @@read_only").out, "0");
  EXPECT_EQ(slaveField(env, "td-mysql-1", "Master_Host"), fqdn("td-mysql-0"));
  EXPECT_EQ(env.waitReady("td", 60s), "");
  const std::string log = env.operatorProcess().err();
  EXPECT_NE(log.find("takeover (wait)"), std::string::npos) << log;
  EXPECT_NE(log.find("takeover (drop)"), std::string::npos) << log;
}

// (b) A failover, then the operator restarts before the old master returns (it is partitioned
// away right after its kill): the new process reads the old master from the Lease and fences and
// rejoins it when it returns. Without the Lease it would be a second root, and every node
// read-only. Then the manual ack route, and the block period that held through the restart.
TEST(MysqlClusterEngineHa, OldMasterReturningAfterARestartIsStillFenced) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_NO_FATAL_FAILURE(readyWithRows(env, "rs"));
  ASSERT_EQ(fault(env, "kill", "rs-mysql-0", true), "");
  // The replicas saw the reset of the kill; the restarted server is unreachable from here on.
  ASSERT_EQ(fault(env, "partition", "rs-mysql-0"), "");
  std::string promoted;
  ASSERT_TRUE(pollUntil(
      [&] {
        for (const char* pod : {"rs-mysql-1", "rs-mysql-2"}) {
          if (env.sql(pod, "SELECT @@read_only").out == "0") {
            promoted = pod;
            return true;
          }
        }
        return false;
      },
      Poll{60s, 50ms}))
      << env.diagnostics();
  const json written = leaseState(env, "rs");
  ASSERT_TRUE(written.is_object()) << written;
  ASSERT_EQ(written["demoted"].size(), 1U) << written;
  EXPECT_EQ(written["demoted"][0]["host"], fqdn("rs-mysql-0")) << written;
  EXPECT_EQ(written["demoted"][0]["newMaster"], fqdn(promoted) + ":3306") << written;
  // The precondition of this test: the first process never reached the old master.
  ASSERT_EQ(env.operatorProcess().err().find("fenced the old master"), std::string::npos)
      << env.operatorProcess().err();

  env.restartOperator();
  EXPECT_NE(env.operatorProcess().waitFor("read the failover state an earlier leader wrote"), "")
      << env.operatorProcess().err();
  ASSERT_EQ(fault(env, "heal", "rs-mysql-0"), "");
  EXPECT_NE(env.operatorProcess().waitFor("OldMasterRejoined"), "") << env.diagnostics();
  EXPECT_EQ(env.waitForSql("rs-mysql-0", "SELECT @@read_only", "1", 60s), "");
  EXPECT_EQ(slaveField(env, "rs-mysql-0", "Master_Host"), fqdn(promoted));
  ASSERT_EQ(env.sqlAs(promoted, "app", "app-pw", "INSERT INTO app.t VALUES (4)").err, "");
  EXPECT_EQ(env.waitForSql("rs-mysql-0", "SELECT COUNT(*) FROM app.t", "4", 60s), "");
  EXPECT_EQ(env.waitReady("rs", 60s), "");
  EXPECT_EQ(env.sql(promoted, "SELECT @@read_only").out, "0");  // the master stayed writable
  const json after = leaseState(env, "rs");
  EXPECT_TRUE(after.is_object() && after["demoted"].empty()) << after;

  // The manual ack (failoverAckSeconds is 600 here: the recovery is pending).
  EXPECT_EQ(condition(env, "rs", "PendingFailoverAck", "status"), "True");
  const std::string route = "/plugins/orchestrator/api/ack-recovery";
  EXPECT_EQ(post(env, route, "{"),
            "400 the body must be a JSON object {\"cluster\": \"<namespace>/<name>\", \"id\": "
            "<recovery id>}");
  EXPECT_EQ(post(env, route, R"({"cluster":"default","id":1})"),
            "400 cluster must be <namespace>/<name>");
  EXPECT_EQ(post(env, route, R"({"cluster":"default/nope","id":1})"),
            "404 no MysqlCluster default/nope");
  EXPECT_EQ(post(env, route, R"({"cluster":"default/rs","id":7})"),
            "404 no recovery 7 in cluster default/rs");
  EXPECT_EQ(post(env, route, R"({"cluster":"default/rs","id":1,"comment":"checked"})"),
            "200 recovery 1 acknowledged");
  EXPECT_EQ(post(env, route, R"({"cluster":"default/rs","id":1})"),
            "409 recovery 1 is already acknowledged");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster rs",
                            "{.status.conditions[?(@.type==\"PendingFailoverAck\")].status}",
                            "False", 30s),
            "");
  const json acked = leaseState(env, "rs");
  ASSERT_TRUE(acked.is_object() && acked["recent"].size() == 1U) << acked;
  EXPECT_EQ(acked["recent"][0]["ackedBy"], "api: checked");
  // This process's audit store is not the one that recorded the recovery (no shared auditPath
  // here): the Lease alone records the ack, and the log says so.
  EXPECT_NE(env.operatorProcess().err().find(
                "recovery 1 is not in this process's audit store; only the Lease records its ack"),
            std::string::npos)
      << env.operatorProcess().err();

  // The block period (recoveryPeriodBlockSeconds, 3600 s by default) came through the restart
  // too: the new master's death is not recovered by this process.
  ASSERT_EQ(fault(env, "kill", promoted, true), "");
  EXPECT_NE(env.operatorProcess().waitFor("RecoveryBlocked"), "") << env.diagnostics();
  EXPECT_EQ(env.operatorProcess().err().find("recovering from"), std::string::npos)
      << env.operatorProcess().err();
  // Not only logged: a Warning Event (once for this detection) and a detection row without a
  // recovery on the detections route.
  const std::string blocked = "Warning/OrcRecoveryBlocked: DeadMaster of " + fqdn(promoted) +
                              ":3306 is not recovered: a recovery ended less than "
                              "recoveryPeriodBlockSeconds ago (blocked until ";
  std::string events;
  EXPECT_TRUE(pollUntil(
      [&] {
        events = jsonpath(env.kubectl(), "events --field-selector involvedObject.name=rs",
                          "{range .items[*]}{.type}/{.reason}: {.message}{\"\\n\"}{end}");
        return events.find(blocked) != std::string::npos;
      },
      Poll{30s, 500ms}))
      << events;
  EXPECT_EQ(events.find(blocked), events.rfind(blocked)) << events;  // once
  const json detections = getJson(env, "/plugins/orchestrator/api/detections?cluster=default/rs");
  ASSERT_TRUE(detections.is_object() && detections["detections"].size() == 1U) << detections;
  const json& d = detections["detections"][0];
  EXPECT_EQ(d["analysis"], "DeadMaster") << d;
  EXPECT_EQ(d["failedHost"], fqdn(promoted) + ":3306") << d;
  EXPECT_TRUE(d["recoveryId"].is_null()) << d;
  EXPECT_EQ(d.value("description", "")
                .rfind("DeadMaster of " + fqdn(promoted) +
                           ":3306 is not recovered: a recovery ended less",
                       0),
            0U)
      << d;
}

// (c) PendingFailoverAck True after a failover, acked once Ready held for failoverAckSeconds,
// with the RecoveryAcked Event. (d) Deleting the cluster right after a failover is not blocked,
// and its Lease goes with it.
TEST(MysqlClusterEngineHa, PendingFailoverAckThenAckedAndDeletionNeverBlocked) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  env.setOrchestratorConfig("{instancePollSeconds: 1, failoverAckSeconds: 5}");
  env.restartOperator();
  // A Lease whose state does not decode (left by hand, or by a broken writer): logged, an Event,
  // the empty state, and replaced by the first write.
  ASSERT_EQ(env.apply("apiVersion: coordination.k8s.io/v1\nkind: Lease\n"
                      "metadata:\n  name: ak-mysql-failover\n  namespace: default\n"
                      "  annotations:\n    mysql.presslabs.org/failover-state: '{not json'\n"
                      "spec: {}\n"),
            "");
  ASSERT_NO_FATAL_FAILURE(readyWithRows(env, "ak"));
  const std::string unreadable =
      jsonpath(env.kubectl(), "events --field-selector involvedObject.name=ak",
               "{range .items[?(@.reason==\"FailoverStateUnreadable\")]}{.type}: {.message}{end}");
  EXPECT_EQ(
      unreadable.rfind("Warning: Lease ak-mysql-failover: the failover state is not JSON: ", 0), 0U)
      << unreadable;
  EXPECT_NE(unreadable.find("; starting from an empty failover state"), std::string::npos)
      << unreadable;
  EXPECT_EQ(condition(env, "ak", "PendingFailoverAck", "status"), "False");
  EXPECT_EQ(condition(env, "ak", "PendingFailoverAck", "reason"), "NoPendingFailoverAckExists");
  EXPECT_EQ(condition(env, "ak", "PendingFailoverAck", "message"), "no pending ack");

  ASSERT_EQ(fault(env, "kill", "ak-mysql-0", true), "");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster ak",
                            "{.status.conditions[?(@.type==\"PendingFailoverAck\")].reason}",
                            "PendingFailoverAckExists", 60s),
            "")
      << env.diagnostics();
  const std::string message = condition(env, "ak", "PendingFailoverAck", "message");
  const json state = leaseState(env, "ak");
  ASSERT_TRUE(state.is_object() && state["recent"].size() == 1U) << state;
  const json& rec = state["recent"][0];
  EXPECT_EQ(message.rfind("{id: 1, uid: " + rec.value("uid", "?") + ", success: true, time: ", 0),
            0U)
      << message;
  EXPECT_EQ(message.back(), '}') << message;
  // One id everywhere: the audit route shows the recovery by the condition's id and uid.
  const std::string recoveries = "/plugins/orchestrator/api/recoveries?cluster=default/ak";
  const json pending = getJson(env, recoveries);
  ASSERT_TRUE(pending.is_object() && pending["recoveries"].size() == 1U) << pending;
  EXPECT_EQ(pending["recoveries"][0]["id"], 1) << pending;
  EXPECT_EQ(pending["recoveries"][0]["uid"], rec["uid"]) << pending;
  EXPECT_EQ(pending["recoveries"][0]["acknowledged"], false) << pending;

  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster ak",
                            "{.status.conditions[?(@.type==\"PendingFailoverAck\")].status}",
                            "False", 120s),
            "")
      << env.diagnostics();
  EXPECT_EQ(condition(env, "ak", "PendingFailoverAck", "message"), "no pending ack");
  const json acked = leaseState(env, "ak");
  ASSERT_TRUE(acked.is_object() && acked["recent"].size() == 1U) << acked;
  EXPECT_EQ(acked["recent"][0]["acked"], true);
  // The rule: the ack came more than failoverAckSeconds after the recovery started.
  EXPECT_GT(
      acked["recent"][0].value("ackedAtMs", 0LL) - acked["recent"][0].value("startedAtMs", 0LL),
      5000)
      << acked;
  EXPECT_EQ(acked["recent"][0]["ackedBy"],
            "auto: Statefulset 'ak-mysql' is healthy for more than 5 seconds");
  const std::string events =
      jsonpath(env.kubectl(), "events --field-selector involvedObject.name=ak",
               "{range .items[*]}{.type}/{.reason}: {.message}{\"\\n\"}{end}");
  EXPECT_NE(events.find("Normal/RecoveryAcked: Recovery with id 1 was acked."), std::string::npos)
      << events;
  // The audit row is acknowledged too, by the same rule's words.
  const json done = getJson(env, recoveries);
  ASSERT_TRUE(done.is_object() && done["recoveries"].size() == 1U) << done;
  EXPECT_EQ(done["recoveries"][0]["id"], 1) << done;
  EXPECT_EQ(done["recoveries"][0]["acknowledged"], true) << done;
  EXPECT_EQ(done["recoveries"][0]["acknowledgedBy"], "auto") << done;
  EXPECT_EQ(done["recoveries"][0]["ackComment"],
            "Statefulset 'ak-mysql' is healthy for more than 5 seconds")
      << done;

  // (d) The Lease is owned by the cluster and carries no finalizer: the deletion is not blocked,
  // and the Lease is garbage collected.
  const std::string owner =
      jsonpath(env.kubectl(), "lease ak-mysql-failover", "{.metadata.ownerReferences[0].kind}");
  EXPECT_EQ(owner, "MysqlCluster");
  EXPECT_EQ(jsonpath(env.kubectl(), "lease ak-mysql-failover", "{.metadata.finalizers}"), "");
  const CommandResult del =
      env.kubectl().run({"delete", "mysqlcluster", "ak", "-n", kNamespace, "--wait=false"});
  ASSERT_EQ(del.exitCode, 0) << del.err;
  EXPECT_TRUE(pollUntil(
      [&] {
        return env.kubectl().run({"get", "mysqlcluster", "ak", "-n", kNamespace}).exitCode != 0;
      },
      Poll{60s, 200ms}))
      << env.diagnostics();
  EXPECT_TRUE(pollUntil(
      [&] {
        return env.kubectl()
                   .run({"get", "lease", "ak-mysql-failover", "-n", kNamespace})
                   .exitCode != 0;
      },
      Poll{60s, 200ms}))
      << "the Lease was not garbage collected\n"
      << env.diagnostics();
}

}  // namespace
}  // namespace mysqlop::testing
