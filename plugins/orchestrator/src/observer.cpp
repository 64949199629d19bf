#include "plugins/orchestrator/src/observer.h"

#include <chrono>
#include <ctime>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>

#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/events.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/time.h"
#include "plugins/common/mysql/flavor.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/probe.h"

namespace mysqlop::orchestrator {

using nlohmann::json;
namespace res = mysqlop::kube::res;

struct Observer::Secrets {
  mysql::Credentials operatorUser;
  mysql::Credentials replicationUser;
  std::string error;  // why they could not be read ("" when read)
};

namespace {

constexpr int kStatusAttempts = 3;

mysql::PoolOptions poolOptions(const Options& o) {
  mysql::PoolOptions p;
  p.timeouts.connect = o.connectTimeout;
  p.timeouts.read = o.queryTimeout;
  p.timeouts.write = o.queryTimeout;
  p.maxIdlePerTarget = 1;
  // Every poll tries again: the connect timeout already bounds what a dead node costs.
  p.failFastFor = std::chrono::milliseconds(0);
  return p;
}

json objectAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : json::object();
}

// The ordinal of pod `name` of cluster c ("<c>-mysql-<digits>"), or -1.
int ordinalOf(const std::string& cluster, const std::string& name) {
  const std::string prefix = cluster + "-mysql-";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() ||
      name.size() > prefix.size() + 6) {
    return -1;
  }
  int v = 0;
  for (std::size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') {
      return -1;
    }
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

// Seconds since an RFC 3339 UTC time ("2026-12-03T07:34:33Z"), or -1 when it does not parse.
long long secondsSince(const std::string& rfc3339) {
  std::tm tm{};
  const char* end = ::strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) {
    return -1;
  }
  const std::time_t at = ::timegm(&tm);
  return static_cast<long long>(std::time(nullptr) - at);
}

PodState podStateOf(const json& pod) {
  PodState s;
  s.exists = true;
  const json meta = objectAt(pod, "metadata");
  s.deleting = meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
  const json status = objectAt(pod, "status");
  s.running = status.value("phase", "") == "Running";
  s.ready = kube::conditionStatus(status.value("conditions", json::array()), "Ready") == "True";
  for (const json& c : status.value("containerStatuses", json::array())) {
    const json state = c.is_object() ? c.value("state", json::object()) : json::object();
    const json running =
        state.is_object() ? state.value("running", json::object()) : json::object();
    if (running.is_object() && running.contains("startedAt") && running["startedAt"].is_string()) {
      const long long since = secondsSince(running["startedAt"].get<std::string>());
      if (since >= 0 && (s.runningSeconds < 0 || since < s.runningSeconds)) {
        s.runningSeconds = since;
      }
    }
  }
  return s;
}

mysql::Flavor flavorOf(const mysql::Connection& conn) {
  auto v = mysql::parseServerInfo(conn.serverInfo());
  return v.ok() ? v.version->flavor : mysql::Flavor::MySQL;
}

// Sets a condition on a pod's status (read-modify-write, Conflict retried); no write when it is
// already so. Returns the failure ("" when written or nothing to write); the next pass tries again.
std::string writePodCondition(mysqlop::Call& call, json pod, const kube::Condition& c) {
  const json meta = objectAt(pod, "metadata");
  for (int attempt = 0; attempt < kStatusAttempts; ++attempt) {
    json& st = pod["status"];
    if (!st.is_object()) {
      st = json::object();
    }
    if (!kube::setCondition(st["conditions"], c, kube::nowTime())) {
      return {};
    }
    mysqlop::Reply w = call.updateStatus(res::kPod, pod.dump());
    if (w.ok() || w.notFound()) {
      return {};
    }
    const std::string who = "writing " + c.type + " on pod " + meta.value("name", "") + ": ";
    if (w.status != mysqlop_status_Conflict) {
      return who + w.error;
    }
    mysqlop::Reply again = call.get(res::kPod, meta.value("namespace", ""), meta.value("name", ""));
    if (!again.ok()) {
      return who + again.error;
    }
    pod = json::parse(again.data, nullptr, false);
  }
  return "writing " + c.type + " on pod " + meta.value("name", "") + ": it kept changing";
}

}  // namespace

