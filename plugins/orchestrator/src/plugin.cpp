// The orchestrator plugin: the topology observer over the SDK (README.md). A service with primary
// MysqlCluster: the host's reconcile workers run a pass when a cluster or one of its pods
// changes; the service's poller runs a pass over every known cluster every instancePollSeconds
// on its own threads, so that polling never waits behind the host's queue or its backoff.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <thread>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/common/kube/resources.h"
#include "plugins/orchestrator/src/ack_route.h"
#include "plugins/orchestrator/src/audit_parts.h"
#include "plugins/orchestrator/src/observer.h"
#include "plugins/orchestrator/src/options.h"
#include "plugins/orchestrator/src/recovery_audit.h"
#include "plugins/orchestrator/src/snapshot.h"
#include "plugins/orchestrator/src/static_engine.h"
#include "plugins/orchestrator/src/switchover_routes.h"

namespace {

using mysqlop::orchestrator::ClusterKey;
using mysqlop::orchestrator::Observer;
using mysqlop::orchestrator::PassReport;

constexpr const char* kClusterLabel = "mysql.presslabs.org/cluster";

class OrchestratorPlugin : public mysqlop::Plugin {
 public:
  static constexpr const char* kVersion = "0.1.0";
  static constexpr mysqlop_type_resource kPrimary = mysqlop::kube::res::kMysqlCluster;
  // 0: a Pod of a cluster (created, Running, Ready, deleted) requeues its cluster at once.
  static constexpr std::array<mysqlop_type_resource, 1> kWatches = {mysqlop::kube::res::kPod};

  explicit OrchestratorPlugin(const mysqlop::Context& ctx)
      : Plugin(ctx),
        observer_(
            mysqlop::orchestrator::parseOptions(ctx.operatorJson, ctx.configJson),
            [this](mysqlop_type_log_level level, const std::string& m) { host().log(level, m); }),
        passSeconds_(host().registerMetric(
            mysqlop_metric_Histogram, "mysqlop_orchestrator_poll_seconds",
            "Duration of one pass over a cluster (probe, init, read-only, status).", {},
            {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5})),
        nodes_(host().registerMetric(mysqlop_metric_Gauge, "mysqlop_orchestrator_nodes",
                                     "Nodes by state after the last pass of each cluster.",
                                     {"state"})),
        // The topology route: the observer's clusters and the standalone engine's.
        audit_(host(), observer_.options(),
               [this] {
                 auto all = observer_.snapshots();
                 for (const auto& view : engine_.views()) {
                   all.push_back(std::make_shared<const mysqlop::orchestrator::ClusterSnapshot>(
                       mysqlop::orchestrator::snapshotOfView(view,
                                                             mysqlop::orchestrator::nowUnixMs())));
                 }
                 return all;
               }),
        engine_(
            mysqlop::orchestrator::parseEngineOptions(ctx.configJson),
            [this](mysqlop::orchestrator::LogLevel level, const std::string& m) {
              host().log(level == mysqlop::orchestrator::LogLevel::Info   ? mysqlop_log_Info
                         : level == mysqlop::orchestrator::LogLevel::Warn ? mysqlop_log_Warn
                                                                          : mysqlop_log_Error,
                         m);
            },
            [this](const mysqlop::orchestrator::RecoveryRecord& r) { audited(r); }),
        switchoverRoutes_(
            host(),
            {[this](mysqlop::Call& call, const std::string& c, const std::string& to) {
               return switchover(call, c, to);
             },
             [this](mysqlop::Call& call, const std::string& c) { return masterOf(call, c); }}) {
    // The failover engine over MysqlClusters (README "Failover on Kubernetes"), in the passes.
    observer_.enableFailover(
        mysqlop::orchestrator::parseEngineOptions(ctx.configJson),
        [this](const mysqlop::orchestrator::RecoveryRecord& r) { audited(r); });
    observer_.setAckObserver(
        [this](const std::string& c, const mysqlop::orchestrator::RecentRecovery& r) {
          ackAudited(c, r);
        });
    observer_.setDetectionObserver([this](const mysqlop::orchestrator::Detection& d) {
      if (auto r = audit_.store().recordDetection(d); !r.ok()) {
        host().log(mysqlop_log_Error, "cluster " + d.cluster +
                                          ": the audit store did not take a detection: " + r.error);
      }
    });
    // The manual ack of a recovery (README "PendingFailoverAck").
    host().registerRoute("POST", "/api/ack-recovery", &OrchestratorPlugin::ackRecovery, this);
    switchoverRoutes_.registerAll();  // README "Planned switchover"
  }

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    return runPass(call, {std::string(req.namespaceName), std::string(req.name)}, true);
  }

