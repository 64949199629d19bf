#pragma once

// The failover engine on Kubernetes (README "Failover on Kubernetes"): one step of it inside the
// observer's pass over a MysqlCluster, after the probes and before node init and the read-only
// changes. It reuses the standalone engine's decide and act halves (analysis.h, candidate.h,
// recovery.h) over a view built from the pass's probes; what is Kubernetes here is only the
// input (pods, status.nodes, the operated Secret) and the output (Events, FailoverInProgress).
//
// State kept in memory per cluster (lost on an operator restart, see README gaps): when each node
// last answered, the old masters to fence and rejoin, the end of the block period.

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/flavor.h"
#include "plugins/orchestrator/src/engine_options.h"
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

// What the pass hands to a failover step: the pods' endpoints and flavors by ordinal, and the
// operated credentials.
struct FailoverInputs {
  std::map<int, mysql::Endpoint> endpoints;
  std::map<int, mysql::Flavor> flavors;
  mysql::Credentials operatorUser;
  mysql::Credentials replicationUser;
  std::chrono::seconds connectTimeout{1};
};

class KubeFailover {
 public:
  using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;
  KubeFailover(EngineOptions options, LogFn log, RecoveryObserver onRecovery);

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

  // Forgets a deleted cluster.
  void forget(const std::string& clusterKey);

  // While the master of a cluster is suspect (silent, the grace or the replicas' view still
  // running: UnreachableMaster), the next pass should come this soon, not at the next poll;
  // nullopt otherwise (README "Detection in this path").
  std::optional<std::chrono::milliseconds> recheckAfter(const std::string& clusterKey);

 private:
  struct Memory {
    std::map<std::string, std::chrono::steady_clock::time_point> lastAnswered;  // by host
    struct Succession {
      std::string newMaster;   // "host:port"
      std::string promotedAt;  // the successor's received GTID position at its promotion
    };
    std::map<std::string, Succession> demoted;  // old master host -> its successor
    std::set<std::string> keptOut;              // old masters with errant transactions
    std::optional<std::chrono::steady_clock::time_point> blockedUntil;
    std::string lastAnalysis;
    bool blockLogged = false;  // RecoveryBlocked logged for the current analysis
    // The master host status.nodes named last (Master=True): the observer publishes Master
    // Unknown for a master it cannot reach, so after the first pass of an outage the status
    // names none.
    std::string master;
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
  bool recover(mysqlop::Call& call, const nlohmann::json& cluster, ClusterState& state,
               const FailoverInputs& in, Memory& m, const std::string& what);
  // Heartbeat period and semi-sync on a healthy cluster (semi_sync.h), only what differs.
  void arm(Memory& m, const ClusterState& state, const FailoverInputs& in,
           const std::string& masterHost, const std::string& what);

  EngineOptions options_;
  LogFn log_;
  RecoveryObserver onRecovery_;
  std::mutex mu_;  // memory_ itself; one pass per cluster runs at a time (the observer's lock)
  std::map<std::string, Memory> memory_;
};

}  // namespace mysqlop::orchestrator
