// Planned switchover (README "Planned switchover") with the standalone engine (ClusterEngine)
// against three real mariadbd: a GTID master and two replicas. A writer inserts an id every
// ~5 ms into whichever node is writable and counts the ids the server acknowledged; every
// acknowledged id must be on the new master afterwards.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/config/operator_config.h"
#include "core/host/cluster_access.h"
#include "core/host/plugin_manager.h"
#include "core/http/router.h"
#include "core/metrics/registry.h"
#include "plugins/common/mysql/client.h"
#include "plugins/orchestrator/src/gather.h"
#include "plugins/orchestrator/src/recovery_audit.h"
#include "plugins/orchestrator/src/static_engine.h"
#include "tests/support/mysql/acked_writer.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::orchestrator {
namespace {

using mysqlop::testing::eventually;
using mysqlop::testing::MariaDbOptions;
using mysqlop::testing::MariaDbServer;

constexpr const char* kPw = "engine-pw";

class SwitchoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      MariaDbOptions o;
      o.serverId = i + 1;
      o.extraConfig = {"log_slave_updates=ON", "gtid_strict_mode=ON"};
      nodes_.push_back(std::make_unique<MariaDbServer>(o));
      nodes_.back()->query(
          std::string("RESET MASTER; SET SESSION sql_log_bin=0; ") +
          "CREATE USER engine@'%' IDENTIFIED BY '" + kPw +
          "'; GRANT ALL ON *.* TO engine@'%'; "
          "CREATE USER repl@'%' IDENTIFIED BY 'repl-pw'; "
          "GRANT REPLICATION SLAVE ON *.* TO repl@'%'; "
          "CREATE USER app@'%' IDENTIFIED BY 'app-pw'; GRANT ALL ON app.* TO app@'%';");
    }
    nodes_[0]->query("CREATE DATABASE app; CREATE TABLE app.w (id BIGINT PRIMARY KEY);");
    for (int i = 1; i < 3; ++i) {
      nodes_[i]->query("CHANGE MASTER TO MASTER_HOST='" + nodes_[0]->host() +
                       "', MASTER_PORT=" + std::to_string(nodes_[0]->port()) +
                       ", MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos,"
                       " MASTER_CONNECT_RETRY=1; START SLAVE; SET GLOBAL read_only=1;");
    }
    ASSERT_TRUE(eventually("replicas have the table",
                           [&] { return count(*nodes_[1]) == 0 && count(*nodes_[2]) == 0; }));
  }

  void TearDown() override {
    writer_.reset();
    if (engine_) {
      engine_->stop();
    }
  }

  std::string id(int i) const {
    return nodes_[i]->host() + ":" + std::to_string(nodes_[i]->port());
  }
  int indexOf(const std::string& i) const {
    for (int k = 0; k < 3; ++k) {
      if (id(k) == i) {
        return k;
      }
    }
    return -1;
  }

  void startEngine(bool semiSync) {
    EngineOptions o;
    o.pollInterval = std::chrono::milliseconds(100);
    o.semiSyncFencing = semiSync;
    StaticCluster c;
    c.name = "it";
    c.hosts = {id(0), id(1), id(2)};
    c.user = "engine";
    c.password = kPw;
    c.replicationUser = "repl";
    c.replicationPassword = "repl-pw";
    engine_ = std::make_unique<ClusterEngine>(
        c, o,
        [this](LogLevel, const std::string& m) {
          std::lock_guard<std::mutex> lock(logMu_);
          log_ += m + "\n";
        },
        [this](const RecoveryRecord& r) {
          if (std::string e = recordRecovery(*audit_, nullptr, r); !e.empty()) {
            std::lock_guard<std::mutex> lock(logMu_);
            log_ += "audit: " + e + "\n";
          }
        });
    engine_->start();
    ASSERT_TRUE(eventually(
        "the engine armed the cluster", [&] { return engine_->armed(); }, [&] { return logs(); }));
  }
  std::string logs() {
    std::lock_guard<std::mutex> lock(logMu_);
    return log_;
  }

  void startWriter() {
    std::vector<mysql::Endpoint> eps;
    for (const auto& n : nodes_) {
      eps.push_back({n->host(), n->port()});
    }
    writer_ = std::make_unique<testing::AckedWriter>(eps);
    ASSERT_TRUE(eventually("the writer writes", [&] { return writer_->acked().size() >= 50; }));
  }

  std::unique_ptr<mysql::Connection> engineConn(int i) const {
    auto c = mysql::Connection::open({nodes_[i]->host(), nodes_[i]->port()}, {"engine", kPw}, {});
    if (!c.ok()) {
      throw std::runtime_error(c.error().message);
    }
    return std::move(*c);
  }
  std::string one(int i, const std::string& q) const {
    auto r = engineConn(i)->query(q);
    if (!r.ok()) {
      return r.error().message;
    }
    return r->empty() ? "" : r->rows[0][0].value_or("NULL");
  }
  int count(const MariaDbServer& s) const {
    const auto r = s.sql("SELECT COUNT(*) FROM app.w");
    return r.ok() ? std::stoi(r.out) : -1;
  }
  std::set<long long> ids(int i) const {
    std::set<long long> out;
    auto r = engineConn(i)->query("SELECT id FROM app.w");
    for (const auto& row : r.ok() ? r->rows : std::vector<mysql::Row>{}) {
      out.insert(std::stoll(row[0].value_or("0")));
    }
    return out;
  }
  // "host:port Yes/No" of its replication source, "" when it does not replicate.
  std::string sourceOf(int i) const {
    auto c = engineConn(i);
    auto o = probeForEngine(*c, mysql::ReplicationSql(mysql::Flavor::MariaDB));
    if (!o.ok()) {
      return o.error().message;
    }
    if (!o->hasSlaveStatus || o->masterHost.empty()) {
      return "";
    }
    return o->masterHost + ":" + std::to_string(o->masterPort) +
           (o->slaveIoRunning && o->slaveSqlRunning ? " Yes" : " No");
  }
  std::vector<long long> missing(const std::set<long long>& acked, int on) const {
    const std::set<long long> have = ids(on);
    std::vector<long long> out;
    for (long long a : acked) {
      if (have.count(a) == 0) {
        out.push_back(a);
      }
    }
    return out;
  }

  // After a successful switchover from `from` to `to`: every acknowledged write is on the new
  // master, the old master is read-only and replicates from the new one, the third node too.
  void expectSwitched(const SwitchoverAnswer& a, int from, int to) {
    ASSERT_EQ(a.status, 200) << a.error << "\n" << logs();
    ASSERT_TRUE(a.result.success);
    EXPECT_EQ(a.result.oldMaster, id(from));
    EXPECT_EQ(a.result.newMaster, id(to));
    EXPECT_GE(a.result.refusedMs, 0);
    // (false would make the Kubernetes step record the old master as demoted)
    EXPECT_TRUE(a.result.oldMasterRejoined);
    EXPECT_EQ(one(to, "SELECT @@GLOBAL.read_only"), "0");
    EXPECT_EQ(one(from, "SELECT @@GLOBAL.read_only"), "1");
    const int third = 3 - from - to;
    EXPECT_TRUE(eventually(
        "the old master and the third node replicate from the new master",
        [&] { return sourceOf(from) == id(to) + " Yes" && sourceOf(third) == id(to) + " Yes"; }))
        << sourceOf(from) << " / " << sourceOf(third) << "\n"
        << logs();
  }

  std::vector<std::unique_ptr<MariaDbServer>> nodes_;
  mysqlop::testing::TempDir auditDir_;
  std::unique_ptr<AuditStore> audit_ = [this] {
    auto opened = AuditStore::open({auditDir_.file("audit.db"), 7});
    if (!opened.ok()) {
      throw std::runtime_error(opened.error);
    }
    return std::move(opened.value);
  }();
  std::unique_ptr<ClusterEngine> engine_;
  std::unique_ptr<testing::AckedWriter> writer_;
  std::mutex logMu_;
  std::string log_;
};

