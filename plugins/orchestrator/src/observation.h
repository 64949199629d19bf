#pragma once

// What one poll learned about one node (orchestrator's Instance, reduced to what compat.md 3.3
// and 3.4 use). Produced by probe.cpp, consumed by the pure topology logic.

#include <map>
#include <optional>
#include <string>

namespace mysqlop::orchestrator {

struct Observation {
  std::string host;        // the pod FQDN <c>-mysql-<i>.mysql.<ns>, the node's name
  std::string address;     // the address it was probed at (the pod IP), "" when unresolved
  bool reachable = false;  // every probe statement answered
  std::string error;       // why not (connection or statement error), "" when reachable

  bool readOnly = false;
  std::string serverId;      // MariaDB server_id, MySQL server_uuid
  std::string gtidExecuted;  // MariaDB gtid_current_pos, MySQL gtid_executed
  std::string gtidSlavePos;  // MariaDB only
  long long uptimeSeconds = 0;
  bool configured = false;  // sys_operator.status configured=1

  bool hasSlaveStatus = false;  // SHOW SLAVE STATUS returned a row
  bool slaveIoRunning = false;
  bool slaveSqlRunning = false;
  std::string masterHost;  // Master_Host ("" when not a replica)
  std::string lastIoError;
  std::string lastSqlError;
  // Seconds of lag: the heartbeat drift when sys_operator.heartbeat has a row, else
  // Seconds_Behind_Master; nullopt when neither is known (orchestrator: SlaveLagSeconds invalid).
  std::optional<long long> lagSeconds;

  // (audit) How long the probe took (connect + statements), and what failed when it did:
  // credentials, resolve, connect, auth, query ("" when reachable). For the probe metrics.
  double probeSeconds = 0;
  std::string errorKind;

  // ---- Read by the failover engine's probe (gather.cpp); the observer's probe leaves them. ----
  std::string gtidBinlogPos;  // MariaDB gtid_binlog_pos (errant GTIDs)
  std::string gtidIoPos;      // SHOW SLAVE STATUS Gtid_IO_Pos: what the replica received
  int masterPort = 0;         // Master_Port
  // Slave_received_heartbeats (MariaDB status): moves while the master is idle and alive; -1
  // when unknown.
  long long receivedHeartbeats = -1;

  // ---- Read by the observer's probe too (hang detection and arming on Kubernetes) ----
  // selectReplicationState: VARIABLE_NAME (upper case) -> value. Empty when the server did not
  // answer it (the probe goes on without it).
  std::map<std::string, std::string> replicationState;
};

}  // namespace mysqlop::orchestrator
