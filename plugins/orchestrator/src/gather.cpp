#include "plugins/orchestrator/src/gather.h"

#include <charconv>

namespace mysqlop::orchestrator {
namespace {

std::string gatherCell(const mysql::Rows& rows, std::string_view column) {
  const int i = rows.column(column);
  if (i < 0 || rows.rows.empty()) {
    return {};
  }
  const auto& v = rows.rows[0][static_cast<std::size_t>(i)];
  return v ? *v : std::string();
}

std::optional<long long> gatherNumber(const std::string& s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

// Refused: nothing listens on the port, the server process is gone. libmariadb connects
// without blocking and reports errno 115 (EINPROGRESS) both for a refusal and for a timeout, so
// a refusal is a "can't connect" that failed fast (well under the connect timeout); a hung
// process (TCP accepted, no greeting: "Lost connection") or a partition (the timeout ran out) is
// not a refusal.
bool isRefusal(const mysql::SqlError& e, std::chrono::steady_clock::duration took,
               std::chrono::seconds connectTimeout) {
  return e.kind == mysql::SqlError::Kind::Unreachable && (e.code == 2002 || e.code == 2003) &&
         took < std::chrono::duration_cast<std::chrono::milliseconds>(connectTimeout) / 4;
}

}  // namespace

std::optional<mysql::Endpoint> parseHostPort(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return std::nullopt;
  }
  unsigned port = 0;
  const char* b = text.data() + colon + 1;
  const char* e = text.data() + text.size();
  auto [p, ec] = std::from_chars(b, e, port);
  if (b == e || ec != std::errc() || p != e || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return mysql::Endpoint{text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

mysql::SqlResult<Observation> probeForEngine(mysql::Connection& conn,
                                             const mysql::ReplicationSql& sql) {
  Observation o;
  auto vars = conn.query(sql.selectEngineProbe());
  if (!vars.ok()) {
    return mysql::SqlError{vars.error().kind, vars.error().code,
                           vars.error().describe("reading the server variables")};
  }
  o.readOnly = gatherCell(*vars, "read_only") == "1";
  o.serverId = gatherCell(*vars, "server_id");
  o.gtidExecuted = gatherCell(*vars, "gtid_executed");
  o.gtidSlavePos = gatherCell(*vars, "gtid_slave_pos");
  o.gtidBinlogPos = gatherCell(*vars, "gtid_binlog_pos");
  o.receivedHeartbeats = gatherNumber(gatherCell(*vars, "heartbeats")).value_or(-1);
  auto slave = conn.query(mysql::ReplicationSql::showSlaveStatus());
  if (!slave.ok()) {
    return mysql::SqlError{slave.error().kind, slave.error().code,
                           slave.error().describe("reading SHOW SLAVE STATUS")};
  }
  if (!slave->empty()) {
    o.hasSlaveStatus = true;
    o.slaveIoRunning = gatherCell(*slave, "Slave_IO_Running") == "Yes";
    o.slaveSqlRunning = gatherCell(*slave, "Slave_SQL_Running") == "Yes";
    o.masterHost = gatherCell(*slave, "Master_Host");
    o.masterPort = static_cast<int>(gatherNumber(gatherCell(*slave, "Master_Port")).value_or(0));
    o.lastIoError = gatherCell(*slave, "Last_IO_Error");
    o.lastSqlError = gatherCell(*slave, "Last_SQL_Error");
    o.gtidIoPos = gatherCell(*slave, "Gtid_IO_Pos");
    o.lagSeconds = gatherNumber(gatherCell(*slave, "Seconds_Behind_Master"));
  }
  o.reachable = true;
  return o;
}

NodeProber::NodeProber(std::string id, mysql::Credentials credentials, GatherSettings settings,
                       std::function<void(bool)> onProbe)
    : id_(std::move(id)),
      endpoint_(parseHostPort(id_)),
      credentials_(std::move(credentials)),
      settings_(settings),
      onProbe_(std::move(onProbe)) {}

NodeProber::~NodeProber() { stop(); }

void NodeProber::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopping_) {
    return;
  }
  stopping_ = false;
  started_ = Clock::now();
  lastHeard_ = started_;
  thread_ = std::thread([this] { run(); });
}

void NodeProber::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void NodeProber::kick() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void NodeProber::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    probeOnce();
    lock.lock();
    // After a failure the next attempt comes at once (a reconnect tells a dead process from a
    // hung one), but not faster than every 50 ms.
    const auto wait = lastOk_ ? settings_.interval
                              : std::min<std::chrono::milliseconds>(settings_.interval,
                                                                    std::chrono::milliseconds(50));
    cv_.wait_for(lock, wait, [this] { return stopping_ || kicked_; });
    kicked_ = false;
  }
  conn_.reset();
}

void NodeProber::probeOnce() {
  auto failed = [this](const mysql::SqlError& e, bool refused) {
    conn_.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      lastOk_ = false;
      refused_ = refused;
      lastError_ = e.message;
    }
    if (onProbe_) {
      onProbe_(false);
    }
  };
  if (!endpoint_) {
    failed(mysql::SqlError{mysql::SqlError::Kind::Invalid, 0, "not host:port: " + id_}, false);
    return;
  }
  if (!conn_) {
    const auto t0 = Clock::now();
    auto c = mysql::Connection::open(*endpoint_, credentials_, settings_.timeouts);
    if (!c.ok()) {
      failed(c.error(), isRefusal(c.error(), Clock::now() - t0, settings_.timeouts.connect));
      return;
    }
    conn_ = std::move(c).value();
    const mysql::VersionParse v = mysql::parseServerInfo(conn_->serverInfo());
    sql_.emplace(v.ok() ? v.version->flavor : mysql::Flavor::MariaDB);
    std::lock_guard<std::mutex> lock(mu_);
    flavor_ = sql_->flavor();
  }
  auto o = probeForEngine(*conn_, *sql_);
  if (!o.ok()) {
    failed(o.error(), false);
    return;
  }
  const auto now = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string key = std::to_string(o->receivedHeartbeats) + "|" + o->gtidIoPos + "|" +
                            (o->slaveIoRunning ? "y" : "n") + "|" + o->masterHost;
    if (key != heardKey_) {
      heardKey_ = key;
      lastHeard_ = now;
    }
    seen_ = std::move(o).value();
    seen_.host = id_;
    lastSuccess_ = now;
    lastOk_ = true;
    refused_ = false;
    lastError_.clear();
  }
  if (onProbe_) {
    onProbe_(true);
  }
}

NodeView NodeProber::view() const {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = Clock::now();
  auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  NodeView v;
  v.id = id_;
  v.seen = seen_;
  v.answering = lastOk_ && lastSuccess_ && now - *lastSuccess_ <= settings_.answeringWindow;
  v.refused = !lastOk_ && refused_;
  v.silentSeconds = v.answering ? 0 : secs(now - lastSuccess_.value_or(started_));
  v.sinceHeardSeconds = secs(now - lastHeard_);
  v.lastError = lastError_;
  return v;
}

std::optional<mysql::Flavor> NodeProber::flavor() const {
  std::lock_guard<std::mutex> lock(mu_);
  return flavor_;
}

}  // namespace mysqlop::orchestrator
