// Every statement text of node initialisation, read-only handling and probing, per flavor.
#include "plugins/common/mysql/replication.h"

#include <gtest/gtest.h>

namespace mysqlop::mysql {
namespace {

using Strings = std::vector<std::string>;
const ReplicationSql kMariaRepl(Flavor::MariaDB);
const ReplicationSql kMyRepl(Flavor::MySQL);

TEST(ReplicationSql, ProbeVariables) {
  EXPECT_EQ(kMariaRepl.selectVariables(),
            "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_id AS server_id, "
            "@@GLOBAL.gtid_current_pos AS gtid_executed, @@GLOBAL.gtid_slave_pos AS "
            "gtid_slave_pos, 0 AS super_read_only");
  EXPECT_EQ(kMyRepl.selectVariables(),
            "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_uuid AS server_id, "
            "@@GLOBAL.gtid_executed AS gtid_executed, '' AS gtid_slave_pos, "
            "@@GLOBAL.super_read_only AS super_read_only");
}

TEST(ReplicationSql, ProbeStatementsShared) {
  EXPECT_EQ(ReplicationSql::showUptime(), "SHOW GLOBAL STATUS LIKE 'Uptime'");
  EXPECT_EQ(ReplicationSql::showSlaveStatus(), "SHOW SLAVE STATUS");
  // bitpoke's chart SlaveLagQuery, verbatim.
  EXPECT_EQ(ReplicationSql::selectHeartbeatLag(),
            "SELECT TIMESTAMPDIFF(SECOND,ts,UTC_TIMESTAMP()) as drift FROM sys_operator.heartbeat "
            "ORDER BY drift ASC LIMIT 1");
  EXPECT_EQ(ReplicationSql::selectConfigured(),
            "SELECT value FROM sys_operator.status WHERE name='configured' AND value='1'");
  EXPECT_EQ(ReplicationSql::selectStatusValue(),
            "SELECT value FROM sys_operator.status WHERE name=?");
}

TEST(ReplicationSql, InitMariaDb) {
  EXPECT_EQ(ReplicationSql::disableBinlog(), "SET @@SESSION.SQL_LOG_BIN = 0");
  EXPECT_EQ(kMariaRepl.beginInit(), Strings{"SET GLOBAL READ_ONLY = 1"});
  EXPECT_EQ(kMariaRepl.finishInit(), Strings{});
  EXPECT_EQ(kMariaRepl.applyBackupGtid(),
            (Strings{"STOP SLAVE", "SET GLOBAL gtid_slave_pos = ?",
                     "REPLACE INTO sys_operator.status VALUES ('set_gtid_purged', ?)"}));
  EXPECT_EQ(kMariaRepl.changeMaster(),
            "CHANGE MASTER TO MASTER_HOST=?, MASTER_USER=?, MASTER_PASSWORD=?, "
            "MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos");
}

TEST(ReplicationSql, InitMySql) {
  EXPECT_EQ(kMyRepl.beginInit(),
            (Strings{"SET GLOBAL READ_ONLY = 1", "SET GLOBAL SUPER_READ_ONLY = 0"}));
  EXPECT_EQ(kMyRepl.finishInit(), Strings{"SET GLOBAL SUPER_READ_ONLY = 1"});
  EXPECT_EQ(kMyRepl.applyBackupGtid(),
            (Strings{"RESET MASTER", "SET @@GLOBAL.GTID_PURGED = ?",
                     "REPLACE INTO sys_operator.status VALUES ('set_gtid_purged', ?)"}));
  EXPECT_EQ(kMyRepl.changeMaster(),
            "CHANGE MASTER TO MASTER_AUTO_POSITION=1, MASTER_HOST=?, MASTER_USER=?, "
            "MASTER_PASSWORD=?, MASTER_CONNECT_RETRY=1");
}

TEST(ReplicationSql, InitShared) {
  EXPECT_EQ(ReplicationSql::stopSlave(), "STOP SLAVE");
  EXPECT_EQ(ReplicationSql::startSlave(), "START SLAVE");
  EXPECT_EQ(ReplicationSql::startSlaveRetry(),
            (Strings{"RESET SLAVE", "START SLAVE IO_THREAD", "STOP SLAVE IO_THREAD", "RESET SLAVE",
                     "START SLAVE"}));
  EXPECT_EQ(ReplicationSql::markConfigured(),
            "REPLACE INTO sys_operator.status VALUES ('configured', '1')");
}

TEST(ReplicationSql, ReadOnly) {
  EXPECT_EQ(kMariaRepl.setReadOnly(true), Strings{"SET GLOBAL READ_ONLY = 1"});
  EXPECT_EQ(kMariaRepl.setReadOnly(false), Strings{"SET GLOBAL READ_ONLY = 0"});
  EXPECT_EQ(kMyRepl.setReadOnly(true),
            (Strings{"SET GLOBAL READ_ONLY = 1", "SET GLOBAL SUPER_READ_ONLY = 1"}));
  EXPECT_EQ(kMyRepl.setReadOnly(false),
            (Strings{"SET GLOBAL SUPER_READ_ONLY = 0", "SET GLOBAL READ_ONLY = 0"}));
}

TEST(ReplicationSql, FailoverEngine) {
  EXPECT_EQ(
      kMariaRepl.selectEngineProbe(),
      "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_id AS server_id, "
      "@@GLOBAL.gtid_current_pos AS gtid_executed, @@GLOBAL.gtid_slave_pos AS gtid_slave_pos, "
      "@@GLOBAL.gtid_binlog_pos AS gtid_binlog_pos, (SELECT VARIABLE_VALUE FROM "
      "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='SLAVE_RECEIVED_HEARTBEATS') AS "
      "heartbeats");
  EXPECT_EQ(kMyRepl.selectEngineProbe(),
            "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_uuid AS server_id, "
            "@@GLOBAL.gtid_executed AS gtid_executed, '' AS gtid_slave_pos, '' AS gtid_binlog_pos, "
            "NULL AS heartbeats");
  EXPECT_EQ(ReplicationSql::selectReadOnly(), "SELECT @@GLOBAL.read_only AS read_only");
  EXPECT_EQ(kMariaRepl.selectBinlogPos(), "SELECT @@GLOBAL.gtid_binlog_pos AS pos");
  EXPECT_EQ(kMyRepl.selectBinlogPos(), "SELECT @@GLOBAL.gtid_executed AS pos");
  EXPECT_EQ(kMariaRepl.waitForGtid(), "SELECT MASTER_GTID_WAIT(?, ?) AS waited");
  EXPECT_EQ(kMyRepl.waitForGtid(), "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS waited");
  EXPECT_TRUE(ReplicationSql::gtidWaitSucceeded("0"));
  EXPECT_FALSE(ReplicationSql::gtidWaitSucceeded("-1"));
  EXPECT_FALSE(ReplicationSql::gtidWaitSucceeded("1"));
  EXPECT_EQ(ReplicationSql::resetSlaveAll(), "RESET SLAVE ALL");
  EXPECT_EQ(kMariaRepl.selectIoThread(),
            "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Slave_IO'");
  EXPECT_EQ(kMyRepl.selectIoThread(),
            "SELECT PROCESSLIST_ID AS ID FROM performance_schema.threads WHERE NAME IN "
            "('thread/sql/slave_io', 'thread/sql/replica_io') AND PROCESSLIST_ID IS NOT NULL");
  EXPECT_EQ(kMariaRepl.changeMasterTo(),
            "CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?, "
            "MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos");
  EXPECT_EQ(kMyRepl.changeMasterTo(),
            "CHANGE MASTER TO MASTER_AUTO_POSITION=1, MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, "
            "MASTER_PASSWORD=?, MASTER_CONNECT_RETRY=1");
  EXPECT_EQ(ReplicationSql::setHeartbeatPeriod(200),
            "CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=0.200");
  EXPECT_EQ(ReplicationSql::setHeartbeatPeriod(1050),
            "CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=1.050");
  EXPECT_EQ(ReplicationSql::armSemiSyncMaster(),
            (Strings{"SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC",
                     "SET GLOBAL rpl_semi_sync_master_timeout = 4294967295",
                     "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON",
                     "SET GLOBAL rpl_semi_sync_master_enabled = ON"}));
  EXPECT_EQ(ReplicationSql::armSemiSyncReplica(),
            Strings{"SET GLOBAL rpl_semi_sync_slave_enabled = ON"});
  EXPECT_EQ(
      ReplicationSql::selectClientSessions(),
      "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND USER NOT "
      "IN ('system user', 'event_scheduler', ?) AND COMMAND NOT IN ('Binlog Dump', 'Daemon')");
  EXPECT_EQ(ReplicationSql::killConnection(), "KILL CONNECTION ?");
  EXPECT_EQ(ReplicationSql::disarmSemiSyncMaster(),
            Strings{"SET GLOBAL rpl_semi_sync_master_enabled = OFF"});
  EXPECT_EQ(kMariaRepl.rejoinPosition(),
            Strings{"SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos"});
  EXPECT_EQ(kMyRepl.rejoinPosition(), Strings{});
  EXPECT_EQ(ReplicationSql::shortLockWait(), "SET SESSION lock_wait_timeout = 1");
  // Hang detection and semi-sync arming on Kubernetes: one read of the state, one setting each.
  EXPECT_EQ(kMariaRepl.selectReplicationState(),
            "SELECT UPPER(VARIABLE_NAME) AS VARIABLE_NAME, VARIABLE_VALUE FROM "
            "information_schema.GLOBAL_STATUS WHERE UPPER(VARIABLE_NAME) IN "
            "('SLAVE_RECEIVED_HEARTBEATS', 'SLAVE_HEARTBEAT_PERIOD', 'RPL_SEMI_SYNC_SLAVE_STATUS', "
            "'RPL_SEMI_SYNC_MASTER_CLIENTS') UNION ALL SELECT UPPER(VARIABLE_NAME), VARIABLE_VALUE "
            "FROM information_schema.GLOBAL_VARIABLES WHERE UPPER(VARIABLE_NAME) IN "
            "('RPL_SEMI_SYNC_MASTER_ENABLED', 'RPL_SEMI_SYNC_MASTER_WAIT_POINT', "
            "'RPL_SEMI_SYNC_MASTER_TIMEOUT', 'RPL_SEMI_SYNC_MASTER_WAIT_NO_SLAVE', "
            "'RPL_SEMI_SYNC_SLAVE_ENABLED')");
  EXPECT_NE(kMyRepl.selectReplicationState().find("FROM performance_schema.GLOBAL_STATUS"),
            std::string::npos);
  EXPECT_EQ(ReplicationSql::setSemiSyncWaitPoint(),
            "SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC");
  EXPECT_EQ(ReplicationSql::setSemiSyncNoFallback(),
            "SET GLOBAL rpl_semi_sync_master_timeout = 4294967295");
  EXPECT_EQ(ReplicationSql::setSemiSyncWaitNoSlave(),
            "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON");
  EXPECT_EQ(ReplicationSql::setSemiSyncMaster(true),
            "SET GLOBAL rpl_semi_sync_master_enabled = ON");
  EXPECT_EQ(ReplicationSql::setSemiSyncMaster(false),
            "SET GLOBAL rpl_semi_sync_master_enabled = OFF");
  EXPECT_EQ(ReplicationSql::setSemiSyncSlave(true), "SET GLOBAL rpl_semi_sync_slave_enabled = ON");
  EXPECT_EQ(ReplicationSql::setSemiSyncSlave(false),
            "SET GLOBAL rpl_semi_sync_slave_enabled = OFF");
}

}  // namespace
}  // namespace mysqlop::mysql
