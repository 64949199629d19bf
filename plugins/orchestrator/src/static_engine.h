#pragma once

// Standalone mode (issue 12 item 6): the failover engine over `staticClusters`, MySQL outside
// Kubernetes. Per cluster: one prober per host (gather.h) and one decide thread that analyses
// (analysis.h), plans (candidate.h) and acts (recovery.h), one recovery at a time, then blocks
// the cluster for recoveryPeriodBlockSeconds. It also arms the cluster once (heartbeats and, for
// fencing, semi-sync) and fences an old master whenever it answers again.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "plugins/orchestrator/src/analysis.h"
#include "plugins/orchestrator/src/engine_options.h"
#include "plugins/orchestrator/src/gather.h"
#include "plugins/orchestrator/src/recovery.h"
#include "plugins/orchestrator/src/switchover.h"

namespace mysqlop::orchestrator {

enum class LogLevel { Info, Warn, Error };
using EngineLog = std::function<void(LogLevel, const std::string&)>;

// What the engine did, kept for tests and handed to the RecoveryObserver (the audit store).
struct RecoveryRecord {
  std::string cluster;
  std::string analysis;  // the analysis code that triggered it
  std::string failedMaster;
  std::vector<std::string> lost;  // replicas left out (DetachLostReplicasAfterMasterFailover)
  RecoveryResult result;
  double detectedAfterSeconds = 0;  // from the master's first silence to the decision
  std::chrono::system_clock::time_point startedAt;  // when the recovery began acting
  // On Kubernetes: the recovery's id and uid in its cluster's Lease (what PendingFailoverAck, the
  // Event, the routes and the ack route show); 0 and "" for the standalone engine.
  std::int64_t id = 0;
  std::string uid{};  // (initialized: aggregate inits without it stay warning-free)
};

// Called on the deciding thread after every recovery, successful or not.
using RecoveryObserver = std::function<void(const RecoveryRecord&)>;

// A switchover as the audit keeps it: a recovery with analysis "switchover"
// (static_switchover.cpp).
RecoveryRecord switchoverRecord(const std::string& cluster, const SwitchoverResult& r,
                                std::chrono::system_clock::time_point startedAt);

class ClusterEngine {
 public:
  ClusterEngine(StaticCluster cluster, const EngineOptions& options, EngineLog log,
                RecoveryObserver onRecovery = {});
  ~ClusterEngine();
  ClusterEngine(const ClusterEngine&) = delete;
  ClusterEngine& operator=(const ClusterEngine&) = delete;

  void start();
  void stop();
  const std::string& name() const { return cluster_.name; }

  // Snapshots for tests.
  ClusterView view() const;
  std::vector<RecoveryRecord> recoveries() const;
  std::string lastAnalysis() const;
  bool armed() const;
  // Nodes demoted by a recovery and fenced since (read_only=1, client sessions killed).
  std::set<std::string> fenced() const;
  // Old masters that rejoined as replicas of their successor.
  std::set<std::string> rejoined() const;

  // Planned switchover to `to` ("" or "auto": the best replica; README "Planned switchover").
  // Runs on the decide thread between two ticks, so never alongside a recovery; waits for it.
  // (static_switchover.cpp)
  SwitchoverAnswer switchover(const std::string& to);
  void setSwitchoverSettings(const SwitchoverSettings& s) { switchoverSettings_ = s; }

 private:
  void decideLoop();
  void tick();
  void arm(const ClusterView& v, const Analysis& a);
  void fenceReturned(const ClusterView& v);
  void runPendingSwitchover();
  void setRecovering(bool on);
  mysql::SqlResult<std::unique_ptr<mysql::Connection>> connect(const std::string& id,
                                                               std::chrono::seconds readTimeout);
  mysql::ReplicationSql sqlFor(const std::string& id) const;

  StaticCluster cluster_;
  EngineOptions options_;
  EngineLog log_;
  RecoveryObserver onRecovery_;
  ActSettings act_;
  Thresholds thresholds_;
  std::vector<std::unique_ptr<NodeProber>> probers_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = true;
  bool wake_ = false;
  std::thread decide_;

  // Decide-thread state (read by the snapshots under mu_).
  std::string lastMaster_;
  std::string lastAnalysis_;
  bool armed_ = false;
  std::set<std::string> demoted_;  // old masters to fence when they answer
  std::set<std::string> fenced_;
  std::set<std::string> rejoined_;
  struct Succession {
    std::string newMaster;
    std::string promotedAt;  // the GTID position the successor was promoted at
  };
  std::map<std::string, Succession> successors_;  // old master -> its successor
  std::vector<RecoveryRecord> recoveries_;
  std::optional<std::chrono::steady_clock::time_point> blockedUntil_;
  bool blockLogged_ = false;

  // The switchover asked for and not answered yet (one at a time), and whether a recovery runs.
  struct PendingSwitchover {
    std::string to;
    bool done = false;
    SwitchoverAnswer answer;
  };
  std::shared_ptr<PendingSwitchover> switchover_;
  bool recovering_ = false;
  SwitchoverSettings switchoverSettings_;
};

class StaticEngine {
 public:
  StaticEngine(const EngineOptions& options, const EngineLog& log,
               const RecoveryObserver& onRecovery = {});
  void start();
  void stop();
  bool empty() const { return clusters_.empty(); }
  ClusterEngine* cluster(const std::string& name);
  // Every static cluster as its engine sees it now (the topology route).
  std::vector<ClusterView> views() const;

 private:
  std::vector<std::unique_ptr<ClusterEngine>> clusters_;
};

}  // namespace mysqlop::orchestrator
