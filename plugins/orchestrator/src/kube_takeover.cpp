// KubeFailover's persisted memory (README "Engine state and leader takeover",
// "PendingFailoverAck"): reading and writing the cluster's Lease, finishing a recovery an earlier
// leader recorded, and the ack of recoveries. The decisions are pure (takeover.h, failover_ack.h);
// this file acts.

#include <memory>

#include "plugins/common/kube/events.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/failover_ack.h"
#include "plugins/orchestrator/src/failover_lease.h"
#include "plugins/orchestrator/src/kube_failover.h"
#include "plugins/orchestrator/src/recovery.h"
#include "plugins/orchestrator/src/takeover.h"

namespace mysqlop::orchestrator {

using nlohmann::json;

namespace {

// Warning Event on the cluster when its Lease holds a state this operator cannot read.
constexpr const char* kEventStateUnreadable = "FailoverStateUnreadable";

// "host:port" of a node of the pass (the replicas name their master so).
std::string nodeIdOf(const Node& n, const FailoverInputs& in) {
  auto it = in.endpoints.find(n.ordinal);
  return n.host + ":" + std::to_string(it != in.endpoints.end() ? it->second.port : 3306);
}

std::string hostPart(const std::string& id) { return id.substr(0, id.rfind(':')); }

}  // namespace

bool KubeFailover::load(mysqlop::Call& call, const json& cluster, Memory& m,
                        const std::string& what) {
  const json meta = cluster.value("metadata", json::object());
  const LeaseRead r = readFailoverLease(call, meta.value("namespace", ""), meta.value("name", ""));
  if (!r.ok) {
    log_(mysqlop_log_Warn, what + ": " + r.error + "; the failover step waits for it");
    return false;
  }
  const std::string master = m.st.master;  // what this process learned from status.nodes
  m.st = r.state;
  if (m.st.master.empty()) {
    m.st.master = master;
  }
  m.resourceVersion = r.resourceVersion;
  m.loaded = true;
  if (!r.badState.empty()) {
    // A safe default: no recovery in progress, nothing demoted, not blocked. The next write
    // replaces the bad annotation; what it held is in this log line and Event.
    const std::string msg = "Lease " + failoverLeaseName(meta.value("name", "")) + ": " +
                            r.badState + "; starting from an empty failover state";
    log_(mysqlop_log_Error, what + ": " + msg);
    kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventStateUnreadable, msg);
  } else if (r.exists && (m.st.inProgress || !m.st.demoted.empty() || !m.st.keptOut.empty())) {
    log_(mysqlop_log_Warn,
         what + ": read the failover state an earlier leader wrote: " + encodeState(m.st));
  }
  return true;
}

bool KubeFailover::persist(mysqlop::Call& call, const json& cluster, Memory& m,
                           const std::string& what) {
  std::string error;
  switch (writeFailoverLease(call, cluster, m.st, &m.resourceVersion, &error)) {
    case WriteResult::Written: return true;
    case WriteResult::Conflict:
      log_(mysqlop_log_Warn, what + ": " + error +
                                 ": another leader wrote the failover state; this process stops "
                                 "acting on the cluster and reads it again");
      m.loaded = false;
      return false;
    case WriteResult::Failed: break;
  }
  log_(mysqlop_log_Error, what + ": " + error);
  return false;
}

