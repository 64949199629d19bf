#pragma once

// Reuse of MySQL connections across reconciles: one pool per plugin instance, keyed by endpoint
// and user. A reconcile leases a connection, uses it alone, and the lease returns it on
// destruction; a connection that lost its server is closed instead. Idle connections are closed
// after maxIdleTime and pinged before reuse when they have been idle for pingAfter, so a server
// that restarted or failed over costs one failed ping, not a failed reconcile. Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/result.h"

namespace mysqlop::mysql {

struct PoolOptions {
  Timeouts timeouts;
  // Idle connections kept per (endpoint, user): at least this many, and as many as were ever
  // leased at once for that target (so that N reconcile workers keep N connections, not churn).
  std::size_t maxIdlePerTarget = 2;
  // Idle connections older than this are closed.
  std::chrono::milliseconds maxIdleTime{std::chrono::seconds(300)};
  // A connection idle for longer than this is pinged before it is handed out.
  std::chrono::milliseconds pingAfter{std::chrono::seconds(1)};
  // After a failed attempt to reach an endpoint, acquire answers the same error at once for this
  // long instead of trying again: with a blackholed master, 500 objects would otherwise each wait
  // out the connect timeout. 0 turns it off.
  std::chrono::milliseconds failFastFor{std::chrono::seconds(5)};
};

struct PoolStats {
  std::uint64_t opened = 0;      // connections opened since the pool was created
  std::uint64_t reused = 0;      // leases served by an idle connection
  std::uint64_t discarded = 0;   // connections closed because they broke or failed a ping
  std::uint64_t failedFast = 0;  // acquires answered from a recent failure, without connecting
  std::size_t idle = 0;          // idle connections now
  std::size_t leased = 0;        // connections lent out now
};

class ConnectionPool {
 public:
  // A connection lent to one caller. Returns it to the pool (or closes it when broken) when
  // destroyed. Must not outlive the pool.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& o) noexcept;
    Lease& operator=(Lease&& o) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }
    explicit operator bool() const { return conn_ != nullptr; }
    // Closes the connection instead of returning it.
    void discard();

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::string key, std::string password,
          std::unique_ptr<Connection> conn)
        : pool_(pool),
          key_(std::move(key)),
          password_(std::move(password)),
          conn_(std::move(conn)) {}
    void giveBack();

    ConnectionPool* pool_ = nullptr;
    std::string key_;
    std::string password_;
    std::unique_ptr<Connection> conn_;
  };

  explicit ConnectionPool(PoolOptions options = {});
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // An idle connection to endpoint as credentials.user (opened with the same password), or a new
  // one. Errors are those of Connection::open.
  SqlResult<Lease> acquire(const Endpoint& endpoint, const Credentials& credentials);
  // Closes the idle connections to an endpoint (all users), e.g. after it stopped answering.
  void closeIdle(const Endpoint& endpoint);
  // Closes every idle connection and those idle for longer than maxIdleTime.
  void closeAllIdle();
  void closeExpired();

  PoolStats stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Idle {
    std::string password;
    std::unique_ptr<Connection> conn;
    Clock::time_point since;
  };

  static std::string keyOf(const Endpoint& endpoint, const std::string& user);
  void put(const std::string& key, std::string password, std::unique_ptr<Connection> conn);
  void leasedLocked(const std::string& key);
  void returnedLocked(const std::string& key);
  void closeExpiredLocked(Clock::time_point now, std::vector<std::unique_ptr<Connection>>& out);

  PoolOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
  std::map<std::string, std::size_t> leasedByKey_;  // leased now, per target
  std::map<std::string, std::size_t> peakByKey_;    // most leased at once, per target
  struct Failure {
    SqlError error;
    Clock::time_point at;
  };
  std::map<std::string, Failure> unreachable_;  // by endpoint, the last failure to reach it
  PoolStats stats_;
};

}  // namespace mysqlop::mysql
