#include "plugins/orchestrator/src/static_engine.h"

#include "plugins/orchestrator/src/candidate.h"
#include "plugins/orchestrator/src/gtid.h"

namespace mysqlop::orchestrator {

namespace {

std::string listOf(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

ClusterEngine::ClusterEngine(StaticCluster cluster, const EngineOptions& options, EngineLog log,
                             RecoveryObserver onRecovery)
    : cluster_(std::move(cluster)),
      options_(options),
      log_(std::move(log)),
      onRecovery_(std::move(onRecovery)) {
  act_.replicationUser = cluster_.replicationUser;
  act_.replicationPassword = cluster_.replicationPassword;
  act_.engineUser = cluster_.user;
  act_.heartbeatMs = options_.replicaHeartbeatMs;
  act_.promotionWaitSeconds = options_.promotionWaitSeconds;
  act_.semiSyncFencing = options_.semiSyncFencing;
  thresholds_.failureDetectionGraceSeconds = options_.failureDetectionGraceSeconds;
  thresholds_.replicaLostSeconds = options_.replicaLostSeconds;
  GatherSettings g;
  g.interval = options_.pollInterval;
  g.answeringWindow = std::max(3 * options_.pollInterval, std::chrono::milliseconds(300));
  for (const std::string& h : cluster_.hosts) {
    probers_.push_back(std::make_unique<NodeProber>(
        h, mysql::Credentials{cluster_.user, cluster_.password}, g, [this, h](bool ok) {
          // Decide wakes at once on a failure (detection) and when an old master still to be
          // fenced answers again: waiting for the next poll would leave it writable that long.
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (ok && (demoted_.count(h) == 0 || fenced_.count(h) != 0)) {
              return;
            }
            wake_ = true;
          }
          cv_.notify_all();
        }));
  }
}

ClusterEngine::~ClusterEngine() { stop(); }

void ClusterEngine::start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      return;
    }
    stopping_ = false;
  }
  for (auto& p : probers_) {
    p->start();
  }
  decide_ = std::thread([this] { decideLoop(); });
}

void ClusterEngine::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (decide_.joinable()) {
    decide_.join();
  }
  for (auto& p : probers_) {
    p->stop();
  }
}

ClusterView ClusterEngine::view() const {
  ClusterView v;
  v.name = cluster_.name;
  v.readOnly = cluster_.readOnly;
  for (const auto& p : probers_) {
    v.nodes.push_back(p->view());
  }
  std::lock_guard<std::mutex> lock(mu_);
  v.lastMaster = lastMaster_;
  return v;
}

std::vector<RecoveryRecord> ClusterEngine::recoveries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return recoveries_;
}

std::string ClusterEngine::lastAnalysis() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lastAnalysis_;
}

bool ClusterEngine::armed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return armed_;
}

std::set<std::string> ClusterEngine::fenced() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fenced_;
}

std::set<std::string> ClusterEngine::rejoined() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rejoined_;
}

mysql::ReplicationSql ClusterEngine::sqlFor(const std::string& id) const {
  for (const auto& p : probers_) {
    if (p->id() == id) {
      return mysql::ReplicationSql(p->flavor().value_or(mysql::Flavor::MariaDB));
    }
  }
  return mysql::ReplicationSql(mysql::Flavor::MariaDB);
}

mysql::SqlResult<std::unique_ptr<mysql::Connection>> ClusterEngine::connect(
    const std::string& id, std::chrono::seconds readTimeout) {
  const auto ep = parseHostPort(id);
  if (!ep) {
    return mysql::SqlError{mysql::SqlError::Kind::Invalid, 0, "not host:port: " + id};
  }
  return mysql::Connection::open(*ep, {cluster_.user, cluster_.password},
                                 {std::chrono::seconds(1), readTimeout, readTimeout});
}

void ClusterEngine::decideLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    tick();
    lock.lock();
    cv_.wait_for(lock, options_.pollInterval,
                 [this] { return stopping_ || wake_ || (switchover_ && !switchover_->done); });
    wake_ = false;
  }
}