  void mapWatched(mysqlop::Call& call, std::uint32_t, std::string_view objectJson) override {
    const nlohmann::json pod = nlohmann::json::parse(objectJson, nullptr, false);
    if (!pod.is_object() || !pod.contains("metadata")) {
      return;
    }
    const nlohmann::json& meta = pod["metadata"];
    const nlohmann::json labels = meta.value("labels", nlohmann::json::object());
    if (!labels.is_object() || !labels.contains(kClusterLabel) ||
        !labels[kClusterLabel].is_string()) {
      return;
    }
    call.emitKey(meta.value("namespace", ""), labels[kClusterLabel].get<std::string>());
  }

  void start(mysqlop::Call&) override {
    // staticClusters (standalone mode, README "Recovery"): the failover engine over them.
    engine_.start();
    stopping_ = false;
    ticker_ = std::thread([this] { tick(); });
    for (int i = 0; i < observer_.options().pollWorkers; ++i) {
      workers_.emplace_back([this] { work(); });
    }
  }

  void stop() override {
    engine_.stop();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (ticker_.joinable()) {
      ticker_.join();
    }
    for (auto& w : workers_) {
      w.join();
    }
    workers_.clear();
  }

  ~OrchestratorPlugin() override { stop(); }

 private:
  static mysqlop_type_status ackRecovery(void* self, mysqlop_call_host_ptr rawCall,
                                         const mysqlop_type_http_request* request,
                                         mysqlop_http_response_host_ptr response) {
    auto* me = static_cast<OrchestratorPlugin*>(self);
    auto respond = [&](int code, const std::string& text) {
      me->host().table()->http_respond(response, static_cast<std::uint16_t>(code),
                                       mysqlop::toStr("text/plain; charset=utf-8"),
                                       mysqlop::toStr(text + "\n"));
    };
    mysqlop::orchestrator::AckRequest req;
    if (std::string bad =
            mysqlop::orchestrator::parseAckRequest(mysqlop::toView(request->body), &req);
        !bad.empty()) {
      respond(400, bad);
      return mysqlop_status_Ok;
    }
    mysqlop::Call call(me->host().table(), rawCall);
    const auto [code, message] = me->observer_.acknowledge(
        call, {req.ns, req.name}, req.id, "api" + (req.comment.empty() ? "" : ": " + req.comment));
    respond(code, code == 200 ? "recovery " + std::to_string(req.id) + " acknowledged" : message);
    return mysqlop_status_Ok;
  }

  // Every recovery into the audit store and the recovery metrics; a store that refuses it is
  // logged, never stops the engine.
  void audited(const mysqlop::orchestrator::RecoveryRecord& r) {
    if (std::string e = mysqlop::orchestrator::recordRecovery(audit_.store(), &audit_.metrics(), r);
        !e.empty()) {
      host().log(mysqlop_log_Error,
                 "cluster " + r.cluster + ": the audit store did not take a recovery: " + e);
    }
  }