bool KubeFailover::finishRecorded(mysqlop::Call& call, const json& cluster, ClusterState& state,
                                  const FailoverInputs& in, Memory& m, const std::string& what) {
  const PersistedRecovery rec = *m.st.inProgress;
  std::vector<TakeoverNode> nodes;
  std::map<std::string, const Node*> byId;
  for (const Node& n : state.nodes) {
    TakeoverNode t;
    t.id = nodeIdOf(n, in);
    if (n.seen && n.seen->reachable && in.endpoints.count(n.ordinal)) {
      t.answering = true;
      t.readOnly = n.seen->readOnly;
      t.masterHost = n.seen->hasSlaveStatus ? n.seen->masterHost : "";
    }
    nodes.push_back(t);
    byId[t.id] = &n;
  }
  // How long this process has seen the candidate silent (reset when it answers).
  const auto now = std::chrono::steady_clock::now();
  bool candidateAnswers = false;
  for (const TakeoverNode& t : nodes) {
    candidateAnswers = candidateAnswers || (t.id == rec.candidate && t.answering);
  }
  if (candidateAnswers || m.candidateSilentUid != rec.uid) {
    m.candidateSilentSince.reset();
    m.candidateSilentUid = rec.uid;
  }
  if (!candidateAnswers && !m.candidateSilentSince) {
    m.candidateSilentSince = now;
  }
  TakeoverWait wait;
  wait.limitSeconds = options_.takeoverWaitSeconds;
  if (m.candidateSilentSince) {
    wait.silentSeconds = std::chrono::duration<double>(now - *m.candidateSilentSince).count();
  }
  const TakeoverPlan plan = decideTakeover(rec, nodes, m.st.keptOut, wait);
  if (plan.action != TakeoverAction::Wait || m.takeoverLogged != plan.why) {
    m.takeoverLogged = plan.why;
    log_(plan.action == TakeoverAction::Finish ? mysqlop_log_Warn : mysqlop_log_Info,
         what + ": takeover (" + takeoverActionName(plan.action) + "): " + plan.why);
  }
  if (plan.action == TakeoverAction::Wait || plan.action == TakeoverAction::Finish) {
    // Published while a takeover waits or finishes, as while a recovery runs; the pass sets it
    // False again once nothing is recorded and the master answers (observer.cpp).
    if (std::string e = markFailoverInProgress(
            call, state.ns, state.name,
            "recovery " + std::to_string(rec.id) + " of " + rec.oldMaster +
                " is being finished by a new leader with its candidate " + rec.candidate);
        !e.empty()) {
      log_(mysqlop_log_Warn, what + ": setting FailoverInProgress: " + e);
    }
  }
  if (plan.action == TakeoverAction::Wait) {
    return false;
  }
  if (plan.action == TakeoverAction::Drop) {
    m.st.inProgress.reset();
    if (persist(call, cluster, m, what)) {
      kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventTakeoverDropped,
                        "Recovery with id " + std::to_string(rec.id) + " (" + rec.analysis +
                            " of " + rec.oldMaster + ") was dropped: its candidate " +
                            rec.candidate + " did not answer for " +
                            std::to_string(static_cast<long long>(wait.silentSeconds)) +
                            " seconds and no node replicates from it");
    }
    return false;
  }
  if (plan.action != TakeoverAction::Finish) {
    m.st.inProgress.reset();
    persist(call, cluster, m, what);
    return false;
  }
  const Node& cand = *byId.at(rec.candidate);
  auto fl = in.flavors.find(cand.ordinal);
  const mysql::ReplicationSql sql(fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB);
  ActSettings act;
  act.replicationUser = in.replicationUser.user;
  act.replicationPassword = in.replicationUser.password;
  act.engineUser = in.operatorUser.user;
  act.heartbeatMs = options_.replicaHeartbeatMs;
  act.promotionWaitSeconds = options_.promotionWaitSeconds;
  act.semiSyncFencing = false;  // as recover(): the standalone mode's for now
  RecoveryRecord audit;
  audit.cluster = state.ns + "/" + state.name;
  audit.analysis = rec.analysis;
  audit.failedMaster = rec.oldMaster;
  audit.startedAt = std::chrono::system_clock::now();
  audit.id = rec.id;
  audit.uid = rec.uid;
  const auto t0 = std::chrono::steady_clock::now();
  auto stepDone = [&](const std::string& s, const std::string& error) {
    audit.result.timeline.push_back(
        {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), s, error});
    log_(error.empty() ? mysqlop_log_Info : mysqlop_log_Error,
         what + ": takeover: " + s + (error.empty() ? "" : ": " + error));
  };
  auto conn = mysql::Connection::open(
      in.endpoints.at(cand.ordinal), in.operatorUser,
      {in.connectTimeout, std::chrono::seconds(act.promotionWaitSeconds + 5),
       std::chrono::seconds(act.promotionWaitSeconds + 5)});
  if (!conn.ok()) {
    stepDone("connecting to " + rec.candidate, conn.error().message);
    return false;  // still recorded: the next pass tries again, with the same candidate
  }
  if (plan.detach) {
    if (auto r = detachCandidate(**conn, sql, rec.promotedAt, act.promotionWaitSeconds); !r.ok()) {
      stepDone("promoting " + rec.candidate, r.error().message);
      return false;
    }
    stepDone("detached " + rec.candidate + " (applied " + rec.promotedAt + ")", "");
  }
  if (plan.makeWritable) {
    if (auto r = makeWritable(**conn, sql); !r.ok()) {
      stepDone("making " + rec.candidate + " writable", r.error().message);
      return false;
    }
  }
  stepDone(rec.candidate + " is writable (read_only=0)", "");
  m.st.inProgress->phase = RecoveryPhase::Repointing;
  m.st.master = hostPart(rec.candidate);
  // The old master is demoted from here on, whatever happens to the repointing.
  m.st.demoted[hostPart(rec.oldMaster)] = {rec.candidate, rec.promotedAt};
  if (!persist(call, cluster, m, what)) {
    return true;  // the candidate is the master; another leader (or the next pass) repoints
  }
  std::vector<std::string> repointed;
  for (const std::string& id : plan.repoint) {
    const Node& n = *byId.at(id);
    auto rc = mysql::Connection::open(
        in.endpoints.at(n.ordinal), in.operatorUser,
        {in.connectTimeout, std::chrono::seconds(5), std::chrono::seconds(5)});
    auto nfl = in.flavors.find(n.ordinal);
    const mysql::ReplicationSql nsql(nfl != in.flavors.end() ? nfl->second
                                                             : mysql::Flavor::MariaDB);
    const std::string error = !rc.ok() ? rc.error().message : [&] {
      auto r = repointReplica(**rc, nsql, rec.candidate, act);
      return r.ok() ? std::string() : r.error().message;
    }();
    stepDone("repointing " + id + " under " + rec.candidate, error);
    if (error.empty()) {
      repointed.push_back(id);
    }
  }
  audit.result.success = true;
  audit.result.candidateDetached = true;
  audit.result.newMaster = rec.candidate;
  m.st.inProgress.reset();
  bool known = false;
  for (const RecentRecovery& r : m.st.recent) {
    known = known || r.id == rec.id;
  }
  if (!known) {
    rememberRecovery(m.st, {rec.id, rec.uid, true, rec.startedAtMs, false, 0, ""});
  }
  m.st.blockedUntilMs = std::max(
      m.st.blockedUntilMs,
      rec.startedAtMs + static_cast<std::int64_t>(options_.recoveryPeriodBlockSeconds * 1000));
  persist(call, cluster, m, what);
  std::string slaves;
  for (const std::string& s : repointed) {
    slaves += (slaves.empty() ? "" : ", ") + s;
  }
  kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventPostMasterFailover,
                    "Failover of " + rec.oldMaster + " succeeded, new master: " + rec.candidate +
                        ", slaves: [" + slaves + "] (finished by a new leader)");
  log_(mysqlop_log_Warn, what + ": takeover: recovery " + std::to_string(rec.id) +
                             " finished (OrcPostMasterFailover): " + rec.candidate + " replaces " +
                             rec.oldMaster);
  if (onRecovery_) {
    onRecovery_(audit);
  }
  return true;
}

