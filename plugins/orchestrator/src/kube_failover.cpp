#include "plugins/orchestrator/src/kube_failover.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/events.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/time.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/analysis.h"
#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/candidate.h"
#include "plugins/orchestrator/src/gather.h"
#include "plugins/orchestrator/src/gtid.h"
#include "plugins/orchestrator/src/recovery.h"
#include "plugins/orchestrator/src/semi_sync.h"

namespace mysqlop::orchestrator {

using nlohmann::json;
namespace res = mysqlop::kube::res;

namespace {

using Clock = std::chrono::steady_clock;

// A recovery's uid (bitpoke shows orchestrator's in the ack message): 16 random hex digits.
std::string newUid() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> d;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d(rd)));
  return buf;
}

constexpr int kMysqlPort = 3306;
// The engine's own probes during detection: a hung master must cost a pass about a second.
constexpr std::chrono::seconds kEngineProbeRead{1};
constexpr const char* kKeptOut =
    "kept out after a failover: it has transactions its successor lacks";  // what node init writes
                                                                           // as MASTER_PORT (the
                                                                           // pods' port)

std::string idOf(const Node& n, const FailoverInputs& in) {
  auto it = in.endpoints.find(n.ordinal);
  return n.host + ":" + std::to_string(it != in.endpoints.end() ? it->second.port : kMysqlPort);
}

std::string joinedList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

// The node whose status.nodes entry says Master=True before this pass ("" when none).
std::string statusMaster(const ClusterState& s) {
  for (const json& n : s.statusNodes) {
    if (!n.is_object()) {
      continue;
    }
    for (const json& c : n.value("conditions", json::array())) {
      if (c.is_object() && c.value("type", "") == "Master" && c.value("status", "") == "True") {
        return n.value("name", "");
      }
    }
  }
  return {};
}

// What binlogPos has that the successor lacks ("" when nothing; gtidNotInSuccessor: a returned
// old master that replicates from the successor and lags behind it is not errant); nullopt when
// the successor cannot be read.
std::optional<std::string> beyondSuccessor(const FailoverInputs& in, const ClusterState& state,
                                           const std::string& successor,
                                           const std::string& binlogPos,
                                           const std::string& promotedAt) {
  const std::string host = successor.substr(0, successor.rfind(':'));
  for (const Node& n : state.nodes) {
    if (n.host != host || !in.endpoints.count(n.ordinal)) {
      continue;
    }
    auto c = mysql::Connection::open(
        in.endpoints.at(n.ordinal), in.operatorUser,
        {in.connectTimeout, std::chrono::seconds(5), std::chrono::seconds(5)});
    if (!c.ok()) {
      return std::nullopt;
    }
    auto fl = in.flavors.find(n.ordinal);
    auto seen = probeForEngine(
        **c, mysql::ReplicationSql(fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB));
    const auto mine = parseGtidPos(binlogPos);
    const auto theirs = seen.ok() ? parseGtidPos(seen->gtidBinlogPos) : std::nullopt;
    const auto base = parseGtidPos(promotedAt);
    if (!mine || !theirs || !base) {
      return std::nullopt;
    }
    return gtidNotInSuccessor(*mine, *theirs, *base);
  }
  return std::nullopt;
}

// Whether a kept-out old master that came back unconfigured has new data (a re-clone), so that
// node init may join it. "Unconfigured" alone does not say so: the init-file writes configured=0
// at every start of mysqld, so a plain restart with the old data looks the same. Its data is its
// old data while its binlog still ends, in some domain, with a transaction it wrote itself that
// it did not receive by replication (errantGtids); a re-cloned node's binlog ends with its
// source's transactions, or is empty. MySQL servers (server_uuid GTIDs, not run here) keep the
// former rule. When the node cannot be read, it stays out until the next pass.
bool cameBackWithNewData(const FailoverInputs& in, const Node& n) {
  auto fl = in.flavors.find(n.ordinal);
  const mysql::Flavor flavor = fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB;
  if (flavor != mysql::Flavor::MariaDB) {
    return true;
  }
  if (!in.endpoints.count(n.ordinal)) {
    return false;
  }
  auto c = mysql::Connection::open(
      in.endpoints.at(n.ordinal), in.operatorUser,
      {in.connectTimeout, std::chrono::seconds(5), std::chrono::seconds(5)});
  if (!c.ok()) {
    return false;
  }
  auto o = probeForEngine(**c, mysql::ReplicationSql(flavor));
  if (!o.ok()) {
    return false;
  }
  const auto binlog = parseGtidPos(o->gtidBinlogPos);
  const auto slave = parseGtidPos(o->gtidSlavePos);
  std::uint64_t serverId = 0;
  try {
    serverId = std::stoull(o->serverId);
  } catch (const std::exception&) {
    return false;
  }
  return binlog && slave && errantGtids(*binlog, *slave, serverId).empty();
}

}  // namespace

