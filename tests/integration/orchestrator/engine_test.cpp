// The failover engine (standalone mode's ClusterEngine: gather, decide, act) against three real
// mariadbd: a GTID master and two replicas, as the failover bench runs them. Each test injects
// one fault and checks what the servers show afterwards (README "Recovery").
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "plugins/common/mysql/client.h"
#include "plugins/orchestrator/src/gather.h"
#include "plugins/orchestrator/src/recovery_audit.h"
#include "plugins/orchestrator/src/static_engine.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::orchestrator {
namespace {

using mysqlop::testing::eventually;
using mysqlop::testing::MariaDbOptions;
using mysqlop::testing::MariaDbServer;
using mysqlop::testing::within;

constexpr const char* kEnginePw = "engine-pw";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; ++i) {
      MariaDbOptions o;
      o.serverId = i + 1;
      o.extraConfig = {"log_slave_updates=ON", "gtid_strict_mode=ON"};
      nodes_.push_back(std::make_unique<MariaDbServer>(o));
      // The harness's own root setup is binlogged: start every node from an empty binlog, and
      // create the accounts without binlogging them (as a pod's entrypoint does).
      nodes_.back()->query(
          std::string("RESET MASTER; SET SESSION sql_log_bin=0; ") +
          "CREATE USER engine@'%' IDENTIFIED BY '" + kEnginePw + "'; " +
          "GRANT ALL ON *.* TO engine@'%'; "
          "CREATE USER repl@'%' IDENTIFIED BY 'repl-pw'; "
          "GRANT REPLICATION SLAVE ON *.* TO repl@'%'; "
          "CREATE USER app@'%' IDENTIFIED BY 'app-pw'; GRANT ALL ON app.* TO app@'%';");
    }
    nodes_[0]->query("CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v INT);");
    for (int i = 1; i < 3; ++i) {
      nodes_[i]->query("CHANGE MASTER TO MASTER_HOST='" + nodes_[0]->host() +
                       "', MASTER_PORT=" + std::to_string(nodes_[0]->port()) +
                       ", MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos,"
                       " MASTER_CONNECT_RETRY=1; START SLAVE; SET GLOBAL read_only=1;");
    }
    write(*nodes_[0], 1, 20);
    ASSERT_TRUE(eventually("replicas have the 20 rows",
                           [&] { return rows(*nodes_[1]) == 20 && rows(*nodes_[2]) == 20; }));
  }

  void TearDown() override {
    if (engine_) {
      engine_->stop();
    }
    for (auto& n : nodes_) {
      if (n->running()) {
        n->thaw();
      }
    }
  }

  std::string id(int i) const {
    return nodes_[i]->host() + ":" + std::to_string(nodes_[i]->port());
  }

  void startEngine(double blockSeconds = 3600) {
    EngineOptions o;
    o.pollInterval = std::chrono::milliseconds(100);
    o.recoveryPeriodBlockSeconds = blockSeconds;
    StaticCluster c;
    c.name = "it";
    c.hosts = {id(0), id(1), id(2)};
    c.user = "engine";
    c.password = kEnginePw;
    c.replicationUser = "repl";
    c.replicationPassword = "repl-pw";
    engine_ = std::make_unique<ClusterEngine>(
        c, o,
        [this](LogLevel, const std::string& m) {
          std::lock_guard<std::mutex> lock(logMu_);
          log_.push_back(m);
        },
        [this](const RecoveryRecord& r) {
          if (std::string e = recordRecovery(*audit_, nullptr, r); !e.empty()) {
            std::lock_guard<std::mutex> lock(logMu_);
            log_.push_back("audit: " + e);
          }
        });
    engine_->start();
    ASSERT_TRUE(eventually(
        "the engine armed the cluster", [&] { return engine_->armed(); },
        [&] { return logText(); }));
  }

  std::string logText() {
    std::lock_guard<std::mutex> lock(logMu_);
    std::string out;
    for (const auto& l : log_) {
      out += l + "\n";
    }
    return out;
  }
  bool logged(const std::string& part) { return logText().find(part) != std::string::npos; }

  static void write(const MariaDbServer& s, int from, int to) {
    std::string q;
    for (int i = from; i <= to; ++i) {
      q += "INSERT INTO app.t VALUES (" + std::to_string(i) + ", 0);";
    }
    const auto r = s.sqlAs("app", "app-pw", q);
    ASSERT_TRUE(r.ok()) << r.err;
  }
  static int rows(const MariaDbServer& s) {
    const auto r = s.sql("SELECT COUNT(*) FROM app.t");
    return r.ok() ? std::stoi(r.out) : -1;
  }
  static std::string readOnly(const MariaDbServer& s) {
    return trimmed(s.query("SELECT @@GLOBAL.read_only"));
  }
  // "host:port Yes" of SHOW SLAVE STATUS (Master_Host:Master_Port, Slave_IO_Running), through
  // the engine's own probe; "" when the node is not a replica.
  static std::string sourceOf(const MariaDbServer& s) {
    auto c = mysql::Connection::open({s.host(), s.port()}, {"engine", kEnginePw}, {});
    if (!c.ok()) {
      return c.error().message;
    }
    auto o = probeForEngine(**c, mysql::ReplicationSql(mysql::Flavor::MariaDB));
    if (!o.ok()) {
      return o.error().message;
    }
    if (!o->hasSlaveStatus) {
      return "";
    }
    return o->masterHost + ":" + std::to_string(o->masterPort) +
           (o->slaveIoRunning ? " Yes" : " No");
  }
  MariaDbServer& byId(const std::string& i) {
    for (int k = 0; k < 3; ++k) {
      if (id(k) == i) {
        return *nodes_[k];
      }
    }
    throw std::runtime_error("no node " + i);
  }
  std::size_t recoveries() { return engine_->recoveries().size(); }

  std::vector<std::unique_ptr<MariaDbServer>> nodes_;
  // The audit store every recovery goes to, as the plugin's does.
  mysqlop::testing::TempDir auditDir_;
  std::unique_ptr<AuditStore> audit_ = [this] {
    auto opened = AuditStore::open({auditDir_.file("audit.db"), 7});
    if (!opened.ok()) {
      throw std::runtime_error(opened.error);
    }
    return std::move(opened.value);
  }();
  std::unique_ptr<ClusterEngine> engine_;
  std::mutex logMu_;
  std::vector<std::string> log_;
};

