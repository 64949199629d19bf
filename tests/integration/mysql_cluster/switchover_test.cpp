// Planned switchover on the local control plane (plugins/orchestrator README "Planned
// switchover"): the annotation mysql.presslabs.org/switchover moves the master (label, Service,
// status.nodes follow; an Event; the annotation removed); deleting the master pod under a writer
// hands the master over before the pod goes (the engine sees the deletionTimestamp, the preStop
// script waits for it) with no acknowledged write lost, and the old pod comes back as a replica.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "plugins/common/mysql/client.h"
#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"
#include "tests/support/mysql/acked_writer.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;

std::string fqdn(const std::string& pod) { return pod + ".mysql.default"; }

// The node status.nodes names master (Master=True), "" when none.
std::string masterOf(const MysqlClusterEnv& env, const std::string& cluster) {
  const std::string all =
      jsonpath(env.kubectl(), "mysqlcluster " + cluster,
               "{range .status.nodes[*]}{.name}={.conditions[?(@.type==\"Master\")].status} {end}");
  for (std::size_t at = 0; at < all.size();) {
    const std::size_t sp = all.find(' ', at);
    const std::string item = all.substr(at, sp == std::string::npos ? std::string::npos : sp - at);
    if (item.size() > 5 && item.substr(item.size() - 5) == "=True") {
      return item.substr(0, item.size() - 5);
    }
    at = sp == std::string::npos ? all.size() : sp + 1;
  }
  return {};
}

std::string eventsOf(const MysqlClusterEnv& env, const std::string& cluster) {
  return jsonpath(env.kubectl(), "events --field-selector involvedObject.name=" + cluster,
                  "{range .items[*]}{.type}/{.reason}: {.message}\n{end}");
}

// The app user's writes, one every ~5 ms, to whichever pod is writable (its address looked up
// again after any error); every id the server acknowledged is kept.
class PodWriter : public AckedWriter {
 public:
  PodWriter(const MysqlClusterEnv& env, std::vector<std::string> pods)
      : AckedWriter(
            [&env, pods] {
              std::vector<mysql::Endpoint> eps;
              for (const std::string& pod : pods) {
                if (const std::string ip = env.podIp(pod); !ip.empty()) {
                  eps.push_back({ip, 3306});
                }
              }
              return eps;
            },
            {"app", "app-pw", "INSERT INTO app.sw VALUES (?)"}) {}
};

std::vector<long long> missingOn(const MysqlClusterEnv& env, const std::string& pod,
                                 const std::set<long long>& acked) {
  std::set<long long> have;
  const std::string out = env.sql(pod, "SELECT id FROM app.sw").out;
  std::size_t at = 0;
  while (at < out.size()) {
    const std::size_t nl = out.find('\n', at);
    const std::string line = out.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty()) {
      have.insert(std::stoll(line));
    }
    at = nl == std::string::npos ? out.size() : nl + 1;
  }
  std::vector<long long> missing;
  for (long long a : acked) {
    if (!have.count(a)) {
      missing.push_back(a);
    }
  }
  return missing;
}

TEST(MysqlClusterSwitchover, TheAnnotationMovesTheMasterAndIsRemoved) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("sw", 3)), "");
  ASSERT_EQ(env.waitReady("sw", 180s), "");
  ASSERT_EQ(masterOf(env, "sw"), fqdn("sw-mysql-0"));

  // A bad value: a Warning naming it, the annotation removed, nothing moved.
  CommandResult a = env.kubectl().run(
      {"annotate", "mysqlcluster", "sw", "mysql.presslabs.org/switchover=sw-mysql-9"});
  ASSERT_EQ(a.exitCode, 0) << a.err;
  EXPECT_TRUE(pollUntil(
      [&] {
        return eventsOf(env, "sw").find(
                   "Warning/MasterSwitchoverFailed: annotation mysql.presslabs.org/switchover: "
                   "\"sw-mysql-9\" is neither \"auto\" nor a pod of the cluster (sw-mysql-0 .. "
                   "sw-mysql-2)") != std::string::npos;
      },
      Poll{30s, 200ms}))
      << eventsOf(env, "sw");
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster sw",
                            "{.metadata.annotations.mysql\\.presslabs\\.org/switchover}", "", 30s),
            "");
  EXPECT_EQ(masterOf(env, "sw"), fqdn("sw-mysql-0"));

  const auto asked = std::chrono::steady_clock::now();
  a = env.kubectl().run(
      {"annotate", "mysqlcluster", "sw", "mysql.presslabs.org/switchover=sw-mysql-2"});
  ASSERT_EQ(a.exitCode, 0) << a.err;
  ASSERT_EQ(env.waitForSql("sw-mysql-2", "SELECT @@read_only", "0", 60s), "") << env.diagnostics();
  std::printf("annotation -> sw-mysql-2 writable: %.2f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
  EXPECT_EQ(env.sql("sw-mysql-0", "SELECT @@read_only").out, "1");
  // Published: status.nodes, the role label, the master Service.
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "pods -l role=master", "{.items[*].metadata.name}",
                            "sw-mysql-2", 30s),
            "")
      << env.diagnostics();
  EXPECT_EQ(masterOf(env, "sw"), fqdn("sw-mysql-2"));
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "endpoints sw-mysql-master",
                            "{.subsets[*].addresses[*].ip}", env.podIp("sw-mysql-2"), 30s),
            "");
  // The old master and the other replica replicate from the new master.
  for (const char* pod : {"sw-mysql-0", "sw-mysql-1"}) {
    const SqlResult st = env.sql(pod, "SHOW SLAVE STATUS", true);
    EXPECT_NE(st.out.find("Master_Host: " + fqdn("sw-mysql-2")), std::string::npos) << st.out;
    EXPECT_NE(st.out.find("Slave_SQL_Running: Yes"), std::string::npos) << st.out;
  }
  EXPECT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster sw",
                            "{.metadata.annotations.mysql\\.presslabs\\.org/switchover}", "", 30s),
            "");
  const std::string events = eventsOf(env, "sw");
  EXPECT_NE(events.find("Normal/MasterSwitchover: switchover " + fqdn("sw-mysql-0") + ":3306 -> " +
                        fqdn("sw-mysql-2") + ":3306 (annotation)"),
            std::string::npos)
      << events;
  EXPECT_EQ(events.find("OrcFailureDetection"), std::string::npos) << events;
  // The audit has it.
  const nlohmann::json rec = nlohmann::json::parse(
      env.operatorProcess().get("/plugins/orchestrator/api/recoveries?cluster=default/sw"), nullptr,
      false);
  ASSERT_TRUE(rec.is_object() && rec["recoveries"].size() == 1U) << rec;
  EXPECT_EQ(rec["recoveries"][0].value("analysis", ""), "switchover");
  EXPECT_EQ(rec["recoveries"][0].value("result", ""), "success");
  EXPECT_EQ(env.waitReady("sw", 60s), "");
}

