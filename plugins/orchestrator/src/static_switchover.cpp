// The standalone engine's planned switchover (README "Planned switchover"): a request waits in
// ClusterEngine::switchover_ until the decide thread runs it between two ticks, so that a
// switchover and a recovery of one cluster never overlap.
#include "plugins/orchestrator/src/static_engine.h"

#include "plugins/orchestrator/src/gather.h"

namespace mysqlop::orchestrator {

RecoveryRecord switchoverRecord(const std::string& cluster, const SwitchoverResult& r,
                                std::chrono::system_clock::time_point startedAt) {
  RecoveryRecord rec;
  rec.cluster = cluster;
  rec.analysis = "switchover";
  rec.failedMaster = r.oldMaster;
  rec.startedAt = startedAt;
  rec.result.success = r.success;
  rec.result.candidateDetached = r.success;
  rec.result.newMaster = r.newMaster;
  rec.result.error = r.error;
  rec.result.timeline = r.timeline;
  return rec;
}

void ClusterEngine::setRecovering(bool on) {
  std::lock_guard<std::mutex> lock(mu_);
  recovering_ = on;
}

SwitchoverAnswer ClusterEngine::switchover(const std::string& to) {
  auto pending = std::make_shared<PendingSwitchover>();
  pending->to = to;
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) {
    return {503, "the engine of cluster " + cluster_.name + " is not running", {}};
  }
  if (recovering_) {
    return {409, "a recovery of cluster " + cluster_.name + " is running", {}};
  }
  if (switchover_) {
    return {409, "a switchover of cluster " + cluster_.name + " is already running", {}};
  }
  switchover_ = pending;
  cv_.notify_all();
  cv_.wait(lock, [&] { return pending->done || stopping_; });
  switchover_.reset();
  if (!pending->done) {
    return {503, "the engine of cluster " + cluster_.name + " stopped", {}};
  }
  return pending->answer;
}

void ClusterEngine::runPendingSwitchover() {
  std::shared_ptr<PendingSwitchover> p;
  bool armed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!switchover_ || switchover_->done) {
      return;
    }
    p = switchover_;
    armed = armed_;
  }
  SwitchoverAnswer answer;
  // Planned over a fresh probe of every node, not the probers' last (up to a poll old: right
  // after a switchover it mixes the old topology and the new one, which reads as NoMaster).
  ClusterView fresh = view();
  for (NodeView& n : fresh.nodes) {
    auto c = connect(n.id, std::chrono::seconds(2));
    auto seen =
        c.ok() ? probeForEngine(**c, sqlFor(n.id)) : mysql::SqlResult<Observation>(c.error());
    if (seen.ok()) {
      n.seen = std::move(seen).value();
      n.answering = true;
      n.refused = false;
      n.silentSeconds = 0;
      n.lastError.clear();
    } else {
      n.answering = false;
      n.lastError = seen.error().message;
    }
    n.sinceHeardSeconds = 0;  // a switchover needs a healthy master, not a heartbeat history
  }
  const SwitchoverPlan plan = planSwitchover(fresh, thresholds_, p->to);
  if (!plan.error.empty()) {
    answer = {plan.status, plan.error, {}};
    log_(LogLevel::Warn, "cluster " + cluster_.name + ": switchover to " +
                             (p->to.empty() ? std::string("auto") : p->to) +
                             " refused: " + plan.error);
  } else {
    log_(LogLevel::Warn,
         "cluster " + cluster_.name + ": switchover from " + plan.master + " to " + plan.target);
    // Semi-sync only where the engine armed it: a new master with wait_no_slave and replicas
    // that do not acknowledge would never commit.
    ActSettings act = act_;
    act.semiSyncFencing = act_.semiSyncFencing && armed;
    const auto startedAt = std::chrono::system_clock::now();
    answer.result = runSwitchover(
        plan, [this](const std::string& id) { return sqlFor(id); },
        [this](const std::string& id, std::chrono::seconds t) { return connect(id, t); }, act,
        switchoverSettings_);
    for (const StepRecord& s : answer.result.timeline) {
      log_(s.error.empty() ? LogLevel::Info : LogLevel::Error,
           "cluster " + cluster_.name + ": switchover +" + std::to_string(s.atSeconds) + " s " +
               s.what + (s.error.empty() ? "" : ": " + s.error));
    }
    if (answer.result.success) {
      log_(LogLevel::Warn, "cluster " + cluster_.name + ": switched over (MasterSwitchover): " +
                               plan.master + " -> " + plan.target + ", writes refused for " +
                               std::to_string(answer.result.refusedMs) + " ms");
    } else {
      answer.status = 500;
      answer.error = answer.result.error;
      log_(LogLevel::Error,
           "cluster " + cluster_.name +
               ": switchover failed (MasterSwitchoverFailed): " + answer.result.error);
    }
    if (onRecovery_) {
      onRecovery_(switchoverRecord(cluster_.name, answer.result, startedAt));
    }
    for (auto& prober : probers_) {
      prober->kick();  // the next tick sees the new topology, not the last poll's
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (answer.result.success) {
    lastMaster_ = answer.result.newMaster;
  }
  p->answer = std::move(answer);
  p->done = true;
  cv_.notify_all();
}

}  // namespace mysqlop::orchestrator
