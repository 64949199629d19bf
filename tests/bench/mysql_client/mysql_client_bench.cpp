// MariaDB Connector/C, as the plugins use it (plugins/common/mysql/client.h), against Poco 1.11's
// Poco::Data::MySQL on a real mariadbd: the evidence behind the choice recorded in
// docs/dependencies.md and docs/database-user.md. Claims checked (exit 1 when one no longer holds,
// so that the documents cannot go stale unnoticed):
//   1. a root password containing ';' cannot be used through Poco's connection string, and can
//      through Connector/C;
//   2. Poco's exception for a failed statement carries the statement's text, so a password being
//      set leaks into it; the plugins' client reports the error without it.
// Observed (printed, not checked): what SHOW ALL SLAVES STATUS and SHOW SLAVE HOSTS do through
// Poco (shared/docs/toolchain.md section 2 saw a crash and an assertion), run in a child process.
// Timed: SELECT 1 round trips on one open connection, and connect + authenticate + close.
// --short: fewer iterations (tests/bench/README.md).
#include <Poco/Data/MySQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "plugins/common/mysql/client.h"
#include "tests/bench/common/bench_main.h"
#include "tests/support/mysql/mariadb_server.h"

namespace {

using mysqlop::bench::fail;
using mysqlop::mysql::Arg;
using mysqlop::mysql::Connection;
using mysqlop::mysql::Credentials;
using mysqlop::mysql::Endpoint;
using mysqlop::mysql::Timeouts;
using namespace Poco::Data::Keywords;

// A root password with the character Poco's connection string splits on.
constexpr const char* kRootPassword = "semi;colon-root-pw";
// The account both clients use for the timings and for claim 2.
constexpr const char* kUser = "bench";
constexpr const char* kUserPassword = "bench-pw";
// The password of the statement that fails in claim 2.
constexpr const char* kSecret = "s3cret-being-set";

mysqlop::testing::MariaDbOptions serverOptions() {
  mysqlop::testing::MariaDbOptions o;
  o.rootPassword = kRootPassword;
  return o;
}

// Started on first use from main's thread, stopped at exit.
mysqlop::testing::MariaDbServer& server() {
  static mysqlop::testing::MariaDbServer db(serverOptions());
  static const bool kUserCreated = [] {
    db.query(std::string("CREATE USER '") + kUser + "'@'%' IDENTIFIED BY '" + kUserPassword +
             "'; GRANT ALL ON *.* TO '" + kUser + "'@'%'");
    return true;
  }();
  (void)kUserCreated;
  return db;
}

std::string pocoConnectionString(const std::string& user, const std::string& password) {
  return "host=" + server().host() + ";port=" + std::to_string(server().port()) + ";user=" + user +
         ";password=" + password + ";db=mysql";
}

Endpoint endpoint() { return {server().host(), server().port()}; }

std::unique_ptr<Connection> connectorOpen(const std::string& user, const std::string& password,
                                          std::string* error) {
  auto c = Connection::open(endpoint(), Credentials{user, password}, Timeouts{});
  if (!c.ok()) {
    *error = c.error().message;
    return nullptr;
  }
  return std::move(c).value();
}

// Claim 1: the password with ';'.
void checkSemicolonPassword() {
  std::string pocoError;
  try {
    Poco::Data::Session s("MySQL", pocoConnectionString("root", kRootPassword));
    int one = 0;
    s << "SELECT 1", into(one), now;
  } catch (const Poco::Exception& e) {
    pocoError = e.displayText();
  }
  std::string connectorError;
  auto c = connectorOpen("root", kRootPassword, &connectorError);
  std::printf("claim 1, root password \"%s\":\n", kRootPassword);
  std::printf("  Poco::Data::MySQL: %s\n", pocoError.empty() ? "connected" : pocoError.c_str());
  std::printf("  Connector/C:       %s\n", c ? "connected" : connectorError.c_str());
  if (pocoError.empty()) {
    fail("claim 1: Poco connected with a password containing ';'");
  }
  if (!c) {
    fail("claim 1: Connector/C did not connect: " + connectorError);
  }
}

// Claim 2: the text of a failed statement that sets a password (the account does not exist).
void checkErrorTexts() {
  std::string pocoError;
  try {
    Poco::Data::Session s("MySQL", pocoConnectionString(kUser, kUserPassword));
    s << "ALTER USER 'nobody'@'%' IDENTIFIED BY '" + std::string(kSecret) + "'", now;
  } catch (const Poco::Exception& e) {
    pocoError = e.displayText();
  }
  std::string connectorError;
  if (auto c = connectorOpen(kUser, kUserPassword, &connectorError)) {
    auto r = c->exec("ALTER USER ?@? IDENTIFIED BY ?",
                     {Arg::text("nobody"), Arg::text("%"), Arg::secret(kSecret)});
    connectorError = r.ok() ? "" : r.error().message;
  }
  std::printf("claim 2, a failed ALTER USER ... IDENTIFIED BY '%s':\n", kSecret);
  std::printf("  Poco::Data::MySQL: %s\n", pocoError.c_str());
  std::printf("  Connector/C:       %s\n", connectorError.c_str());
  if (pocoError.find(kSecret) == std::string::npos) {
    fail("claim 2: Poco's exception text does not contain the password");
  }
  if (connectorError.empty() || connectorError.find(kSecret) != std::string::npos) {
    fail("claim 2: the plugins' client did not fail without the password: " + connectorError);
  }
}

// Runs sql through Poco in a child process and says how the child ended.
std::string pocoInChild(const std::string& sql) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      Poco::Data::Session s("MySQL", pocoConnectionString(kUser, kUserPassword));
      Poco::Data::Statement st(s);
      st << sql, now;
      Poco::Data::RecordSet rs(st);
      std::printf("  Poco::Data::MySQL: %s -> %zu rows\n", sql.c_str(), rs.rowCount());
      std::fflush(stdout);
      ::_exit(0);
    } catch (const Poco::Exception& e) {
      std::printf("  Poco::Data::MySQL: %s -> %s\n", sql.c_str(), e.displayText().c_str());
      std::fflush(stdout);
      ::_exit(2);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    return std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "exit " + std::to_string(WEXITSTATUS(status));
}

