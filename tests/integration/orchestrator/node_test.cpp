// The node SQL of the orchestrator against real mariadbd servers: a fresh replica joins a master
// and replicates with GTID, a cloned replica starts from its backup's GTID position, init is
// idempotent, read-only toggles, and every failure names its step and the server's error.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/probe.h"
#include "sidecar/init_sql.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::orchestrator {
namespace {

using mysql::Connection;
using mysql::Credentials;
using testing::MariaDbOptions;
using testing::MariaDbServer;

const mysql::ReplicationSql kSql(mysql::Flavor::MariaDB);
constexpr const char* kOperatorPw = "operatorpw1";
constexpr const char* kReplicationPw = "replpw1";
constexpr const char* kOrcPw = "orcpw1";

sidecar::Config podConfig(int ordinal) {
  sidecar::Config c;
  c.hostname = "c-mysql-" + std::to_string(ordinal);
  c.ordinal = ordinal;
  c.clusterName = "c";
  c.nameSpace = "ns";
  c.serviceName = "mysql";
  c.version = mysql::ServerVersion{mysql::Flavor::MariaDB, 10, 11, 0};
  c.operatorUser = {"sys_operator", kOperatorPw};
  c.replicationUser = {"sys_replication", kReplicationPw};
  c.exporterUser = {"sys_exporter", "exporterpw1"};
  c.orcTopologyUser = {"orchestrator", kOrcPw};
  c.backupUser = {"sys_backup", "backuppw1"};
  return c;
}

// A pod's server: port 3306 on its own loopback address (MASTER_HOST is that address), a clean
// binlog (the test harness's root setup is binlogged; a pod's image entrypoint does it with
// SQL_LOG_BIN=0), and the users and sys_operator tables of the sidecar's init-file.
std::unique_ptr<MariaDbServer> pod(int ordinal, const std::string& backupGtid = {}) {
  MariaDbOptions o;
  o.serverId = 100 + ordinal;
  o.port = 3306;
  o.extraConfig = {"log_slave_updates=ON"};
  auto s = std::make_unique<MariaDbServer>(o);
  sidecar::InitFacts facts;
  facts.heartbeatPassword = "heartbeatpw";
  facts.backupGtidPurged = backupGtid;
  s->query("RESET MASTER;");
  s->query(sidecar::initFileContent(podConfig(ordinal), facts));
  return s;
}

std::unique_ptr<Connection> connect(const MariaDbServer& s, const Credentials& as) {
  auto c = Connection::open({s.host(), s.port()}, as, {});
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? std::move(c).value() : nullptr;
}

Credentials operatorUser() { return {"sys_operator", kOperatorPw}; }
Credentials topologyUser() { return {"orchestrator", kOrcPw}; }
// The observer probes as the operator user (README.md, Credentials).
Credentials probeUser() { return operatorUser(); }

InitParams joining(const MariaDbServer& self, const MariaDbServer& master) {
  return {self.host(), master.host(), "sys_replication", kReplicationPw};
}

std::string errorOf(const mysql::SqlResult<InitResult>& r) {
  return r.ok() ? "ok" : r.error().message;
}

TEST(OrchestratorNode, FreshReplicaJoinsTheMasterAndReplicatesWithGtid) {
  auto master = pod(0);
  auto replica = pod(1);
  auto m = connect(*master, operatorUser());
  auto r = connect(*replica, operatorUser());
  ASSERT_TRUE(m && r);

  auto mi = initNode(*m, kSql, joining(*master, *master));
  ASSERT_TRUE(mi.ok()) << mi.error().message;
  EXPECT_FALSE(mi->skipped);
  master->query(
      "SET GLOBAL read_only = 0; CREATE DATABASE app; CREATE TABLE app.t (v INT);"
      "INSERT INTO app.t VALUES (1);");

  auto ri = initNode(*r, kSql, joining(*replica, *master));
  ASSERT_TRUE(ri.ok()) << ri.error().message;
  EXPECT_FALSE(ri->retried83713);
  EXPECT_FALSE(ri->appliedBackupGtid);

  master->query("INSERT INTO app.t VALUES (2);");
  EXPECT_TRUE(testing::eventually(
      "row 2 on the replica",
      [&] {
        auto run = replica->sql("SELECT COUNT(*) FROM app.t");
        return run.ok() && run.out == "2\n";
      },
      [&] { return replica->sql("SHOW SLAVE STATUS\\G").out; }));

  auto t = connect(*replica, probeUser());
  ASSERT_TRUE(t);
  Observation seen = probeNode(*t, kSql);
  ASSERT_TRUE(seen.reachable) << seen.error;
  EXPECT_TRUE(seen.configured);
  EXPECT_TRUE(seen.readOnly);  // replication applies on a read-only replica
  EXPECT_TRUE(seen.hasSlaveStatus);
  EXPECT_TRUE(seen.slaveIoRunning);
  EXPECT_TRUE(seen.slaveSqlRunning);
  EXPECT_EQ(seen.masterHost, master->host());
  ASSERT_TRUE(seen.lagSeconds.has_value());  // no heartbeat table: Seconds_Behind_Master
  EXPECT_EQ(*seen.lagSeconds, 0);
  EXPECT_EQ(seen.serverId, "101");
  EXPECT_EQ(seen.gtidSlavePos, "0-100-4");  // CREATE DATABASE, CREATE TABLE, two INSERTs
  EXPECT_GE(seen.uptimeSeconds, 0);

  auto mt = connect(*master, probeUser());
  Observation ms = probeNode(*mt, kSql);
  ASSERT_TRUE(ms.reachable) << ms.error;
  EXPECT_TRUE(ms.configured);
  EXPECT_FALSE(ms.hasSlaveStatus);
  EXPECT_FALSE(ms.lagSeconds.has_value());
  // Nothing of the init reached the binlog: the master's GTIDs are the test's four writes
  // (SQL_LOG_BIN=0 for every init statement), and the replica logged exactly what it applied.
  EXPECT_EQ(master->query("SELECT @@gtid_binlog_pos"), "0-100-4\n");
  EXPECT_EQ(replica->query("SELECT @@gtid_binlog_pos"), "0-100-4\n");
}

TEST(OrchestratorNode, InitIsIdempotent) {
  auto master = pod(0);
  auto m = connect(*master, operatorUser());
  ASSERT_TRUE(initNode(*m, kSql, joining(*master, *master)).ok());
  master->query("SET GLOBAL read_only = 0;");
  auto again = initNode(*m, kSql, joining(*master, *master));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->skipped);
  // A configured node is not touched: read_only stays as the read-only handling left it.
  EXPECT_EQ(master->query("SELECT @@read_only"), "0\n");
}

