#include "plugins/orchestrator/src/audit.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

namespace mysqlop::orchestrator {

using namespace Poco::Data::Keywords;
namespace fs = std::filesystem;

namespace {

// 2: recoveries.cluster_recovery_id (the id the user sees, README "PendingFailoverAck").
constexpr int kSchemaVersion = 2;
constexpr UnixMs kPurgeEveryMs = UnixMs{3600} * 1000;

std::string joinHosts(const std::vector<std::string>& hosts) {
  return nlohmann::json(hosts).dump();
}

std::vector<std::string> splitHosts(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& h : j) {
      if (h.is_string()) {
        out.push_back(h.get<std::string>());
      }
    }
  }
  return out;
}

// orchestrator's TopologyRecovery.UID is a random token; ours too (the id is the ack's key).
std::string newUid() {
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mu);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// Why the file cannot be a store, checked before SQLite (whose own messages for these cases say
// only "unable to open database file").
std::string pathProblem(const std::string& path) {
  if (path.empty()) {
    return "the path is empty";
  }
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    return path + " is a directory";
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::exists(dir, ec)) {
    return "directory " + dir.string() + " does not exist";
  }
  if (!fs::is_directory(dir, ec)) {
    return dir.string() + " is not a directory";
  }
  return {};
}

std::string text(const Poco::Data::RecordSet& rs, const char* col, std::size_t row) {
  const Poco::Dynamic::Var v = rs.value(col, row);
  return v.isEmpty() ? std::string() : v.convert<std::string>();
}

std::int64_t integer(const Poco::Data::RecordSet& rs, const char* col, std::size_t row) {
  const Poco::Dynamic::Var v = rs.value(col, row);
  return v.isEmpty() ? 0 : v.convert<Poco::Int64>();
}

// Poco's SQLite exceptions read "Corrupt image: file is not a database: file is not a
// database" (its class, then SQLite's message twice): keep SQLite's message once.
std::string reason(const Poco::Exception& e) {
  std::string m = e.message();
  const std::size_t half = m.size() / 2;
  if (m.size() > 2 && m.compare(half - 1, 2, ": ") == 0 &&
      m.compare(0, half - 1, m, half + 1, std::string::npos) == 0) {
    m.resize(half - 1);
  }
  return m.empty() ? e.displayText() : m;
}

}  // namespace

UnixMs nowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string formatUnixMs(UnixMs t) {
  const std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];  // (sized for any int the format could print)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(t % 1000));
  return buf;
}

AuditStore::AuditStore(AuditOptions options) : options_(std::move(options)) {}

AuditStore::~AuditStore() = default;

