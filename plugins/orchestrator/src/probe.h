#pragma once

// Probing one node, and the SQL the observer runs on a node: initialisation (compat.md 3.5) and
// read-only changes (3.4). Each takes an open connection; the caller owns connecting, so that a
// dead node costs exactly one connect timeout.

#include <string>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/common/mysql/result.h"
#include "plugins/orchestrator/src/observation.h"

namespace mysqlop::orchestrator {

// Fills every field of an Observation but host. On a failed statement the observation is
// unreachable with an error naming what was being read: "reading SHOW SLAVE STATUS: <error>".
// A missing sys_operator.heartbeat (no pt-heartbeat yet) or sys_operator.status is not an error:
// the lag falls back to Seconds_Behind_Master and configured is false.
Observation probeNode(mysql::Connection& conn, const mysql::ReplicationSql& sql);

struct InitParams {
  std::string self;        // this node's FQDN
  std::string masterHost;  // the master's FQDN; == self for the master itself
  std::string replicationUser;
  std::string replicationPassword;
  // MASTER_HEARTBEAT_PERIOD set after CHANGE MASTER (0: the server's default, slave_net_timeout/2).
  int heartbeatMs = 0;
};

struct InitResult {
  bool skipped = false;       // configured was already 1: nothing was run
  bool retried83713 = false;  // START SLAVE failed and the bug-83713 sequence ran
  bool appliedBackupGtid = false;
};

// Initialises a node as bitpoke's node controller does, on a session with SQL_LOG_BIN=0. Errors
// say which step failed: "setting read_only: ...", "reading sys_operator.status: ...",
// "applying the backup's GTID set <set>: ...", "stopping replication: ...",
// "CHANGE MASTER TO <master>: ...", "starting replication from <master>: ... (after the MySQL bug
// 83713 retry: ...)", "marking the node configured: ...".
mysql::SqlResult<InitResult> initNode(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                      const InitParams& params);

// Sets read_only (and super_read_only on MySQL). Error: "setting read_only=<0|1>: ...".
mysql::SqlResult<void> setReadOnly(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                   bool readOnly);

}  // namespace mysqlop::orchestrator