void ClusterEngine::tick() {
  runPendingSwitchover();  // static_switchover.cpp
  const ClusterView v = view();
  const Analysis a = analyze(v, thresholds_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (analysisName(a.code) != lastAnalysis_) {
      lastAnalysis_ = analysisName(a.code);
      log_(a.code == AnalysisCode::NoProblem ? LogLevel::Info : LogLevel::Warn,
           "cluster " + cluster_.name + ": " + lastAnalysis_ + " (master " +
               (a.master.empty() ? std::string("none") : a.master) + "): " + a.why);
    }
    if (a.code == AnalysisCode::NoProblem ||
        a.code == AnalysisCode::AllMasterReplicasNotReplicating) {
      lastMaster_ = a.master;
    }
  }
  if (a.code == AnalysisCode::UnreachableMaster) {
    for (auto& p : probers_) {
      if (p->id() != a.master) {
        p->kick();
      }
    }
  }
  fenceReturned(v);
  if (!armed_ && a.code == AnalysisCode::NoProblem && a.unreachable.empty()) {
    arm(v, a);
  }
  if (!a.failover()) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (blockedUntil_ && now < *blockedUntil_) {
    if (!blockLogged_) {
      blockLogged_ = true;
      log_(LogLevel::Warn, "cluster " + cluster_.name + ": " + analysisName(a.code) + " of " +
                               a.master +
                               " is not recovered: a recovery ended less than "
                               "recoveryPeriodBlockSeconds ago (RecoveryBlocked)");
    }
    return;
  }
  const RecoveryPlan plan = planRecovery(v, a);
  log_(LogLevel::Warn, "cluster " + cluster_.name + ": recovering from " + analysisName(a.code) +
                           " of " + a.master + ": candidate " +
                           (plan.candidate.empty() ? std::string("none") : plan.candidate) +
                           ", repoint " + listOf(plan.repoint) + ", lost " + listOf(plan.lost) +
                           ", skipped " + listOf(plan.skipped));
  RecoveryRecord rec;
  rec.cluster = cluster_.name;
  rec.analysis = analysisName(a.code);
  rec.failedMaster = a.master;
  rec.lost = plan.lost;
  rec.startedAt = std::chrono::system_clock::now();
  for (const NodeView& n : v.nodes) {
    if (n.id == a.master) {
      rec.detectedAfterSeconds = n.silentSeconds;
    }
  }
  setRecovering(true);
  rec.result = runRecovery(
      plan, sqlFor(plan.candidate),
      [this](const std::string& id, std::chrono::seconds t) { return connect(id, t); }, act_);
  setRecovering(false);
  for (const StepRecord& s : rec.result.timeline) {
    log_(s.error.empty() ? LogLevel::Info : LogLevel::Error,
         "cluster " + cluster_.name + ": +" + std::to_string(s.atSeconds) + " s " + s.what +
             (s.error.empty() ? "" : ": " + s.error));
  }
  if (rec.result.success) {
    log_(LogLevel::Warn, "cluster " + cluster_.name + ": recovered (OrcPostMasterFailover): " +
                             rec.result.newMaster + " replaces " + a.master);
  } else {
    log_(LogLevel::Error,
         "cluster " + cluster_.name +
             ": recovery failed (OrcPostUnsuccessfulFailover): " + rec.result.error);
  }
  if (onRecovery_) {
    onRecovery_(rec);
  }
  std::lock_guard<std::mutex> lock(mu_);
  // A recovery that failed before touching the candidate changed nothing: the old master stays
  // the master if it comes back (fencing it would leave the cluster without a writable node).
  if (rec.result.candidateDetached) {
    demoted_.insert(a.master);
  }
  if (rec.result.success) {
    successors_[a.master] = {rec.result.newMaster, plan.waitGtid};
    lastMaster_ = rec.result.newMaster;
  }
  recoveries_.push_back(std::move(rec));
  blockedUntil_ = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(options_.recoveryPeriodBlockSeconds));
  blockLogged_ = false;
}