TEST(OrchestratorNode, ClonedReplicaStartsFromTheBackupPosition) {
  auto master = pod(0);
  auto m = connect(*master, operatorUser());
  ASSERT_TRUE(initNode(*m, kSql, joining(*master, *master)).ok());
  master->query(
      "SET GLOBAL read_only = 0; CREATE DATABASE app; CREATE TABLE app.t (v INT);"
      "INSERT INTO app.t VALUES (1);");
  // The clone: the master's data as of its GTID position (what mariadb-backup copies), and that
  // position in backup_gtid_purged (what the sidecar's init-file writes).
  const std::string position = master->query("SELECT @@gtid_binlog_pos");
  auto replica = pod(1, position.substr(0, position.size() - 1));
  replica->query(
      "SET SQL_LOG_BIN=0; CREATE DATABASE app; CREATE TABLE app.t (v INT);"
      "INSERT INTO app.t VALUES (1);");
  master->query("INSERT INTO app.t VALUES (2);");

  auto r = connect(*replica, operatorUser());
  auto ri = initNode(*r, kSql, joining(*replica, *master));
  ASSERT_TRUE(ri.ok()) << ri.error().message;
  EXPECT_TRUE(ri->appliedBackupGtid);
  // Replaying from the start would fail on CREATE DATABASE; from the position it gets row 2 only.
  EXPECT_TRUE(testing::eventually(
      "rows 1,2 on the clone",
      [&] {
        auto run = replica->sql("SELECT GROUP_CONCAT(v ORDER BY v) FROM app.t");
        return run.ok() && run.out == "1,2\n";
      },
      [&] { return replica->sql("SHOW SLAVE STATUS\\G").out; }));
  EXPECT_EQ(replica->query("SELECT value FROM sys_operator.status WHERE name='set_gtid_purged'"),
            position);
  auto t = connect(*replica, probeUser());
  Observation seen = probeNode(*t, kSql);
  EXPECT_TRUE(seen.slaveSqlRunning) << seen.lastSqlError;
  EXPECT_TRUE(seen.slaveIoRunning) << seen.lastIoError;
}

