#include "plugins/orchestrator/src/recovery.h"

#include "plugins/orchestrator/src/gather.h"

namespace mysqlop::orchestrator {
namespace {

using mysql::Arg;
using mysql::SqlError;
using mysql::SqlResult;

SqlError step(const SqlError& e, const std::string& doing) {
  return SqlError{e.kind, e.code, e.describe(doing)};
}

SqlResult<void> runStatements(mysql::Connection& conn, const std::vector<std::string>& statements,
                              const std::string& doing) {
  for (const std::string& s : statements) {
    if (auto r = conn.exec(s); !r.ok()) {
      return step(r.error(), doing);
    }
  }
  return {};
}

// Kills the IO thread, then STOP SLAVE (selectIoThread says why).
SqlResult<void> stopReplication(mysql::Connection& conn, const mysql::ReplicationSql& sql) {
  auto ids = conn.query(sql.selectIoThread());
  if (!ids.ok()) {
    return step(ids.error(), "finding the replication IO thread");
  }
  for (const auto& row : ids->rows) {
    if (!row.empty() && row[0]) {
      if (auto k = conn.exec(mysql::ReplicationSql::killConnection(),
                             {Arg::integer(std::stoll(*row[0]))});
          !k.ok() && k.error().code != 1094) {
        return step(k.error(), "killing the replication IO thread");
      }
    }
  }
  if (auto r = conn.exec(mysql::ReplicationSql::stopSlave()); !r.ok()) {
    return step(r.error(), "stopping replication");
  }
  return {};
}

}  // namespace

SqlResult<void> armReplica(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                           const ActSettings& s) {
  (void)sql;
  if (s.semiSyncFencing) {
    if (auto r = runStatements(conn, mysql::ReplicationSql::armSemiSyncReplica(),
                               "enabling semi-sync on the replica");
        !r.ok()) {
      return r;
    }
  }
  return runStatements(
      conn,
      {mysql::ReplicationSql::stopSlave(), mysql::ReplicationSql::setHeartbeatPeriod(s.heartbeatMs),
       mysql::ReplicationSql::startSlave()},
      "setting the master heartbeat period");
}

SqlResult<void> armMaster(mysql::Connection& conn) {
  return runStatements(conn, mysql::ReplicationSql::armSemiSyncMaster(),
                       "enabling semi-sync on the master");
}

SqlResult<void> detachCandidate(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                const std::string& waitGtid, int waitSeconds) {
  auto waited = conn.query(sql.waitForGtid(), {Arg::text(waitGtid), Arg::integer(waitSeconds)});
  if (!waited.ok()) {
    return step(waited.error(), "waiting for the relay log to be applied");
  }
  const int col = waited->column("waited");
  const std::string v =
      col < 0 || waited->empty() ? "" : waited->rows[0][static_cast<std::size_t>(col)].value_or("");
  if (!mysql::ReplicationSql::gtidWaitSucceeded(v)) {
    return SqlError{SqlError::Kind::Server, 0,
                    "its relay log was not applied within " + std::to_string(waitSeconds) + " s (" +
                        waitGtid + ")"};
  }
  if (auto r = stopReplication(conn, sql); !r.ok()) {
    return r;
  }
  return runStatements(conn, {mysql::ReplicationSql::resetSlaveAll()},
                       "detaching it from the old master");
}

SqlResult<void> repointReplica(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                               const std::string& newMaster, const ActSettings& s) {
  const auto ep = parseHostPort(newMaster);
  if (!ep) {
    return SqlError{SqlError::Kind::Invalid, 0, "not host:port: " + newMaster};
  }
  if (auto r = stopReplication(conn, sql); !r.ok()) {
    return r;
  }
  auto change = conn.exec(sql.changeMasterTo(),
                          {Arg::text(ep->host), Arg::integer(ep->port),
                           Arg::text(s.replicationUser), Arg::secret(s.replicationPassword)});
  if (!change.ok()) {
    return step(change.error(), "CHANGE MASTER TO " + newMaster);
  }
  return runStatements(conn,
                       {mysql::ReplicationSql::setHeartbeatPeriod(s.heartbeatMs),
                        mysql::ReplicationSql::startSlave()},
                       "starting replication from " + newMaster);
}

SqlResult<void> makeWritable(mysql::Connection& conn, const mysql::ReplicationSql& sql) {
  if (auto r = runStatements(conn, sql.setReadOnly(false), "setting read_only=0"); !r.ok()) {
    return r;
  }
  auto ro = conn.query(mysql::ReplicationSql::selectReadOnly());
  if (!ro.ok()) {
    return step(ro.error(), "reading read_only back");
  }
  const int col = ro->column("read_only");
  if (col < 0 || ro->empty() || ro->rows[0][static_cast<std::size_t>(col)].value_or("") != "0") {
    return SqlError{SqlError::Kind::Server, 0, "read_only is still 1 after SET GLOBAL read_only=0"};
  }
  return {};
}

SqlResult<int> fenceNode(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                         const std::string& engineUser) {
  if (auto r = conn.exec(mysql::ReplicationSql::shortLockWait()); !r.ok()) {
    return step(r.error(), "setting lock_wait_timeout");
  }
  int killed = 0;
  SqlError last;
  for (int round = 0; round < 5; ++round) {
    auto ids = conn.query(mysql::ReplicationSql::selectClientSessions(), {Arg::text(engineUser)});
    if (!ids.ok()) {
      return step(ids.error(), "listing client sessions");
    }
    for (const auto& row : ids->rows) {
      if (!row.empty() && row[0]) {
        // A session that ended meanwhile is not an error (1094: unknown thread).
        if (auto k = conn.exec(mysql::ReplicationSql::killConnection(),
                               {Arg::integer(std::stoll(*row[0]))});
            k.ok()) {
          ++killed;
        } else if (k.error().code != 1094) {
          return step(k.error(), "killing session " + *row[0]);
        }
      }
    }
    auto ro = runStatements(conn, sql.setReadOnly(true), "setting read_only=1");
    if (ro.ok()) {
      return killed;
    }
    last = ro.error();
  }
  return last;
}

SqlResult<void> rejoinOldMaster(mysql::Connection& conn, const mysql::ReplicationSql& sql,
                                const std::string& newMaster, const ActSettings& s) {
  if (s.semiSyncFencing) {
    if (auto r = runStatements(conn, mysql::ReplicationSql::disarmSemiSyncMaster(),
                               "turning its semi-sync master side off");
        !r.ok()) {
      return r;
    }
    if (auto r = runStatements(conn, mysql::ReplicationSql::armSemiSyncReplica(),
                               "enabling semi-sync on the replica");
        !r.ok()) {
      return r;
    }
  }
  if (auto r = runStatements(conn, sql.rejoinPosition(), "setting its replication position");
      !r.ok()) {
    return r;
  }
  return repointReplica(conn, sql, newMaster, s);
}

RecoveryResult runRecovery(const RecoveryPlan& plan, const mysql::ReplicationSql& sql,
                           const Connector& connect, const ActSettings& s) {
  RecoveryResult result;
  const auto t0 = std::chrono::steady_clock::now();
  auto record = [&](const std::string& what, const std::string& error) {
    result.timeline.push_back(
        {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), what,
         error});
  };
  auto failWith = [&](const std::string& what, const std::string& error) {
    record(what, error);
    result.error = what + ": " + error;
    return result;
  };
  if (plan.candidate.empty()) {
    return failWith("choosing a replica", plan.error);
  }
  auto cand = connect(plan.candidate, std::chrono::seconds(s.promotionWaitSeconds + 5));
  if (!cand.ok()) {
    return failWith("connecting to " + plan.candidate, cand.error().message);
  }
  mysql::Connection& c = **cand;
  if (auto r = detachCandidate(c, sql, plan.waitGtid, s.promotionWaitSeconds); !r.ok()) {
    return failWith("promoting " + plan.candidate, r.error().message);
  }
  result.candidateDetached = true;
  record("detached " + plan.candidate + " (applied " + plan.waitGtid + ")", "");
  if (s.semiSyncFencing) {
    // Before the replicas connect, so that they register as its semi-sync replicas.
    if (auto r = armMaster(c); !r.ok()) {
      return failWith("promoting " + plan.candidate, r.error().message);
    }
  }
  for (const std::string& id : plan.repoint) {
    auto rc = connect(id, std::chrono::seconds(5));
    if (!rc.ok()) {
      record("repointing " + id, rc.error().message);  // it stays out; the promotion goes on
      continue;
    }
    auto r = repointReplica(**rc, sql, plan.candidate, s);
    record("repointing " + id + " under " + plan.candidate, r.ok() ? "" : r.error().message);
  }
  if (auto r = makeWritable(c, sql); !r.ok()) {
    return failWith("making " + plan.candidate + " writable", r.error().message);
  }
  record(plan.candidate + " is writable (read_only=0 read back)", "");
  result.success = true;
  result.newMaster = plan.candidate;
  return result;
}

}  // namespace mysqlop::orchestrator