TEST(MysqlClusterSwitchover, DeletingTheMasterPodHandsOverFirstUnderAWriter) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("del", 3)), "");
  ASSERT_EQ(env.waitReady("del", 180s), "");
  ASSERT_EQ(env.sql("del-mysql-0", "CREATE TABLE app.sw (id BIGINT PRIMARY KEY)").err, "");
  for (const char* pod : {"del-mysql-1", "del-mysql-2"}) {
    ASSERT_EQ(env.waitForSql(pod, "SELECT COUNT(*) FROM app.sw", "0", 30s), "");
  }
  PodWriter writer(env, {"del-mysql-0", "del-mysql-1", "del-mysql-2"});
  ASSERT_TRUE(pollUntil([&] { return writer.acked().size() >= 50; }, Poll{30s, 50ms}));
  const std::string uid0 = jsonpath(env.kubectl(), "pod del-mysql-0", "{.metadata.uid}");

  const auto deletedAt = std::chrono::steady_clock::now();
  const CommandResult del = env.kubectl().run({"delete", "pod", "del-mysql-0", "--wait=false"});
  ASSERT_EQ(del.exitCode, 0) << del.err;
  std::string promoted;
  ASSERT_TRUE(pollUntil(
      [&] {
        for (const char* pod : {"del-mysql-1", "del-mysql-2"}) {
          if (env.sql(pod, "SELECT @@read_only").out == "0") {
            promoted = pod;
            return true;
          }
        }
        return false;
      },
      Poll{60s, 20ms}))
      << env.diagnostics();
  std::printf("delete of the master pod -> %s writable: %.2f s\n", promoted.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - deletedAt).count());
  // Handed over before the pod went: by a switchover, not a failover.
  const std::string events = eventsOf(env, "del");
  EXPECT_NE(events.find("Normal/MasterSwitchover: switchover " + fqdn("del-mysql-0") + ":3306 -> " +
                        fqdn(promoted) + ":3306 before the master pod del-mysql-0 stops"),
            std::string::npos)
      << events << "\n--- pod events\n"
      << eventsOf(env, "del-mysql-0") << "\n"
      << env.operatorProcess().err().substr(env.operatorProcess().err().size() > 6000
                                                ? env.operatorProcess().err().size() - 6000
                                                : 0);
  EXPECT_EQ(events.find("OrcFailureDetection"), std::string::npos) << events;

  // The old pod comes back (a new uid) as a read-only replica of the new master.
  ASSERT_TRUE(pollUntil(
      [&] {
        const std::string uid = jsonpath(env.kubectl(), "pod del-mysql-0", "{.metadata.uid}");
        return !uid.empty() && uid != uid0;
      },
      Poll{120s, 200ms}))
      << env.diagnostics();
  ASSERT_EQ(env.waitReady("del", 120s), "") << env.diagnostics();
  EXPECT_EQ(env.waitForSql("del-mysql-0", "SELECT @@read_only", "1", 60s), "");
  const SqlResult st = env.sql("del-mysql-0", "SHOW SLAVE STATUS", true);
  EXPECT_NE(st.out.find("Master_Host: " + fqdn(promoted)), std::string::npos) << st.out;
  writer.stop();
  const std::set<long long> acked = writer.acked();
  EXPECT_EQ(missingOn(env, promoted, acked), std::vector<long long>{}) << "acknowledged, lost";
  std::printf("%zu acknowledged writes, none lost\n", acked.size());
}

