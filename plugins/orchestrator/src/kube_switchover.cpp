#include "plugins/orchestrator/src/kube_switchover.h"

#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "plugins/common/kube/events.h"
#include "plugins/common/kube/resources.h"
#include "plugins/orchestrator/src/gather.h"

namespace mysqlop::orchestrator {

using nlohmann::json;

namespace kswo {

constexpr int kPort = 3306;
constexpr std::chrono::milliseconds kDeletionSettle{1000};

std::string annotationOf(const json& cluster) {
  const json meta = cluster.value("metadata", json::object());
  const json ann = meta.is_object() ? meta.value("annotations", json::object()) : json::object();
  if (!ann.is_object() || !ann.contains(kSwitchoverAnnotation)) {
    return {};
  }
  const json& v = ann[kSwitchoverAnnotation];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

bool hasAnnotation(const json& cluster) {
  const json meta = cluster.value("metadata", json::object());
  const json ann = meta.is_object() ? meta.value("annotations", json::object()) : json::object();
  return ann.is_object() && ann.contains(kSwitchoverAnnotation);
}

bool clusterDeleting(const json& cluster) {
  const json meta = cluster.value("metadata", json::object());
  return meta.is_object() && meta.contains("deletionTimestamp") &&
         !meta["deletionTimestamp"].is_null();
}

// A JSON merge patch of metadata only: the annotation goes, nothing else is touched.
std::string removeAnnotation(mysqlop::Call& call, const ClusterState& s) {
  const json patch = {{"metadata", {{"annotations", {{kSwitchoverAnnotation, nullptr}}}}}};
  mysqlop::Reply r =
      call.patch(kube::res::kMysqlCluster, s.ns, s.name, mysqlop_patch_Merge, patch.dump());
  return r.ok() || r.notFound() ? std::string() : r.error;
}

}  // namespace kswo

std::string badSwitchoverAnnotation(const std::string& value, const std::string& cluster,
                                    int replicas) {
  if (value == "auto") {
    return {};
  }
  for (int i = 0; i < replicas; ++i) {
    if (value == podName(cluster, i)) {
      return {};
    }
  }
  return "annotation " + std::string(kSwitchoverAnnotation) + ": \"" + value +
         "\" is neither \"auto\" nor a pod of the cluster (" + podName(cluster, 0) + " .. " +
         podName(cluster, replicas > 0 ? replicas - 1 : 0) + ")";
}

KubeSwitchover::KubeSwitchover(EngineOptions options, LogFn log, RecoveryObserver onRecovery)
    : options_(std::move(options)), log_(std::move(log)), onRecovery_(std::move(onRecovery)) {}

SwitchoverAnswer KubeSwitchover::request(const std::string& key, const std::string& to,
                                         const std::function<void()>& wakePass,
                                         std::chrono::seconds timeout) {
  auto p = std::make_shared<Pending>();
  p->to = to;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.count(key)) {
      return {409, "a switchover of cluster " + key + " is already running", {}};
    }
    pending_[key] = p;
  }
  wakePass();
  std::unique_lock<std::mutex> lock(mu_);
  const bool done = cv_.wait_for(lock, timeout, [&] { return p->done; });
  pending_.erase(key);
  if (!done) {
    return {504,
            "no pass of cluster " + key + " ran the switchover within " +
                std::to_string(timeout.count()) + " s",
            {}};
  }
  return p->answer;
}