std::string markFailoverInProgress(mysqlop::Call& call, const std::string& ns,
                                   const std::string& name, const std::string& message) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    mysqlop::Reply got = call.get(res::kMysqlCluster, ns, name);
    if (!got.ok()) {
      return got.error;
    }
    json c = json::parse(got.data, nullptr, false);
    if (!c.is_object()) {
      return "the MysqlCluster is not JSON";
    }
    json& st = c["status"];
    if (!st.is_object()) {
      st = json::object();
    }
    if (!kube::setCondition(st["conditions"],
                            {"FailoverInProgress", "True", kReasonFailoverInProgress, message},
                            kube::nowTime())) {
      return {};
    }
    mysqlop::Reply w = call.updateStatus(res::kMysqlCluster, c.dump());
    if (w.ok()) {
      return {};
    }
    if (w.status != mysqlop_status_Conflict) {
      return w.error;
    }
  }
  return "the MysqlCluster kept changing";
}

KubeFailover::KubeFailover(EngineOptions options, LogFn log, RecoveryObserver onRecovery)
    : options_(std::move(options)), log_(std::move(log)), onRecovery_(std::move(onRecovery)) {}

void KubeFailover::forget(const std::string& clusterKey) {
  std::lock_guard<std::mutex> lock(mu_);
  memory_.erase(clusterKey);
}

std::string KubeFailover::lastMaster(const std::string& clusterKey) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = memory_.find(clusterKey);
  return it == memory_.end() ? std::string() : it->second.st.master;
}

bool KubeFailover::recoveryRecorded(const std::string& clusterKey) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = memory_.find(clusterKey);
  return it != memory_.end() && it->second.st.inProgress.has_value();
}

std::optional<std::chrono::milliseconds> KubeFailover::recheckAfter(const std::string& clusterKey) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = memory_.find(clusterKey);
  if (it == memory_.end() || !it->second.suspect) {
    return std::nullopt;
  }
  // Often enough that the grace is measured by passes, not by the poll: a pass over a silent
  // master already lasts about the probes' timeouts.
  return std::min<std::chrono::milliseconds>(options_.pollInterval, std::chrono::milliseconds(100));
}

void KubeFailover::hideKeptOut(ClusterState& state) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = memory_.find(state.ns + "/" + state.name);
  if (it == memory_.end()) {
    return;
  }
  for (Node& n : state.nodes) {
    if (n.seen && n.seen->reachable && it->second.st.keptOut.count(n.host)) {
      n.seen->reachable = false;
      n.seen->error = n.host + ": " + kKeptOut;
    }
  }
}

