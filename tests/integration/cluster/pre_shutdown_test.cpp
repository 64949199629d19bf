// The preStop script pre-shutdown-ha.sh (plugins/cluster/src/mycnf.cpp) run by bash against real
// mariadbd: a master with a replica waits until it is read-only (switched over) and then returns;
// a replica returns at once; a master not fenced within its start wait returns then; an
// orchestrator address that does not answer does not stop it.
#include <gtest/gtest.h>

#include <fstream>

#include "plugins/cluster/src/mycnf.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::cluster {
namespace {

using mysqlop::testing::MariaDbOptions;
using mysqlop::testing::MariaDbServer;
using mysqlop::testing::TempDir;

class PreShutdownScript : public ::testing::Test {
 protected:
  void SetUp() override {
    MariaDbOptions o;
    o.serverId = 1;
    master_ = std::make_unique<MariaDbServer>(o);
    o.serverId = 2;
    replica_ = std::make_unique<MariaDbServer>(o);
    // The script runs as the operator user of the sidecar (sidecar/init_sql.cpp, its grants on
    // MariaDB 10.11), as in a pod: no REPLICATION MASTER ADMIN, so no SHOW SLAVE HOSTS. Every
    // node starts from an empty binlog with its accounts unlogged, as a pod's init does.
    for (MariaDbServer* s : {master_.get(), replica_.get()}) {
      s->query(
          "RESET MASTER; SET SESSION sql_log_bin=0; "
          "CREATE USER repl@'%' IDENTIFIED BY 'repl-pw'; "
          "GRANT REPLICATION SLAVE ON *.* TO repl@'%'; "
          "CREATE USER operator@'%' IDENTIFIED BY 'op-pw'; "
          "GRANT SUPER, SHOW DATABASES, PROCESS, RELOAD, CREATE, SELECT, SLAVE MONITOR, "
          "READ_ONLY ADMIN ON *.* TO operator@'%'; "
          "GRANT REPLICATION SLAVE ON *.* TO operator@'%';");
    }
    replica_->query("CHANGE MASTER TO MASTER_HOST='" + master_->host() +
                    "', MASTER_PORT=" + std::to_string(master_->port()) +
                    ", MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos;"
                    " START SLAVE; SET GLOBAL read_only=1;");
    ASSERT_TRUE(mysqlop::testing::eventually("the master has a binlog dump thread", [&] {
      return master_
                 ->sql(
                     "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND "
                     "LIKE 'Binlog Dump%'")
                 .out.rfind("1", 0) == 0;
    }));
  }

  // Starts the script as the pod would, its client.conf pointing at `server`.
  pid_t start(const MariaDbServer& server, const std::string& tag, std::vector<std::string> env) {
    const std::string conf = dir_.file(tag + ".cnf");
    std::ofstream(conf) << "[client]\nhost=" << server.host() << "\nport=" << server.port()
                        << "\nuser=operator\npassword=op-pw\n";
    std::string script = preShutdownScript("mariadb");
    for (std::size_t at; (at = script.find("/etc/mysql/client.conf")) != std::string::npos;) {
      script.replace(at, 22, conf);
    }
    const std::string path = dir_.file(tag + ".sh");
    std::ofstream(path) << script;
    out_ = dir_.file(tag + ".out");
    err_ = dir_.file(tag + ".err");
    env.push_back("MY_FQDN=db-mysql-0.mysql.default");
    env.push_back("ORCH_CLUSTER_ALIAS=db.default");
    return mysqlop::testing::spawnProcess(
        {{"/bin/bash", "-x", path}, env, "/dev/null", out_, err_});
  }
  std::string out() const { return mysqlop::testing::readFile(out_); }
  std::string err() const { return mysqlop::testing::readFile(err_); }

  TempDir dir_;
  std::unique_ptr<MariaDbServer> master_, replica_;
  std::string out_, err_;
};

TEST_F(PreShutdownScript, AMasterWaitsUntilItIsReadOnly) {
  const pid_t pid =
      start(*master_, "master",
            {"ORCH_HTTP_API=", "PRE_SHUTDOWN_WAIT_SECONDS=20", "PRE_SHUTDOWN_START_SECONDS=20"});
  // Still waiting a second later: nothing switched it over yet.
  EXPECT_EQ(mysqlop::testing::waitForExit(pid, std::chrono::seconds(1)), std::nullopt) << err();
  // The fence alone (read_only=1) is not the end of a switchover: it may still roll back.
  master_->query("SET GLOBAL read_only=1");
  EXPECT_EQ(mysqlop::testing::waitForExit(pid, std::chrono::seconds(1)), std::nullopt) << err();
  // Made a replica of its successor: done.
  replica_->query("STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only=0;");
  master_->query("CHANGE MASTER TO MASTER_HOST='" + replica_->host() +
                 "', MASTER_PORT=" + std::to_string(replica_->port()) +
                 ", MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos;"
                 " START SLAVE;");
  const auto code = mysqlop::testing::waitForExit(pid, std::chrono::seconds(10));
  if (!code) {
    mysqlop::testing::killProcess(pid);
  }
  EXPECT_EQ(code, 0) << err();
  EXPECT_EQ(out(), "switched over: this node is a read-only replica\n");
}

TEST_F(PreShutdownScript, AReplicaReturnsAtOnce) {
  const pid_t pid = start(*replica_, "replica", {"ORCH_HTTP_API=", "PRE_SHUTDOWN_WAIT_SECONDS=20"});
  const auto code = mysqlop::testing::waitForExit(pid, std::chrono::seconds(10));
  if (!code) {
    mysqlop::testing::killProcess(pid);
  }
  EXPECT_EQ(code, 0) << err();
  EXPECT_EQ(out(), "");
}

// Not fenced within START seconds (every pod deleted at once: no replica can take over; or no
// operator): it does not outlive its replicas.
TEST_F(PreShutdownScript, AMasterNeverSwitchedOverStopsAfterItsStartWait) {
  // Nothing listens at the orchestrator address: the call is best effort.
  const pid_t pid = start(*master_, "deadline",
                          {"ORCH_HTTP_API=http://127.0.0.1:1/api", "PRE_SHUTDOWN_WAIT_SECONDS=20",
                           "PRE_SHUTDOWN_START_SECONDS=2"});
  const auto code = mysqlop::testing::waitForExit(pid, std::chrono::seconds(15));
  if (!code) {
    mysqlop::testing::killProcess(pid);
  }
  EXPECT_EQ(code, 0) << err();
  EXPECT_NE(err().find("not switched over within 2 s: stopping anyway\n"), std::string::npos)
      << err();
  EXPECT_EQ(master_->query("SELECT @@read_only").substr(0, 1), "0");
}

}  // namespace
}  // namespace mysqlop::cluster
