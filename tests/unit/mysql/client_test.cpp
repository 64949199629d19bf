// The MySQL client and its pool against a real mariadbd.
#include "plugins/common/mysql/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugins/common/mysql/pool.h"
#include "tests/support/mysql/mariadb_server.h"

namespace mysqlop::mysql {
namespace {

using testing::MariaDbServer;

class MysqlClient : public ::testing::Test {
 protected:
  Endpoint endpoint() const { return {db_.host(), db_.port()}; }
  Credentials root() const { return {"root", db_.rootPassword()}; }
  std::unique_ptr<Connection> connect(Timeouts t = {}) {
    auto c = Connection::open(endpoint(), root(), t);
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? std::move(c).value() : nullptr;
  }
  std::string selectOne(Connection& c, const std::string& sql, const std::vector<Arg>& args) {
    auto rows = c.query(sql, args);
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    if (!rows.ok() || rows->rows.size() != 1 || !rows->rows[0][0]) {
      return "<none>";
    }
    return *rows->rows[0][0];
  }

  MariaDbServer db_;
};

TEST_F(MysqlClient, ConnectsAndReportsTheServer) {
  auto c = connect();
  ASSERT_TRUE(c);
  EXPECT_NE(c->serverInfo().find("MariaDB"), std::string::npos) << c->serverInfo();
  EXPECT_EQ(c->endpoint().str(), db_.host() + ":" + std::to_string(db_.port()));
  auto rows = c->query("SELECT 1 AS one, NULL AS nothing, 'x' AS ex");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"one", "nothing", "ex"}));
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "1");
  EXPECT_EQ(rows->rows[0][1], std::nullopt);
  EXPECT_EQ(rows->column("ex"), 2);
  EXPECT_EQ(rows->column("missing"), -1);
  EXPECT_EQ(selectOne(*c, "SELECT @@character_set_client", {}), "utf8mb4");
}

TEST_F(MysqlClient, WrongPasswordIsAnAuthErrorWithoutThePassword) {
  auto c = Connection::open(endpoint(), {"root", "wrong-secret"}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, SqlError::Kind::Auth);
  EXPECT_EQ(c.error().code, 1045u);
  EXPECT_EQ(c.error().message, "connecting to " + endpoint().str() +
                                   " as root: Access denied for user 'root'@'127.0.0.1' (using "
                                   "password: YES)");
}

TEST_F(MysqlClient, StoppedServerIsUnreachable) {
  db_.stop();
  auto c = Connection::open(endpoint(), root(), {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, SqlError::Kind::Unreachable);
  EXPECT_EQ(c.error().code, 2002u);
  EXPECT_EQ(c.error().message, "connecting to " + endpoint().str() +
                                   " as root: Can't connect to server on '" + db_.host() +
                                   "' (115)");
}

TEST_F(MysqlClient, NulInCredentialsIsRefusedBeforeConnecting) {
  auto c = Connection::open(endpoint(), {"root", std::string("a\0b", 3)}, {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, SqlError::Kind::Invalid);
  EXPECT_EQ(c.error().message,
            "connecting to " + endpoint().str() + " as root: the password contains a NUL byte");
}

// A peer that accepts TCP connections and never speaks: the connect timeout must end the wait.
TEST_F(MysqlClient, ConnectTimeoutEndsASilentHandshake) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  Timeouts t;
  t.connect = std::chrono::seconds(1);
  t.read = std::chrono::seconds(1);
  Endpoint silent{"127.0.0.1", ntohs(addr.sin_port)};
  auto c = Connection::open(silent, root(), t);
  ::close(fd);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, SqlError::Kind::Unreachable);
  EXPECT_EQ(c.error().code, 2013u) << c.error().message;
}

// A server that stops answering mid-session (SIGSTOP): the read timeout ends the query.
TEST_F(MysqlClient, ReadTimeoutEndsAQueryToAFrozenServer) {
  Timeouts t;
  t.read = std::chrono::seconds(1);
  t.write = std::chrono::seconds(1);
  auto c = connect(t);
  ASSERT_TRUE(c);
  db_.freeze();
  auto r = c->query("SELECT 1");
  db_.thaw();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, SqlError::Kind::Unreachable);
  EXPECT_FALSE(c->usable());
  auto again = c->exec("SELECT 1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, "the connection to " + endpoint().str() + " was lost");
}