bool KubeFailover::step(mysqlop::Call& call, const json& cluster, ClusterState& state,
                        const FailoverInputs& in) {
  const std::string key = state.ns + "/" + state.name;
  const std::string what = "MysqlCluster " + key;
  Memory* mem = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    mem = &memory_[key];
  }
  const auto now = Clock::now();
  mem->suspect = false;
  // Semi-sync of this cluster: the annotation, else the plugin default. A bad value is published
  // once (per value) as a Warning Event, not at every pass.
  const SemiSyncChoice semi = semiSyncChoice(cluster, options_.kubeSemiSync);
  if (!semi.warning.empty() && semi.warning != mem->semiSyncWarned) {
    kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventSemiSyncAnnotationInvalid,
                      semi.warning);
    log_(mysqlop_log_Warn, what + ": " + semi.warning);
  }
  mem->semiSyncWarned = semi.warning;
  mem->semiSync = semi.on;
  for (const Node& n : state.nodes) {
    if (n.seen && n.seen->reachable) {
      mem->lastAnswered[n.host] = now;
      mem->history.answered(n.host, now);
      mem->history.heard(n.host, *n.seen, now);
    } else {
      // The probe started at least probeSeconds before now (the pass waits for every probe); a
      // node with no pod or no endpoint (deleted, being deleted) is silent from this pass on.
      const double took = n.seen ? n.seen->probeSeconds : 0.0;
      mem->history.silent(n.host, now - std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(took)));
    }
  }
  // What an earlier leader (or this process before a restart) recorded comes first: nothing is
  // decided without it.
  if (!mem->loaded && !load(call, cluster, *mem, what)) {
    return false;
  }
  bool changed = false;
  if (mem->st.inProgress) {
    changed = finishRecorded(call, cluster, state, in, *mem, what);
    if (mem->st.inProgress) {
      return changed;  // still recorded (waiting for its candidate, or a step failed): no other
    }
  }
  const FailoverState before = mem->st;
  changed = fenceReturned(call, cluster, *mem, state, in, what) || changed;
  if (mem->st != before) {
    persist(call, cluster, *mem, what);
  }
  // Detection starts only when the master the status names does not answer in this pass: a
  // healthy cluster costs nothing more than the observer's probes.
  if (std::string named = statusMaster(state); !named.empty()) {
    mem->st.master = named;
  }
  const std::string master = mem->st.master;
  if (master.empty()) {
    return changed;
  }
  for (const Node& n : state.nodes) {
    if (n.host == master && n.seen && n.seen->reachable) {
      mem->lastAnalysis.clear();
      if (!changed) {
        arm(*mem, state, in, master, what);
      }
      return changed;
    }
  }
  // Only a master this process has seen answering is failed over: after an operator restart,
  // or when every pod starts again at once, the master may simply not be up yet.
  // (lastAnswered too: engine state restored from elsewhere may know it.)
  if (!mem->history.everAnswered(master) && !mem->lastAnswered.count(master)) {
    return changed;
  }
  return recover(call, cluster, state, in, *mem, what) || changed;
}

bool KubeFailover::fenceReturned(mysqlop::Call& call, const json& cluster, Memory& m,
                                 ClusterState& state, const FailoverInputs& in,
                                 const std::string& what) {
  bool changed = false;
  for (Node& n : state.nodes) {
    if (!n.seen || !n.seen->reachable) {
      continue;
    }
    if (m.st.keptOut.count(n.host) && !n.seen->configured && cameBackWithNewData(in, n)) {
      // Its data was re-initialised (a new volume: a re-clone): a new node, which node init
      // joins to the master. The persisted keptOut would otherwise hold it out forever.
      log_(mysqlop_log_Warn,
           what + ": " + n.host + " is no longer kept out: it came back unconfigured (new data)");
      m.st.keptOut.erase(n.host);
    }
    if (m.st.keptOut.count(n.host)) {
      n.seen->reachable = false;
      n.seen->error = n.host + ": " + kKeptOut;
      continue;
    }
    auto it = m.st.demoted.find(n.host);
    if (it == m.st.demoted.end() || !in.endpoints.count(n.ordinal)) {
      continue;
    }
    const Succession next = it->second;
    auto c = mysql::Connection::open(
        in.endpoints.at(n.ordinal), in.operatorUser,
        {in.connectTimeout, std::chrono::seconds(10), std::chrono::seconds(10)});
    if (!c.ok()) {
      continue;
    }
    auto fl = in.flavors.find(n.ordinal);
    const mysql::ReplicationSql sql(fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB);
    auto killed = fenceNode(**c, sql, in.operatorUser.user);
    if (!killed.ok()) {
      log_(mysqlop_log_Error,
           what + ": fencing the old master " + n.host + ": " + killed.error().message);
      continue;
    }
    changed = true;
    const std::string fenced = what + ": fenced the old master " + n.host + " (read_only=1, " +
                               std::to_string(*killed) + " client sessions killed)";
    std::string beyond = "unknown (it could not be read)";
    auto o = probeForEngine(**c, sql);
    if (o.ok()) {
      const auto binlog = parseGtidPos(o->gtidBinlogPos);
      const auto base = parseGtidPos(next.promotedAt);
      beyond = binlog && base ? gtidBeyond(*binlog, *base)
                              : "unknown (unreadable GTID position '" + o->gtidBinlogPos + "')";
    }
    if (!beyond.empty()) {
      // Node init may have made it replicate from its successor already (it came back
      // unconfigured and was initialised before this step saw it): what it has beyond the
      // promotion position then came from the successor. Errant is only what the successor lacks.
      beyond = beyondSuccessor(in, state, next.newMaster, o.ok() ? o->gtidBinlogPos : "",
                               next.promotedAt)
                   .value_or(beyond);
    }
    if (!beyond.empty()) {
      log_(mysqlop_log_Warn, fenced + "; OldMasterKeptOut: it has transactions its successor " +
                                 next.newMaster + " lacks: " + beyond);
      kube::recordEvent(
          call, cluster, mysqlop_event_Warning, kEventOldMasterKeptOut,
          "old master " + n.host + " fenced (read_only=1, " + std::to_string(*killed) +
              " client sessions killed) and kept out: it has transactions its "
              "successor " +
              next.newMaster + " lacks: " + beyond + "; re-clone it to bring it back");
      m.st.keptOut.insert(n.host);
      m.st.demoted.erase(it);
      n.seen->reachable = false;
      n.seen->error = n.host + ": " + kKeptOut;
      continue;
    }
    ActSettings act;
    act.replicationUser = in.replicationUser.user;
    act.replicationPassword = in.replicationUser.password;
    act.engineUser = in.operatorUser.user;
    act.heartbeatMs = options_.replicaHeartbeatMs;
    // With semi-sync on, the rejoin turns its master side off (nothing waits there: it has
    // nothing beyond its successor) and its replica side on.
    act.semiSyncFencing = m.semiSync;
    if (auto r = rejoinOldMaster(**c, sql, next.newMaster, act); !r.ok()) {
      log_(mysqlop_log_Error,
           fenced + "; rejoining it under " + next.newMaster + ": " + r.error().message);
      continue;
    }
    log_(mysqlop_log_Warn, fenced + "; OldMasterRejoined: it replicates from " + next.newMaster);
    kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventOldMasterRejoined,
                      "old master " + n.host + " fenced (read_only=1, " + std::to_string(*killed) +
                          " client sessions killed) and rejoined: it " + "replicates from " +
                          next.newMaster);
    m.st.demoted.erase(it);
  }
  return changed;
}