TEST(OrchestratorNode, ReadOnlyToggles) {
  auto master = pod(0);
  auto m = connect(*master, probeUser());
  ASSERT_TRUE(setReadOnly(*m, kSql, false).ok());
  EXPECT_FALSE(probeNode(*m, kSql).readOnly);
  ASSERT_TRUE(setReadOnly(*m, kSql, true).ok());
  EXPECT_TRUE(probeNode(*m, kSql).readOnly);
  // The operator user still writes sys_operator on a read-only 10.11 (READ_ONLY ADMIN).
  EXPECT_TRUE(master
                  ->sqlAs("sys_operator", kOperatorPw,
                          "REPLACE INTO sys_operator.status VALUES ('probe', '1')")
                  .ok());
  // ... and an application user does not.
  master->query(
      "CREATE USER app@'%' IDENTIFIED BY 'apppw'; GRANT ALL ON app.* TO app@'%';"
      "CREATE DATABASE app;");
  EXPECT_FALSE(master->sqlAs("app", "apppw", "CREATE TABLE app.t (v INT)").ok());
}

TEST(OrchestratorNode, FailuresNameTheStepAndTheServerError) {
  auto master = pod(0);
  // An account that may connect but do nothing else.
  master->query(
      "CREATE USER weak@'%' IDENTIFIED BY 'weakpw';"
      "GRANT SELECT ON sys_operator.* TO weak@'%';");
  auto weak = connect(*master, {"weak", "weakpw"});
  ASSERT_TRUE(weak);
  EXPECT_EQ(errorOf(initNode(*weak, kSql, joining(*master, *master))),
            "disabling the binlog: error 1227 (42000): Access denied; you need (at least one of) "
            "the SUPER, BINLOG ADMIN privilege(s) for this operation");
  EXPECT_EQ(setReadOnly(*weak, kSql, false).error().message,
            "setting read_only=0: error 1227 (42000): Access denied; you need (at least one of) "
            "the READ_ONLY ADMIN privilege(s) for this operation");
  Observation seen = probeNode(*weak, kSql);
  EXPECT_FALSE(seen.reachable);
  EXPECT_EQ(seen.error,
            "reading SHOW SLAVE STATUS: error 1227 (42000): Access denied; you need (at least one "
            "of) the SUPER, SLAVE MONITOR privilege(s) for this operation");
  // What the sidecar grants the topology user does not cover sys_operator.status.
  auto topology = connect(*master, topologyUser());
  EXPECT_EQ(probeNode(*topology, kSql).error,
            "reading sys_operator.status: error 1142 (42000): SELECT command denied to user "
            "'orchestrator'@'127.0.0.1' for table `sys_operator`.`status`");

  // May skip the binlog, not set read_only.
  master->query("GRANT BINLOG ADMIN ON *.* TO weak@'%';");
  auto binlogAdmin = connect(*master, {"weak", "weakpw"});
  EXPECT_EQ(errorOf(initNode(*binlogAdmin, kSql, joining(*master, *master))),
            "setting read_only: error 1227 (42000): Access denied; you need (at least one of) "
            "the READ_ONLY ADMIN privilege(s) for this operation");

  // May set read_only, not manage replication.
  master->query(
      "GRANT READ_ONLY ADMIN ON *.* TO weak@'%'; GRANT ALL ON sys_operator.* TO weak@'%';");
  auto replicaOf = connect(*master, {"weak", "weakpw"});
  EXPECT_EQ(errorOf(initNode(*replicaOf, kSql, {master->host(), "other.example", "u", "p"})),
            "stopping replication: error 1227 (42000): Access denied; you need (at least one of) "
            "the SUPER, REPLICATION SLAVE ADMIN privilege(s) for this operation");

  // A backup position the server cannot parse.
  master->query("REPLACE INTO sys_operator.status VALUES ('backup_gtid_purged', 'garbage');");
  auto op = connect(*master, operatorUser());
  EXPECT_EQ(
      errorOf(initNode(*op, kSql, {master->host(), "other.example", "u", "p"})),
      "applying the backup's GTID set garbage: error 1941 (HY000): Could not parse GTID list");
  // The failed init did not mark the node configured.
  EXPECT_EQ(master->query("SELECT value FROM sys_operator.status WHERE name='configured'"), "0\n");

  // No sys_operator.status (the init-file has not run).
  master->query("DROP TABLE sys_operator.status;");
  EXPECT_EQ(errorOf(initNode(*op, kSql, joining(*master, *master))),
            "reading sys_operator.status: error 1146 (42S02): Table 'sys_operator.status' "
            "doesn't exist");
  // ... which a probe reads as not configured.
  Observation unconfigured = probeNode(*op, kSql);
  EXPECT_TRUE(unconfigured.reachable) << unconfigured.error;
  EXPECT_FALSE(unconfigured.configured);
}

}  // namespace
}  // namespace mysqlop::orchestrator
