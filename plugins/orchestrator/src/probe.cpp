#include "plugins/orchestrator/src/probe.h"

#include <cstdlib>
#include <string_view>
#include <vector>

namespace mysqlop::orchestrator {
namespace {

using mysql::Arg;
using mysql::Connection;
using mysql::Rows;
using mysql::SqlError;
using mysql::SqlResult;

constexpr unsigned kNoSuchTable = 1146;
constexpr unsigned kBadDb = 1049;

bool missingTable(const SqlError& e) {
  return e.kind == SqlError::Kind::Server && (e.code == kNoSuchTable || e.code == kBadDb);
}

std::string cell(const Rows& rows, std::string_view column, std::size_t row = 0) {
  const int i = rows.column(column);
  if (i < 0 || row >= rows.rows.size()) {
    return {};
  }
  const auto& v = rows.rows[row][static_cast<std::size_t>(i)];
  return v ? *v : std::string();
}

std::optional<long long> number(const std::string& s) {
  if (s.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0') {
    return std::nullopt;
  }
  return v;
}

Observation unreachable(Observation o, const std::string& doing, const SqlError& e) {
  o.reachable = false;
  o.error = e.describe(doing);
  return o;
}

SqlResult<void> runAll(Connection& conn, const std::vector<std::string>& statements,
                       const std::vector<Arg>& args = {}) {
  for (const std::string& s : statements) {
    // A statement takes the args its placeholders need, in order (only applyBackupGtid has any:
    // the same value for each).
    std::vector<Arg> mine;
    for (char c : s) {
      if (c == '?' && !args.empty()) {
        mine.push_back(args.front());
      }
    }
    if (auto r = conn.exec(s, mine); !r.ok()) {
      return r.error();
    }
  }
  return {};
}

}  // namespace

Observation probeNode(Connection& conn, const mysql::ReplicationSql& sql) {
  Observation o;
  auto vars = conn.query(sql.selectVariables());
  if (!vars.ok()) {
    return unreachable(o, "reading the server variables", vars.error());
  }
  o.readOnly = cell(*vars, "read_only") == "1";
  o.serverId = cell(*vars, "server_id");
  o.gtidExecuted = cell(*vars, "gtid_executed");
  o.gtidSlavePos = cell(*vars, "gtid_slave_pos");

  auto uptime = conn.query(mysql::ReplicationSql::showUptime());
  if (!uptime.ok()) {
    return unreachable(o, "reading the uptime", uptime.error());
  }
  o.uptimeSeconds = number(cell(*uptime, "Value")).value_or(0);

  auto slave = conn.query(mysql::ReplicationSql::showSlaveStatus());
  if (!slave.ok()) {
    return unreachable(o, "reading SHOW SLAVE STATUS", slave.error());
  }
  if (!slave->empty()) {
    o.hasSlaveStatus = true;
    o.slaveIoRunning = cell(*slave, "Slave_IO_Running") == "Yes";
    o.slaveSqlRunning = cell(*slave, "Slave_SQL_Running") == "Yes";
    o.masterHost = cell(*slave, "Master_Host");
    o.lastIoError = cell(*slave, "Last_IO_Error");
    o.lastSqlError = cell(*slave, "Last_SQL_Error");
    o.lagSeconds = number(cell(*slave, "Seconds_Behind_Master"));
    // For the engine's "last heard from the master" history (kube_failover, heard.h).
    o.gtidIoPos = cell(*slave, "Gtid_IO_Pos");
    o.masterPort = static_cast<int>(number(cell(*slave, "Master_Port")).value_or(0));
  }

  // Heartbeats and semi-sync state: a server that cannot answer this (no such table) is probed
  // without it; only a lost connection makes the node unreachable.
  auto state = conn.query(sql.selectReplicationState());
  if (state.ok()) {
    const int name = state->column("VARIABLE_NAME");
    const int value = state->column("VARIABLE_VALUE");
    for (const auto& row : state->rows) {
      if (name >= 0 && value >= 0 && row[static_cast<std::size_t>(name)]) {
        o.replicationState[*row[static_cast<std::size_t>(name)]] =
            row[static_cast<std::size_t>(value)].value_or("");
      }
    }
    auto hb = o.replicationState.find("SLAVE_RECEIVED_HEARTBEATS");
    o.receivedHeartbeats = hb == o.replicationState.end() ? -1 : number(hb->second).value_or(-1);
  } else if (state.error().kind != SqlError::Kind::Server) {
    return unreachable(o, "reading the replication state", state.error());
  }

  auto configured = conn.query(mysql::ReplicationSql::selectConfigured());
  if (configured.ok()) {
    o.configured = !configured->empty();
  } else if (!missingTable(configured.error())) {
    return unreachable(o, "reading sys_operator.status", configured.error());
  }

  if (o.hasSlaveStatus) {
    auto lag = conn.query(mysql::ReplicationSql::selectHeartbeatLag());
    if (lag.ok()) {
      if (auto drift = number(cell(*lag, "drift"))) {
        o.lagSeconds = drift;
      }
    } else if (!missingTable(lag.error())) {
      return unreachable(o, "reading sys_operator.heartbeat", lag.error());
    }
  }
  o.reachable = true;
  return o;
}

mysql::SqlResult<InitResult> initNode(Connection& conn, const mysql::ReplicationSql& sql,
                                      const InitParams& p) {
  InitResult result;
  if (auto r = conn.exec(mysql::ReplicationSql::disableBinlog()); !r.ok()) {
    return SqlError{r.error().kind, r.error().code, r.error().describe("disabling the binlog")};
  }
  auto fail = [](const std::string& doing, const SqlError& e) {
    return SqlError{e.kind, e.code, e.describe(doing)};
  };
  auto configured = conn.query(mysql::ReplicationSql::selectConfigured());
  if (!configured.ok()) {
    return fail("reading sys_operator.status", configured.error());
  }
  if (!configured->empty()) {
    result.skipped = true;
    return result;
  }
  if (auto r = runAll(conn, sql.beginInit()); !r.ok()) {
    return fail("setting read_only", r.error());
  }
  auto body = [&]() -> SqlResult<void> {
    auto done =
        conn.query(mysql::ReplicationSql::selectStatusValue(), {Arg::text("set_gtid_purged")});
    if (!done.ok()) {
      return fail("reading sys_operator.status", done.error());
    }
    auto backup =
        conn.query(mysql::ReplicationSql::selectStatusValue(), {Arg::text("backup_gtid_purged")});
    if (!backup.ok()) {
      return fail("reading sys_operator.status", backup.error());
    }
    const std::string gtid = backup->empty() ? "" : cell(*backup, "value");
    if (done->empty() && !backup->empty()) {
      if (auto r = runAll(conn, sql.applyBackupGtid(), {Arg::text(gtid)}); !r.ok()) {
        return fail("applying the backup's GTID set " + gtid, r.error());
      }
      result.appliedBackupGtid = true;
    }
    if (p.self != p.masterHost) {
      if (auto r = conn.exec(mysql::ReplicationSql::stopSlave()); !r.ok()) {
        return fail("stopping replication", r.error());
      }
      auto change =
          conn.exec(sql.changeMaster(), {Arg::text(p.masterHost), Arg::text(p.replicationUser),
                                         Arg::secret(p.replicationPassword)});
      if (!change.ok()) {
        return fail("CHANGE MASTER TO " + p.masterHost, change.error());
      }
      // A short heartbeat, so that a replica that stops hearing its master shows it within a
      // fraction of a second (hang detection, README "Detection in this path").
      if (p.heartbeatMs > 0) {
        if (auto hb = conn.exec(mysql::ReplicationSql::setHeartbeatPeriod(p.heartbeatMs));
            !hb.ok()) {
          return fail("setting the master heartbeat period", hb.error());
        }
      }
      if (auto start = conn.exec(mysql::ReplicationSql::startSlave()); !start.ok()) {
        result.retried83713 = true;
        if (auto retry = runAll(conn, mysql::ReplicationSql::startSlaveRetry()); !retry.ok()) {
          return fail("starting replication from " + p.masterHost,
                      SqlError{retry.error().kind, retry.error().code,
                               start.error().message + " (after the MySQL bug 83713 retry: " +
                                   retry.error().message + ")"});
        }
      }
    }
    if (auto r = conn.exec(mysql::ReplicationSql::markConfigured()); !r.ok()) {
      return fail("marking the node configured", r.error());
    }
    return {};
  };
  SqlResult<void> outcome = body();
  // bitpoke defers SUPER_READ_ONLY=1: it runs whether the body succeeded or not.
  SqlResult<void> finish = runAll(conn, sql.finishInit());
  if (!outcome.ok()) {
    return outcome.error();
  }
  if (!finish.ok()) {
    return fail("setting super_read_only", finish.error());
  }
  return result;
}

mysql::SqlResult<void> setReadOnly(Connection& conn, const mysql::ReplicationSql& sql,
                                   bool readOnly) {
  if (auto r = runAll(conn, sql.setReadOnly(readOnly)); !r.ok()) {
    return SqlError{r.error().kind, r.error().code,
                    r.error().describe(std::string("setting read_only=") + (readOnly ? "1" : "0"))};
  }
  return {};
}

}  // namespace mysqlop::orchestrator