bool KubeFailover::recover(mysqlop::Call& call, const json& cluster, ClusterState& state,
                           const FailoverInputs& in, Memory& m, const std::string& what) {
  const auto now = Clock::now();
  // The engine's view: every node that answered the observer is probed again for what the
  // analysis and the candidate need (received and binlog GTID positions, IO thread, heartbeats),
  // in parallel, over fresh connections.
  ClusterView view;
  view.name = state.ns + "/" + state.name;
  view.readOnly = state.specReadOnly;
  // Every node with an endpoint, the silent ones too: the observer's pooled connection to a
  // killed master fails as "Lost connection"; a fresh connect tells a refusal (the process is
  // gone: no grace) from a silence.
  struct EngineProbe {
    mysql::SqlResult<Observation> seen;
    bool refused = false;
  };
  std::vector<std::pair<std::size_t, std::future<EngineProbe>>> probes;
  const auto probesStarted = Clock::now();
  for (const Node& n : state.nodes) {
    NodeView v;
    v.id = idOf(n, in);
    if (n.seen) {
      v.seen = *n.seen;
      v.lastError = n.seen->error;
    }
    v.silentSeconds = m.history.silentSeconds(n.host, now);
    view.nodes.push_back(std::move(v));
    if (!in.endpoints.count(n.ordinal)) {
      continue;
    }
    // The observer's probe of it failed slowly (a timeout: a hang or a partition, not a
    // refusal): probing it again would only cost another timeout in this pass.
    if (n.seen && !n.seen->reachable &&
        n.seen->probeSeconds >= 0.9 * std::chrono::duration<double>(in.connectTimeout).count()) {
      continue;
    }
    const mysql::Endpoint ep = in.endpoints.at(n.ordinal);
    auto fl = in.flavors.find(n.ordinal);
    const mysql::Flavor flavor = fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB;
    const mysql::Credentials as = in.operatorUser;
    // Short reads: a hung server (SIGSTOP: TCP accepted, no greeting) must not hold the pass.
    const mysql::Timeouts t{in.connectTimeout, kEngineProbeRead, kEngineProbeRead};
    probes.emplace_back(
        view.nodes.size() - 1, std::async(std::launch::async, [ep, as, t, flavor]() {
          const auto t0 = Clock::now();
          auto c = mysql::Connection::open(ep, as, t);
          if (!c.ok()) {
            const mysql::SqlError& e = c.error();
            const bool refused =
                e.kind == mysql::SqlError::Kind::Unreachable &&
                (e.code == 2002 || e.code == 2003) &&
                Clock::now() - t0 < std::chrono::duration_cast<Clock::duration>(t.connect) / 4;
            return EngineProbe{mysql::SqlResult<Observation>(e), refused};
          }
          auto flavorNow = mysql::parseServerInfo((*c)->serverInfo());
          return EngineProbe{
              probeForEngine(
                  **c, mysql::ReplicationSql(flavorNow.ok() ? flavorNow.version->flavor : flavor)),
              false};
        }));
  }
  for (auto& [i, f] : probes) {
    NodeView& v = view.nodes[i];
    EngineProbe p = f.get();
    const std::string& nodeHost = state.nodes[i].host;
    if (p.seen.ok()) {
      const std::string host = v.seen.host, address = v.seen.address;
      v.seen = std::move(p.seen).value();
      v.seen.host = host;
      v.seen.address = address;
      v.answering = true;
      v.lastError.clear();
      m.history.answered(nodeHost, Clock::now());
      m.history.heard(nodeHost, v.seen, Clock::now());
    } else {
      v.seen.reachable = false;
      v.answering = false;
      v.refused = p.refused;
      v.lastError = p.seen.error().message;
      m.history.silent(nodeHost, probesStarted);
    }
  }
  // Both measured over the passes (heard.h): the master silent since the start of its first
  // failed probe; a replica lost it when its IO thread stopped, it has an IO error, or its
  // received heartbeats and position have not moved for replicaLostSeconds.
  const auto decidedAt = Clock::now();
  for (std::size_t i = 0; i < view.nodes.size(); ++i) {
    NodeView& v = view.nodes[i];
    v.silentSeconds = v.answering ? 0 : m.history.silentSeconds(state.nodes[i].host, decidedAt);
    v.sinceHeardSeconds = m.history.sinceHeardSeconds(state.nodes[i].host, decidedAt);
  }
  for (const Node& n : state.nodes) {
    if (n.host == m.st.master) {
      view.lastMaster = idOf(n, in);
    }
  }
  Thresholds thresholds;
  thresholds.failureDetectionGraceSeconds = options_.failureDetectionGraceSeconds;
  thresholds.replicaLostSeconds = options_.replicaLostSeconds;
  const Analysis a = analyze(view, thresholds);
  const std::string code = analysisName(a.code);
  if (code != m.lastAnalysis) {
    m.lastAnalysis = code;
    m.blockLogged = false;
    log_(a.code == AnalysisCode::NoProblem ? mysqlop_log_Info : mysqlop_log_Warn,
         what + ": " + code + " (master " + (a.master.empty() ? std::string("none") : a.master) +
             "): " + a.why);
  }
  if (a.code == AnalysisCode::UnreachableMaster) {
    m.suspect = true;  // the grace or the replicas' view is still running: pass again soon
  }
  if (a.code == AnalysisCode::NoFailoverReadOnly) {
    notRecovered(call, cluster, m, view.name, code, a.master,
                 "the cluster is read-only (spec.readOnly): no failover", what);
  }
  if (!a.failover()) {
    return false;
  }
  if (m.st.blockedUntilMs > 0 && nowUnixMs() < m.st.blockedUntilMs) {
    notRecovered(call, cluster, m, view.name, code, a.master,
                 "a recovery ended less than recoveryPeriodBlockSeconds ago (blocked until " +
                     formatUnixMs(m.st.blockedUntilMs) + ")",
                 what);
    return false;
  }
  const RecoveryPlan plan = planRecovery(view, a);
  // The intent, before any server is touched: a leader that takes over from here finishes with
  // this candidate. A Conflict means another leader wrote: this one stops.
  PersistedRecovery intent;
  intent.id = m.st.nextId++;
  intent.uid = newUid();
  intent.phase = RecoveryPhase::Promoting;
  intent.analysis = code;
  intent.oldMaster = a.master;
  intent.candidate = plan.candidate;
  intent.promotedAt = plan.waitGtid;
  intent.startedAtMs = nowUnixMs();
  if (!plan.candidate.empty()) {
    m.st.inProgress = intent;
    if (!persist(call, cluster, m, what)) {
      // Nothing was acted on: forget the intent, and read what is recorded before deciding again.
      m.st.inProgress.reset();
      m.loaded = false;
      log_(mysqlop_log_Error, what + ": " + code + " of " + a.master +
                                  " is not recovered by this process: its intent could not be "
                                  "recorded (see above)");
      return false;
    }
  }
  kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventFailureDetection,
                    "Failure: " + code + ", failed host: " + a.master + ", lost replcas: [" +
                        joinedList(a.unreachable) + "]");
  if (std::string e = markFailoverInProgress(call, state.ns, state.name, a.why); !e.empty()) {
    log_(mysqlop_log_Warn, what + ": setting FailoverInProgress: " + e);
  }
  log_(mysqlop_log_Warn, what + ": recovering from " + code + " of " + a.master + ": candidate " +
                             (plan.candidate.empty() ? std::string("none") : plan.candidate) +
                             ", repoint " + joinedList(plan.repoint) + ", lost " +
                             joinedList(plan.lost) + ", skipped " + joinedList(plan.skipped));
  RecoveryRecord rec;
  rec.cluster = view.name;
  rec.analysis = code;
  rec.failedMaster = a.master;
  rec.lost = plan.lost;
  rec.startedAt = std::chrono::system_clock::now();
  rec.id = intent.id;
  rec.uid = intent.uid;
  for (const NodeView& v : view.nodes) {
    if (v.id == a.master) {
      rec.detectedAfterSeconds = std::min(v.silentSeconds, 3600.0);
    }
  }
  std::map<std::string, std::pair<mysql::Endpoint, mysql::Flavor>> byId;
  for (const Node& n : state.nodes) {
    if (in.endpoints.count(n.ordinal)) {
      auto fl = in.flavors.find(n.ordinal);
      byId[idOf(n, in)] = {in.endpoints.at(n.ordinal),
                           fl != in.flavors.end() ? fl->second : mysql::Flavor::MariaDB};
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
  ActSettings act;
  act.replicationUser = in.replicationUser.user;
  act.replicationPassword = in.replicationUser.password;
  act.engineUser = in.operatorUser.user;
  act.heartbeatMs = options_.replicaHeartbeatMs;
  act.promotionWaitSeconds = options_.promotionWaitSeconds;
  // Semi-sync on: the candidate is armed as a semi-sync master before the others are repointed
  // under it (they are armed replicas already), so that it never acknowledges alone.
  act.semiSyncFencing = m.semiSync;
  const mysql::Flavor flavor =
      byId.count(plan.candidate) ? byId.at(plan.candidate).second : mysql::Flavor::MariaDB;
  rec.result = runRecovery(plan, mysql::ReplicationSql(flavor), connect, act);
  for (const StepRecord& s : rec.result.timeline) {
    log_(s.error.empty() ? mysqlop_log_Info : mysqlop_log_Error,
         what + ": +" + std::to_string(s.atSeconds) + " s " + s.what +
             (s.error.empty() ? "" : ": " + s.error));
  }
  if (rec.result.success) {
    kube::recordEvent(call, cluster, mysqlop_event_Normal, kEventPostMasterFailover,
                      "Failover of " + a.master + " succeeded, new master: " +
                          rec.result.newMaster + ", slaves: [" + joinedList(plan.repoint) + "]");
    log_(mysqlop_log_Warn, what + ": recovered (OrcPostMasterFailover): " + rec.result.newMaster +
                               " replaces " + a.master);
  } else {
    kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventPostUnsuccessfulFailover,
                      "Failover of " + a.master + " failed: " + rec.result.error);
    log_(mysqlop_log_Error,
         what + ": recovery failed (OrcPostUnsuccessfulFailover): " + rec.result.error);
  }
  if (onRecovery_) {
    onRecovery_(rec);
  }
  // A recovery that failed before touching the candidate changed nothing: the old master stays
  // the master if it comes back.
  if (rec.result.success) {
    m.st.master = rec.result.newMaster.substr(0, rec.result.newMaster.rfind(':'));
  }
  if (rec.result.candidateDetached) {
    const std::string oldHost = a.master.substr(0, a.master.rfind(':'));
    m.st.demoted[oldHost] = {rec.result.success ? rec.result.newMaster : plan.candidate,
                             plan.waitGtid};
  }
  m.st.inProgress.reset();
  rememberRecovery(m.st,
                   {intent.id, intent.uid, rec.result.success, intent.startedAtMs, false, 0, ""});
  m.st.blockedUntilMs =
      nowUnixMs() + static_cast<std::int64_t>(options_.recoveryPeriodBlockSeconds * 1000);
  persist(call, cluster, m, what);
  return rec.result.candidateDetached;
}