Observer::Observer(Options options, LogFn log)
    : options_(std::move(options)),
      log_(std::move(log)),
      pool_(poolOptions(options_)),
      probePool_([this] {
        mysql::PoolOptions p = poolOptions(options_);
        p.timeouts.read = std::min(options_.queryTimeout, kProbeReadTimeout);
        p.timeouts.write = p.timeouts.read;
        return p;
      }()) {}

std::shared_ptr<std::mutex> Observer::lockOf(const ClusterKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& m = locks_[key];
  if (!m) {
    m = std::make_shared<std::mutex>();
  }
  return m;
}

void Observer::enableFailover(EngineOptions options, RecoveryObserver onRecovery) {
  initHeartbeatMs_ = options.replicaHeartbeatMs;
  switchover_ = std::make_unique<KubeSwitchover>(options, log_, onRecovery);
  failover_ = std::make_unique<KubeFailover>(std::move(options), log_, std::move(onRecovery));
  switchover_->setDemoted([f = failover_.get()](mysqlop::Call& call, const json& cluster,
                                                const std::string& oldHost, const Succession& s) {
    f->demotedBySwitchover(call, cluster, oldHost, s);
  });
}

void Observer::forget(const ClusterKey& key) {
  if (failover_) {
    failover_->forget(key.first + "/" + key.second);
  }
  std::lock_guard<std::mutex> lock(mu_);
  known_.erase(key);
  snapshots_.erase(key);
  secrets_.erase(key);
  // Called by the pass that holds this key's lock and returns right after: a pass that starts
  // meanwhile gets a new lock, and the cluster is gone for both.
  locks_.erase(key);
  const std::string pods = key.first + "/" + key.second + "-mysql-";
  for (auto it = failedInit_.lower_bound(pods);
       it != failedInit_.end() && it->first.rfind(pods, 0) == 0;) {
    it = failedInit_.erase(it);
  }
}

// ---- (audit) the last pass of each cluster: the topology route and the node changes ----

void Observer::remember(const ClusterKey& key, PassReport* report) {
  if (!report->snapshot) {
    return;
  }
  report->snapshot->passSeconds = report->seconds;
  std::lock_guard<std::mutex> lock(mu_);
  if (!known_.count(key)) {
    return;  // forgotten meanwhile (deleted)
  }
  auto& slot = snapshots_[key];
  report->previous = slot;
  slot = report->snapshot;
}

std::vector<std::shared_ptr<const ClusterSnapshot>> Observer::snapshots() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const ClusterSnapshot>> out;
  for (const auto& [key, s] : snapshots_) {
    out.push_back(s);
  }
  return out;
}

std::pair<int, std::string> Observer::acknowledge(mysqlop::Call& call, const ClusterKey& key,
                                                  std::int64_t id, const std::string& by) {
  if (!failover_) {
    return {503, "the failover engine is not enabled"};
  }
  std::shared_ptr<std::mutex> m = lockOf(key);
  std::lock_guard<std::mutex> lock(*m);
  const std::string what = key.first + "/" + key.second;
  mysqlop::Reply got = call.get(res::kMysqlCluster, key.first, key.second);
  if (got.notFound()) {
    return {404, "no MysqlCluster " + what};
  }
  const json cluster = json::parse(got.data, nullptr, false);
  if (!got.ok() || !cluster.is_object()) {
    return {503, "reading MysqlCluster " + what + ": " + (got.ok() ? "not JSON" : got.error)};
  }
  const std::string refused = failover_->acknowledge(call, cluster, id, by);
  if (refused.empty()) {
    return {200, ""};
  }
  if (refused.rfind("no recovery ", 0) == 0) {
    return {404, refused};
  }
  return {refused.find("already acknowledged") != std::string::npos ? 409 : 503, refused};
}

std::vector<ClusterKey> Observer::knownClusters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {known_.begin(), known_.end()};
}

mysqlop::Outcome Observer::pass(mysqlop::Call& call, const ClusterKey& key, bool wait,
                                PassReport* report) {
  std::shared_ptr<std::mutex> m = lockOf(key);
  std::unique_lock<std::mutex> lock(*m, std::defer_lock);
  if (wait) {
    lock.lock();
  } else if (!lock.try_lock()) {
    return mysqlop::Outcome::done();
  }
  const auto started = std::chrono::steady_clock::now();
  PassReport local;
  if (!report) {
    report = &local;
  }
  mysqlop::Outcome o = run(call, key, report);
  if (report->ran) {
    report->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    remember(key, report);
  }
  return o;
}