// A rolling update (spec.mysqlConf changes: the StatefulSet replaces every pod, highest ordinal
// first) under a writer: the master is handed over before its pod goes, no acknowledged write is
// lost, and two writable nodes are never seen (a sample of every pod's read_only every ~50 ms;
// two rounds in a row are needed, since one round's reads are not simultaneous).
TEST(MysqlClusterSwitchover, ARollingUpdateUnderAWriterLosesNothing) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("roll", 3)), "");
  ASSERT_EQ(env.waitReady("roll", 180s), "");
  ASSERT_EQ(env.sql("roll-mysql-0", "CREATE TABLE app.sw (id BIGINT PRIMARY KEY)").err, "");
  for (const char* pod : {"roll-mysql-1", "roll-mysql-2"}) {
    ASSERT_EQ(env.waitForSql(pod, "SELECT COUNT(*) FROM app.sw", "0", 30s), "");
  }
  const std::vector<std::string> pods = {"roll-mysql-0", "roll-mysql-1", "roll-mysql-2"};
  std::vector<std::string> uids;
  for (const std::string& p : pods) {
    uids.push_back(jsonpath(env.kubectl(), "pod " + p, "{.metadata.uid}"));
  }
  PodWriter writer(env, pods);
  ASSERT_TRUE(pollUntil([&] { return writer.acked().size() >= 50; }, Poll{30s, 50ms}));

  std::atomic<bool> stop{false};
  std::atomic<int> twoWritable{0};
  std::string seenTwo;
  std::thread watcher([&] {
    std::map<std::string, std::unique_ptr<mysql::Connection>> conns;
    int streak = 0;
    while (!stop) {
      std::vector<std::string> writable;
      for (const std::string& p : pods) {
        auto& c = conns[p];
        if (!c) {
          const std::string ip = env.podIp(p);
          auto o = ip.empty()
                       ? mysql::SqlResult<std::unique_ptr<mysql::Connection>>(
                             mysql::SqlError{mysql::SqlError::Kind::Unreachable, 0, "no ip"})
                       : mysql::Connection::open({ip, 3306}, {"app", "app-pw"}, {1s, 2s, 2s});
          if (!o.ok()) {
            continue;
          }
          c = std::move(*o);
        }
        auto ro = c->query("SELECT @@GLOBAL.read_only");
        if (!ro.ok()) {
          c.reset();
          continue;
        }
        if (!ro->empty() && ro->rows[0][0].value_or("") == "0") {
          writable.push_back(p);
        }
      }
      streak = writable.size() > 1 ? streak + 1 : 0;
      if (streak >= 2) {
        ++twoWritable;
        seenTwo = writable[0] + " " + writable[1];
      }
      std::this_thread::sleep_for(50ms);
    }
  });
  const CommandResult patch =
      env.kubectl().run({"patch", "mysqlcluster", "roll", "--type=merge", "-p",
                         "{\"spec\":{\"mysqlConf\":{\"max-connections\":\"120\"}}}"});
  ASSERT_EQ(patch.exitCode, 0) << patch.err;
  const bool rolled = pollUntil(
      [&] {
        for (std::size_t i = 0; i < pods.size(); ++i) {
          if (jsonpath(env.kubectl(), "pod " + pods[i], "{.metadata.uid}") == uids[i]) {
            return false;
          }
        }
        return true;
      },
      Poll{300s, 500ms});
  const std::string readyError = rolled ? env.waitReady("roll", 120s) : "not rolled";
  stop = true;
  watcher.join();
  ASSERT_TRUE(rolled) << env.diagnostics();
  ASSERT_EQ(readyError, "") << env.diagnostics();
  // Writes flow on the master at the end.
  const std::size_t before = writer.acked().size();
  EXPECT_TRUE(pollUntil([&] { return writer.acked().size() > before + 20; }, Poll{30s, 50ms}));
  writer.stop();
  std::string master;
  for (const std::string& p : pods) {
    if (env.sql(p, "SELECT @@read_only").out == "0") {
      master = p;
    }
  }
  ASSERT_FALSE(master.empty()) << env.diagnostics();
  const std::set<long long> acked = writer.acked();
  EXPECT_EQ(missingOn(env, master, acked), std::vector<long long>{}) << "acknowledged, lost";
  EXPECT_EQ(twoWritable.load(), 0) << seenTwo;
  const std::string events = eventsOf(env, "roll");
  EXPECT_NE(events.find("Normal/MasterSwitchover"), std::string::npos) << events;
  EXPECT_EQ(events.find("OrcFailureDetection"), std::string::npos) << events;
  std::printf("rolling update: %zu acknowledged writes, none lost; master now %s\n", acked.size(),
              master.c_str());
}

}  // namespace
}  // namespace mysqlop::testing