kube::Condition KubeFailover::pendingAck(mysqlop::Call& call, const json& cluster) {
  const json meta = cluster.value("metadata", json::object());
  const std::string key = meta.value("namespace", "") + "/" + meta.value("name", "");
  const std::string what = "MysqlCluster " + key;
  Memory* mem = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    mem = &memory_[key];
  }
  if (!mem->loaded && !load(call, cluster, *mem, what)) {
    // Unknown: keep whatever the status shows rather than claim there is nothing pending.
    const json st = cluster.value("status", json::object());
    const json* c =
        kube::findCondition(st.value("conditions", json::array()), "PendingFailoverAck");
    if (c && c->is_object()) {
      return {"PendingFailoverAck", c->value("status", "False"), c->value("reason", ""),
              c->value("message", "")};
    }
    return pendingAckCondition({});
  }
  AckClock clock;
  clock.nowMs = nowUnixMs();
  clock.ackSeconds = options_.failoverAckSeconds;
  const json conditions =
      cluster.value("status", json::object()).value("conditions", json::array());
  if (const json* ready = kube::findCondition(conditions, "Ready");
      ready && ready->is_object() && ready->value("status", "") == "True") {
    clock.readySinceMs = parseRfc3339Ms(ready->value("lastTransitionTime", ""));
  }
  const std::vector<std::int64_t> due = dueAcks(mem->st.recent, clock);
  if (!due.empty()) {
    const std::string comment = autoAckComment(meta.value("name", ""), clock.ackSeconds);
    const std::vector<RecentRecovery> before = mem->st.recent;
    for (std::int64_t id : due) {
      (void)ackRecovery(mem->st, id, clock.nowMs, "auto: " + comment, key);
    }
    if (persist(call, cluster, *mem, what)) {
      for (std::int64_t id : due) {
        kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventRecoveryAcked,
                          ackedMessage(id));
        log_(mysqlop_log_Info, what + ": " + ackedMessage(id) + " (" + comment + ")");
        notifyAck(key, mem->st, id);
      }
    } else {
      mem->st.recent = before;  // not recorded: still pending (the next pass tries again)
    }
  }
  return pendingAckCondition(mem->st.recent);
}