TEST_F(EngineTest, KillNinePromotesAReplicaVerifiedWritableAndRepointsTheOther) {
  startEngine();
  nodes_[0]->kill();
  ASSERT_TRUE(eventually(
      "one recovery", [&] { return recoveries() == 1; }, [&] { return logText(); }));
  const RecoveryRecord r = engine_->recoveries()[0];
  EXPECT_EQ(r.analysis, "DeadMaster");
  EXPECT_EQ(r.failedMaster, id(0));
  ASSERT_TRUE(r.result.success) << r.result.error;
  // The audit store has it, with its timeline.
  const auto audited = audit_->recentRecoveries({});
  ASSERT_TRUE(audited.ok()) << audited.error;
  ASSERT_EQ(audited.value.size(), 1U);
  EXPECT_EQ(audited.value[0].cluster, "it");
  EXPECT_EQ(audited.value[0].analysis, "DeadMaster");
  EXPECT_EQ(audited.value[0].failedHost, id(0));
  EXPECT_EQ(audited.value[0].successorHost, r.result.newMaster);
  EXPECT_EQ(audited.value[0].result, kRecoverySuccess);
  EXPECT_EQ(audited.value[0].steps.size(), r.result.timeline.size());
  EXPECT_GT(audited.value[0].steps.size(), 0U);
  MariaDbServer& fresh = byId(r.result.newMaster);
  MariaDbServer& other = byId(r.result.newMaster == id(1) ? id(2) : id(1));
  EXPECT_EQ(readOnly(fresh), "0");
  EXPECT_EQ(readOnly(other), "1");
  EXPECT_EQ(sourceOf(other), r.result.newMaster + " Yes");
  EXPECT_EQ(sourceOf(fresh), "");  // RESET SLAVE ALL
  // Writes go through the new master (semi-sync: the repointed replica acknowledges them) and
  // reach the other replica; nothing acknowledged before the kill was lost.
  write(fresh, 21, 25);
  EXPECT_TRUE(eventually("the other replica has every row", [&] { return rows(other) == 25; }));
}