TEST_F(SwitchoverTest, UnderAWriterWithSemiSyncNoAcknowledgedWriteIsLost) {
  startEngine(true);
  startWriter();
  const SwitchoverAnswer a = engine_->switchover("auto");
  ASSERT_NO_FATAL_FAILURE(expectSwitched(a, 0, indexOf(a.result.newMaster)));
  const int to = indexOf(a.result.newMaster);
  // Writes go on on the new master.
  const std::size_t before = writer_->acked().size();
  ASSERT_TRUE(eventually("writes go on", [&] { return writer_->acked().size() > before + 50; }));
  writer_->stop();
  const std::set<long long> acked = writer_->acked();
  EXPECT_EQ(missing(acked, to), std::vector<long long>{}) << "acknowledged, lost";
  EXPECT_TRUE(
      eventually("the old master has every write", [&] { return missing(acked, 0).empty(); }));
  std::printf(
      "switchover (semi-sync): refused %.1f ms (longest client gap %.1f ms), total %.1f ms, "
      "%zu acknowledged writes\n",
      a.result.refusedMs, writer_->longestGapMs(), a.result.totalMs, acked.size());
  // The audit has it as a "switchover" with its timeline.
  const auto audited = audit_->recentRecoveries({});
  ASSERT_TRUE(audited.ok()) << audited.error;
  ASSERT_EQ(audited.value.size(), 1U);
  EXPECT_EQ(audited.value[0].analysis, "switchover");
  EXPECT_EQ(audited.value[0].failedHost, id(0));
  EXPECT_EQ(audited.value[0].successorHost, id(to));
  EXPECT_EQ(audited.value[0].result, kRecoverySuccess);
  EXPECT_EQ(audited.value[0].steps.size(), a.result.timeline.size());
  // No failover followed it.
  EXPECT_TRUE(engine_->recoveries().empty()) << logs();
}