std::string KubeFailover::acknowledge(mysqlop::Call& call, const json& cluster, std::int64_t id,
                                      const std::string& by) {
  const json meta = cluster.value("metadata", json::object());
  const std::string key = meta.value("namespace", "") + "/" + meta.value("name", "");
  const std::string what = "MysqlCluster " + key;
  Memory* mem = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    mem = &memory_[key];
  }
  // Always from the Lease: another process may lead, and this one's copy may be old.
  if (!load(call, cluster, *mem, what)) {
    return "the failover state of " + key + " cannot be read";
  }
  if (std::string refused = ackRecovery(mem->st, id, nowUnixMs(), by, key); !refused.empty()) {
    return refused;
  }
  if (!persist(call, cluster, *mem, what)) {
    mem->loaded = false;  // the ack was not recorded: the next pass reads what is
    return "the failover state of " + key + " could not be written (see the log); try again";
  }
  kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventRecoveryAcked, ackedMessage(id));
  notifyAck(key, mem->st, id);
  return {};
}

void KubeFailover::demotedBySwitchover(mysqlop::Call& call, const json& cluster,
                                       const std::string& oldHost, const Succession& succession) {
  const json meta = cluster.value("metadata", json::object());
  const std::string key = meta.value("namespace", "") + "/" + meta.value("name", "");
  const std::string what = "MysqlCluster " + key;
  Memory* mem = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    mem = &memory_[key];
  }
  if (!mem->loaded && !load(call, cluster, *mem, what)) {
    log_(mysqlop_log_Error, what + ": " + oldHost +
                                " is not recorded as demoted (the failover "
                                "state cannot be read)");
    return;
  }
  mem->st.demoted[oldHost] = succession;
  mem->st.master = hostPart(succession.newMaster);
  if (persist(call, cluster, *mem, what)) {
    log_(mysqlop_log_Warn, what + ": recorded " + oldHost + " as demoted (successor " +
                               succession.newMaster + "): it is fenced and rejoined or kept out");
  }
}

void KubeFailover::notifyAck(const std::string& key, const FailoverState& st, std::int64_t id) {
  if (!onAck_) {
    return;
  }
  for (const RecentRecovery& r : st.recent) {
    if (r.id == id) {
      onAck_(key, r);
    }
  }
}

}  // namespace mysqlop::orchestrator
