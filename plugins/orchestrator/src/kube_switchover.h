#pragma once

// Planned switchover on Kubernetes (README "Planned switchover"): one step of the observer's pass
// over a MysqlCluster, before the failover step, so that it runs under the cluster's pass lock
// (never alongside a recovery of the same cluster). Three triggers:
//   - the annotation mysql.presslabs.org/switchover: "<pod>" | "auto" (removed afterwards, with a
//     MasterSwitchover / MasterSwitchoverFailed Event);
//   - the master pod has a deletionTimestamp (bitpoke's preStop, --failover-before-shutdown)
//     while the cluster itself is not being deleted;
//   - a request of the HTTP route (request() waits for the pass that runs it).
// The decide and act halves are switchover.h's, as in the standalone engine.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/engine_options.h"
#include "plugins/orchestrator/src/kube_failover.h"
#include "plugins/orchestrator/src/static_engine.h"
#include "plugins/orchestrator/src/switchover.h"
#include "plugins/orchestrator/src/topology.h"

namespace mysqlop::orchestrator {

// What the annotation's value asks for: "" when it is fine, else the refusal (Event text).
// Accepted: "auto" or a pod name of the cluster ("<c>-mysql-<i>", i < replicas).
std::string badSwitchoverAnnotation(const std::string& value, const std::string& cluster,
                                    int replicas);

class KubeSwitchover {
 public:
  using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;
  KubeSwitchover(EngineOptions options, LogFn log, RecoveryObserver onRecovery);

  // Called when a switchover succeeded but the old master could not be rejoined under the new
  // one: (call, the MysqlCluster, the old master's host, its successor) -> the failover step
  // records it as demoted (KubeFailover::demotedBySwitchover). Set once, before the first pass.
  using DemotedFn = std::function<void(mysqlop::Call&, const nlohmann::json&, const std::string&,
                                       const Succession&)>;
  void setDemoted(DemotedFn onDemoted) { onDemoted_ = std::move(onDemoted); }

  // One step; true when the topology changed (the pass probes again).
  bool step(mysqlop::Call& call, const nlohmann::json& cluster, ClusterState& state,
            const FailoverInputs& in);

  // The HTTP route: queues a switchover of `key` ("ns/name") to `to`, calls wakePass (which
  // queues a pass of the cluster) and waits up to `timeout` for the pass to answer.
  SwitchoverAnswer request(const std::string& key, const std::string& to,
                           const std::function<void()>& wakePass, std::chrono::seconds timeout);

 private:
  struct Pending {
    std::string to;
    bool done = false;
    SwitchoverAnswer answer;
  };
  // Plans and runs one switchover over a fresh engine probe of every node (the deleting master
  // included: its pod keeps its IP until it is gone).
  SwitchoverAnswer run(mysqlop::Call& call, const nlohmann::json& cluster, ClusterState& state,
                       const FailoverInputs& in, const std::string& to, const std::string& why);

  EngineOptions options_;
  LogFn log_;
  RecoveryObserver onRecovery_;
  DemotedFn onDemoted_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Pending>> pending_;  // by cluster key
  // Master hosts whose deletion was handled (switched, or refused and logged once).
  std::set<std::string> deletionHandled_;
};

}  // namespace mysqlop::orchestrator