AuditRead<std::unique_ptr<AuditStore>> AuditStore::open(const AuditOptions& options) {
  AuditRead<std::unique_ptr<AuditStore>> out;
  const std::string prefix = "cannot open the audit store " + options.path + ": ";
  if (std::string why = pathProblem(options.path); !why.empty()) {
    out.error = prefix + why;
    return out;
  }
  std::unique_ptr<AuditStore> store(new AuditStore(options));
  try {
    static std::once_flag registered;
    std::call_once(registered, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    store->session_ = std::make_unique<Poco::Data::Session>("SQLite", options.path);
    Poco::Data::Session& s = *store->session_;
    s << "PRAGMA journal_mode=WAL", now;
    s << "PRAGMA synchronous=NORMAL", now;
    s << "PRAGMA busy_timeout=5000", now;
    s << "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL)", now;
    s << "CREATE TABLE IF NOT EXISTS recoveries(id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT "
         "NOT NULL, cluster TEXT NOT NULL, analysis TEXT NOT NULL, failed_host TEXT NOT NULL, "
         "successor_host TEXT NOT NULL, lost_replicas TEXT NOT NULL, detected_at INTEGER NOT "
         "NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, result TEXT NOT NULL, "
         "message TEXT NOT NULL, acknowledged INTEGER NOT NULL, acknowledged_at INTEGER NOT NULL, "
         "acknowledged_by TEXT NOT NULL, ack_comment TEXT NOT NULL, cluster_recovery_id INTEGER "
         "NOT NULL DEFAULT 0)",
        now;
    // A version 1 file: its rows have no cluster id (0: the route shows their own id).
    {
      Poco::Data::Statement info(s);
      info << "PRAGMA table_info(recoveries)";
      info.execute();
      Poco::Data::RecordSet cols(info);
      bool has = false;
      for (std::size_t row = 0; row < cols.rowCount(); ++row) {
        has = has || text(cols, "name", row) == "cluster_recovery_id";
      }
      if (!has) {
        s << "ALTER TABLE recoveries ADD COLUMN cluster_recovery_id INTEGER NOT NULL DEFAULT 0",
            now;
      }
    }
    s << "CREATE INDEX IF NOT EXISTS recoveries_cluster ON recoveries(cluster, id)", now;
    s << "CREATE TABLE IF NOT EXISTS recovery_steps(recovery_id INTEGER NOT NULL, seq INTEGER NOT "
         "NULL, name TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER NOT NULL, "
         "result TEXT NOT NULL, message TEXT NOT NULL, PRIMARY KEY(recovery_id, seq))",
        now;
    s << "CREATE TABLE IF NOT EXISTS detections(id INTEGER PRIMARY KEY AUTOINCREMENT, cluster "
         "TEXT NOT NULL, analysis TEXT NOT NULL, failed_host TEXT NOT NULL, description TEXT NOT "
         "NULL, at INTEGER NOT NULL, recovery_id INTEGER NOT NULL)",
        now;
    s << "CREATE TABLE IF NOT EXISTS node_changes(id INTEGER PRIMARY KEY AUTOINCREMENT, cluster "
         "TEXT NOT NULL, host TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL, "
         "error TEXT NOT NULL, at INTEGER NOT NULL)",
        now;
    Poco::Int64 version = kSchemaVersion;
    s << "INSERT OR REPLACE INTO meta(k, v) VALUES('schema_version', ?)", use(version), now;
  } catch (const Poco::Exception& e) {
    out.error = prefix + reason(e);
    return out;
  }
  if (std::string e = store->purge(nowUnixMs()); !e.empty()) {
    out.error = prefix + e;
    return out;
  }
  out.value = std::move(store);
  return out;
}

template <class Fn>
std::string AuditStore::write(const char* doing, Fn&& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  Poco::Data::Session& s = *session_;
  maybePurgeLocked(nowUnixMs());  // (outside the write's transaction: its failure is not ours)
  try {
    s.begin();
    std::string refusal = fn(s);
    if (!refusal.empty()) {
      s.rollback();
      return refusal;
    }
    s.commit();
  } catch (const Poco::Exception& e) {
    try {
      if (s.isTransaction()) {
        s.rollback();
      }
    } catch (const Poco::Exception&) {
    }
    return std::string(doing) + ": " + reason(e);
  }
  return {};
}

void AuditStore::maybePurgeLocked(UnixMs at) {
  if (at - lastPurge_ >= kPurgeEveryMs) {
    (void)purgeLocked(at);  // a failed purge is tried again at the next write
  }
}

std::string AuditStore::purge(UnixMs at) {
  std::lock_guard<std::mutex> lock(mu_);
  return purgeLocked(at);
}

// (Not named `now`: that is Poco's keyword that executes a statement.)
std::string AuditStore::purgeLocked(UnixMs at) {
  Poco::Data::Session& s = *session_;
  Poco::Int64 cutoff = at - static_cast<UnixMs>(options_.retentionDays) * 86400 * 1000;
  try {
    s.begin();
    s << "DELETE FROM recovery_steps WHERE recovery_id IN (SELECT id FROM recoveries WHERE "
         "acknowledged = 1 AND ended_at > 0 AND ended_at < ?)",
        use(cutoff), now;
    s << "DELETE FROM recoveries WHERE acknowledged = 1 AND ended_at > 0 AND ended_at < ?",
        use(cutoff), now;
    s << "DELETE FROM detections WHERE at < ?", use(cutoff), now;
    s << "DELETE FROM node_changes WHERE at < ?", use(cutoff), now;
    s.commit();
  } catch (const Poco::Exception& e) {
    try {
      if (s.isTransaction()) {
        s.rollback();
      }
    } catch (const Poco::Exception&) {
    }
    return "purging the audit: " + reason(e);
  }
  lastPurge_ = at;
  return {};
}

AuditRead<std::int64_t> AuditStore::beginRecovery(const RecoveryBegin& b) {
  AuditRead<std::int64_t> out;
  if (b.cluster.empty()) {
    out.error = "a recovery needs a cluster";
    return out;
  }
  if (b.analysis.empty()) {
    out.error = "a recovery needs an analysis";
    return out;
  }
  const UnixMs t = nowUnixMs();
  out.error = write("recording the start of a recovery", [&](Poco::Data::Session& s) {
    Poco::Int64 detected = b.detectedAt ? b.detectedAt : t;
    Poco::Int64 started = b.startedAt ? b.startedAt : t;
    Poco::Int64 clusterId = b.clusterId;
    s << "INSERT INTO recoveries(uid, cluster, analysis, failed_host, successor_host, "
         "lost_replicas, detected_at, started_at, ended_at, result, message, acknowledged, "
         "acknowledged_at, acknowledged_by, ack_comment, cluster_recovery_id) VALUES(?, ?, ?, ?, "
         "'', ?, ?, ?, 0, ?, '', 0, 0, '', '', ?)",
        bind(b.uid.empty() ? newUid() : b.uid), bind(b.cluster), bind(b.analysis),
        bind(b.failedHost), bind(joinHosts(b.lostReplicas)), use(detected), use(started),
        bind(std::string(kRecoveryRunning)), use(clusterId), now;
    Poco::Int64 id = 0;
    s << "SELECT last_insert_rowid()", into(id), now;
    out.value = id;
    return std::string();
  });
  return out;
}

namespace {

// "" when recovery id exists and is running; else the refusal.
std::string requireRunning(Poco::Data::Session& s, std::int64_t id) {
  Poco::Int64 key = id;
  std::vector<std::string> results;
  s << "SELECT result FROM recoveries WHERE id = ?", use(key), into(results), now;
  if (results.empty()) {
    return "no recovery " + std::to_string(id);
  }
  if (results[0] != kRecoveryRunning) {
    return "recovery " + std::to_string(id) + " has already ended";
  }
  return {};
}

}  // namespace

std::string AuditStore::addStep(std::int64_t id, const RecoveryStep& step) {
  if (step.name.empty()) {
    return "a step needs a name";
  }
  if (step.result != kStepOk && step.result != kStepFailed && step.result != kStepSkipped) {
    return "a step's result must be ok, failed or skipped (got \"" + step.result + "\")";
  }
  return write("recording a step of a recovery", [&](Poco::Data::Session& s) {
    if (std::string r = requireRunning(s, id); !r.empty()) {
      return r;
    }
    Poco::Int64 key = id;
    Poco::Int64 seq = 0;
    s << "SELECT COUNT(*) FROM recovery_steps WHERE recovery_id = ?", use(key), into(seq), now;
    const UnixMs t = nowUnixMs();
    Poco::Int64 started = step.startedAt ? step.startedAt : t;
    Poco::Int64 ended = step.endedAt ? step.endedAt : t;
    s << "INSERT INTO recovery_steps(recovery_id, seq, name, started_at, ended_at, result, "
         "message) VALUES(?, ?, ?, ?, ?, ?, ?)",
        use(key), use(seq), bind(step.name), use(started), use(ended), bind(step.result),
        bind(step.message), now;
    return std::string();
  });
}

std::string AuditStore::endRecovery(std::int64_t id, bool success, const std::string& successorHost,
                                    const std::vector<std::string>& lostReplicas,
                                    const std::string& message, UnixMs at) {
  return write("recording the end of a recovery", [&](Poco::Data::Session& s) {
    if (std::string r = requireRunning(s, id); !r.empty()) {
      return r;
    }
    Poco::Int64 key = id;
    Poco::Int64 ended = at ? at : nowUnixMs();
    s << "UPDATE recoveries SET ended_at = ?, result = ?, successor_host = ?, lost_replicas = ?, "
         "message = ? WHERE id = ?",
        use(ended), bind(std::string(success ? kRecoverySuccess : kRecoveryFailure)),
        bind(successorHost), bind(joinHosts(lostReplicas)), bind(message), use(key), now;
    return std::string();
  });
}

std::string AuditStore::acknowledge(std::int64_t id, const std::string& by,
                                    const std::string& comment, UnixMs at) {
  return write("acknowledging a recovery", [&](Poco::Data::Session& s) {
    Poco::Int64 key = id;
    std::vector<std::string> results;
    std::vector<Poco::Int64> acked;
    s << "SELECT result, acknowledged FROM recoveries WHERE id = ?", use(key), into(results),
        into(acked), now;
    const std::string which = "recovery " + std::to_string(id);
    if (results.empty()) {
      return "no " + which;
    }
    if (results[0] == kRecoveryRunning) {
      return which + " is still running";
    }
    if (acked[0] != 0) {
      return which + " is already acknowledged";
    }
    Poco::Int64 when = at ? at : nowUnixMs();
    s << "UPDATE recoveries SET acknowledged = 1, acknowledged_at = ?, acknowledged_by = ?, "
         "ack_comment = ? WHERE id = ?",
        use(when), bind(by), bind(comment), use(key), now;
    return std::string();
  });
}

AuditRead<int> AuditStore::acknowledgeUid(const std::string& cluster, const std::string& uid,
                                          const std::string& by, const std::string& comment,
                                          UnixMs at) {
  AuditRead<int> out;
  out.error = write("acknowledging a recovery", [&](Poco::Data::Session& s) {
    Poco::Int64 when = at ? at : nowUnixMs();
    // Every ended row of the recovery (a takeover may have recorded it a second time), once.
    s << "UPDATE recoveries SET acknowledged = 1, acknowledged_at = ?, acknowledged_by = ?, "
         "ack_comment = ? WHERE cluster = ? AND uid = ? AND acknowledged = 0 AND result != ?",
        use(when), bind(by), bind(comment), bind(cluster), bind(uid),
        bind(std::string(kRecoveryRunning)), now;
    Poco::Int64 changed = 0;
    s << "SELECT changes()", into(changed), now;
    out.value = static_cast<int>(changed);
    return std::string();
  });
  return out;
}

AuditRead<std::int64_t> AuditStore::recordDetection(const Detection& d) {
  AuditRead<std::int64_t> out;
  if (d.cluster.empty()) {
    out.error = "a detection needs a cluster";
    return out;
  }
  if (d.analysis.empty()) {
    out.error = "a detection needs an analysis";
    return out;
  }
  const UnixMs t = nowUnixMs();
  out.error = write("recording a detection", [&](Poco::Data::Session& s) {
    Poco::Int64 at = d.at ? d.at : t;
    Poco::Int64 recovery = d.recoveryId;
    s << "INSERT INTO detections(cluster, analysis, failed_host, description, at, recovery_id) "
         "VALUES(?, ?, ?, ?, ?, ?)",
        bind(d.cluster), bind(d.analysis), bind(d.failedHost), bind(d.description), use(at),
        use(recovery), now;
    Poco::Int64 id = 0;
    s << "SELECT last_insert_rowid()", into(id), now;
    out.value = id;
    return std::string();
  });
  return out;
}

std::string AuditStore::recordNodeChange(const NodeChange& c) {
  if (c.cluster.empty() || c.host.empty()) {
    return "a node change needs a cluster and a host";
  }
  const UnixMs t = nowUnixMs();
  return write("recording a node change", [&](Poco::Data::Session& s) {
    Poco::Int64 at = c.at ? c.at : t;
    s << "INSERT INTO node_changes(cluster, host, from_state, to_state, error, at) VALUES(?, ?, "
         "?, ?, ?, ?)",
        bind(c.cluster), bind(c.host), bind(c.fromState), bind(c.toState), bind(c.error), use(at),
        now;
    return std::string();
  });
}

AuditRead<std::vector<Recovery>> AuditStore::recoveriesLocked(const std::string& where,
                                                              const std::vector<std::string>& args,
                                                              int limit) const {
  AuditRead<std::vector<Recovery>> out;
  Poco::Data::Session& s = *session_;
  try {
    Poco::Data::Statement select(s);
    select << "SELECT * FROM recoveries " + where + " LIMIT " + std::to_string(limit);
    for (const std::string& a : args) {
      select, bind(a);
    }
    select.execute();
    Poco::Data::RecordSet rs(select);
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      Recovery r;
      r.id = integer(rs, "id", row);
      r.uid = text(rs, "uid", row);
      r.cluster = text(rs, "cluster", row);
      r.analysis = text(rs, "analysis", row);
      r.failedHost = text(rs, "failed_host", row);
      r.successorHost = text(rs, "successor_host", row);
      r.lostReplicas = splitHosts(text(rs, "lost_replicas", row));
      r.detectedAt = integer(rs, "detected_at", row);
      r.startedAt = integer(rs, "started_at", row);
      r.endedAt = integer(rs, "ended_at", row);
      r.result = text(rs, "result", row);
      r.message = text(rs, "message", row);
      r.acknowledged = integer(rs, "acknowledged", row) != 0;
      r.acknowledgedAt = integer(rs, "acknowledged_at", row);
      r.acknowledgedBy = text(rs, "acknowledged_by", row);
      r.ackComment = text(rs, "ack_comment", row);
      r.clusterId = integer(rs, "cluster_recovery_id", row);
      out.value.push_back(std::move(r));
    }
    for (Recovery& r : out.value) {
      Poco::Int64 key = r.id;
      Poco::Data::Statement steps(s);
      steps << "SELECT name, started_at, ended_at, result, message FROM recovery_steps WHERE "
               "recovery_id = ? ORDER BY seq",
          use(key);
      steps.execute();
      Poco::Data::RecordSet srs(steps);
      for (std::size_t row = 0; row < srs.rowCount(); ++row) {
        r.steps.push_back({text(srs, "name", row), integer(srs, "started_at", row),
                           integer(srs, "ended_at", row), text(srs, "result", row),
                           text(srs, "message", row)});
      }
    }
  } catch (const Poco::Exception& e) {
    out.value.clear();
    out.error = "reading the recoveries: " + reason(e);
  }
  return out;
}