TEST_F(MysqlClient, ValuesRoundTripExactly) {
  auto c = connect();
  ASSERT_TRUE(c);
  for (const std::string& v :
       {std::string("plain"), std::string("it's"), std::string("back\\slash"),
        std::string("double\"quote"), std::string("`tick`"),
        std::string("semi; DROP DATABASE mysql; --"), std::string("nul\0byte", 8),
        std::string("ünïcødé ✓ 😀"), std::string("100%_"), std::string(""), std::string("?")}) {
    EXPECT_EQ(selectOne(*c, "SELECT ?", {Arg::text(v)}), v);
    EXPECT_EQ(selectOne(*c, "SELECT HEX(?)", {Arg::text(v)}),
              selectOne(*c, "SELECT HEX(CAST(? AS BINARY))", {Arg::text(v)}));
  }
  EXPECT_EQ(selectOne(*c, "SELECT ? + ?", {Arg::integer(40), Arg::integer(2)}), "42");
}

TEST_F(MysqlClient, EscapingFollowsNoBackslashEscapes) {
  auto c = connect();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->exec("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'").ok());
  for (const std::string& v : {std::string("it's"), std::string("a\\'b"), std::string("\\")}) {
    EXPECT_EQ(selectOne(*c, "SELECT ?", {Arg::text(v)}), v);
  }
}

TEST_F(MysqlClient, PlaceholderCountMustMatch) {
  auto c = connect();
  ASSERT_TRUE(c);
  auto tooFew = c->exec("SELECT ?, ?", {Arg::text("a")});
  ASSERT_FALSE(tooFew.ok());
  EXPECT_EQ(tooFew.error().kind, SqlError::Kind::Invalid);
  EXPECT_EQ(tooFew.error().message, "statement has more placeholders than the 1 arguments given");
  auto tooMany = c->exec("SELECT ?", {Arg::text("a"), Arg::text("b")});
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.error().message, "statement has 1 placeholders but 2 arguments were given");
}

TEST_F(MysqlClient, OneStatementPerCall) {
  auto c = connect();
  ASSERT_TRUE(c);
  auto r = c->exec("SELECT 1; SELECT 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 1064u);
}

TEST_F(MysqlClient, ErrorsNeverShowASecret) {
  auto c = connect();
  ASSERT_TRUE(c);
  const std::string secret = "hunter2-secret";
  auto r = c->exec("CREATE USER 'x'@'%' IDENTIFIED BY ? NONSENSE", {Arg::secret(secret)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, SqlError::Kind::Server);
  EXPECT_EQ(r.error().message,
            "error 1064 (42000): You have an error in your SQL syntax; check the manual that "
            "corresponds to your MariaDB server version for the right syntax to use");
  // Without a secret the server's quote of the statement stays: it helps.
  auto plain = c->exec("SELECT ? NONSENSE garbage", {Arg::text("v")});
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.error().message.find("near 'garbage'"), std::string::npos)
      << plain.error().message;
  auto preview = c->preview("ALTER USER ?@? IDENTIFIED BY ?",
                            {Arg::text("u"), Arg::text("h'x"), Arg::secret(secret)});
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(*preview, "ALTER USER 'u'@'h\\'x' IDENTIFIED BY '***'");
}

TEST_F(MysqlClient, PoolReusesOneConnectionPerTarget) {
  const long long before = db_.globalStatus("Connections");
  {
    ConnectionPool pool;
    for (int i = 0; i < 20; ++i) {
      auto lease = pool.acquire(endpoint(), root());
      ASSERT_TRUE(lease.ok()) << lease.error().message;
      ASSERT_TRUE((*lease)->exec("SELECT 1").ok());
    }
    PoolStats s = pool.stats();
    EXPECT_EQ(s.opened, 1u);
    EXPECT_EQ(s.reused, 19u);
    EXPECT_EQ(s.idle, 1u);
    EXPECT_EQ(s.leased, 0u);
    // Two leases at once need two connections; both go back idle.
    {
      auto a = pool.acquire(endpoint(), root());
      auto b = pool.acquire(endpoint(), root());
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(pool.stats().leased, 2u);
    }
    EXPECT_EQ(pool.stats().opened, 2u);
    EXPECT_EQ(pool.stats().idle, 2u);
    // Another password for the same user is another connection, never a reused one.
    auto other = pool.acquire(endpoint(), {"root", "wrong"});
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().kind, SqlError::Kind::Auth);
  }
  // The pool is gone: the server sees every connection closed (no leak).
  const long long after = db_.globalStatus("Connections");
  EXPECT_EQ(after - before, 3 + 1);  // two pooled, one refused, plus this status query
  EXPECT_EQ(db_.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER='root' AND "
                      "ID <> CONNECTION_ID()"),
            "0\n");
}