void observeStatements() {
  std::printf("observed, statements of shared/docs/toolchain.md section 2:\n");
  std::string error;
  auto c = connectorOpen(kUser, kUserPassword, &error);
  for (const char* sql : {"SHOW ALL SLAVES STATUS", "SHOW SLAVE HOSTS"}) {
    std::fflush(stdout);
    const std::string child = pocoInChild(sql);
    std::printf("  Poco child process: %s\n", child.c_str());
    if (c) {
      auto rows = c->query(sql);
      std::printf("  Connector/C:       %s -> %s\n", sql,
                  rows.ok() ? (std::to_string(rows->rows.size()) + " rows").c_str()
                            : rows.error().message.c_str());
    }
  }
}

void BM_Select1_ConnectorC(benchmark::State& state) {
  std::string error;
  auto c = connectorOpen(kUser, kUserPassword, &error);
  if (!c) {
    fail("Connector/C: " + error);
    state.SkipWithError("cannot connect");
    return;
  }
  for (auto _ : state) {
    auto r = c->query("SELECT 1");
    if (!r.ok() || r->rows.size() != 1) {
      fail("Connector/C SELECT 1: " + (r.ok() ? std::string("no row") : r.error().message));
      state.SkipWithError("SELECT 1 failed");
      break;
    }
  }
}

void BM_Select1_Poco(benchmark::State& state) {
  try {
    Poco::Data::Session s("MySQL", pocoConnectionString(kUser, kUserPassword));
    for (auto _ : state) {
      int one = 0;
      s << "SELECT 1", into(one), now;
      if (one != 1) {
        fail("Poco SELECT 1 gave " + std::to_string(one));
        state.SkipWithError("SELECT 1 failed");
        break;
      }
    }
  } catch (const Poco::Exception& e) {
    fail("Poco SELECT 1: " + e.displayText());
    state.SkipWithError("SELECT 1 failed");
  }
}

void BM_Connect_ConnectorC(benchmark::State& state) {
  for (auto _ : state) {
    std::string error;
    if (!connectorOpen(kUser, kUserPassword, &error)) {
      fail("Connector/C connect: " + error);
      state.SkipWithError("connect failed");
      break;
    }
  }
}

void BM_Connect_Poco(benchmark::State& state) {
  const std::string connection = pocoConnectionString(kUser, kUserPassword);
  try {
    for (auto _ : state) {
      Poco::Data::Session s("MySQL", connection);
      benchmark::DoNotOptimize(s.isConnected());
    }
  } catch (const Poco::Exception& e) {
    fail("Poco connect: " + e.displayText());
    state.SkipWithError("connect failed");
  }
}

// Registered at run time: the iteration counts depend on the short mode (a command-line flag).
void registerBenchmarks() {
  const int queries = mysqlop::bench::scaled(1000, 100);
  const int connects = mysqlop::bench::scaled(100, 10);
  struct Run {
    const char* name;
    void (*fn)(benchmark::State&);
    int iterations;
  };
  for (const Run& r : {Run{"BM_Select1_ConnectorC", BM_Select1_ConnectorC, queries},
                       Run{"BM_Select1_Poco", BM_Select1_Poco, queries},
                       Run{"BM_Connect_ConnectorC", BM_Connect_ConnectorC, connects},
                       Run{"BM_Connect_Poco", BM_Connect_Poco, connects}}) {
    benchmark::RegisterBenchmark(r.name, r.fn)
        ->Iterations(r.iterations)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  Poco::Data::MySQL::Connector::registerConnector();
  server();
  checkSemicolonPassword();
  checkErrorTexts();
  observeStatements();
  std::fflush(stdout);
  registerBenchmarks();
  mysqlop::bench::runBenchmarks(argc, argv);
  return mysqlop::bench::finish();
}
