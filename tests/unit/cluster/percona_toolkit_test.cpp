// The pt-heartbeat and pt-kill containers of a MySQL pod run Debian's percona-toolkit (the local
// cluster's sidecar profile runs them as host programs), the metrics exporter Debian's
// prometheus-mysqld-exporter: the exact arguments the cluster plugin gives them work against a
// real MariaDB. Only --defaults-file is pointed at a file of the test's
// (in a pod the sidecar writes it under /etc/mysql), and pt-kill's --host=127.0.0.1 (the pod's
// loopback) at the test server's own loopback address.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cluster_test_util.h"
#include "plugins/cluster/src/builders.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/process/child_process.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::cluster {
namespace {

using nlohmann::json;
using testing::testOptions;
using testing::validSpec;

class PerconaToolkitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/pt-heartbeat", "/usr/bin/pt-kill"}) {
      ASSERT_EQ(::access(tool, X_OK), 0) << tool << " missing: install percona-toolkit";
    }
    char tmpl[] = "/tmp/pt-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    defaults_ = dir_ + "/client.conf";
    std::ofstream(defaults_) << "[client]\nhost=" << db_.host() << "\nport=" << db_.port()
                             << "\nuser=root\npassword=" << db_.rootPassword() << "\n";
  }

  void TearDown() override {
    if (exporter_ > 0) {
      mysqlop::testing::terminateProcess(exporter_, std::chrono::seconds(5));
    }
    if (pid_ > 0) {
      mysqlop::testing::terminateProcess(pid_, std::chrono::seconds(5));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The args of the plugin's container `name`, with the defaults file replaced by the test's.
  json containerArgs(const json& spec, const std::string& name) {
    json sts = buildStatefulSet(validSpec(spec), testOptions(), "1", "2");
    for (const json& c : sts["spec"]["template"]["spec"]["containers"]) {
      if (c["name"] == name) {
        json args = c["args"];
        for (auto& a : args) {
          const std::string s = a.get<std::string>();
          if (s.rfind("/etc/mysql/", 0) == 0) {
            a = defaults_;
          } else if (s.rfind("--defaults-file=/etc/mysql/", 0) == 0) {
            a = "--defaults-file=" + defaults_;
          } else if (s == "--host=127.0.0.1") {
            a = "--host=" + db_.host();  // the pod's loopback; the test server has its own
          }
        }
        return args;
      }
    }
    ADD_FAILURE() << "no container " << name;
    return json::array();
  }

  // Runs args (args[0] a program of /usr/bin) with its output in DIR/<args[0]>.log.
  void run(const json& args) {
    mysqlop::testing::SpawnSpec s;
    for (const auto& a : args) {
      s.argv.push_back(a.get<std::string>());
    }
    log_ = dir_ + "/" + s.argv[0] + ".log";
    s.argv[0] = "/usr/bin/" + s.argv[0];
    s.stdoutPath = log_;
    s.stderrPath = log_;
    pid_ = mysqlop::testing::spawnProcess(s);
  }

  std::string log() const { return mysqlop::testing::readFile(log_); }

  // The body of an HTTP GET with curl ("" when it fails).
  std::string fetch(const std::string& url) const {
    mysqlop::testing::SpawnSpec s;
    s.argv = {"/usr/bin/curl", "-sf", "--max-time", "5", url};
    s.stdoutPath = dir_ + "/fetch.out";
    const pid_t pid = mysqlop::testing::spawnProcess(s);
    auto code = mysqlop::testing::waitForExit(pid, std::chrono::seconds(10));
    if (!code) {
      mysqlop::testing::killProcess(pid);
      return "";
    }
    return *code == 0 ? mysqlop::testing::readFile(s.stdoutPath) : "";
  }

  mysqlop::testing::MariaDbServer db_;
  std::string dir_;
  std::string defaults_;
  std::string log_;
  pid_t pid_ = -1;
  pid_t exporter_ = -1;
};

TEST_F(PerconaToolkitTest, PtHeartbeatWritesTheHeartbeatTheExporterReads) {
  db_.query("CREATE DATABASE sys_operator");
  json args = containerArgs({{"mysqlVersion", "mariadb-10.11"}}, "pt-heartbeat");
  ASSERT_EQ(args[0], "pt-heartbeat");
  run(args);
  std::string first;
  ASSERT_TRUE(mysqlop::testing::eventually(
      "a heartbeat row of server 1",
      [&] {
        auto r = db_.sql("SELECT server_id, ts FROM sys_operator.heartbeat");
        first = r.ok() ? r.out : "";
        return first.rfind("1\t", 0) == 0;
      },
      [&] { return log(); }, mysqlop::testing::within(std::chrono::seconds(30))));
  // It keeps updating (once a second).
  EXPECT_TRUE(mysqlop::testing::eventually(
      "the heartbeat to move",
      [&] { return db_.query("SELECT server_id, ts FROM sys_operator.heartbeat") != first; },
      [&] { return log(); }, mysqlop::testing::within(std::chrono::seconds(30))));

  // The metrics exporter (Debian's prometheus-mysqld-exporter, the exporter image's profile) with
  // the plugin's arguments reads that heartbeat. Its listen address is moved from the pod's
  // 0.0.0.0 to the test server's own loopback address, and DATA_SOURCE_NAME, which the kubelet
  // expands from $(USER)/$(PASSWORD) in a pod, is given expanded.
  json eArgs = containerArgs({{"mysqlVersion", "mariadb-10.11"}}, "metrics-exporter");
  mysqlop::testing::SpawnSpec e;
  e.argv = {"/usr/bin/prometheus-mysqld-exporter"};
  for (const auto& a : eArgs) {
    std::string arg = a.get<std::string>();
    if (arg.rfind("--web.listen-address=0.0.0.0:", 0) == 0) {
      arg = "--web.listen-address=" + db_.host() + ":" + arg.substr(arg.rfind(':') + 1);
    }
    e.argv.push_back(arg);
  }
  e.env = {"DATA_SOURCE_NAME=root:" + db_.rootPassword() + "@(" + db_.host() + ":" +
           std::to_string(db_.port()) + ")/"};
  e.stdoutPath = dir_ + "/exporter.log";
  e.stderrPath = e.stdoutPath;
  exporter_ = mysqlop::testing::spawnProcess(e);
  const std::string url = "http://" + db_.host() + ":9125/metrics";
  std::string metrics;
  EXPECT_TRUE(mysqlop::testing::eventually(
      "the exporter to report mysql_up 1 and the stored heartbeat of server 1",
      [&] {
        metrics = fetch(url);
        return metrics.find("\nmysql_up 1\n") != std::string::npos &&
               metrics.find("mysql_heartbeat_stored_timestamp_seconds{server_id=\"1\"}") !=
                   std::string::npos;
      },
      [&] { return mysqlop::testing::readFile(dir_ + "/exporter.log"); },
      mysqlop::testing::within(std::chrono::seconds(30))));
}

TEST_F(PerconaToolkitTest, PtKillKillsAQueryOverMaxQueryTime) {
  json args = containerArgs(
      {{"mysqlVersion", "mariadb-10.11"}, {"queryLimits", {{"maxQueryTime", 1}}}}, "pt-kill");
  ASSERT_EQ(args[0], "pt-kill");
  run(args);
  mysqlop::testing::SqlRun slow;
  std::thread client([&] { slow = db_.sql("SELECT SLEEP(20)"); });
  const bool killed = mysqlop::testing::eventually(
      "pt-kill to print the KILL QUERY of the slow query",
      [&] { return log().find("KILL QUERY") != std::string::npos; }, [&] { return log(); },
      mysqlop::testing::within(std::chrono::seconds(60)));
  client.join();
  ASSERT_TRUE(killed) << args.dump() << "\n" << log();
  EXPECT_NE(log().find("SELECT SLEEP(20)"), std::string::npos) << log();
  // Interrupted: MariaDB ends a killed SLEEP() with 1 or with error 1317.
  EXPECT_TRUE(slow.out == "1\n" || slow.err.find("1317") != std::string::npos)
      << slow.out << slow.err;
}

}  // namespace
}  // namespace mysqlop::cluster