void ClusterEngine::arm(const ClusterView& v, const Analysis& a) {
  (void)v;
  int armedReplicas = 0;
  for (const std::string& r : a.replicas) {
    auto c = connect(r, std::chrono::seconds(5));
    auto done = c.ok() ? armReplica(**c, sqlFor(r), act_) : mysql::SqlResult<void>(c.error());
    if (!done.ok()) {
      log_(LogLevel::Warn,
           "cluster " + cluster_.name + ": arming replica " + r + ": " + done.error().message);
      return;  // tried again at the next healthy tick
    }
    ++armedReplicas;
  }
  if (options_.semiSyncFencing && armedReplicas > 0) {
    auto c = connect(a.master, std::chrono::seconds(5));
    auto done = c.ok() ? armMaster(**c) : mysql::SqlResult<void>(c.error());
    if (!done.ok()) {
      log_(LogLevel::Warn, "cluster " + cluster_.name + ": arming master " + a.master + ": " +
                               done.error().message);
      return;
    }
  }
  log_(LogLevel::Info, "cluster " + cluster_.name + ": armed (master " + a.master + ", " +
                           std::to_string(armedReplicas) + " replicas, heartbeat " +
                           std::to_string(options_.replicaHeartbeatMs) + " ms" +
                           (options_.semiSyncFencing ? ", semi-sync fencing" : ", no fencing") +
                           ")");
  std::lock_guard<std::mutex> lock(mu_);
  armed_ = true;
}

void ClusterEngine::fenceReturned(const ClusterView& v) {
  std::set<std::string> unfenced;  // demoted old masters not fenced yet
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& d : demoted_) {
      if (fenced_.count(d) == 0) {
        unfenced.insert(d);
      }
    }
  }
  for (const NodeView& n : v.nodes) {
    if (unfenced.count(n.id) == 0 || !n.answering) {
      continue;
    }
    auto c = connect(n.id, std::chrono::seconds(5));
    if (!c.ok()) {
      continue;
    }
    auto killed = fenceNode(**c, sqlFor(n.id), cluster_.user);
    if (!killed.ok()) {
      log_(LogLevel::Error, "cluster " + cluster_.name + ": fencing the old master " + n.id + ": " +
                                killed.error().message);
      continue;
    }
    const std::string fenced = "cluster " + cluster_.name + ": fenced the old master " + n.id +
                               " (read_only=1, " + std::to_string(*killed) +
                               " client sessions killed)";
    {
      std::lock_guard<std::mutex> lock(mu_);
      fenced_.insert(n.id);
    }
    // Read again after fencing: what it executed after it came back is in its binlog now. It
    // rejoins only when it has nothing beyond the position its successor was promoted at.
    Succession next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = successors_.find(n.id);
      if (it != successors_.end()) {
        next = it->second;
      }
    }
    std::string beyond = "unknown (it could not be read)";
    if (auto o = probeForEngine(**c, sqlFor(n.id)); o.ok()) {
      const auto binlog = parseGtidPos(o->gtidBinlogPos);
      const auto base = parseGtidPos(next.promotedAt);
      beyond = binlog && base ? gtidBeyond(*binlog, *base)
                              : "unknown (unreadable GTID position '" + o->gtidBinlogPos + "')";
    }
    if (next.newMaster.empty() || !beyond.empty()) {
      log_(LogLevel::Warn, fenced + "; OldMasterKeptOut: it has transactions its successor " +
                               (next.newMaster.empty() ? std::string("(none)") : next.newMaster) +
                               " lacks: " + (beyond.empty() ? std::string("none") : beyond));
      continue;
    }
    auto r = rejoinOldMaster(**c, sqlFor(n.id), next.newMaster, act_);
    if (!r.ok()) {
      log_(LogLevel::Error,
           fenced + "; rejoining it under " + next.newMaster + ": " + r.error().message);
      continue;
    }
    log_(LogLevel::Warn, fenced + "; OldMasterRejoined: it replicates from " + next.newMaster);
    std::lock_guard<std::mutex> lock(mu_);
    rejoined_.insert(n.id);
  }
}

StaticEngine::StaticEngine(const EngineOptions& options, const EngineLog& log,
                           const RecoveryObserver& onRecovery) {
  for (const StaticCluster& c : options.staticClusters) {
    clusters_.push_back(std::make_unique<ClusterEngine>(c, options, log, onRecovery));
  }
}

void StaticEngine::start() {
  for (auto& c : clusters_) {
    c->start();
  }
}

void StaticEngine::stop() {
  for (auto& c : clusters_) {
    c->stop();
  }
}

std::vector<ClusterView> StaticEngine::views() const {
  std::vector<ClusterView> out;
  for (const auto& c : clusters_) {
    out.push_back(c->view());
  }
  return out;
}

ClusterEngine* StaticEngine::cluster(const std::string& name) {
  for (auto& c : clusters_) {
    if (c->name() == name) {
      return c.get();
    }
  }
  return nullptr;
}

}  // namespace mysqlop::orchestrator
