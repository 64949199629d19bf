#pragma once

// The failover engine on Kubernetes (README "Failover on Kubernetes"): one step of it inside the
// observer's pass over a MysqlCluster, after the probes and before node init and the read-only
// changes. It reuses the standalone engine's decide and act halves (analysis.h, candidate.h,
// recovery.h) over a view built from the pass's probes; what is Kubernetes here is only the
// input (pods, status.nodes, the operated Secret) and the output (Events, FailoverInProgress).
//
// State per cluster: what matters for correctness across a leader change (the recovery in
// progress, the old masters to fence, the kept-out nodes, the block period, the recent recoveries
// and their ack) is persisted in a Lease per cluster (failover_lease.h, README "Engine state and
// leader takeover"); when each node last answered is this process's own.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "mysqlop/plugin.hpp"
#include "plugins/common/kube/conditions.h"
#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/flavor.h"
#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/engine_options.h"
#include "plugins/orchestrator/src/failover_state.h"
#include "plugins/orchestrator/src/heard.h"
#include "plugins/orchestrator/src/static_engine.h"
#include "plugins/orchestrator/src/topology.h"

namespace mysqlop::orchestrator {

// Events on the MysqlCluster (bitpoke's orchestrator hooks, compat.md 3.7).
inline constexpr const char* kEventFailureDetection = "OrcFailureDetection";      // Warning
inline constexpr const char* kEventPostMasterFailover = "OrcPostMasterFailover";  // Normal
inline constexpr const char* kEventPostUnsuccessfulFailover =
    "OrcPostUnsuccessfulFailover";  // Warning
inline constexpr const char* kReasonFailoverInProgress = "OrcFailoverInProgress";
// Events on the MysqlCluster when a returned old master was fenced: kept out (Warning, with the
// transactions its successor lacks) or rejoined under its successor (Normal).
inline constexpr const char* kEventOldMasterKeptOut = "OldMasterKeptOut";
inline constexpr const char* kEventOldMasterRejoined = "OldMasterRejoined";

// Warning Event on the MysqlCluster when a takeover drops a recorded recovery whose candidate
// never answered (README "Engine state and leader takeover").
inline constexpr const char* kEventTakeoverDropped = "OrcTakeoverDropped";

// FailoverInProgress=True OrcFailoverInProgress (bitpoke's orc-helper failover-in-progress),
// read-modify-write of the status with Conflict retried. "" or the failure.
std::string markFailoverInProgress(mysqlop::Call& call, const std::string& ns,
                                   const std::string& name, const std::string& message);

// What the pass hands to a failover step: the pods' endpoints and flavors by ordinal, and the
// operated credentials.
struct FailoverInputs {
  std::map<int, mysql::Endpoint> endpoints;
  std::map<int, mysql::Flavor> flavors;
  mysql::Credentials operatorUser;
  mysql::Credentials replicationUser;
  std::chrono::seconds connectTimeout{1};
};

// Called after an ack of a recovery was recorded in the Lease (auto or manual), with the
// cluster ("ns/name") and the recovery as acked: the audit store marks its rows.
using AckObserver = std::function<void(const std::string&, const RecentRecovery&)>;
// Called once per detection that is not recovered (blocked by recoveryPeriodBlockSeconds, or a
// read-only cluster): the audit store records it without a recovery.
using DetectionObserver = std::function<void(const Detection&)>;
// Warning Event on the MysqlCluster for such a detection (once per detection).
inline constexpr const char* kEventRecoveryBlocked = "OrcRecoveryBlocked";

class KubeFailover {
 public:
  using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;
  KubeFailover(EngineOptions options, LogFn log, RecoveryObserver onRecovery);

  // Set once, before the first pass.
  void setAckObserver(AckObserver onAck) { onAck_ = std::move(onAck); }
  void setDetectionObserver(DetectionObserver onDetection) {
    onDetection_ = std::move(onDetection);
  }

  // One step over a cluster whose nodes were just probed (state.nodes[].seen). Fences and
  // rejoins a returned old master, detects a dead master and recovers it. Returns true when it
  // changed the topology (the pass probes again). A node kept out (an old master with
  // transactions its successor lacks) is marked unreachable in `state` for the rest of the pass.
  bool step(mysqlop::Call& call, const nlohmann::json& cluster, ClusterState& state,
            const FailoverInputs& in);

  // Marks the kept-out nodes unreachable again after the pass probed them again.
  void hideKeptOut(ClusterState& state);

  // The master host this process knows for a cluster (status.nodes named it last, or a recovery
  // promoted it); "" when none. Node init joins it when status.nodes names no master.
  std::string lastMaster(const std::string& clusterKey);

  // A switchover made succession.newMaster the master but could not rejoin oldHost under it:
  // recorded in the Lease as demoted (fenceReturned fences it, then rejoins or keeps it out), and
  // the new master as the one the engine knows. Logged when the Lease cannot be read or written.
  void demotedBySwitchover(mysqlop::Call& call, const nlohmann::json& cluster,
                           const std::string& oldHost, const Succession& succession);