bool KubeSwitchover::step(mysqlop::Call& call, const json& cluster, ClusterState& state,
                          const FailoverInputs& in) {
  const std::string key = state.ns + "/" + state.name;
  const std::string what = "MysqlCluster " + key;
  std::shared_ptr<Pending> asked;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(key);
    if (it != pending_.end() && !it->second->done) {
      asked = it->second;
    }
  }
  const bool annotated = kswo::hasAnnotation(cluster);
  bool anyDeleting = false;
  for (const Node& n : state.nodes) {
    anyDeleting = anyDeleting || (n.podState.exists && n.podState.deleting);
  }
  const bool deletionTrigger = anyDeleting && !kswo::clusterDeleting(cluster);
  if (!asked && !annotated && !deletionTrigger) {
    return false;
  }
  bool changed = false;
  if (asked) {
    SwitchoverAnswer a = run(call, cluster, state, in, asked->to, "requested over HTTP");
    changed = changed || a.result.success;
    if (a.result.success) {
      kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventSwitchover,
                        "switchover " + a.result.oldMaster + " -> " + a.result.newMaster +
                            " (requested over HTTP), writes refused for " +
                            std::to_string(static_cast<long long>(a.result.refusedMs)) + " ms");
    } else if (a.status == 500) {
      kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventSwitchoverFailed, a.error);
    }
    std::lock_guard<std::mutex> lock(mu_);
    asked->answer = std::move(a);
    asked->done = true;
    cv_.notify_all();
  }
  if (annotated && !changed) {
    const std::string value = kswo::annotationOf(cluster);
    if (std::string bad = badSwitchoverAnnotation(value, state.name, state.replicas);
        !bad.empty()) {
      kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventSwitchoverFailed, bad);
      log_(mysqlop_log_Warn, what + ": " + bad);
    } else {
      SwitchoverAnswer a = run(call, cluster, state, in, value, "annotation " + value);
      changed = a.result.success;
      if (a.result.success) {
        kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventSwitchover,
                          "switchover " + a.result.oldMaster + " -> " + a.result.newMaster +
                              " (annotation), writes refused for " +
                              std::to_string(static_cast<long long>(a.result.refusedMs)) + " ms");
      } else {
        kube::recordEvent(
            call, cluster, mysqlop_event_Warning, kEventSwitchoverFailed,
            "annotation " + std::string(kSwitchoverAnnotation) + ": \"" + value + "\": " + a.error);
      }
    }
    if (std::string e = kswo::removeAnnotation(call, state); !e.empty()) {
      log_(mysqlop_log_Warn,
           what + ": removing the annotation " + std::string(kSwitchoverAnnotation) + ": " + e);
    }
  }
  {
    // A pod that is not being deleted (again) may be handed over at its next deletion.
    std::lock_guard<std::mutex> lock(mu_);
    for (const Node& n : state.nodes) {
      if (n.podState.exists && !n.podState.deleting) {
        deletionHandled_.erase(n.host + ":" + std::to_string(kswo::kPort));
      }
    }
  }
  if (deletionTrigger && !changed) {
    // Only the master's deletion matters; run() tells (204) when a deleting pod is not the
    // master's. Each deletion is handled once. A pod no replica names as its source and that
    // status.nodes does not name master is a replica's: skipped without the settle below.
    std::set<std::string> masters;
    for (const Node& n : state.nodes) {
      if (n.seen && n.seen->reachable && n.seen->hasSlaveStatus && !n.seen->masterHost.empty()) {
        masters.insert(n.seen->masterHost);
      }
    }
    for (const json& sn : state.statusNodes) {
      for (const json& c : sn.is_object() ? sn.value("conditions", json::array()) : json()) {
        if (c.is_object() && c.value("type", "") == "Master" && c.value("status", "") == "True") {
          masters.insert(sn.value("name", ""));
        }
      }
    }
    for (const Node& n : state.nodes) {
      if (!n.podState.exists || !n.podState.deleting || !masters.count(n.host)) {
        continue;
      }
      const std::string id = n.host + ":" + std::to_string(kswo::kPort);
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!deletionHandled_.insert(id).second) {
          continue;
        }
      }
      // `kubectl delete pods -l ...` deletes the pods one by one within a few hundred ms: let
      // such a burst show before choosing a target, so that the master is not handed to a pod
      // that goes next (the preStop script waits 25 s; this costs 1 s of it, no refused write).
      std::this_thread::sleep_for(kswo::kDeletionSettle);
      ClusterState now = state;
      for (Node& other : now.nodes) {
        mysqlop::Reply got = call.get(kube::res::kPod, state.ns, other.pod);
        const json pod = got.ok() ? json::parse(got.data, nullptr, false) : json();
        const json meta = pod.is_object() ? pod.value("metadata", json::object()) : json::object();
        if (got.notFound() || (meta.is_object() && meta.contains("deletionTimestamp") &&
                               !meta["deletionTimestamp"].is_null())) {
          other.podState.deleting = true;
        }
      }
      SwitchoverAnswer a =
          run(call, cluster, now, in, "auto", "the master pod " + n.pod + " is deleted");
      if (a.status == 204) {
        continue;
      }
      if (a.result.success) {
        changed = true;
        kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventSwitchover,
                          "switchover " + a.result.oldMaster + " -> " + a.result.newMaster +
                              " before the master pod " + n.pod + " stops, writes refused for " +
                              std::to_string(static_cast<long long>(a.result.refusedMs)) + " ms");
      } else {
        // Nothing to hand over to, or the act failed: the failover step takes over when the
        // server stops. Said once per deletion.
        kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventSwitchoverFailed,
                          "the master pod " + n.pod + " is deleted: " + a.error);
      }
      break;
    }
  }
  return changed;
}

