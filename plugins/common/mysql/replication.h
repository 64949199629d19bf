#pragma once

// Every statement of node initialisation, read-only handling and probing (compat.md 3.3-3.5, 3.7),
// in the flavor's syntax. The orchestrator plugin builds no replication SQL of its own; unit tests
// pin every text per flavor and integration tests run the MariaDB ones against mariadbd.
//
// Differences that matter:
//   - joining a master: MySQL MASTER_AUTO_POSITION=1, MariaDB MASTER_USE_GTID=slave_pos;
//   - starting from a backup's GTID set: MySQL RESET MASTER + GTID_PURGED, MariaDB gtid_slave_pos
//     (a MariaDB clone has no binlog of its own to reset, and gtid_slave_pos is where a
//     slave_pos replica starts);
//   - read-only: MySQL has SUPER_READ_ONLY; MariaDB has only READ_ONLY, which since 10.11 also
//     blocks SUPER unless the account has READ_ONLY ADMIN (the sidecar grants it to the operator
//     and topology users), and never blocks the replication threads;
//   - GTID variables: MySQL server_uuid / gtid_executed, MariaDB server_id / gtid_current_pos.
// Values are `?` placeholders rendered by the client (client.h), never spliced.

#include <string>
#include <vector>

#include "plugins/common/mysql/flavor.h"

namespace mysqlop::mysql {

class ReplicationSql {
 public:
  explicit ReplicationSql(Flavor flavor) : flavor_(flavor) {}
  Flavor flavor() const { return flavor_; }

  // ---- Probing ----
  // One row: read_only, server_id (MySQL: the uuid), gtid_executed (MariaDB gtid_current_pos),
  // gtid_slave_pos (MySQL ''), super_read_only (MariaDB 0), uptime is separate (below).
  std::string selectVariables() const;
  // Two columns Variable_name, Value: the seconds since the server started.
  static std::string showUptime();
  // The replication status; columns read by name (slaveStatusColumns).
  static std::string showSlaveStatus();
  // bitpoke's orchestrator SlaveLagQuery: one column `drift`, the seconds since the newest
  // pt-heartbeat row.
  static std::string selectHeartbeatLag();
  // One row (value) when sys_operator.status has configured set; no row otherwise.
  static std::string selectConfigured();
  // The value of a sys_operator.status key (arg: name); no row when absent.
  static std::string selectStatusValue();

  // ---- Node initialisation (compat.md 3.5) ----
  // First statement of every init session (bitpoke prefixes each statement with it).
  static std::string disableBinlog();
  // read_only on before anything else (MySQL: with super_read_only off until finishing()).
  std::vector<std::string> beginInit() const;
  // The last statements of an init: MySQL turns super_read_only back on; MariaDB nothing.
  std::vector<std::string> finishInit() const;
  // Starts from a clone's GTID set (arg: the set), recording it as set_gtid_purged so that it
  // is done once. Each vector entry is one statement; run them in order on one session.
  std::vector<std::string> applyBackupGtid() const;
  static std::string stopSlave();
  static std::string startSlave();
  // CHANGE MASTER TO ... (args: host, user, password).
  std::string changeMaster() const;
  // MySQL bug 83713: when START SLAVE fails after CHANGE MASTER (a relay log left by a clone).
  static std::vector<std::string> startSlaveRetry();
  static std::string markConfigured();

  // ---- Read-only handling (compat.md 3.4) ----
  std::vector<std::string> setReadOnly(bool readOnly) const;

  // ---- The failover engine (plugins/orchestrator README "Recovery") ----
  // One row: the columns of selectVariables plus gtid_binlog_pos (MySQL '') and heartbeats
  // (MariaDB Slave_received_heartbeats; MySQL NULL).
  std::string selectEngineProbe() const;
  // One row, column `pos`: what a master has written (MariaDB gtid_binlog_pos, MySQL
  // gtid_executed); a switchover waits for its target to apply it.
  std::string selectBinlogPos() const;
  // One row, column `read_only`: re-read after making a node writable.
  static std::string selectReadOnly();
  // One row, column `waited`: 0 once the GTID set (arg 1) is applied, else -1 (MariaDB) / 1
  // (MySQL) after the timeout (arg 2, integer seconds).
  std::string waitForGtid() const;
  // True when the value of waitForGtid's `waited` column means applied.
  static bool gtidWaitSucceeded(const std::string& waited) { return waited == "0"; }
  static std::string resetSlaveAll();
  // The processlist ids of the replication IO thread (column ID). A recovery kills it before
  // STOP SLAVE: MariaDB's semi-sync replica's STOP SLAVE first connects to the old master to kill
  // its dump thread, which takes seconds when that master is hung; a KILL does not.
  std::string selectIoThread() const;
  // CHANGE MASTER TO another master (args: host, port (integer), user, password).
  std::string changeMasterTo() const;
  // CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=<ms/1000> (the replication threads must be stopped).
  static std::string setHeartbeatPeriod(int milliseconds);
  // Semi-sync AFTER_SYNC with no fallback to async (the fencing mechanism): the master side.
  // The timeout is the largest value (2^32-1 ms) and wait_no_slave is ON, so that a master
  // without a replica never completes a commit. Enabled last, after its settings.
  static std::vector<std::string> armSemiSyncMaster();
  // The replica side (takes effect when the IO thread starts next).
  static std::vector<std::string> armSemiSyncReplica();
  // Turns the master side of semi-sync off: only on a fenced old master that rejoins as a
  // replica with nothing beyond its successor's position (else it would acknowledge the commits
  // that wait there).
  static std::vector<std::string> disarmSemiSyncMaster();
  // Where a former master starts replicating from: MariaDB sets gtid_slave_pos to its binlog
  // position (its own transactions as a master); MySQL nothing (auto-position).
  std::vector<std::string> rejoinPosition() const;
  // Ids of the client sessions to kill when fencing (arg: the engine's own user): every session
  // but this one, the engine's, the server's own threads and replicas' binlog dumps.
  static std::string selectClientSessions();
  // KILL CONNECTION <arg: id>.
  static std::string killConnection();
  // A short lock wait for SET GLOBAL read_only=1 (which waits for commits in progress).
  static std::string shortLockWait();

  // ---- Hang detection and semi-sync arming on Kubernetes (plugins/orchestrator README) ----
  // Two columns VARIABLE_NAME (upper case), VARIABLE_VALUE: the replica's received heartbeats and
  // heartbeat period, the semi-sync status and variables. Read by the observer's probe of every
  // node, so that the engine decides arming without another round trip. A variable the server
  // lacks is simply absent (MySQL without the semi-sync plugin).
  std::string selectReplicationState() const;
  // The semi-sync settings one by one, so that arming sets only those that differ; the master
  // side's switch is rpl_semi_sync_master_enabled (set last when arming, first when disarming).
  static std::string setSemiSyncWaitPoint();      // AFTER_SYNC
  static std::string setSemiSyncNoFallback();     // timeout 2^32-1 ms
  static std::string setSemiSyncWaitNoSlave();    // ON
  static std::string setSemiSyncMaster(bool on);  // rpl_semi_sync_master_enabled
  static std::string setSemiSyncSlave(bool on);   // rpl_semi_sync_slave_enabled

 private:
  Flavor flavor_;
};

}  // namespace mysqlop::mysql