  // Forgets a deleted cluster.
  void forget(const std::string& clusterKey);

  // A recovery of the cluster is recorded in progress (a takeover waits or finishes): the pass
  // keeps FailoverInProgress=True even though the master answers.
  bool recoveryRecorded(const std::string& clusterKey);

  // While the master of a cluster is suspect (silent, the grace or the replicas' view still
  // running: UnreachableMaster), the next pass should come this soon, not at the next poll;
  // nullopt otherwise (README "Detection in this path").
  std::optional<std::chrono::milliseconds> recheckAfter(const std::string& clusterKey);

  // PendingFailoverAck for the pass's publish (README "PendingFailoverAck"): acks the recoveries
  // that are due (Ready=True for more than failoverAckSeconds; Event RecoveryAcked each), then
  // the condition listing the unacknowledged ones.
  kube::Condition pendingAck(mysqlop::Call& call, const nlohmann::json& cluster);

  // The manual ack (route ack-recovery): "" or the refusal ("no recovery <id> in cluster <c>",
  // "recovery <id> is already acknowledged", or the API's failure).
  std::string acknowledge(mysqlop::Call& call, const nlohmann::json& cluster, std::int64_t id,
                          const std::string& by);

 private:
  // A cluster's memory: what must survive a leader change is `st`, persisted in the cluster's
  // Lease (failover_lease.h) before and after every action; the rest is this process's view.
  struct Memory {
    FailoverState st;
    bool loaded = false;          // st was read from the Lease (again after a Conflict)
    std::string resourceVersion;  // of the Lease st was read from or written to; "" none yet
    std::map<std::string, std::chrono::steady_clock::time_point> lastAnswered;  // by host
    std::string lastAnalysis;
    bool blockLogged = false;    // RecoveryBlocked logged (Event, audit) for the current analysis
    std::string takeoverLogged;  // the last takeover line logged (a waiting one, once)
    // Since when this process has seen the recorded candidate (of the recovery with this uid)
    // not answer: the bound of takeoverWaitSeconds counts from here (a new leader starts anew).
    std::optional<std::chrono::steady_clock::time_point> candidateSilentSince;
    std::string candidateSilentUid;
    // (hang detection, heard.h) When each node answered, and each replica last heard from its
    // master, across passes.
    SilenceHistory history;
    bool suspect = false;  // the last step left the master UnreachableMaster: recheck soon
    // (semi_sync.h) The cluster's semi-sync choice at the last step, and the annotation warning
    // last published as an Event (once per distinct bad value, not once per pass).
    bool semiSync = false;
    std::string semiSyncWarned;
  };

  bool fenceReturned(mysqlop::Call& call, const nlohmann::json& cluster, Memory& m,
                     ClusterState& state, const FailoverInputs& in, const std::string& what);
  // A detection that is not recovered: log, Warning Event OrcRecoveryBlocked and the audit, once
  // per detection (m.blockLogged, reset when the analysis changes).
  void notRecovered(mysqlop::Call& call, const nlohmann::json& cluster, Memory& m,
                    const std::string& clusterKey, const std::string& code,
                    const std::string& master, const std::string& why, const std::string& what);
  bool recover(mysqlop::Call& call, const nlohmann::json& cluster, ClusterState& state,
               const FailoverInputs& in, Memory& m, const std::string& what);
  // Heartbeat period and semi-sync on a healthy cluster (semi_sync.h), only what differs.
  void arm(Memory& m, const ClusterState& state, const FailoverInputs& in,
           const std::string& masterHost, const std::string& what);
  // Reads the Lease into m (first pass of a cluster in this process, or after a Conflict).
  // false: it could not be read; the step then does nothing (it cannot know what is recorded).
  bool load(mysqlop::Call& call, const nlohmann::json& cluster, Memory& m, const std::string& what);
  // Writes m.st with the resourceVersion it was read at. false on a Conflict (another leader
  // wrote: m is read again at the next pass) or an API failure; both are logged.
  bool persist(mysqlop::Call& call, const nlohmann::json& cluster, Memory& m,
               const std::string& what);
  // A recovery in progress found in the persisted state (takeover.h): finished with its
  // recorded candidate. Returns true when it changed the topology.
  bool finishRecorded(mysqlop::Call& call, const nlohmann::json& cluster, ClusterState& state,
                      const FailoverInputs& in, Memory& m, const std::string& what);

  // The ack observer, for recovery `id` of st (after the Lease took its ack).
  void notifyAck(const std::string& key, const FailoverState& st, std::int64_t id);

  EngineOptions options_;
  LogFn log_;
  RecoveryObserver onRecovery_;
  AckObserver onAck_;
  DetectionObserver onDetection_;
  std::mutex mu_;  // memory_ itself; one pass per cluster runs at a time (the observer's lock)
  std::map<std::string, Memory> memory_;
};

}  // namespace mysqlop::orchestrator