  // An ack the Lease took, onto the audit rows of the recovery (by its uid): ackedBy is
  // "auto: <comment>" or "api[: <comment>]"; the store gets "auto"/"api" and the comment.
  void ackAudited(const std::string& cluster, const mysqlop::orchestrator::RecentRecovery& r) {
    const auto colon = r.ackedBy.find(": ");
    const std::string by = r.ackedBy.substr(0, colon);
    const std::string comment = colon == std::string::npos ? "" : r.ackedBy.substr(colon + 2);
    const auto marked = audit_.store().acknowledgeUid(cluster, r.uid, by, comment, r.ackedAtMs);
    if (!marked.ok()) {
      host().log(mysqlop_log_Error, "cluster " + cluster +
                                        ": the audit store did not take the ack "
                                        "of recovery " +
                                        std::to_string(r.id) + ": " + marked.error);
    } else if (marked.value == 0) {
      // Recorded by another process's store (a leader change without a shared auditPath).
      host().log(mysqlop_log_Info, "cluster " + cluster + ": recovery " + std::to_string(r.id) +
                                       " is not in this process's audit store; only the Lease "
                                       "records its ack");
    }
  }

  // The cluster a switchover route names: a static cluster by its name, else a MysqlCluster as
  // "<ns>/<name>" or as orchestrator's alias "<name>.<ns>" ("" when neither).
  std::string kubeKeyOf(const std::string& c) {
    if (c.find('/') != std::string::npos) {
      return c;
    }
    return mysqlop::orchestrator::clusterKeyOfAlias(c);
  }

  std::optional<mysqlop::orchestrator::SwitchoverAnswer> switchover(mysqlop::Call& call,
                                                                    const std::string& c,
                                                                    const std::string& to) {
    if (auto* e = engine_.cluster(c)) {
      return e->switchover(to);
    }
    const std::string key = kubeKeyOf(c);
    const std::size_t slash = key.find('/');
    if (key.empty() || !observer_.switchover() ||
        !call.get(mysqlop::kube::res::kMysqlCluster, key.substr(0, slash), key.substr(slash + 1))
             .ok()) {
      return std::nullopt;
    }
    const ClusterKey k{key.substr(0, slash), key.substr(slash + 1)};
    return observer_.switchover()->request(
        key, to,
        [this, k] {
          std::lock_guard<std::mutex> lock(mu_);
          if (queued_.insert(k).second) {
            queue_.push_back(k);
          }
          cv_.notify_all();
        },
        std::chrono::seconds(60));
  }

  std::optional<std::string> masterOf(mysqlop::Call& call, const std::string& c) {
    if (auto* e = engine_.cluster(c)) {
      return mysqlop::orchestrator::findMaster(e->view());
    }
    const std::string key = kubeKeyOf(c);
    const std::size_t slash = key.find('/');
    if (key.empty()) {
      return std::nullopt;
    }
    mysqlop::Reply got =
        call.get(mysqlop::kube::res::kMysqlCluster, key.substr(0, slash), key.substr(slash + 1));
    if (!got.ok()) {
      return std::nullopt;
    }
    const nlohmann::json mc = nlohmann::json::parse(got.data, nullptr, false);
    const nlohmann::json st =
        mc.is_object() ? mc.value("status", nlohmann::json::object()) : nlohmann::json::object();
    for (const nlohmann::json& n :
         st.is_object() ? st.value("nodes", nlohmann::json::array()) : nlohmann::json::array()) {
      for (const nlohmann::json& cond :
           n.is_object() ? n.value("conditions", nlohmann::json::array()) : nlohmann::json()) {
        if (cond.is_object() && cond.value("type", "") == "Master" &&
            cond.value("status", "") == "True") {
          return n.value("name", "") + ":3306";
        }
      }
    }
    return std::string();
  }