mysqlop::Outcome Observer::run(mysqlop::Call& call, const ClusterKey& key, PassReport* report) {
  const std::string& ns = key.first;  // (not a structured binding: lambdas below capture them)
  const std::string& name = key.second;
  const std::string what = "MysqlCluster " + ns + "/" + name;
  mysqlop::Reply got = call.get(res::kMysqlCluster, ns, name);
  if (got.notFound()) {
    forget(key);
    return mysqlop::Outcome::done();
  }
  if (!got.ok()) {
    return mysqlop::Outcome::retry("reading " + what + ": " + got.error);
  }
  json cluster = json::parse(got.data, nullptr, false);
  if (!cluster.is_object()) {
    return mysqlop::Outcome::retry("reading " + what + ": the object is not JSON");
  }
  const json meta = objectAt(cluster, "metadata");
  if (meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null()) {
    forget(key);
    return mysqlop::Outcome::done();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    known_.insert(key);
  }

  ClusterState state;
  state.name = name;
  state.ns = ns;
  const json spec = objectAt(cluster, "spec");
  const json status = objectAt(cluster, "status");
  state.replicas = spec.contains("replicas") && spec["replicas"].is_number_integer()
                       ? spec["replicas"].get<int>()
                       : 1;
  state.specReadOnly = spec.value("readOnly", false);
  if (spec.contains("maxSlaveLatency") && spec["maxSlaveLatency"].is_number_integer()) {
    state.maxSlaveLatency = spec["maxSlaveLatency"].get<long long>();
  }
  state.statusNodes = status.value("nodes", json::array());
  state.failoverInProgress = kube::conditionStatus(status.value("conditions", json::array()),
                                                   "FailoverInProgress") == "True";

  // Pods of the cluster, by ordinal.
  mysqlop::Reply listed =
      call.list(res::kPod, ns, std::string("mysql.presslabs.org/cluster=") + name);
  if (!listed.ok()) {
    return mysqlop::Outcome::retry("listing the pods of " + what + ": " + listed.error);
  }
  std::map<int, json> pods;
  json podList = json::parse(listed.data, nullptr, false);
  if (!podList.is_array()) {
    podList = json::array();
  }
  for (const json& p : podList) {
    const int i = ordinalOf(name, objectAt(p, "metadata").value("name", ""));
    if (i >= 0) {
      pods[i] = p;
    }
  }
  for (int i = 0; i < state.replicas; ++i) {
    Node n;
    n.ordinal = i;
    n.pod = podName(name, i);
    n.host = podFqdn(name, i, ns);
    if (auto it = pods.find(i); it != pods.end()) {
      n.podState = podStateOf(it->second);
    }
    state.nodes.push_back(std::move(n));
  }

  // Credentials.
  Secrets secrets;
  const std::string secretName = name + "-mysql-operated";
  auto readKey = [&](const char* k, std::string* out) {
    if (!secrets.error.empty()) {
      return;
    }
    mysqlop::Reply r = call.readSecretValue(ns, secretName, std::string_view(k));
    if (r.notFound()) {
      secrets.error = r.error;  // "Secret <ns>/<name> not found" or "... has no key "<k>""
    } else if (!r.ok()) {
      secrets.error =
          "reading " + std::string(k) + " from Secret " + ns + "/" + secretName + ": " + r.error;
    } else if (r.data.empty()) {
      secrets.error = std::string(k) + " is empty in Secret " + ns + "/" + secretName;
    } else {
      *out = r.data;
    }
  };
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = secrets_.find(key);
    if (it != secrets_.end() && std::chrono::steady_clock::now() - it->second.at < kSecretTtl) {
      secrets.operatorUser = it->second.operatorUser;
      secrets.replicationUser = it->second.replicationUser;
      cached = true;
    }
  }
  if (!cached) {
    readKey("OPERATOR_USER", &secrets.operatorUser.user);
    readKey("OPERATOR_PASSWORD", &secrets.operatorUser.password);
    readKey("REPLICATION_USER", &secrets.replicationUser.user);
    readKey("REPLICATION_PASSWORD", &secrets.replicationUser.password);
    std::lock_guard<std::mutex> lock(mu_);
    if (secrets.error.empty()) {
      secrets_[key] = {secrets.operatorUser, secrets.replicationUser,
                       std::chrono::steady_clock::now()};
    } else {
      secrets_.erase(key);
    }
  }
  const bool anyPod = !pods.empty();
  if (!secrets.error.empty() && anyPod) {
    kube::recordEvent(call, cluster, mysqlop_event_Warning, kSecretFailed, secrets.error);
    log_(mysqlop_log_Warn, what + ": " + secrets.error);
  }
  // The operator user, not the topology user: the sidecar grants the topology user nothing on
  // sys_operator.status, and the probe must read `configured` (README.md, Credentials).
  const mysql::Credentials probeAs = secrets.operatorUser;
  const bool canProbe = secrets.error.empty();

  // Endpoints (on this thread: a Call is not thread-safe), then the probes in parallel.
  std::map<int, mysql::Endpoint> endpoints;
  for (Node& n : state.nodes) {
    if (!n.podState.exists || n.podState.deleting) {
      continue;
    }
    mysql::Endpoint ep;
    std::string error;
    if (call.resolveEndpoint(ns, name, n.pod, &ep.host, &ep.port, &error) != mysqlop_status_Ok) {
      n.seen = Observation{};
      n.seen->host = n.host;
      n.seen->error = "resolving the endpoint of pod " + n.pod + ": " + error;
      n.seen->errorKind = "resolve";
      continue;
    }
    endpoints[n.ordinal] = ep;
  }
  std::map<int, mysql::Flavor> flavors;
  auto probeOne = [&](int ordinal) {
    Observation o;
    o.host = state.nodes[static_cast<std::size_t>(ordinal)].host;
    if (!canProbe) {
      o.error = secrets.error;
      o.errorKind = "credentials";
      return std::make_pair(o, mysql::Flavor::MySQL);
    }
    const mysql::Endpoint& ep = endpoints.at(ordinal);
    o.address = ep.host;
    const auto probeStarted = std::chrono::steady_clock::now();  // (audit: probe latency)
    auto since = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - probeStarted).count();
    };
    auto lease = probePool_.acquire(ep, probeAs);
    if (!lease.ok()) {
      o.error = o.host + ": " + lease.error().message;  // "connecting to <ip:port> as <user>: ..."
      o.errorKind = lease.error().kind == mysql::SqlError::Kind::Auth ? "auth" : "connect";
      o.probeSeconds = since();
      return std::make_pair(o, mysql::Flavor::MySQL);
    }
    const mysql::Flavor flavor = flavorOf(**lease);
    Observation seen = probeNode(**lease, mysql::ReplicationSql(flavor));
    seen.host = o.host;
    seen.address = ep.host;
    seen.probeSeconds = since();
    if (!seen.reachable) {
      seen.errorKind = "query";
      lease->discard();
    }
    return std::make_pair(seen, flavor);
  };
  auto probeAll = [&](const std::vector<int>& ordinals) {
    std::vector<std::pair<int, std::future<std::pair<Observation, mysql::Flavor>>>> running;
    for (int i : ordinals) {
      if (endpoints.count(i)) {
        running.emplace_back(i, std::async(std::launch::async, probeOne, i));
      }
    }
    for (auto& [i, f] : running) {
      auto [seen, flavor] = f.get();
      state.nodes[static_cast<std::size_t>(i)].seen = std::move(seen);
      flavors[i] = flavor;
    }
  };
  std::vector<int> all;
  for (const Node& n : state.nodes) {
    all.push_back(n.ordinal);
  }
  probeAll(all);

  // The failover engine's step (kube_failover.h): before init (a rejoined old master is not
  // initialised again) and before the read-only changes (which see the new master).
  if (failover_ && canProbe) {
    const FailoverInputs in{endpoints, flavors, secrets.operatorUser, secrets.replicationUser,
                            options_.connectTimeout};
    // The planned switchover first (annotation, HTTP, a deleted master pod; kube_switchover.h):
    // it acts only on a healthy master, so the failover step then sees the new topology.
    if (switchover_ && switchover_->step(call, cluster, state, in)) {
      probeAll(all);
    }
    if (failover_->step(call, cluster, state, in)) {
      probeAll(all);
      failover_->hideKeptOut(state);
    }
  }

  // Node initialisation (compat.md 3.5), the SQL in parallel, the Kubernetes writes here.
  std::vector<int> toInit;
  {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    for (int i : nodesToInitialise(state)) {
      auto it = failedInit_.find(ns + "/" + podName(name, i));
      if (it == failedInit_.end() || now - it->second >= kInitRetryAfter) {
        toInit.push_back(i);
      }
    }
  }
  if (!toInit.empty()) {
    std::string master = masterForInit(state);
    // When every node was unreachable the status names no master (masterForInit falls back to
    // pod 0): the failover step still knows the last one, maybe promoted since pod 0 was.
    if (failover_) {
      bool named = false;
      for (const json& sn : state.statusNodes) {
        for (const json& c : sn.is_object() ? sn.value("conditions", json::array()) : json()) {
          named = named || (c.is_object() && c.value("type", "") == "Master" &&
                            c.value("status", "") == "True");
        }
      }
      if (std::string known = failover_->lastMaster(ns + "/" + name); !named && !known.empty()) {
        master = known;
      }
    }
    std::vector<std::pair<int, std::future<std::string>>> inits;
    for (int i : toInit) {
      const Node& n = state.nodes[static_cast<std::size_t>(i)];
      std::string early;
      if (!secrets.error.empty()) {
        early = secrets.error;
      } else if (!endpoints.count(i)) {
        early = n.seen ? n.seen->error : "pod " + n.pod + " has no endpoint";
      }
      if (!early.empty()) {
        std::promise<std::string> p;
        p.set_value(early);
        inits.emplace_back(i, p.get_future());
        continue;
      }
      const mysql::Endpoint ep = endpoints.at(i);
      const InitParams params{n.host, master, secrets.replicationUser.user,
                              secrets.replicationUser.password, initHeartbeatMs_};
      const mysql::Credentials as = secrets.operatorUser;
      mysql::Timeouts t{options_.connectTimeout, options_.queryTimeout, options_.queryTimeout};
      inits.emplace_back(i, std::async(std::launch::async, [ep, params, as, t, host = n.host]() {
                           auto conn = mysql::Connection::open(ep, as, t);
                           if (!conn.ok()) {
                             return host + ": " + conn.error().message;
                           }
                           const mysql::ReplicationSql sql(flavorOf(**conn));
                           auto r = initNode(**conn, sql, params);
                           return r.ok() ? std::string() : r.error().message;
                         }));
    }
    std::vector<int> done;
    for (auto& [i, f] : inits) {
      const std::string error = f.get();
      const Node& n = state.nodes[static_cast<std::size_t>(i)];
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (error.empty()) {
          failedInit_.erase(ns + "/" + n.pod);
        } else {
          failedInit_[ns + "/" + n.pod] = std::chrono::steady_clock::now();
        }
      }
      if (!error.empty()) {
        log_(mysqlop_log_Warn, what + ": initialising " + n.pod + ": " + error);
        kube::recordEvent(call, cluster, mysqlop_event_Warning, kNodeInitFailed,
                          "pod " + n.pod + ": " + error);
        if (std::string w = writePodCondition(
                call, pods[i], {kNodeInitialized, "False", "mysqlInitializationFailed", error});
            !w.empty()) {
          log_(mysqlop_log_Warn, what + ": " + w);
        }
      } else {
        log_(mysqlop_log_Info, what + ": initialised " + n.pod + " (master " + master + ")");
        done.push_back(i);
        state.nodes[static_cast<std::size_t>(i)].initialisedThisPass = true;
      }
    }
    probeAll(done);
  }
  // NodeInitialized=True on every configured pod that does not show it: just initialised, or
  // initialised before this operator started, or dropped by a status writer that replaces the
  // pod's conditions.
  for (const Node& n : state.nodes) {
    if (n.podState.exists && !n.podState.deleting && n.seen && n.seen->reachable &&
        n.seen->configured) {
      if (std::string w = writePodCondition(
              call, pods[n.ordinal],
              {kNodeInitialized, "True", "mysqlInitializationSucceeded", "the node is configured"});
          !w.empty()) {
        log_(mysqlop_log_Warn, what + ": " + w);
      }
    }
  }

  // Read-only handling (compat.md 3.4).
  const std::optional<std::string> master = determineMaster(state.nodes);
  for (const ReadOnlyChange& change : readOnlyChanges(state, master)) {
    Node& n = state.nodes[static_cast<std::size_t>(change.ordinal)];
    auto lease = pool_.acquire(endpoints.at(change.ordinal), probeAs);
    mysql::SqlResult<void> r =
        lease.ok()
            ? setReadOnly(**lease, mysql::ReplicationSql(flavors[change.ordinal]), change.readOnly)
            : mysql::SqlResult<void>(lease.error());
    if (r.ok()) {
      n.seen->readOnly = change.readOnly;
      log_(mysqlop_log_Info,
           what + ": set read_only=" + (change.readOnly ? "1" : "0") + " on " + n.host);
    } else {
      kube::recordEvent(call, cluster, mysqlop_event_Warning, kReadOnlyFailed,
                        n.host + ": " + r.error().message);
      log_(mysqlop_log_Warn, what + ": " + n.host + ": " + r.error().message);
    }
  }

  if (report) {
    report->ran = true;
    // (audit) What this pass saw, for the topology route, the probe metrics and node changes.
    report->snapshot = std::make_shared<ClusterSnapshot>(snapshotOf(state, master, nowUnixMs()));
    for (const Node& n : state.nodes) {
      if (n.podState.exists) {
        report->nodesByState[nodeState(n, master, state.maxSlaveLatency)]++;
      }
    }
  }

  // While the master is suspect the engine wants the next pass soon (README "Detection in this
  // path"): the grace is measured over passes.
  mysqlop::Outcome settled = mysqlop::Outcome::done();
  if (failover_) {
    if (auto after = failover_->recheckAfter(ns + "/" + name)) {
      settled = mysqlop::Outcome::requeueAfter(static_cast<std::uint64_t>(after->count()));
    }
  }

  // Publish: status.nodes and the two conditions the failover engine owns.
  // (Not while a recorded recovery waits or finishes: FailoverInProgress stays True then.)
  const bool healthy =
      masterHealthy(state, master) && !(failover_ && failover_->recoveryRecorded(ns + "/" + name));
  // PendingFailoverAck: the engine's recent recoveries (README "PendingFailoverAck").
  const kube::Condition pendingAck =
      failover_ ? failover_->pendingAck(call, cluster)
                : kube::Condition{"PendingFailoverAck", "False", "NoPendingFailoverAckExists",
                                  "no pending ack"};
  for (int attempt = 0; attempt < kStatusAttempts; ++attempt) {
    const std::string now = kube::nowTime();
    json next = cluster;
    json& st = next["status"];
    if (!st.is_object()) {
      st = json::object();
    }
    st["nodes"] = nextStatusNodes(state, master, now);
    if (healthy) {
      kube::setCondition(st["conditions"],
                         {"FailoverInProgress", "False", "ClusterMasterHealthy",
                          "Master is healthy in orchestrator"},
                         now);
    }
    kube::setCondition(st["conditions"], pendingAck, now);
    if (next["status"] == cluster.value("status", json())) {
      return settled;
    }
    mysqlop::Reply w = call.updateStatus(res::kMysqlCluster, next.dump());
    if (w.ok() || w.notFound()) {
      return settled;
    }
    if (w.status != mysqlop_status_Conflict) {
      return mysqlop::Outcome::retry("updating the status of " + what + ": " + w.error);
    }
    mysqlop::Reply again = call.get(res::kMysqlCluster, ns, name);
    if (!again.ok()) {
      return mysqlop::Outcome::retry("reading " + what + ": " + again.error);
    }
    cluster = json::parse(again.data, nullptr, false);
    state.statusNodes = objectAt(cluster, "status").value("nodes", json::array());
  }
  return mysqlop::Outcome::retry("updating the status of " + what +
                                 ": it changed meanwhile; will be written again");
}

}  // namespace mysqlop::orchestrator