SwitchoverAnswer KubeSwitchover::run(mysqlop::Call& call, const json& cluster, ClusterState& state,
                                     const FailoverInputs& in, const std::string& to,
                                     const std::string& why) {
  const std::string key = state.ns + "/" + state.name;
  // Endpoints: the pass's, plus the deleting pods' (the observer does not probe those).
  std::map<std::string, std::pair<mysql::Endpoint, mysql::Flavor>> byId;
  for (const Node& n : state.nodes) {
    const std::string id = n.host + ":" + std::to_string(kswo::kPort);
    auto fl = in.flavors.find(n.ordinal);
    const mysql::Flavor flavor = fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB;
    if (in.endpoints.count(n.ordinal)) {
      byId[id] = {in.endpoints.at(n.ordinal), flavor};
    } else if (n.podState.exists && n.podState.deleting) {
      mysql::Endpoint ep;
      if (call.resolveEndpoint(state.ns, state.name, n.pod, &ep.host, &ep.port) ==
          mysqlop_status_Ok) {
        byId[id] = {ep, flavor};
      }
    }
  }
  const mysql::Credentials as = in.operatorUser;
  const std::chrono::seconds connectTimeout = in.connectTimeout;
  Connector connect = [&byId, as, connectTimeout](const std::string& id, std::chrono::seconds t)
      -> mysql::SqlResult<std::unique_ptr<mysql::Connection>> {
    auto it = byId.find(id);
    if (it == byId.end()) {
      return mysql::SqlError{mysql::SqlError::Kind::Invalid, 0, "no endpoint for " + id};
    }
    return mysql::Connection::open(it->second.first, as, {connectTimeout, t, t});
  };
  // The engine's view, probed now in parallel.
  ClusterView view;
  view.name = key;
  view.readOnly = state.specReadOnly;
  std::vector<std::future<mysql::SqlResult<Observation>>> probes;
  for (const Node& n : state.nodes) {
    NodeView v;
    v.id = n.host + ":" + std::to_string(kswo::kPort);
    v.seen.host = n.host;
    view.nodes.push_back(v);
    if (!byId.count(v.id)) {
      probes.emplace_back();
      continue;
    }
    const auto target = byId.at(v.id);
    probes.push_back(std::async(std::launch::async, [target, &connect, id = v.id] {
      auto c = connect(id, std::chrono::seconds(5));
      if (!c.ok()) {
        return mysql::SqlResult<Observation>(c.error());
      }
      return probeForEngine(**c, mysql::ReplicationSql(target.second));
    }));
  }
  for (std::size_t i = 0; i < probes.size(); ++i) {
    NodeView& v = view.nodes[i];
    if (!probes[i].valid()) {
      v.lastError = "no endpoint";
      continue;
    }
    auto seen = probes[i].get();
    if (seen.ok()) {
      v.seen = std::move(seen).value();
      v.seen.host = view.nodes[i].id.substr(0, view.nodes[i].id.rfind(':'));
      v.answering = true;
    } else {
      v.lastError = seen.error().message;
    }
  }
  // A pod being deleted is never a target (all pods deleted at once: nothing to hand over to);
  // only the master's own deleting pod stays in the view.
  const std::string current = findMaster(view);
  for (std::size_t i = 0; i < state.nodes.size(); ++i) {
    NodeView& v = view.nodes[i];
    if (state.nodes[i].podState.deleting && v.id != current && v.answering) {
      v.answering = false;
      v.lastError = "its pod " + state.nodes[i].pod + " is being deleted";
    }
  }
  Thresholds thresholds;
  thresholds.failureDetectionGraceSeconds = options_.failureDetectionGraceSeconds;
  thresholds.replicaLostSeconds = options_.replicaLostSeconds;
  SwitchoverPlan plan = planSwitchover(view, thresholds, to);
  // A deletion hands over only the master's pod.
  // (without a healthy master the failover step is in charge).
  if (why.rfind("the master pod ", 0) == 0) {
    const std::string pod = why.substr(15, why.find(' ', 15) - 15);
    if (plan.master.empty() || plan.master.rfind(pod + ".", 0) != 0) {
      return {204, "", {}};  // a replica's pod is deleted: nothing to hand over
    }
  }
  if (!plan.error.empty()) {
    log_(mysqlop_log_Warn,
         "MysqlCluster " + key + ": switchover (" + why + ") refused: " + plan.error);
    return {plan.status, plan.error, {}};
  }
  log_(mysqlop_log_Warn, "MysqlCluster " + key + ": switchover (" + why + ") from " + plan.master +
                             " to " + plan.target);
  ActSettings act;
  act.replicationUser = in.replicationUser.user;
  act.replicationPassword = in.replicationUser.password;
  act.engineUser = in.operatorUser.user;
  act.heartbeatMs = options_.replicaHeartbeatMs;
  act.semiSyncFencing = false;  // as the failover step: semi-sync is the standalone mode's
  const auto startedAt = std::chrono::system_clock::now();
  SwitchoverAnswer answer;
  answer.result = runSwitchover(
      plan,
      [&byId](const std::string& id) {
        auto it = byId.find(id);
        return mysql::ReplicationSql(it != byId.end() ? it->second.second : mysql::Flavor::MariaDB);
      },
      connect, act);
  for (const StepRecord& s : answer.result.timeline) {
    log_(s.error.empty() ? mysqlop_log_Info : mysqlop_log_Error,
         "MysqlCluster " + key + ": switchover +" + std::to_string(s.atSeconds) + " s " + s.what +
             (s.error.empty() ? "" : ": " + s.error));
  }
  if (!answer.result.success) {
    answer.status = 500;
    answer.error = answer.result.error;
  }
  if (answer.result.success && !answer.result.oldMasterRejoined) {
    // The old master is read-only but replicates from no one: left so, a restart of its
    // container (read_only=0 at start) would make it a second writable root. The failover step
    // fences it and rejoins it (or keeps it out) like a failed-over old master.
    log_(mysqlop_log_Warn, "MysqlCluster " + key + ": switchover: " + answer.result.oldMaster +
                               " did not rejoin under " + answer.result.newMaster +
                               "; the failover step treats it as a demoted old master");
    if (onDemoted_) {
      const std::string& old = answer.result.oldMaster;
      onDemoted_(call, cluster, old.substr(0, old.rfind(':')),
                 {answer.result.newMaster, answer.result.finalGtid});
    }
  }
  if (onRecovery_) {
    onRecovery_(switchoverRecord(key, answer.result, startedAt));
  }
  return answer;
}

}  // namespace mysqlop::orchestrator
