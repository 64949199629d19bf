#pragma once

// Act: the SQL of a recovery against real servers (README "Recovery plan", "THE FENCING
// DECISION"). Each step is checked and a failed step ends the recovery as failed with the step's
// error; nothing here decides anything (the plan comes from candidate.h).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/candidate.h"

namespace mysqlop::orchestrator {

// Opens an engine connection to a node ("host:port") whose statements may run readTimeout.
using Connector = std::function<mysql::SqlResult<std::unique_ptr<mysql::Connection>>(
    const std::string& id, std::chrono::seconds readTimeout)>;

struct ActSettings {
  std::string replicationUser;
  std::string replicationPassword;
  std::string engineUser;  // never killed when fencing
  int heartbeatMs = 200;   // MASTER_HEARTBEAT_PERIOD of every replica the engine points
  int promotionWaitSeconds = 10;
  bool semiSyncFencing = true;
};

struct StepRecord {
  double atSeconds = 0;  // since the recovery started
  std::string what;
  std::string error;  // "" when the step succeeded
};

struct RecoveryResult {
  bool success = false;
  // The candidate left the old master (RESET SLAVE ALL): from here on the old master is demoted,
  // and fenced when it returns, even if a later step failed.
  bool candidateDetached = false;
  std::string newMaster;
  std::string error;  // the failed step: "<step> on <node>: <error>"
  std::vector<StepRecord> timeline;
};

// Arms a replica: semi-sync replica side (when fencing), MASTER_HEARTBEAT_PERIOD, replication
// restarted (STOP SLAVE; CHANGE MASTER; START SLAVE).
mysql::SqlResult<void> armReplica(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                  const ActSettings& s);
// Arms a master: semi-sync AFTER_SYNC with no async fallback.
mysql::SqlResult<void> armMaster(mysql::Connection& conn);

// The candidate: waits until it applied waitGtid (error "its relay log was not applied within
// N s"), then STOP SLAVE; RESET SLAVE ALL.
mysql::SqlResult<void> detachCandidate(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                       const std::string& waitGtid, int waitSeconds);
// STOP SLAVE; CHANGE MASTER TO the new master (MASTER_USE_GTID=slave_pos); heartbeat; START SLAVE.
mysql::SqlResult<void> repointReplica(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                      const std::string& newMaster, const ActSettings& s);
// SET GLOBAL read_only=0, then reads @@read_only back: error "read_only is still 1 after SET
// GLOBAL read_only=0" when it did not take.
mysql::SqlResult<void> makeWritable(mysql::Connection& conn, const mysql::ReplicationSql& sql);
// Fences a node: kills every client session (the engine's own user's excepted), then sets
// read_only=1 with a short lock wait (it waits for commits in progress, which may be waiting
// for a semi-sync ack forever), up to 5 rounds. Returns the number of sessions killed.
mysql::SqlResult<int> fenceNode(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                const std::string& engineUser);

// A fenced old master with nothing beyond its successor's promotion position rejoins under it:
// semi-sync master side off, replica side on (fencing), gtid_slave_pos from its binlog, then
// repointReplica.
mysql::SqlResult<void> rejoinOldMaster(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                       const std::string& newMaster, const ActSettings& settings);

// The whole plan: detach the candidate, arm it as a master (fencing), repoint the others, make
// the candidate writable and verify. Lost replicas are not touched.
RecoveryResult runRecovery(const RecoveryPlan& plan, const mysql::ReplicationSql& sql,
                           const Connector& connect, const ActSettings& settings);

}  // namespace mysqlop::orchestrator