TEST_F(MysqlClient, PoolReplacesAConnectionWhoseServerRestarted) {
  PoolOptions opts;
  opts.pingAfter = std::chrono::milliseconds(0);
  opts.failFastFor = std::chrono::milliseconds(0);
  ConnectionPool pool(opts);
  { ASSERT_TRUE(pool.acquire(endpoint(), root()).ok()); }
  db_.stop();
  db_.start();
  auto lease = pool.acquire(endpoint(), root());
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_TRUE((*lease)->exec("SELECT 1").ok());
  PoolStats s = pool.stats();
  EXPECT_EQ(s.opened, 2u);
  EXPECT_EQ(s.discarded, 1u);
}

TEST_F(MysqlClient, PoolKeepsAsManyIdleAsWereLeasedAtOnce) {
  ConnectionPool pool;  // maxIdlePerTarget 2
  {
    std::vector<ConnectionPool::Lease> leases;
    for (int i = 0; i < 4; ++i) {
      auto l = pool.acquire(endpoint(), root());
      ASSERT_TRUE(l.ok()) << l.error().message;
      leases.push_back(std::move(*l));
    }
  }
  EXPECT_EQ(pool.stats().idle, 4u);
  {
    std::vector<ConnectionPool::Lease> leases;
    for (int i = 0; i < 4; ++i) {
      auto l = pool.acquire(endpoint(), root());
      ASSERT_TRUE(l.ok());
      leases.push_back(std::move(*l));
    }
  }
  EXPECT_EQ(pool.stats().opened, 4u);
  EXPECT_EQ(pool.stats().reused, 4u);
}

TEST_F(MysqlClient, PoolAnswersARecentFailureWithoutConnecting) {
  ConnectionPool pool;  // failFastFor 5 s
  db_.stop();
  auto first = pool.acquire(endpoint(), root());
  ASSERT_FALSE(first.ok());
  db_.start();
  // The server is back, but the failure is recent: the same error, and no attempt.
  auto second = pool.acquire(endpoint(), root());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().message, first.error().message);
  EXPECT_EQ(second.error().kind, SqlError::Kind::Unreachable);
  EXPECT_EQ(pool.stats().failedFast, 1u);
  EXPECT_EQ(pool.stats().opened, 0u);
  // Without the memory it connects at once.
  PoolOptions opts;
  opts.failFastFor = std::chrono::milliseconds(0);
  ConnectionPool eager(opts);
  db_.stop();
  EXPECT_FALSE(eager.acquire(endpoint(), root()).ok());
  db_.start();
  EXPECT_TRUE(eager.acquire(endpoint(), root()).ok());
  EXPECT_EQ(eager.stats().failedFast, 0u);
}

TEST_F(MysqlClient, PoolClosesBrokenAndExpiredConnections) {
  PoolOptions opts;
  opts.maxIdleTime = std::chrono::milliseconds(0);
  ConnectionPool pool(opts);
  {
    auto lease = pool.acquire(endpoint(), root());
    ASSERT_TRUE(lease.ok());
    lease->discard();
  }
  EXPECT_EQ(pool.stats().discarded, 1u);
  EXPECT_EQ(pool.stats().idle, 0u);
  { ASSERT_TRUE(pool.acquire(endpoint(), root()).ok()); }
  EXPECT_EQ(pool.stats().idle, 1u);
  pool.closeExpired();
  EXPECT_EQ(pool.stats().idle, 0u);
  { ASSERT_TRUE(pool.acquire(endpoint(), root()).ok()); }
  pool.closeIdle(endpoint());
  EXPECT_EQ(pool.stats().idle, 0u);
  EXPECT_EQ(pool.stats().leased, 0u);
}

}  // namespace
}  // namespace mysqlop::mysql
