#include "plugins/orchestrator/src/switchover.h"

#include <cmath>
#include <optional>

#include "plugins/orchestrator/src/candidate.h"
#include "plugins/orchestrator/src/gather.h"
#include "plugins/orchestrator/src/gtid.h"

namespace mysqlop::orchestrator {
// A named namespace, not an anonymous one: the unity build joins this file with candidate.cpp
// and analysis.cpp, whose anonymous helpers have the obvious names.
namespace swo {

using mysql::Arg;
using mysql::SqlError;
using mysql::SqlResult;

std::string commaList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

const NodeView* node(const ClusterView& c, const std::string& id) {
  for (const NodeView& n : c.nodes) {
    if (n.id == id) {
      return &n;
    }
  }
  return nullptr;
}

std::string replicationSource(const NodeView& n) {
  if (!n.seen.hasSlaveStatus || n.seen.masterHost.empty()) {
    return {};
  }
  return n.seen.masterHost + ":" + std::to_string(n.seen.masterPort);
}

std::uint64_t seqTotal(const std::string& text) {
  std::uint64_t sum = 0;
  if (auto p = parseGtidPos(text)) {
    for (const auto& [d, e] : *p) {
      sum += e.seq;
    }
  }
  return sum;
}

// "" when r can take over from master m; else why not (the refusal's text after "<id> ").
std::string unfitTarget(const NodeView& r, const std::string& m) {
  if (!r.answering) {
    return "does not answer: " + (r.lastError.empty() ? std::string("no probe yet") : r.lastError);
  }
  const std::string source = replicationSource(r);
  if (source != m) {
    return "is not a replica of the master " + m +
           (source.empty() ? std::string(" (it does not replicate)")
                           : " (it replicates from " + source + ")");
  }
  if (!r.seen.lastIoError.empty()) {
    return "is not a healthy replica: its IO thread failed: " + r.seen.lastIoError;
  }
  if (!r.seen.slaveIoRunning) {
    return "is not a healthy replica: its IO thread is not running";
  }
  if (std::string why = ineligibility(r); !why.empty()) {
    return "cannot be promoted: " + why;
  }
  return {};
}

SqlError during(const SqlError& e, const std::string& doing) {
  return SqlError{e.kind, e.code, e.describe(doing)};
}

// The first column of the first row, "" when there is none.
SqlResult<std::string> scalar(mysql::Connection& conn, const std::string& statement,
                              const std::vector<Arg>& args, const std::string& doing) {
  auto rows = conn.query(statement, args);
  if (!rows.ok()) {
    return during(rows.error(), doing);
  }
  if (rows->empty() || rows->rows[0].empty()) {
    return std::string();
  }
  return rows->rows[0][0].value_or("");
}

// MASTER_GTID_WAIT(pos, seconds): true when applied, false on the timeout.
SqlResult<bool> waitApplied(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                            const std::string& pos, int seconds) {
  auto v = scalar(conn, sql.waitForGtid(), {Arg::text(pos), Arg::integer(seconds)},
                  "waiting for " + pos);
  if (!v.ok()) {
    return v.error();
  }
  return mysql::ReplicationSql::gtidWaitSucceeded(*v);
}

SqlResult<void> execAll(mysql::Connection& conn, const std::vector<std::string>& statements,
                        const std::string& doing) {
  for (const std::string& s : statements) {
    if (auto r = conn.exec(s); !r.ok()) {
      return during(r.error(), doing);
    }
  }
  return {};
}

}  // namespace swo

std::vector<std::string> matchTarget(const ClusterView& c, const std::string& requested) {
  std::vector<std::string> out;
  for (const NodeView& n : c.nodes) {
    if (n.id == requested) {
      return {n.id};
    }
  }
  for (const NodeView& n : c.nodes) {
    const std::string host = n.id.substr(0, n.id.rfind(':'));
    if (host == requested || host.substr(0, host.find('.')) == requested) {
      out.push_back(n.id);
    }
  }
  return out;
}

SwitchoverPlan planSwitchover(const ClusterView& c, const Thresholds& t,
                              const std::string& requested) {
  SwitchoverPlan plan;
  auto refuse = [&](int status, std::string why) {
    plan.status = status;
    plan.error = std::move(why);
    plan.target.clear();
    return plan;
  };
  if (c.readOnly) {
    return refuse(409, "cluster " + c.name + " is read-only: it is never switched over");
  }
  const Analysis a = analyze(c, t);
  if (a.code != AnalysisCode::NoProblem) {
    return refuse(409, "cluster " + c.name + " has no healthy master to switch over from (" +
                           analysisName(a.code) + ": " + a.why + ")");
  }
  plan.master = a.master;
  if (!requested.empty() && requested != "auto") {
    const std::vector<std::string> named = matchTarget(c, requested);
    std::vector<std::string> all;
    for (const NodeView& n : c.nodes) {
      all.push_back(n.id);
    }
    if (named.empty()) {
      return refuse(400, requested + " is not a node of cluster " + c.name +
                             " (nodes: " + swo::commaList(all) + ")");
    }
    if (named.size() > 1) {
      return refuse(400, requested + " names more than one node of cluster " + c.name + ": " +
                             swo::commaList(named));
    }
    const std::string& id = named[0];
    if (id == a.master) {
      return refuse(400, id + " is already the master of cluster " + c.name);
    }
    if (std::string why = swo::unfitTarget(*swo::node(c, id), a.master); !why.empty()) {
      return refuse(400, id + " " + why);
    }
    plan.target = id;
  } else {
    const NodeView* best = nullptr;
    std::vector<std::string> unfit;
    for (const NodeView& n : c.nodes) {
      if (n.id == a.master) {
        continue;
      }
      if (std::string why = swo::unfitTarget(n, a.master); !why.empty()) {
        unfit.push_back(n.id + ": " + why);
        continue;
      }
      if (best == nullptr) {
        best = &n;
        continue;
      }
      const auto mine =
          std::make_pair(swo::seqTotal(receivedPosition(n)), swo::seqTotal(n.seen.gtidExecuted));
      const auto theirs = std::make_pair(swo::seqTotal(receivedPosition(*best)),
                                         swo::seqTotal(best->seen.gtidExecuted));
      if (mine > theirs) {
        best = &n;
      }
    }
    if (best == nullptr) {
      return refuse(409, "no replica of " + a.master + " can take over" +
                             (unfit.empty() ? std::string(": it has none") : ": " + [&] {
                               std::string s;
                               for (const std::string& u : unfit) {
                                 s += (s.empty() ? "" : "; ") + u;
                               }
                               return s;
                             }()));
    }
    plan.target = best->id;
  }
  for (const std::string& r : a.replicas) {
    if (r != plan.target) {
      plan.repoint.push_back(r);
    }
  }
  return plan;
}

SwitchoverResult runSwitchover(
    const SwitchoverPlan& plan,
    const std::function<mysql::ReplicationSql(const std::string&)>& sqlFor,
    const Connector& connect, const ActSettings& act, const SwitchoverSettings& settings) {
  using Clock = std::chrono::steady_clock;
  SwitchoverResult r;
  r.oldMaster = plan.master;
  const auto t0 = Clock::now();
  std::optional<Clock::time_point> fencedAt;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  auto record = [&](const std::string& what, const std::string& error) {
    r.timeline.push_back({ms(Clock::now() - t0) / 1000.0, what, error});
  };
  auto fail = [&](const std::string& what, const std::string& error) {
    record(what, error);
    r.error = what + ": " + error;
    r.totalMs = ms(Clock::now() - t0);
    return r;
  };
  if (plan.target.empty()) {
    return fail("planning the switchover", plan.error);
  }
  const std::string& m = plan.master;
  const std::string& t = plan.target;
  const auto wait = std::chrono::seconds(settings.finalWaitSeconds + 5);
  auto mc = connect(m, wait);
  if (!mc.ok()) {
    return fail("connecting to the master " + m, mc.error().message);
  }
  auto tc = connect(t, wait);
  if (!tc.ok()) {
    return fail("connecting to " + t, tc.error().message);
  }
  mysql::Connection& master = **mc;
  mysql::Connection& target = **tc;
  const mysql::ReplicationSql sqlM = sqlFor(m);
  const mysql::ReplicationSql sqlT = sqlFor(t);

  // a. What the plan saw may be a poll old: the target's own answer now.
  if (auto o = probeForEngine(target, sqlT); !o.ok()) {
    return fail("checking " + t, o.error().message);
  } else if (o->masterHost + ":" + std::to_string(o->masterPort) != m || !o->hasSlaveStatus) {
    return fail("checking " + t, "it no longer replicates from the master " + m);
  } else if (!o->slaveIoRunning || !o->slaveSqlRunning) {
    return fail("checking " + t, "its replication is not running");
  }

  // b. Catch up while writes still flow, so that the wait after the fence is short.
  auto pos = swo::scalar(master, sqlM.selectBinlogPos(), {}, "reading the master's position");
  if (!pos.ok()) {
    return fail("reading the position of " + m, pos.error().message);
  }
  const int catchUp = static_cast<int>((settings.catchUpWait.count() + 999) / 1000);
  if (auto w = swo::waitApplied(target, sqlT, *pos, catchUp); !w.ok()) {
    return fail("catching up " + t, w.error().message);
  } else {
    record(*w ? t + " applied " + *pos + " before the fence"
              : t + " did not apply " + *pos + " within " + std::to_string(catchUp) +
                    " s before the fence (tried anyway)",
           "");
  }

  // Undo everything done to the target and the old master (c-e before the target is writable).
  bool targetDetached = false;
  bool oldRejoined = false;
  auto rollback = [&](const std::string& what, const std::string& error) {
    record(what, error);
    std::string undo;
    if (oldRejoined) {
      if (auto u = swo::execAll(
              master, {mysql::ReplicationSql::stopSlave(), mysql::ReplicationSql::resetSlaveAll()},
              "detaching it from " + t);
          !u.ok()) {
        undo += "; " + u.error().message;
      }
    }
    if (act.semiSyncFencing && oldRejoined) {
      if (auto u = armMaster(master); !u.ok()) {
        undo += "; " + u.error().message;
      }
    }
    if (targetDetached) {
      if (act.semiSyncFencing) {
        if (auto u = swo::execAll(target, mysql::ReplicationSql::disarmSemiSyncMaster(),
                                  "turning its semi-sync master side off");
            !u.ok()) {
          undo += "; " + u.error().message;
        }
      }
      if (auto u = repointReplica(target, sqlT, m, act); !u.ok()) {
        undo += "; " + t + ": " + u.error().message;
      }
    }
    if (auto u = makeWritable(master, sqlM); !u.ok()) {
      undo += "; " + m + ": " + u.error().message;
    }
    r.rolledBack = undo.empty();
    const std::string outcome =
        r.rolledBack ? "rolled back: " + m + " is writable again" : "the roll back failed" + undo;
    record(outcome, r.rolledBack ? "" : undo.substr(2));
    r.error = what + ": " + error + "; " + outcome;
    r.totalMs = ms(Clock::now() - t0);
    return r;
  };

  // c. Fence: from here writes are refused. Sessions first (a commit waiting for a semi-sync
  // ack would hold read_only=1 back), then read_only=1; fenceNode repeats both until it holds.
  fencedAt = Clock::now();
  if (auto k = fenceNode(master, sqlM, act.engineUser); !k.ok()) {
    return rollback("fencing " + m, k.error().message);
  } else {
    record("fenced " + m + " (read_only=1, " + std::to_string(*k) + " client sessions killed)", "");
  }
  auto finalPos = swo::scalar(master, sqlM.selectBinlogPos(), {}, "reading the master's position");
  if (!finalPos.ok()) {
    return rollback("reading the final position of " + m, finalPos.error().message);
  }
  r.finalGtid = *finalPos;

  // d. The target applies everything the old master acknowledged.
  if (auto w = swo::waitApplied(target, sqlT, *finalPos, settings.finalWaitSeconds); !w.ok()) {
    return rollback("waiting for " + t + " to apply " + *finalPos, w.error().message);
  } else if (!*w) {
    return rollback("waiting for " + t + " to apply " + *finalPos,
                    "it did not within " + std::to_string(settings.finalWaitSeconds) + " s");
  }
  record(t + " applied " + *finalPos, "");

  // e. Promote.
  targetDetached = true;  // from the first statement on, the roll back repoints it
  if (auto d = detachCandidate(target, sqlT, *finalPos, 1); !d.ok()) {
    return rollback("detaching " + t, d.error().message);
  }
  if (act.semiSyncFencing) {
    if (auto a = armMaster(target); !a.ok()) {
      return rollback("arming " + t + " as a semi-sync master", a.error().message);
    }
    // With semi-sync the new master's first commit needs a replica: the old master (which has
    // everything) registers before the new master takes writes.
    oldRejoined = true;
    if (auto j = rejoinOldMaster(master, sqlM, t, act); !j.ok()) {
      return rollback("rejoining " + m + " under " + t, j.error().message);
    }
    record(m + " replicates from " + t, "");
  }
  if (auto w = makeWritable(target, sqlT); !w.ok()) {
    return rollback("making " + t + " writable", w.error().message);
  }
  r.refusedMs = ms(Clock::now() - *fencedAt);
  r.success = true;
  r.oldMasterRejoined = oldRejoined;  // (semi-sync: rejoined before read_only=0)
  r.newMaster = t;
  record(t + " is writable (read_only=0 read back)", "");
  if (!act.semiSyncFencing) {
    auto j = rejoinOldMaster(master, sqlM, t, act);
    r.oldMasterRejoined = j.ok();
    record(j.ok() ? m + " replicates from " + t : "rejoining " + m + " under " + t,
           j.ok() ? "" : j.error().message);
  }
  for (const std::string& id : plan.repoint) {
    auto rc = connect(id, std::chrono::seconds(5));
    if (!rc.ok()) {
      record("repointing " + id, rc.error().message);
      continue;
    }
    auto p = repointReplica(**rc, sqlFor(id), t, act);
    record("repointing " + id + " under " + t, p.ok() ? "" : p.error().message);
  }
  r.totalMs = ms(Clock::now() - t0);
  return r;
}

nlohmann::json switchoverJson(const std::string& cluster, const SwitchoverResult& r) {
  nlohmann::json timeline = nlohmann::json::array();
  for (const StepRecord& s : r.timeline) {
    timeline.push_back(
        {{"atMs", std::llround(s.atSeconds * 1000.0)}, {"step", s.what}, {"error", s.error}});
  }
  return {{"cluster", cluster},
          {"success", r.success},
          {"oldMaster", r.oldMaster},
          {"newMaster", r.newMaster},
          {"refusedWritesMs", r.refusedMs < 0 ? nlohmann::json(nullptr)
                                              : nlohmann::json(std::round(r.refusedMs * 10) / 10)},
          {"durationMs", std::round(r.totalMs * 10) / 10},
          {"rolledBack", r.rolledBack},
          {"finalGtid", r.finalGtid},
          {"error", r.error},
          {"timeline", std::move(timeline)}};
}

}  // namespace mysqlop::orchestrator
