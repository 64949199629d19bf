// Every bad input of the binary: its exit code and its one-line message.

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/sidecar/sidecar_env.h"

namespace mysqlop::testing::sidecar {
namespace {

const char* kUsage =
    "usage: mysql-operator-sidecar [--debug] clone-and-init|config-and-serve|run|take-backup-to "
    "<srcHost> <url>|remove-backup <url>\n";

struct CliTest : ::testing::Test {
  std::string log = (std::filesystem::temp_directory_path() /
                     ("sidecar-cli-" + std::to_string(::getpid()) + ".log"))
                        .string();
  ~CliTest() override { std::filesystem::remove(log); }
  SidecarRun run(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env) {
    return runSidecar(args, env, log);
  }
};

TEST_F(CliTest, UsageErrorsExitWith2) {
  SidecarRun none = run({}, podEnv(0));
  EXPECT_EQ(none.exitCode, 2);
  EXPECT_EQ(none.output, std::string("mysql-operator-sidecar: no subcommand\n") + kUsage);
  SidecarRun unknown = run({"take-a-nap"}, podEnv(0));
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_EQ(unknown.output,
            std::string("mysql-operator-sidecar: unknown subcommand \"take-a-nap\"\n") + kUsage);
  SidecarRun extra = run({"run", "now"}, podEnv(0));
  EXPECT_EQ(extra.exitCode, 2);
  EXPECT_EQ(extra.output,
            std::string("mysql-operator-sidecar: unexpected argument \"now\"\n") + kUsage);
  SidecarRun missing = run({"take-backup-to", "c-mysql-1.mysql.ns"}, podEnv(0));
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_EQ(missing.output,
            std::string("mysql-operator-sidecar: take-backup-to needs 2 arguments\n") + kUsage);
  SidecarRun tooMany = run({"remove-backup", "s3://b/x", "s3://b/y"}, podEnv(0));
  EXPECT_EQ(tooMany.exitCode, 2);
  EXPECT_EQ(tooMany.output,
            std::string("mysql-operator-sidecar: unexpected argument \"s3://b/y\"\n") + kUsage);
}

TEST_F(CliTest, BadEnvironmentExitsWith1AndNamesTheVariable) {
  struct Case {
    std::string name, value, message;
  };
  const std::vector<Case> cases = {
      {"HOSTNAME", "", "missing environment variable HOSTNAME"},
      {"HOSTNAME", "c-mysql-x",
       "HOSTNAME=\"c-mysql-x\": no pod ordinal at its end (want <cluster>-mysql-<N>)"},
      {"HOSTNAME", "mysql",
       "HOSTNAME=\"mysql\": no pod ordinal at its end (want <cluster>-mysql-<N>)"},
      {"MY_CLUSTER_NAME", "", "missing environment variable MY_CLUSTER_NAME"},
      {"MY_NAMESPACE", "", "missing environment variable MY_NAMESPACE"},
      {"MY_SERVICE_NAME", "", "missing environment variable MY_SERVICE_NAME"},
      {"MY_SERVER_ID_OFFSET", "-3", "MY_SERVER_ID_OFFSET=\"-3\": not a number"},
      {"MY_MYSQL_FLAVOR", "oracle", "MY_MYSQL_FLAVOR=\"oracle\": want mysql or mariadb"},
      {"MY_MYSQL_VERSION", "9.x", "MY_MYSQL_VERSION: "},
      {"MYSQLOP_SIDECAR_PORT", "70000",
       "MYSQLOP_SIDECAR_PORT=\"70000\": not a port number (1-65535)"},
      {"MYSQLOP_MYSQL_PORT", "x", "MYSQLOP_MYSQL_PORT=\"x\": not a port number (1-65535)"},
      {"OPERATOR_PASSWORD", "", "missing environment variable OPERATOR_PASSWORD"},
      {"ORC_TOPOLOGY_USER", "", "missing environment variable ORC_TOPOLOGY_USER"},
      {"BACKUP_USER", "", "missing environment variable BACKUP_USER"},
      {"METRICS_EXPORTER_PASSWORD", "a'b",
       "METRICS_EXPORTER_PASSWORD: contains a quote, a backslash or a line break, which the "
       "init-file cannot carry"},
  };
  for (const Case& c : cases) {
    auto env = podEnv(1);
    if (c.value.empty())
      env.erase(c.name);
    else
      env[c.name] = c.value;
    SidecarRun r = run({"clone-and-init"}, env);
    EXPECT_EQ(r.exitCode, 1) << c.name;
    std::string prefix = "mysql-operator-sidecar: " + c.message;
    EXPECT_EQ(r.output.substr(0, prefix.size()), prefix) << c.name;
    EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << "one line: " << r.output;
  }
}

TEST_F(CliTest, ServeNeedsTheBackupCredentialsAndAFreePort) {
  auto env = podEnv(0);
  env.erase("BACKUP_PASSWORD");
  SidecarRun r = run({"config-and-serve"}, env);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.output, "mysql-operator-sidecar: missing environment variable BACKUP_PASSWORD\n");

  env = podEnv(0);
  env["MYSQLOP_LISTEN_ADDRESS"] = "localhost";
  r = run({"run"}, env);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.output,
            "mysql-operator-sidecar: MYSQLOP_LISTEN_ADDRESS=\"localhost\": not an IPv4 address\n");

  env["MYSQLOP_LISTEN_ADDRESS"] = "198.18.255.254";  // not an address of this machine
  r = run({"run"}, env);
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.output,
            "mysql-operator-sidecar: cannot listen on 198.18.255.254:8080: Cannot assign "
            "requested address\n");
}

TEST_F(CliTest, AMissingConfigMapFileIsAConfigFailure) {
  auto env = podEnv(0);
  std::string dir =
      (std::filesystem::temp_directory_path() / ("sidecar-cli-dir-" + std::to_string(::getpid())))
          .string();
  env["MYSQLOP_DATA_DIR"] = dir + "/data";
  env["MYSQLOP_CONF_DIR"] = dir + "/conf";
  env["MYSQLOP_CONF_SOURCE_DIR"] = dir + "/mnt";
  env["MYSQLOP_REPLICAS_URL"] = "http://127.0.0.1:1";
  env["MYSQLOP_MASTER_URL"] = "http://127.0.0.1:2";
  SidecarRun r = run({"clone-and-init"}, env);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(r.exitCode, 1);
  std::string want = "mysql-operator-sidecar: cannot read " + dir + "/mnt/my.cnf\n";
  EXPECT_EQ(r.output.substr(r.output.size() - std::min(r.output.size(), want.size())), want)
      << r.output;
}

}  // namespace
}  // namespace mysqlop::testing::sidecar

namespace mysqlop::testing::sidecar {
namespace {

// As a container's PID 1 the sidecar would ignore a SIGTERM it does not handle and hold the pod
// for its whole grace period: it handles it and exits at once.
TEST(SidecarSignals, ServeExitsOnSigterm) {
  SourcePod source;
  source.startSidecar();
  const int code = source.terminateSidecar(std::chrono::seconds(10));
  EXPECT_EQ(code, 143);
  EXPECT_NE(source.sidecarLog().find("mysql-operator-sidecar: terminated by a signal"),
            std::string::npos)
      << source.sidecarLog();
}

}  // namespace
}  // namespace mysqlop::testing::sidecar