  mysqlop::Outcome runPass(mysqlop::Call& call, const ClusterKey& key, bool wait) {
    PassReport report;
    mysqlop::Outcome o = observer_.pass(call, key, wait, &report);
    audit_.afterPass(report);  // (audit) probe metrics and node changes
    std::lock_guard<std::mutex> lock(metricsMu_);
    if (report.ran) {
      passSeconds_.observe(report.seconds);
      byCluster_[key] = report.nodesByState;
    } else {
      byCluster_.erase(key);
    }
    std::map<std::string, int> sum = {
        {"master", 0}, {"replica", 0}, {"lagged", 0}, {"stopped", 0}, {"unreachable", 0}};
    for (const auto& [k, states] : byCluster_) {
      for (const auto& [state, n] : states) {
        sum[state] += n;
      }
    }
    for (const auto& [state, n] : sum) {
      nodes_.set(n, {state});
    }
    return o;
  }

  // Every pollInterval, queues every known cluster that is not queued already; in between, the
  // clusters a pass asked to see again sooner (a suspect master: requeueAfter).
  void tick() {
    using Clock = std::chrono::steady_clock;
    std::unique_lock<std::mutex> lock(mu_);
    Clock::time_point nextPoll = Clock::now();
    while (!stopping_) {
      const Clock::time_point now = Clock::now();
      if (now >= nextPoll) {
        lock.unlock();
        const std::vector<ClusterKey> clusters = observer_.knownClusters();
        lock.lock();
        for (const ClusterKey& k : clusters) {
          if (queued_.insert(k).second) {
            queue_.push_back(k);
          }
        }
        nextPoll = now + observer_.options().pollInterval;
      }
      Clock::time_point until = nextPoll;
      for (auto it = later_.begin(); it != later_.end();) {
        if (it->second <= now) {
          if (queued_.insert(it->first).second) {
            queue_.push_back(it->first);
          }
          it = later_.erase(it);
        } else {
          until = std::min(until, it->second);
          ++it;
        }
      }
      cv_.notify_all();
      laterChanged_ = false;
      cv_.wait_until(lock, until, [this] { return stopping_ || laterChanged_; });
    }
  }

  // A pass asked to run again after ms (under mu_).
  void runLaterLocked(const ClusterKey& k, std::uint64_t ms) {
    const auto at = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    auto [it, inserted] = later_.emplace(k, at);
    if (!inserted && at < it->second) {
      it->second = at;
    }
    laterChanged_ = true;
    cv_.notify_all();
  }

  void work() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        return;
      }
      ClusterKey k = queue_.front();
      queue_.pop_front();
      queued_.erase(k);
      lock.unlock();
      std::uint64_t again = 0;
      {
        mysqlop::OwnedCall call(host().table(), host().plugin());
        if (call.ok()) {
          mysqlop::Outcome o = runPass(call, k, false);
          if (o.status != mysqlop_status_Ok) {
            host().warn("poll of " + k.first + "/" + k.second + ": " + o.message);
          }
          again = o.status == mysqlop_status_Ok ? o.requeueAfterMs : 0;
        }
      }
      lock.lock();
      if (again > 0) {
        runLaterLocked(k, again);
      }
    }
  }

  Observer observer_;
  mysqlop::Metric passSeconds_;
  mysqlop::Metric nodes_;
  std::mutex metricsMu_;
  std::map<ClusterKey, std::map<std::string, int>> byCluster_;
  // (audit) The store, the engine's metrics and the routes (README.md "Audit and routes"); after
  // observer_, which its routes read.
  mysqlop::orchestrator::AuditParts audit_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = true;
  std::deque<ClusterKey> queue_;
  std::set<ClusterKey> queued_;
  std::map<ClusterKey, std::chrono::steady_clock::time_point> later_;  // requeueAfter of a pass
  bool laterChanged_ = false;
  std::thread ticker_;
  std::vector<std::thread> workers_;
  mysqlop::orchestrator::StaticEngine engine_;
  // POST /api/switchover and orchestrator's routes of bitpoke's preStop (after engine_).
  mysqlop::orchestrator::SwitchoverRoutes switchoverRoutes_;
};

}  // namespace

MYSQLOP_EXPORT_PLUGIN(OrchestratorPlugin, "orchestrator", mysqlop_plugin_kind_Service)