TEST_F(SwitchoverTest, ToANamedReplicaAndBackWithoutSemiSync) {
  startEngine(false);
  startWriter();
  ASSERT_NO_FATAL_FAILURE(expectSwitched(engine_->switchover(nodes_[2]->host()), 0, 2));
  const std::size_t before = writer_->acked().size();
  ASSERT_TRUE(eventually("writes go on", [&] { return writer_->acked().size() > before + 50; }));
  // Back to the old master: it rejoined cleanly (no errant transaction), so it can take over.
  const SwitchoverAnswer back = engine_->switchover(id(0));
  ASSERT_NO_FATAL_FAILURE(expectSwitched(back, 2, 0));
  writer_->stop();
  const std::set<long long> acked = writer_->acked();
  EXPECT_EQ(missing(acked, 0), std::vector<long long>{}) << "acknowledged, lost";
  EXPECT_TRUE(engine_->recoveries().empty()) << logs();
}

TEST_F(SwitchoverTest, RefusalsChangeNothing) {
  startEngine(true);
  SwitchoverAnswer a = engine_->switchover("db-mysql-7");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.error, "db-mysql-7 is not a node of cluster it (nodes: " + id(0) + ", " + id(1) +
                         ", " + id(2) + ")");
  a = engine_->switchover(id(0));
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.error, id(0) + " is already the master of cluster it");
  // Node 2 leaves replication: it is not a replica of the master any more.
  ASSERT_TRUE(engineConn(2)->exec("STOP SLAVE").ok());
  ASSERT_TRUE(engineConn(2)->exec("RESET SLAVE ALL").ok());
  ASSERT_TRUE(eventually("the engine sees node 2 detached", [&] {
    return engine_->switchover(id(2)).error ==
           id(2) + " is not a replica of the master " + id(0) + " (it does not replicate)";
  })) << engine_->switchover(id(2)).error;
  EXPECT_EQ(one(0, "SELECT @@GLOBAL.read_only"), "0");
  EXPECT_EQ(sourceOf(1), id(0) + " Yes");
}

TEST_F(SwitchoverTest, ATargetThatCannotCatchUpIsRolledBack) {
  startEngine(true);
  SwitchoverSettings s;
  s.catchUpWait = std::chrono::milliseconds(1000);
  s.finalWaitSeconds = 1;
  engine_->setSwitchoverSettings(s);
  startWriter();
  // Node 1's SQL thread waits behind a table lock: it receives but cannot apply.
  auto locker = engineConn(1);
  ASSERT_TRUE(locker->exec("LOCK TABLES app.w WRITE").ok());
  const std::size_t before = writer_->acked().size();
  ASSERT_TRUE(eventually("writes go on", [&] { return writer_->acked().size() > before + 20; }));
  const SwitchoverAnswer a = engine_->switchover(id(1));
  EXPECT_EQ(a.status, 500);
  EXPECT_FALSE(a.result.success);
  EXPECT_TRUE(a.result.rolledBack);
  EXPECT_EQ(a.error, "waiting for " + id(1) + " to apply " + a.result.finalGtid +
                         ": it did not within 1 s; rolled back: " + id(0) + " is writable again");
  EXPECT_EQ(one(0, "SELECT @@GLOBAL.read_only"), "0");
  EXPECT_EQ(one(1, "SELECT @@GLOBAL.read_only"), "1");
  EXPECT_EQ(sourceOf(1), id(0) + " Yes");
  ASSERT_TRUE(locker->exec("UNLOCK TABLES").ok());
  // The writer finds the old master writable again.
  const std::size_t after = writer_->acked().size();
  ASSERT_TRUE(eventually("writes go on on the old master",
                         [&] { return writer_->acked().size() > after + 20; }));
  writer_->stop();
  EXPECT_EQ(missing(writer_->acked(), 0), std::vector<long long>{});
  EXPECT_TRUE(engine_->recoveries().empty()) << logs();
}

