#pragma once

// One pass over one cluster (README.md): read the cluster, its pods and the operated Secret;
// probe the nodes in parallel; initialise the pods that need it; apply the read-only changes;
// publish status.nodes. Called by the host's reconcile workers (cluster and pod changes) and by
// the service's own poller; one pass per cluster at a time (a per-cluster lock), clusters in
// parallel.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/pool.h"
#include "plugins/orchestrator/src/engine_options.h"
#include "plugins/orchestrator/src/kube_failover.h"
#include "plugins/orchestrator/src/kube_switchover.h"
#include "plugins/orchestrator/src/options.h"
#include "plugins/orchestrator/src/snapshot.h"
#include "plugins/orchestrator/src/topology.h"

namespace mysqlop::orchestrator {

using ClusterKey = std::pair<std::string, std::string>;  // namespace, name

// What a pass saw, for metrics.
struct PassReport {
  bool ran = false;  // false: the cluster is gone, or another pass of it was running
  double seconds = 0;
  std::map<std::string, int> nodesByState;  // master, replica, lagged, stopped, unreachable
  // (audit) What this pass saw, and the cluster's previous pass (null for its first).
  std::shared_ptr<ClusterSnapshot> snapshot;
  std::shared_ptr<const ClusterSnapshot> previous;
};

// Events on the cluster (Warning).
inline constexpr const char* kNodeInitFailed = "NodeInitializationFailed";
inline constexpr const char* kReadOnlyFailed = "ReadOnlyChangeFailed";
inline constexpr const char* kSecretFailed = "OperatedSecretMissing";
// The pod condition of node initialisation (compat.md 3.5).
inline constexpr const char* kNodeInitialized = "mysql.presslabs.org/NodeInitialized";
// How long the operated credentials read from the Secret are reused.
inline constexpr std::chrono::seconds kSecretTtl{30};
// A pod whose init failed is tried again after this long (or at the next poll, if later).
inline constexpr std::chrono::seconds kInitRetryAfter{1};
// Read/write timeout of a probe's statements (they are a few cheap SELECTs).
inline constexpr std::chrono::seconds kProbeReadTimeout{2};

class Observer {
 public:
  using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;
  Observer(Options options, LogFn log);

  // Runs a pass; with wait false, returns at once (ran false) when one is already running.
  mysqlop::Outcome pass(mysqlop::Call& call, const ClusterKey& key, bool wait,
                        PassReport* report = nullptr);
  // Clusters seen by a pass and not deleted since.
  std::vector<ClusterKey> knownClusters() const;
  const Options& options() const { return options_; }
  // Turns on the failover engine in the passes (README "Failover on Kubernetes"); before the
  // first pass. Without it the observer never changes which node is the master.
  void enableFailover(EngineOptions options, RecoveryObserver onRecovery);
  // After enableFailover: what marks an acked recovery in the audit store.
  void setAckObserver(AckObserver onAck) {
    if (failover_) {
      failover_->setAckObserver(std::move(onAck));
    }
  }
  // After enableFailover: what records a detection that was not recovered.
  void setDetectionObserver(DetectionObserver onDetection) {
    if (failover_) {
      failover_->setDetectionObserver(std::move(onDetection));
    }
  }
  // The manual ack of recovery `id` (README "PendingFailoverAck"), under the cluster's pass
  // lock: {200, ""} or {code, message}: 404 "no MysqlCluster <ns>/<c>", 404 "no recovery <id> in
  // cluster <ns>/<c>", 409 "recovery <id> is already acknowledged", 503 when the failover engine
  // is off or the state cannot be read or written.
  std::pair<int, std::string> acknowledge(mysqlop::Call& call, const ClusterKey& key,
                                          std::int64_t id, const std::string& by);
  // The planned switchover step (kube_switchover.h), enabled with the failover; null before.
  KubeSwitchover* switchover() { return switchover_.get(); }
  // (audit) The last pass of every known cluster, in key order (the topology route).
  std::vector<std::shared_ptr<const ClusterSnapshot>> snapshots() const;

 private:
  struct Secrets;
  std::shared_ptr<std::mutex> lockOf(const ClusterKey& key);
  void forget(const ClusterKey& key);
  mysqlop::Outcome run(mysqlop::Call& call, const ClusterKey& key, PassReport* report);
  void remember(const ClusterKey& key, PassReport* report);  // (audit)

  Options options_;
  LogFn log_;
  mysql::ConnectionPool pool_;
  mutable std::mutex mu_;
  std::set<ClusterKey> known_;
  std::map<ClusterKey, std::shared_ptr<std::mutex>> locks_;
  // Pods (namespace/name) whose last init failed, and when: a pod watch event arrives several
  // times a second while a server starts, and each would otherwise be an attempt and an Event.
  std::map<std::string, std::chrono::steady_clock::time_point> failedInit_;
  // The operated credentials of each cluster, read at most every kSecretTtl: the Secret is not
  // watched, so every read is an API request, and it only changes when someone edits it.
  struct CachedSecrets {
    mysql::Credentials operatorUser, replicationUser;
    std::chrono::steady_clock::time_point at;
  };
  std::map<ClusterKey, CachedSecrets> secrets_;
  // (audit) The last pass of each known cluster.
  std::map<ClusterKey, std::shared_ptr<const ClusterSnapshot>> snapshots_;
  std::unique_ptr<KubeFailover> failover_;  // null: observer only
  // MASTER_HEARTBEAT_PERIOD node init sets (the engine's replicaHeartbeatSeconds; 0 without it).
  int initHeartbeatMs_ = 0;
  // The probes' own connections, with short reads (kProbeReadTimeout): a hung server (SIGSTOP,
  // a partition) must cost a pass seconds, not queryTimeout (README "Detection in this path").
  // pool_ keeps queryTimeout for the read-only changes.
  mysql::ConnectionPool probePool_;
  std::unique_ptr<KubeSwitchover> switchover_;
};

}  // namespace mysqlop::orchestrator
