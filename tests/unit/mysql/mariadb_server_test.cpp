// The test support itself: a real mariadbd that starts, answers, stops and starts again.
#include "tests/support/mysql/mariadb_server.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

namespace mysqlop::testing {
namespace {

TEST(MariaDbServer, StartsAnswersAsRootAndStopsByPid) {
  std::string dir;
  pid_t pid = -1;
  {
    MariaDbServer db;
    dir = db.directory();
    pid = db.pid();
    EXPECT_TRUE(db.running());
    EXPECT_EQ(db.host().rfind("127.0.0.", 0), 0u) << db.host();
    EXPECT_NE(db.port(), 0);
    EXPECT_EQ(db.query("SELECT 40 + 2"), "42\n");
    EXPECT_EQ(db.query("SELECT @@bind_address"), db.host() + "\n");
    // Root needs the configured password.
    SqlRun wrong = db.sqlAs("root", "not-the-password", "SELECT 1");
    EXPECT_FALSE(wrong.ok());
    EXPECT_NE(wrong.err.find("Access denied for user 'root'"), std::string::npos) << wrong.err;
    EXPECT_GE(db.globalStatus("Connections"), 1);
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(::kill(pid, 0), -1) << "mariadbd " << pid << " still runs";
}

TEST(MariaDbServer, StopMakesItUnreachableAndStartBringsItBackWithItsData) {
  MariaDbServer db;
  db.query("CREATE DATABASE kept; CREATE TABLE kept.t (v INT); INSERT INTO kept.t VALUES (7)");
  db.stop();
  EXPECT_FALSE(db.running());
  SqlRun down = db.sql("SELECT 1");
  EXPECT_FALSE(down.ok());
  EXPECT_NE(down.err.find("Can't connect"), std::string::npos) << down.err;
  db.start();
  EXPECT_EQ(db.query("SELECT v FROM kept.t"), "7\n");
  db.kill();
  EXPECT_FALSE(db.sql("SELECT 1").ok());
  db.start();
  EXPECT_EQ(db.query("SELECT v FROM kept.t"), "7\n");
}

TEST(MariaDbServer, TwoServersRunSideBySide) {
  MariaDbServer a;
  MariaDbOptions opts;
  opts.serverId = 2;
  opts.rootPassword = "other 'pw\\";
  opts.extraConfig = {"max_connections=77"};
  MariaDbServer b(opts);
  EXPECT_NE(a.host() + ":" + std::to_string(a.port()), b.host() + ":" + std::to_string(b.port()));
  EXPECT_EQ(a.query("SELECT @@server_id"), "1\n");
  EXPECT_EQ(b.query("SELECT @@server_id, @@max_connections"), "2\t77\n");
}

TEST(MariaDbServer, AFixedPortIsSharedThroughOwnAddresses) {
  MariaDbOptions opts;
  opts.port = 3306;
  MariaDbServer a(opts);
  MariaDbServer b(opts);
  EXPECT_EQ(a.port(), 3306);
  EXPECT_EQ(b.port(), 3306);
  EXPECT_NE(a.host(), b.host());
  EXPECT_EQ(a.query("SELECT @@port"), "3306\n");
}

TEST(MariaDbServer, WithoutTheTemplateItRunsInstallDb) {
  MariaDbOptions opts;
  opts.useTemplate = false;
  MariaDbServer db(opts);
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM mysql.global_priv WHERE User='root'"), "5\n");
}

}  // namespace
}  // namespace mysqlop::testing