void KubeFailover::notRecovered(mysqlop::Call& call, const json& cluster, Memory& m,
                                const std::string& clusterKey, const std::string& code,
                                const std::string& master, const std::string& why,
                                const std::string& what) {
  if (m.blockLogged) {
    return;
  }
  m.blockLogged = true;
  const std::string msg = code + " of " + master + " is not recovered: " + why;
  log_(mysqlop_log_Warn, what + ": " + msg + " (RecoveryBlocked)");
  kube::recordEvent(call, cluster, mysqlop_event_Warning, kEventRecoveryBlocked, msg);
  if (onDetection_) {
    Detection d;
    d.cluster = clusterKey;
    d.analysis = code;
    d.failedHost = master;
    d.description = msg;
    onDetection_(d);
  }
}

void KubeFailover::arm(Memory& m, const ClusterState& state, const FailoverInputs& in,
                       const std::string& masterHost, const std::string& what) {
  // Only a healthy cluster: the master answers, and every other node that answers replicates
  // from it. Old masters still to fence or kept out are never touched (a fenced old master's
  // semi-sync master side must stay on: turning it off would acknowledge its waiting commits).
  const Node* master = nullptr;
  std::vector<const Node*> replicas;
  for (const Node& n : state.nodes) {
    if (!n.seen || !n.seen->reachable || !in.endpoints.count(n.ordinal)) {
      continue;
    }
    if (m.st.demoted.count(n.host) || m.st.keptOut.count(n.host)) {
      continue;
    }
    if (n.host == masterHost) {
      master = &n;
    } else if (n.seen->hasSlaveStatus && n.seen->masterHost == masterHost &&
               n.seen->slaveIoRunning) {
      replicas.push_back(&n);
    } else {
      return;  // a node on its own, or not replicating: not a healthy cluster now
    }
  }
  if (master == nullptr) {
    return;
  }
  const ArmTarget want{m.semiSync, options_.replicaHeartbeatMs};
  auto apply = [&](const Node& n, const ArmPlan& plan) -> bool {
    auto c = mysql::Connection::open(
        in.endpoints.at(n.ordinal), in.operatorUser,
        {in.connectTimeout, std::chrono::seconds(5), std::chrono::seconds(5)});
    std::vector<std::string> statements;
    if (plan.restartReplication) {
      statements.push_back(mysql::ReplicationSql::stopSlave());
    }
    statements.insert(statements.end(), plan.statements.begin(), plan.statements.end());
    if (plan.restartReplication) {
      statements.push_back(mysql::ReplicationSql::startSlave());
    }
    std::string error = c.ok() ? std::string() : c.error().message;
    for (const std::string& st : statements) {
      if (!error.empty()) {
        break;
      }
      if (auto r = (*c)->exec(st); !r.ok()) {
        error = r.error().describe(st);
      }
    }
    if (!error.empty()) {
      log_(mysqlop_log_Warn, what + ": arming " + n.host + " (" + plan.why + "): " + error);
      return false;
    }
    log_(mysqlop_log_Info, what + ": armed " + n.host + " (" + plan.why + ")");
    return true;
  };
  // Arming: replicas first (they register as semi-sync replicas), then the master, and only
  // when a replica will acknowledge (with wait_no_slave and no fallback, a master without one
  // cannot commit). Disarming: the master first, so that it never waits for an ack that a
  // disarmed replica no longer sends.
  auto masterPlan = armingPlan(ArmRole::Master, want, master->seen->replicationState);
  if (!want.semiSync && !masterPlan.empty() && !apply(*master, masterPlan)) {
    return;
  }
  int acking = 0;
  for (const Node* r : replicas) {
    const ArmPlan plan = armingPlan(ArmRole::Replica, want, r->seen->replicationState);
    const bool ok = plan.empty() || apply(*r, plan);
    auto slave = r->seen->replicationState.find("RPL_SEMI_SYNC_SLAVE_ENABLED");
    const bool enabled = slave != r->seen->replicationState.end() && slave->second == "ON";
    if (ok && (enabled || plan.restartReplication)) {
      ++acking;
    }
  }
  if (want.semiSync && !masterPlan.empty() && acking > 0) {
    apply(*master, masterPlan);
  }
}

}  // namespace mysqlop::orchestrator