// The routes of the real plugin in the real host (standalone, as `mysql-operator --standalone`
// runs it) over the three servers as a static cluster: orchestrator's master route, our POST
// (a named target, then a bad one), orchestrator's graceful takeover back.
TEST_F(SwitchoverTest, TheRoutesOfTheRealPluginSwitchAStaticCluster) {
  metrics::Registry registry;
  http::Router router;
  host::UnavailableClusterAccess access;
  host::PluginManager manager{registry, router, access, "{}"};
  config::PluginEntry e;
  e.name = "orchestrator";
  e.path = std::string(MYSQLOP_BINARY_DIR) + "/bin/plugins/mysqlop_orchestrator.so";
  e.configJson = nlohmann::json{{"auditPath", auditDir_.file("plugin-audit.db")},
                                {"instancePollSeconds", 0.1},
                                {"fencing", "none"},
                                {"staticClusters",
                                 {{{"name", "it"},
                                   {"hosts", {id(0), id(1), id(2)}},
                                   {"user", "engine"},
                                   {"password", kPw},
                                   {"replicationUser", "repl"},
                                   {"replicationPassword", "repl-pw"}}}}}
                     .dump();
  e.origin = "test";
  manager.loadAll({e});
  ASSERT_EQ(manager.plugins().at(0)->loadError.message, "");
  manager.startWork();  // the plugin's start: the static engine runs
  auto call = [&](const std::string& method, const std::string& path, const std::string& body) {
    http::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    http::Response resp;
    router.dispatch(req, resp);
    return resp;
  };
  const std::string api = "/plugins/orchestrator/api/";
  ASSERT_TRUE(eventually("the master route names node 0", [&] {
    return call("GET", api + "master/it", "").body ==
           nlohmann::json{{"Key", {{"Hostname", nodes_[0]->host()}, {"Port", nodes_[0]->port()}}}}
               .dump();
  })) << call("GET", api + "master/it", "").body;
  startWriter();

  http::Response r =
      call("POST", api + "switchover", nlohmann::json{{"cluster", "it"}, {"to", id(1)}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.contentType, "application/json");
  const nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["success"], true);
  EXPECT_EQ(j["oldMaster"], id(0));
  EXPECT_EQ(j["newMaster"], id(1));
  EXPECT_TRUE(j["refusedWritesMs"].is_number());
  EXPECT_GT(j["timeline"].size(), 3U);
  EXPECT_EQ(one(1, "SELECT @@GLOBAL.read_only"), "0");

  r = call("POST", api + "switchover", nlohmann::json{{"cluster", "it"}, {"to", id(1)}}.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, id(1) + " is already the master of cluster it\n");

  // orchestrator's graceful takeover (the engine needs a poll to see the new topology first).
  ASSERT_TRUE(eventually("the master route names node 1", [&] {
    return call("GET", api + "master/it", "").body.find(std::to_string(nodes_[1]->port())) !=
           std::string::npos;
  }));
  r = call("GET", api + "graceful-master-takeover-auto/it", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json t = nlohmann::json::parse(r.body);
  EXPECT_EQ(t["Code"], "OK");
  const std::string successor = t["Details"]["Key"]["Hostname"].get<std::string>() + ":" +
                                std::to_string(t["Details"]["Key"]["Port"].get<int>());
  EXPECT_NE(successor, id(1));
  EXPECT_EQ(t["Message"], "graceful-master-takeover: successor: " + successor);
  writer_->stop();
  EXPECT_EQ(missing(writer_->acked(), indexOf(successor)), std::vector<long long>{});
  // Both are in the plugin's audit, as switchovers.
  r = call("GET", api + "recoveries", "");
  const nlohmann::json rec = nlohmann::json::parse(r.body);
  ASSERT_EQ(rec["recoveries"].size(), 2U) << r.body;
  EXPECT_EQ(rec["recoveries"][0]["analysis"], "switchover");
  manager.destroyAll();
}

}  // namespace
}  // namespace mysqlop::orchestrator