TEST_F(EngineTest, AHungMasterThatResumesIsFencedAndAcknowledgesNoWriteAfterThePromotion) {
  startEngine();
  // The stale client: a session opened before the hang, whose INSERT is queued on the socket of
  // the stopped server with no timeout that matters.
  auto stale = mysql::Connection::open(
      {nodes_[0]->host(), nodes_[0]->port()}, {"app", "app-pw"},
      {std::chrono::seconds(2), std::chrono::seconds(120), std::chrono::seconds(120)});
  ASSERT_TRUE(stale.ok()) << stale.error().message;
  nodes_[0]->freeze();
  std::atomic<int> staleOutcome{0};  // 0 pending, 1 acknowledged, 2 failed
  std::string staleError;
  std::thread client([&] {
    auto r = (*stale)->exec("INSERT INTO app.t VALUES (1000, 1)");
    if (!r.ok()) {
      staleError = r.error().message;
    }
    staleOutcome = r.ok() ? 1 : 2;
  });
  ASSERT_TRUE(eventually(
      "one recovery", [&] { return recoveries() == 1; }, [&] { return logText(); }));
  const RecoveryRecord r = engine_->recoveries()[0];
  ASSERT_TRUE(r.result.success) << r.result.error;
  EXPECT_EQ(r.analysis, "DeadMaster");
  nodes_[0]->thaw();
  ASSERT_TRUE(eventually(
      "the old master is fenced", [&] { return engine_->fenced().count(id(0)) == 1; },
      [&] { return logText(); }));
  EXPECT_EQ(readOnly(*nodes_[0]), "1");
  client.join();
  // The queued INSERT ran on the old master when it resumed, waited for a semi-sync ack nobody
  // sends, and its session was killed: the client never saw a success.
  EXPECT_EQ(staleOutcome.load(), 2);
  EXPECT_NE(staleError, "");
  EXPECT_TRUE(logged("fenced the old master " + id(0)));
  // It executed the stale INSERT after the promotion: it has what its successor lacks.
  EXPECT_TRUE(logged("OldMasterKeptOut: it has transactions its successor " + r.result.newMaster +
                     " lacks: 0-1-"))
      << logText();
  EXPECT_TRUE(engine_->rejoined().empty());
  // The app cannot write there any more, and the new master never got the stale row.
  EXPECT_FALSE(nodes_[0]->sqlAs("app", "app-pw", "INSERT INTO app.t VALUES (1001, 1)").ok());
  MariaDbServer& fresh = byId(r.result.newMaster);
  EXPECT_EQ(trimmed(fresh.query("SELECT COUNT(*) FROM app.t WHERE id >= 1000")), "0");
  EXPECT_EQ(rows(fresh), 20);
}

TEST_F(EngineTest, AHungIdleMasterThatResumesIsFencedAndRejoinsUnderItsSuccessor) {
  startEngine();
  nodes_[0]->freeze();
  ASSERT_TRUE(eventually(
      "one recovery", [&] { return recoveries() == 1; }, [&] { return logText(); }));
  const RecoveryRecord r = engine_->recoveries()[0];
  ASSERT_TRUE(r.result.success) << r.result.error;
  nodes_[0]->thaw();
  // Nothing ran on it after the promotion: it has nothing its successor lacks, and rejoins.
  ASSERT_TRUE(eventually(
      "the old master rejoined", [&] { return engine_->rejoined().count(id(0)) == 1; },
      [&] { return logText(); }));
  EXPECT_EQ(readOnly(*nodes_[0]), "1");
  EXPECT_EQ(sourceOf(*nodes_[0]), r.result.newMaster + " Yes");
  EXPECT_TRUE(logged("OldMasterRejoined: it replicates from " + r.result.newMaster));
  MariaDbServer& fresh = byId(r.result.newMaster);
  write(fresh, 21, 22);
  EXPECT_TRUE(eventually("the old master replicates", [&] { return rows(*nodes_[0]) == 22; }));
}

TEST_F(EngineTest, AStallShorterThanTheGraceChangesNothing) {
  startEngine();
  nodes_[0]->freeze();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the fault: a 0.4 s stall
  nodes_[0]->thaw();
  ASSERT_TRUE(eventually("the master answers again",
                         [&] { return engine_->lastAnalysis() == "NoProblem"; }));
  // Nothing may happen later either: the grace (1 s) plus a margin passes without a recovery.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(recoveries(), 0u) << logText();
  EXPECT_EQ(readOnly(*nodes_[0]), "0");
  EXPECT_EQ(readOnly(*nodes_[1]), "1");
}

