#include "plugins/common/mysql/replication.h"

namespace mysqlop::mysql {

std::string ReplicationSql::selectVariables() const {
  if (flavor_ == Flavor::MariaDB) {
    return "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_id AS server_id, "
           "@@GLOBAL.gtid_current_pos AS gtid_executed, @@GLOBAL.gtid_slave_pos AS gtid_slave_pos, "
           "0 AS super_read_only";
  }
  return "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_uuid AS server_id, "
         "@@GLOBAL.gtid_executed AS gtid_executed, '' AS gtid_slave_pos, "
         "@@GLOBAL.super_read_only AS super_read_only";
}

std::string ReplicationSql::showUptime() { return "SHOW GLOBAL STATUS LIKE 'Uptime'"; }

std::string ReplicationSql::showSlaveStatus() { return "SHOW SLAVE STATUS"; }

std::string ReplicationSql::selectHeartbeatLag() {
  return "SELECT TIMESTAMPDIFF(SECOND,ts,UTC_TIMESTAMP()) as drift FROM sys_operator.heartbeat "
         "ORDER BY drift ASC LIMIT 1";
}

std::string ReplicationSql::selectConfigured() {
  return "SELECT value FROM sys_operator.status WHERE name='configured' AND value='1'";
}

std::string ReplicationSql::selectStatusValue() {
  return "SELECT value FROM sys_operator.status WHERE name=?";
}

std::string ReplicationSql::disableBinlog() { return "SET @@SESSION.SQL_LOG_BIN = 0"; }

std::vector<std::string> ReplicationSql::beginInit() const {
  if (flavor_ == Flavor::MariaDB) {
    return {"SET GLOBAL READ_ONLY = 1"};
  }
  return {"SET GLOBAL READ_ONLY = 1", "SET GLOBAL SUPER_READ_ONLY = 0"};
}

std::vector<std::string> ReplicationSql::finishInit() const {
  if (flavor_ == Flavor::MariaDB) {
    return {};
  }
  return {"SET GLOBAL SUPER_READ_ONLY = 1"};
}

std::vector<std::string> ReplicationSql::applyBackupGtid() const {
  if (flavor_ == Flavor::MariaDB) {
    // gtid_slave_pos can only be set while the replication threads are stopped.
    return {"STOP SLAVE", "SET GLOBAL gtid_slave_pos = ?",
            "REPLACE INTO sys_operator.status VALUES ('set_gtid_purged', ?)"};
  }
  return {"RESET MASTER", "SET @@GLOBAL.GTID_PURGED = ?",
          "REPLACE INTO sys_operator.status VALUES ('set_gtid_purged', ?)"};
}

std::string ReplicationSql::stopSlave() { return "STOP SLAVE"; }

std::string ReplicationSql::startSlave() { return "START SLAVE"; }

std::string ReplicationSql::changeMaster() const {
  if (flavor_ == Flavor::MariaDB) {
    return "CHANGE MASTER TO MASTER_HOST=?, MASTER_USER=?, MASTER_PASSWORD=?, "
           "MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos";
  }
  return "CHANGE MASTER TO MASTER_AUTO_POSITION=1, MASTER_HOST=?, MASTER_USER=?, "
         "MASTER_PASSWORD=?, MASTER_CONNECT_RETRY=1";
}

std::vector<std::string> ReplicationSql::startSlaveRetry() {
  return {"RESET SLAVE", "START SLAVE IO_THREAD", "STOP SLAVE IO_THREAD", "RESET SLAVE",
          "START SLAVE"};
}

std::string ReplicationSql::markConfigured() {
  return "REPLACE INTO sys_operator.status VALUES ('configured', '1')";
}

std::vector<std::string> ReplicationSql::setReadOnly(bool readOnly) const {
  if (flavor_ == Flavor::MariaDB) {
    return {readOnly ? "SET GLOBAL READ_ONLY = 1" : "SET GLOBAL READ_ONLY = 0"};
  }
  // super_read_only=1 implies read_only=1; read_only=0 implies super_read_only=0.
  if (readOnly) {
    return {"SET GLOBAL READ_ONLY = 1", "SET GLOBAL SUPER_READ_ONLY = 1"};
  }
  return {"SET GLOBAL SUPER_READ_ONLY = 0", "SET GLOBAL READ_ONLY = 0"};
}

std::string ReplicationSql::selectEngineProbe() const {
  if (flavor_ == Flavor::MariaDB) {
    return "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_id AS server_id, "
           "@@GLOBAL.gtid_current_pos AS gtid_executed, @@GLOBAL.gtid_slave_pos AS gtid_slave_pos, "
           "@@GLOBAL.gtid_binlog_pos AS gtid_binlog_pos, (SELECT VARIABLE_VALUE FROM "
           "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME='SLAVE_RECEIVED_HEARTBEATS') AS "
           "heartbeats";
  }
  return "SELECT @@GLOBAL.read_only AS read_only, @@GLOBAL.server_uuid AS server_id, "
         "@@GLOBAL.gtid_executed AS gtid_executed, '' AS gtid_slave_pos, '' AS gtid_binlog_pos, "
         "NULL AS heartbeats";
}

std::string ReplicationSql::selectBinlogPos() const {
  if (flavor_ == Flavor::MariaDB) {
    return "SELECT @@GLOBAL.gtid_binlog_pos AS pos";
  }
  return "SELECT @@GLOBAL.gtid_executed AS pos";
}

std::string ReplicationSql::selectReadOnly() { return "SELECT @@GLOBAL.read_only AS read_only"; }

std::string ReplicationSql::waitForGtid() const {
  if (flavor_ == Flavor::MariaDB) {
    return "SELECT MASTER_GTID_WAIT(?, ?) AS waited";
  }
  return "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS waited";
}

std::string ReplicationSql::resetSlaveAll() { return "RESET SLAVE ALL"; }

std::string ReplicationSql::selectIoThread() const {
  if (flavor_ == Flavor::MariaDB) {
    return "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Slave_IO'";
  }
  return "SELECT PROCESSLIST_ID AS ID FROM performance_schema.threads WHERE NAME IN "
         "('thread/sql/slave_io', 'thread/sql/replica_io') AND PROCESSLIST_ID IS NOT NULL";
}

std::string ReplicationSql::changeMasterTo() const {
  if (flavor_ == Flavor::MariaDB) {
    return "CHANGE MASTER TO MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, MASTER_PASSWORD=?, "
           "MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos";
  }
  return "CHANGE MASTER TO MASTER_AUTO_POSITION=1, MASTER_HOST=?, MASTER_PORT=?, MASTER_USER=?, "
         "MASTER_PASSWORD=?, MASTER_CONNECT_RETRY=1";
}

std::string ReplicationSql::setHeartbeatPeriod(int milliseconds) {
  // Formatted from an integer here (the client renders only strings and integers, and the
  // period is a decimal).
  const std::string frac = std::to_string(1000 + milliseconds % 1000).substr(1);
  return "CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=" + std::to_string(milliseconds / 1000) + "." +
         frac;
}

std::vector<std::string> ReplicationSql::armSemiSyncMaster() {
  return {"SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC",
          "SET GLOBAL rpl_semi_sync_master_timeout = 4294967295",
          "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON",
          "SET GLOBAL rpl_semi_sync_master_enabled = ON"};
}

std::vector<std::string> ReplicationSql::armSemiSyncReplica() {
  return {"SET GLOBAL rpl_semi_sync_slave_enabled = ON"};
}

std::vector<std::string> ReplicationSql::disarmSemiSyncMaster() {
  return {"SET GLOBAL rpl_semi_sync_master_enabled = OFF"};
}

std::vector<std::string> ReplicationSql::rejoinPosition() const {
  if (flavor_ == Flavor::MariaDB) {
    return {"SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos"};
  }
  return {};
}

std::string ReplicationSql::selectClientSessions() {
  return "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND USER NOT "
         "IN ('system user', 'event_scheduler', ?) AND COMMAND NOT IN ('Binlog Dump', 'Daemon')";
}

std::string ReplicationSql::killConnection() { return "KILL CONNECTION ?"; }

std::string ReplicationSql::shortLockWait() { return "SET SESSION lock_wait_timeout = 1"; }

std::string ReplicationSql::selectReplicationState() const {
  const char* status =
      "('SLAVE_RECEIVED_HEARTBEATS', 'SLAVE_HEARTBEAT_PERIOD', 'RPL_SEMI_SYNC_SLAVE_STATUS', "
      "'RPL_SEMI_SYNC_MASTER_CLIENTS')";
  const char* variables =
      "('RPL_SEMI_SYNC_MASTER_ENABLED', 'RPL_SEMI_SYNC_MASTER_WAIT_POINT', "
      "'RPL_SEMI_SYNC_MASTER_TIMEOUT', 'RPL_SEMI_SYNC_MASTER_WAIT_NO_SLAVE', "
      "'RPL_SEMI_SYNC_SLAVE_ENABLED')";
  const std::string schema =
      flavor_ == Flavor::MariaDB ? "information_schema" : "performance_schema";
  return "SELECT UPPER(VARIABLE_NAME) AS VARIABLE_NAME, VARIABLE_VALUE FROM " + schema +
         ".GLOBAL_STATUS WHERE UPPER(VARIABLE_NAME) IN " + status +
         " UNION ALL SELECT UPPER(VARIABLE_NAME), VARIABLE_VALUE FROM " + schema +
         ".GLOBAL_VARIABLES WHERE UPPER(VARIABLE_NAME) IN " + variables;
}

std::string ReplicationSql::setSemiSyncWaitPoint() {
  return "SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC";
}

std::string ReplicationSql::setSemiSyncNoFallback() {
  return "SET GLOBAL rpl_semi_sync_master_timeout = 4294967295";
}

std::string ReplicationSql::setSemiSyncWaitNoSlave() {
  return "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON";
}

std::string ReplicationSql::setSemiSyncMaster(bool on) {
  return on ? "SET GLOBAL rpl_semi_sync_master_enabled = ON"
            : "SET GLOBAL rpl_semi_sync_master_enabled = OFF";
}

std::string ReplicationSql::setSemiSyncSlave(bool on) {
  return on ? "SET GLOBAL rpl_semi_sync_slave_enabled = ON"
            : "SET GLOBAL rpl_semi_sync_slave_enabled = OFF";
}

}  // namespace mysqlop::mysql
