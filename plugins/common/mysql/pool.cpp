#include "plugins/common/mysql/pool.h"

#include <algorithm>
#include <utility>

namespace mysqlop::mysql {

ConnectionPool::Lease::Lease(Lease&& o) noexcept
    : pool_(o.pool_),
      key_(std::move(o.key_)),
      password_(std::move(o.password_)),
      conn_(std::move(o.conn_)) {
  o.pool_ = nullptr;
}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    giveBack();
    pool_ = o.pool_;
    key_ = std::move(o.key_);
    password_ = std::move(o.password_);
    conn_ = std::move(o.conn_);
    o.pool_ = nullptr;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { giveBack(); }

void ConnectionPool::Lease::discard() {
  if (conn_ && pool_) {
    std::lock_guard<std::mutex> lock(pool_->mu_);
    ++pool_->stats_.discarded;
    pool_->returnedLocked(key_);
  }
  conn_.reset();
}

void ConnectionPool::Lease::giveBack() {
  if (!conn_ || !pool_) {
    return;
  }
  if (!conn_->usable()) {
    discard();
    return;
  }
  pool_->put(key_, std::move(password_), std::move(conn_));
}

ConnectionPool::ConnectionPool(PoolOptions options) : options_(options) {}

ConnectionPool::~ConnectionPool() { closeAllIdle(); }

std::string ConnectionPool::keyOf(const Endpoint& endpoint, const std::string& user) {
  // The user may contain any character but NUL, so NUL separates it from the endpoint.
  return endpoint.str() + std::string(1, '\0') + user;
}

SqlResult<ConnectionPool::Lease> ConnectionPool::acquire(const Endpoint& endpoint,
                                                         const Credentials& credentials) {
  const std::string key = keyOf(endpoint, credentials.user);
  while (true) {
    std::vector<std::unique_ptr<Connection>> toClose;
    Idle candidate;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const Clock::time_point now = Clock::now();
      closeExpiredLocked(now, toClose);
      auto it = idle_.find(key);
      if (it != idle_.end()) {
        auto& list = it->second;
        // Newest first: it is the likeliest to be alive.
        auto match = std::find_if(list.rbegin(), list.rend(), [&](const Idle& i) {
          return i.password == credentials.password;
        });
        if (match != list.rend()) {
          candidate = std::move(*match);
          list.erase(std::next(match).base());
          leasedLocked(key);
        }
        if (list.empty()) {
          idle_.erase(it);
        }
      }
    }
    toClose.clear();  // closes outside the lock
    if (!candidate.conn) {
      break;
    }
    if (Clock::now() - candidate.since < options_.pingAfter || candidate.conn->ping()) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.reused;
      return Lease(this, key, credentials.password, std::move(candidate.conn));
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.discarded;
    returnedLocked(key);
  }
  const std::string where = endpoint.str();
  if (options_.failFastFor.count() > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = unreachable_.find(where);
    if (it != unreachable_.end() && Clock::now() - it->second.at < options_.failFastFor) {
      ++stats_.failedFast;
      return it->second.error;
    }
  }
  SqlResult<std::unique_ptr<Connection>> conn =
      Connection::open(endpoint, credentials, options_.timeouts);
  std::lock_guard<std::mutex> lock(mu_);
  if (!conn.ok()) {
    if (conn.error().kind == SqlError::Kind::Unreachable) {
      unreachable_[where] = Failure{conn.error(), Clock::now()};
    }
    return conn.error();
  }
  unreachable_.erase(where);
  ++stats_.opened;
  leasedLocked(key);
  return Lease(this, key, credentials.password, std::move(conn).value());
}

void ConnectionPool::put(const std::string& key, std::string password,
                         std::unique_ptr<Connection> conn) {
  std::unique_ptr<Connection> surplus;
  std::lock_guard<std::mutex> lock(mu_);
  returnedLocked(key);
  auto& list = idle_[key];
  if (list.size() >= std::max(options_.maxIdlePerTarget, peakByKey_[key])) {
    surplus = std::move(conn);  // closed when this function returns, after the unlock
    return;
  }
  list.push_back(Idle{std::move(password), std::move(conn), Clock::now()});
}

void ConnectionPool::leasedLocked(const std::string& key) {
  ++stats_.leased;
  std::size_t& now = leasedByKey_[key];
  ++now;
  std::size_t& peak = peakByKey_[key];
  peak = std::max(peak, now);
}

void ConnectionPool::returnedLocked(const std::string& key) {
  --stats_.leased;
  --leasedByKey_[key];
}

void ConnectionPool::closeIdle(const Endpoint& endpoint) {
  const std::string prefix = endpoint.str() + std::string(1, '\0');
  std::vector<Idle> doomed;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (it->first.compare(0, prefix.size(), prefix) == 0) {
      for (Idle& i : it->second) {
        doomed.push_back(std::move(i));
      }
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
}

void ConnectionPool::closeAllIdle() {
  std::map<std::string, std::vector<Idle>> doomed;
  std::lock_guard<std::mutex> lock(mu_);
  doomed.swap(idle_);
}

void ConnectionPool::closeExpired() {
  std::vector<std::unique_ptr<Connection>> doomed;
  std::lock_guard<std::mutex> lock(mu_);
  closeExpiredLocked(Clock::now(), doomed);
}

void ConnectionPool::closeExpiredLocked(Clock::time_point now,
                                        std::vector<std::unique_ptr<Connection>>& out) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    for (auto i = list.begin(); i != list.end();) {
      if (now - i->since > options_.maxIdleTime) {
        out.push_back(std::move(i->conn));
        i = list.erase(i);
      } else {
        ++i;
      }
    }
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  PoolStats s = stats_;
  s.idle = 0;
  for (const auto& [key, list] : idle_) {
    s.idle += list.size();
  }
  return s;
}

}  // namespace mysqlop::mysql
