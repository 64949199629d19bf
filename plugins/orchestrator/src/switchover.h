#pragma once

// Planned switchover (issue 12 item 5, README "Planned switchover"): hand the master role of a
// healthy cluster to one of its replicas with no acknowledged write lost and writes refused for
// as short a time as possible. One implementation for the standalone engine and for Kubernetes:
// planSwitchover decides (pure, over the engine's ClusterView), runSwitchover acts (SQL against
// the servers, through the same Connector and ActSettings as a recovery).

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugins/orchestrator/src/analysis.h"
#include "plugins/orchestrator/src/recovery.h"

namespace mysqlop::orchestrator {

// The annotation on a MysqlCluster that asks for a switchover: a pod name or "auto".
inline constexpr const char* kSwitchoverAnnotation = "mysql.presslabs.org/switchover";
inline constexpr const char* kEventSwitchover = "MasterSwitchover";              // Normal
inline constexpr const char* kEventSwitchoverFailed = "MasterSwitchoverFailed";  // Warning

struct SwitchoverPlan {
  std::string master;                // the current master ("host:port")
  std::string target;                // the replica that takes over ("" when refused)
  std::vector<std::string> repoint;  // the master's other answering replicas
  // Refusal: "" when the plan can run. status is the HTTP answer of the refusal: 400 for a bad
  // target (the request is wrong), 409 for the cluster's state (read-only, no healthy master, no
  // replica that can take over).
  std::string error;
  int status = 0;
};

// Which node a requested target names: an exact id ("host:port"), else the nodes whose host is
// it, or whose host's first DNS label is it (a pod name: "<c>-mysql-1" names
// "<c>-mysql-1.mysql.<ns>:3306"). Empty when none does.
std::vector<std::string> matchTarget(const ClusterView& c, const std::string& requested);

// The plan of a switchover of cluster c to `requested` ("" or "auto": the best replica).
// Refusals, with their exact messages (unit-tested):
//   409 "cluster <n> is read-only: it is never switched over"
//   409 "cluster <n> has no healthy master to switch over from (<analysis>: <why>)"
//   400 "<to> is not a node of cluster <n> (nodes: <ids>)"
//   400 "<to> names more than one node of cluster <n>: <ids>"
//   400 "<id> is already the master of cluster <n>"
//   400 "<id> does not answer: <error>"
//   400 "<id> is not a replica of the master <m> (it replicates from <s>)" / "(it does not
//       replicate)"
//   400 "<id> is not a healthy replica: its IO thread is not running" / "its IO thread failed:
//       <Last_IO_Error>"
//   400 "<id> cannot be promoted: <candidate.h ineligibility>"
//   409 "no replica of <m> can take over: <id>: <why>; ..." (auto)
// The best replica (auto): a healthy, eligible replica of the master with the most received
// transactions (then the most applied, then the first in the cluster's host order).
SwitchoverPlan planSwitchover(const ClusterView& c, const Thresholds& t,
                              const std::string& requested);

struct SwitchoverSettings {
  // Step b: while writes still flow, how long to wait for the target to apply what the master
  // had when the switchover started (bounded; a target still behind then is tried anyway, and
  // step d decides).
  std::chrono::milliseconds catchUpWait{2000};
  // Step d: after the fence, how long the target may take to apply the master's final position
  // before the switchover is rolled back (seconds: MASTER_GTID_WAIT takes a decimal, the client
  // renders integers only).
  int finalWaitSeconds = 5;
};

struct SwitchoverResult {
  bool success = false;
  bool rolledBack = false;  // a failure after the fence was undone: the old master is writable
  std::string oldMaster;
  std::string newMaster;
  std::string finalGtid;  // the old master's gtid_binlog_pos after the fence
  // The old master replicates from the new one (set only with success): when false after a
  // success, the old master is read-only and outside the topology, and on Kubernetes the failover
  // step is told it was demoted (fenced, then rejoined or kept out).
  bool oldMasterRejoined = false;
  // From the fence of the old master (writes refused from here) to the new master's read_only=0
  // read back (writes accepted again); -1 when the old master was never fenced.
  double refusedMs = -1;
  double totalMs = 0;
  std::string error;  // "<step>: <error>" when !success
  std::vector<StepRecord> timeline;
};

// What a request for a switchover gets: 200 done, 400/409 refused by the plan (nothing changed),
// 409 busy ("a recovery of cluster <n> is running" / "a switchover of cluster <n> is already
// running"), 404 unknown cluster, 500 the act failed (result.error says at which step, and
// whether it was rolled back).
struct SwitchoverAnswer {
  int status = 200;
  std::string error;
  SwitchoverResult result;
};

// Runs a plan (which must have a target): a. re-checks on the target's own connection that it
// replicates from the master; b. bounded catch-up; c. fences the old master (client sessions of
// every user but the engine's killed first, so that a commit waiting for a semi-sync ack cannot
// block read_only=1; then read_only=1) and reads its gtid_binlog_pos; d. waits for the target to
// apply it; e. detaches the target, arms it as a semi-sync master when fencing, makes it writable
// and verifies, then rejoins the old master under it (gtid_slave_pos from its own binlog) and
// repoints the other replicas. A failure in c-e before the target is writable rolls back: the
// target replicates from the old master again and the old master is made writable again.
SwitchoverResult runSwitchover(
    const SwitchoverPlan& plan,
    const std::function<mysql::ReplicationSql(const std::string&)>& sqlFor,
    const Connector& connect, const ActSettings& act, const SwitchoverSettings& settings = {});

// The result as the HTTP route answers it: {"cluster", "success", "oldMaster", "newMaster",
// "refusedWritesMs", "durationMs", "rolledBack", "error", "timeline": [{"atMs", "step", "error"}]}.
nlohmann::json switchoverJson(const std::string& cluster, const SwitchoverResult& r);

}  // namespace mysqlop::orchestrator