AuditRead<std::vector<Recovery>> AuditStore::recentRecoveries(const RecoveryQuery& q) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (q.cluster.empty()) {
    return recoveriesLocked("ORDER BY id DESC", {}, q.limit);
  }
  return recoveriesLocked("WHERE cluster = ? ORDER BY id DESC", {q.cluster}, q.limit);
}

AuditRead<Recovery> AuditStore::recovery(std::int64_t id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto all = recoveriesLocked("WHERE id = " + std::to_string(id), {}, 1);
  AuditRead<Recovery> out;
  if (!all.ok()) {
    out.error = all.error;
  } else if (all.value.empty()) {
    out.error = "no recovery " + std::to_string(id);
  } else {
    out.value = std::move(all.value[0]);
  }
  return out;
}

AuditRead<std::vector<Recovery>> AuditStore::unacknowledged(const std::string& cluster) const {
  std::lock_guard<std::mutex> lock(mu_);
  return recoveriesLocked("WHERE cluster = ? AND acknowledged = 0 AND result != '" +
                              std::string(kRecoveryRunning) + "' ORDER BY id ASC",
                          {cluster}, 1000000);
}

namespace {

// The newest rows of a table, of one cluster or of all, each made into a T by rowOf; what names
// the rows in the error ("reading the detections: <why>").
template <class T, class RowOf>
AuditRead<std::vector<T>> readRecent(Poco::Data::Session& session, const std::string& table,
                                     const std::string& cluster, int limit, const std::string& what,
                                     RowOf rowOf) {
  AuditRead<std::vector<T>> out;
  try {
    Poco::Data::Statement select(session);
    select << "SELECT * FROM " + table + " " +
                  std::string(cluster.empty() ? "" : "WHERE cluster = ? ") +
                  "ORDER BY id DESC LIMIT " + std::to_string(limit);
    if (!cluster.empty()) {
      select, bind(cluster);
    }
    select.execute();
    Poco::Data::RecordSet rs(select);
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      out.value.push_back(rowOf(rs, row));
    }
  } catch (const Poco::Exception& e) {
    out.value.clear();
    out.error = "reading the " + what + ": " + reason(e);
  }
  return out;
}

}  // namespace

AuditRead<std::vector<Detection>> AuditStore::recentDetections(const std::string& cluster,
                                                               int limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  return readRecent<Detection>(*session_, "detections", cluster, limit, "detections",
                               [](Poco::Data::RecordSet& rs, std::size_t row) {
                                 return Detection{
                                     integer(rs, "id", row),         text(rs, "cluster", row),
                                     text(rs, "analysis", row),      text(rs, "failed_host", row),
                                     text(rs, "description", row),   integer(rs, "at", row),
                                     integer(rs, "recovery_id", row)};
                               });
}

AuditRead<std::vector<NodeChange>> AuditStore::recentNodeChanges(const std::string& cluster,
                                                                 int limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  return readRecent<NodeChange>(*session_, "node_changes", cluster, limit, "node changes",
                                [](Poco::Data::RecordSet& rs, std::size_t row) {
                                  return NodeChange{
                                      integer(rs, "id", row),    text(rs, "cluster", row),
                                      text(rs, "host", row),     text(rs, "from_state", row),
                                      text(rs, "to_state", row), text(rs, "error", row),
                                      integer(rs, "at", row)};
                                });
}

}  // namespace mysqlop::orchestrator