TEST_F(EngineTest, AKilledReplicaChangesNoMaster) {
  startEngine();
  nodes_[2]->kill();
  ASSERT_TRUE(eventually("the engine sees the replica gone", [&] {
    for (const NodeView& n : engine_->view().nodes) {
      if (n.id == id(2)) {
        return !n.answering;
      }
    }
    return false;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(recoveries(), 0u) << logText();
  EXPECT_EQ(engine_->lastAnalysis(), "NoProblem");
  EXPECT_EQ(readOnly(*nodes_[0]), "0");
  write(*nodes_[0], 21, 21);  // the remaining replica acknowledges (semi-sync)
  EXPECT_TRUE(eventually("the replica has the row", [&] { return rows(*nodes_[1]) == 21; }));
}

TEST_F(EngineTest, ASecondFailureWithinTheBlockPeriodIsNotRecovered) {
  startEngine(3600);
  nodes_[0]->kill();
  ASSERT_TRUE(eventually("one recovery", [&] { return recoveries() == 1; }));
  ASSERT_TRUE(engine_->recoveries()[0].result.success);
  byId(engine_->recoveries()[0].result.newMaster).kill();
  ASSERT_TRUE(eventually(
      "the second failure is blocked", [&] { return logged("(RecoveryBlocked)"); },
      [&] { return logText(); }));
  EXPECT_EQ(recoveries(), 1u);
}

TEST_F(EngineTest, NoEligibleReplicaIsReportedAsAFailedRecovery) {
  startEngine();
  nodes_[1]->query("STOP SLAVE SQL_THREAD");
  nodes_[2]->query("STOP SLAVE SQL_THREAD");
  nodes_[0]->kill();
  ASSERT_TRUE(eventually(
      "one recovery", [&] { return recoveries() == 1; }, [&] { return logText(); }));
  const RecoveryRecord r = engine_->recoveries()[0];
  EXPECT_FALSE(r.result.success);
  EXPECT_EQ(r.result.error, "choosing a replica: no eligible replica: " + id(1) +
                                ": its SQL thread is not running; " + id(2) +
                                ": its SQL thread is not running");
  EXPECT_TRUE(logged("recovery failed (OrcPostUnsuccessfulFailover)"));
  EXPECT_EQ(readOnly(*nodes_[1]), "1");
  EXPECT_EQ(readOnly(*nodes_[2]), "1");
  EXPECT_FALSE(r.result.candidateDetached);
  // Nothing was changed, so the old master is not demoted: when it comes back it is the master
  // again, writable and not fenced.
  nodes_[0]->start();
  nodes_[1]->query("START SLAVE SQL_THREAD");
  nodes_[2]->query("START SLAVE SQL_THREAD");
  ASSERT_TRUE(eventually(
      "the old master is the master again", [&] { return engine_->lastAnalysis() == "NoProblem"; },
      [&] { return logText(); }));
  EXPECT_EQ(engine_->view().lastMaster, id(0));
  EXPECT_TRUE(engine_->fenced().empty());
  EXPECT_EQ(readOnly(*nodes_[0]), "0");
}

TEST_F(EngineTest, AReplicaWithErrantGtidsIsNeverPromoted) {
  startEngine();
  // A transaction written on replica 1 itself (root has READ_ONLY ADMIN): 0-2-N in its binlog.
  nodes_[1]->query("INSERT INTO app.t VALUES (500, 2)");
  ASSERT_TRUE(eventually("the engine sees it", [&] {
    for (const NodeView& n : engine_->view().nodes) {
      if (n.id == id(1)) {
        return n.seen.gtidBinlogPos.rfind("0-2-", 0) == 0;
      }
    }
    return false;
  }));
  nodes_[0]->kill();
  ASSERT_TRUE(eventually(
      "one recovery", [&] { return recoveries() == 1; }, [&] { return logText(); }));
  const RecoveryRecord r = engine_->recoveries()[0];
  ASSERT_TRUE(r.result.success) << r.result.error;
  EXPECT_EQ(r.result.newMaster, id(2));
  EXPECT_TRUE(logged("skipped " + id(1) + ": errant GTIDs 0-2-")) << logText();
}

TEST_F(EngineTest, WithoutReadOnlyAdminThePromotionIsReportedAsFailed) {
  for (auto& n : nodes_) {
    n->query("SET SESSION sql_log_bin=0; REVOKE READ_ONLY ADMIN ON *.* FROM engine@'%';");
  }
  startEngine();
  nodes_[0]->kill();
  ASSERT_TRUE(eventually(
      "one recovery", [&] { return recoveries() == 1; }, [&] { return logText(); }));
  const RecoveryRecord r = engine_->recoveries()[0];
  EXPECT_FALSE(r.result.success);
  EXPECT_EQ(r.result.error.rfind("making ", 0), 0u) << r.result.error;
  EXPECT_NE(r.result.error.find(" writable: setting read_only=0: "), std::string::npos)
      << r.result.error;
  EXPECT_NE(r.result.error.find("READ_ONLY ADMIN"), std::string::npos) << r.result.error;
  EXPECT_TRUE(logged("recovery failed (OrcPostUnsuccessfulFailover)"));
  EXPECT_EQ(readOnly(*nodes_[1]), "1");
  EXPECT_EQ(readOnly(*nodes_[2]), "1");
}

}  // namespace
}  // namespace mysqlop::orchestrator
