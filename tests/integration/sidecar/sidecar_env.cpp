#include "tests/integration/sidecar/sidecar_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "sidecar/clone.h"
#include "sidecar/env.h"
#include "sidecar/init_sql.h"
#include "tests/support/process/child_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing::sidecar {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string makeTempDir(const std::string& prefix) {
  std::string templ = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp " + templ);
  return templ;
}

// Every variable the sidecar reads: unset for each run, so the test's own environment (HOSTNAME
// above all) does not leak in.
const std::vector<std::string> kSidecarVariables = {"HOSTNAME",
                                                    "MY_CLUSTER_NAME",
                                                    "MY_NAMESPACE",
                                                    "MY_SERVICE_NAME",
                                                    "MY_SERVER_ID_OFFSET",
                                                    "MY_MYSQL_VERSION",
                                                    "MY_MYSQL_FLAVOR",
                                                    "INIT_BUCKET_URI",
                                                    "OPERATOR_USER",
                                                    "OPERATOR_PASSWORD",
                                                    "REPLICATION_USER",
                                                    "REPLICATION_PASSWORD",
                                                    "METRICS_EXPORTER_USER",
                                                    "METRICS_EXPORTER_PASSWORD",
                                                    "ORC_TOPOLOGY_USER",
                                                    "ORC_TOPOLOGY_PASSWORD",
                                                    "BACKUP_USER",
                                                    "BACKUP_PASSWORD",
                                                    "XBSTREAM_EXTRA_ARGS",
                                                    "XTRABACKUP_EXTRA_ARGS",
                                                    "XTRABACKUP_PREPARE_EXTRA_ARGS",
                                                    "XTRABACKUP_TARGET_DIR",
                                                    "INITFILE_EXTRA_SQL",
                                                    "MYSQLOP_DATA_DIR",
                                                    "MYSQLOP_CONF_DIR",
                                                    "MYSQLOP_CONF_SOURCE_DIR",
                                                    "MYSQLOP_LISTEN_ADDRESS",
                                                    "MYSQLOP_SIDECAR_PORT",
                                                    "MYSQLOP_MYSQL_HOST",
                                                    "MYSQLOP_MYSQL_PORT",
                                                    "MYSQLOP_REPLICAS_URL",
                                                    "MYSQLOP_MASTER_URL"};

std::vector<std::string> spawnEnv(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (const auto& name : kSidecarVariables)
    if (!env.count(name)) out.push_back(name + "=");
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A URL where nothing listens: a port of 127.0.0.1 just released.
std::string deadUrl() { return "http://127.0.0.1:" + std::to_string(freePort()); }

mysqlop::sidecar::EnvLookup lookupIn(const std::map<std::string, std::string>& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

std::string sidecarBinary() {
  return std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator-sidecar";
}

std::map<std::string, std::string> podEnv(int ordinal) {
  return {{"HOSTNAME", "c-mysql-" + std::to_string(ordinal)},
          {"MY_CLUSTER_NAME", "c"},
          {"MY_NAMESPACE", "ns"},
          {"MY_SERVICE_NAME", "mysql"},
          {"MY_MYSQL_VERSION", "10.11.0"},
          {"MY_MYSQL_FLAVOR", "mariadb"},
          {"OPERATOR_USER", "sys_operator"},
          {"OPERATOR_PASSWORD", kOperatorPassword},
          {"REPLICATION_USER", "sys_replication"},
          {"REPLICATION_PASSWORD", kReplicationPassword},
          {"METRICS_EXPORTER_USER", "sys_exporter"},
          {"METRICS_EXPORTER_PASSWORD", "exporterpw1"},
          {"ORC_TOPOLOGY_USER", "orchestrator"},
          {"ORC_TOPOLOGY_PASSWORD", "orcpw1"},
          {"BACKUP_USER", "sys_backup"},
          {"BACKUP_PASSWORD", kBackupPassword}};
}

SidecarRun runSidecar(const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env, const std::string& logPath) {
  SpawnSpec spec;
  spec.argv = {sidecarBinary()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = spawnEnv(env);
  spec.stdoutPath = spec.stderrPath = logPath;
  pid_t pid = spawnProcess(spec);
  auto code = waitForExit(pid, 10min);
  if (!code) {
    killProcess(pid);
    throw std::runtime_error("the sidecar did not finish: " + readFile(logPath));
  }
  return {*code, readFile(logPath)};
}

std::vector<std::string> listTree(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    out.push_back(fs::relative(e.path(), dir).string());
  return out;
}

// ---------------------------------------------------------------------------------- SourcePod

SourcePod::SourcePod(std::vector<std::string> extraConfig) {
  MariaDbOptions opts;
  opts.extraConfig = std::move(extraConfig);
  server_ = std::make_unique<MariaDbServer>(opts);
  // The operated users as the pod's own init-file makes them (this also runs the init-file's
  // statements on a real server), then writable again for the test data.
  auto cfg = mysqlop::sidecar::loadConfig(lookupIn(podEnv(0)));
  if (!cfg) throw std::runtime_error(cfg.error().message);
  mysqlop::sidecar::InitFacts facts;
  facts.heartbeatPassword = "heartbeatpw";
  server_->query(mysqlop::sidecar::initFileContent(*cfg, facts) + "SET GLOBAL READ_ONLY = 0;");
  server_->query(
      "CREATE DATABASE app; CREATE DATABASE seq; CREATE TABLE app.t (id INT PRIMARY KEY "
      "AUTO_INCREMENT, v VARCHAR(64));"
      "INSERT INTO app.t (v) SELECT CONCAT('row-', seq) FROM seq.seq_1_to_1000;");
  dir_ = makeTempDir("sidecar-source-");  // last: a constructor that throws leaves nothing behind
}

SourcePod::~SourcePod() {
  stopSidecar();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void SourcePod::startSidecar(const std::map<std::string, std::string>& extraEnv) {
  auto env = podEnv(0);
  env["MYSQLOP_DATA_DIR"] = server_->directory() + "/data";
  env["MYSQLOP_CONF_DIR"] = dir_ + "/conf";
  env["MYSQLOP_MYSQL_HOST"] = server_->host();
  env["MYSQLOP_MYSQL_PORT"] = std::to_string(server_->port());
  env["MYSQLOP_LISTEN_ADDRESS"] = server_->host();
  env["XTRABACKUP_TARGET_DIR"] = dir_ + "/xb";
  for (const auto& [k, v] : extraEnv) env[k] = v;
  SpawnSpec spec;
  spec.argv = {sidecarBinary(), "config-and-serve"};
  spec.env = spawnEnv(env);
  spec.stdoutPath = spec.stderrPath = dir_ + "/sidecar.log";
  spec.appendStdout = spec.appendStderr = true;
  sidecarPid_ = spawnProcess(spec);
  bool up = pollUntil([&] {
    return mysqlop::sidecar::isHealthy(url()) || waitForExit(sidecarPid_, 0ms).has_value();
  });
  if (!up || !mysqlop::sidecar::isHealthy(url()))
    throw std::runtime_error("config-and-serve did not come up: " + sidecarLog());
}

void SourcePod::stopSidecar() {
  if (sidecarPid_ > 0) killProcess(sidecarPid_);
  sidecarPid_ = -1;
}

int SourcePod::terminateSidecar(std::chrono::milliseconds grace) {
  const int code = terminateProcess(sidecarPid_, grace);
  sidecarPid_ = -1;
  return code;
}

std::string SourcePod::url() const { return "http://" + server_->host() + ":8080"; }
std::string SourcePod::sidecarLog() const { return readFile(dir_ + "/sidecar.log"); }

// ----------------------------------------------------------------------------------- ClonePod

ClonePod::ClonePod(int ordinal) : env(podEnv(ordinal)) {
  dir_ = makeTempDir("sidecar-clone-");
  port_ = freePort();
  fs::create_directories(dir_ + "/data");
  fs::create_directories(dir_ + "/tmp");
  fs::create_directories(dir_ + "/mnt");
  // The ConfigMap's my.cnf: toolchain.md section 2's small server, including conf.d as bitpoke's.
  std::ofstream cnf(dir_ + "/mnt/my.cnf");
  const std::string& d = dir_;
  cnf << "[mariadbd]\nuser=root\ndatadir=" << d << "/data\ntmpdir=" << d << "/tmp\nsocket=" << d
      << "/mysqld.sock\npid-file=" << d << "/mysqld.pid\nlog-error=" << d
      << "/error.log\nport=" << port_
      << "\nbind-address=127.0.0.1\nskip-name-resolve\nlog_bin=" << d
      << "/data/mysql-bin\nrelay_log=" << d << "/data/relay-bin\nlog_slave_updates=ON\n"
      << "binlog_format=ROW\ngtid_strict_mode=ON\ninnodb_buffer_pool_size=16M\n"
      << "innodb_log_file_size=8M\nkey_buffer_size=1M\naria_pagecache_buffer_size=1M\n"
      << "performance_schema=OFF\nmax_connections=30\n\n!includedir " << d << "/conf/conf.d\n";
  env["MYSQLOP_DATA_DIR"] = dataDir();
  env["MYSQLOP_CONF_DIR"] = confDir();
  env["MYSQLOP_CONF_SOURCE_DIR"] = dir_ + "/mnt";
}

ClonePod::~ClonePod() {
  stopServer();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

SidecarRun ClonePod::cloneAndInit(const std::string& replicasUrl,
                                  const std::map<std::string, std::string>& extraEnv,
                                  const std::string& masterUrl) {
  auto e = env;
  e["MYSQLOP_REPLICAS_URL"] = replicasUrl.empty() ? deadUrl() : replicasUrl;
  e["MYSQLOP_MASTER_URL"] = masterUrl.empty() ? deadUrl() : masterUrl;
  for (const auto& [k, v] : extraEnv) e[k] = v;
  return runSidecar({"clone-and-init"}, e, dir_ + "/clone.log");
}

void ClonePod::startServer() {
  SpawnSpec spec;
  spec.argv = {"/usr/sbin/mariadbd", "--defaults-file=" + confDir() + "/my.cnf"};
  spec.stdoutPath = spec.stderrPath = dir_ + "/stdout.log";
  pid_ = spawnProcess(spec);
  bool up = pollUntil([&] {
    if (waitForExit(pid_, 0ms).has_value()) return true;
    try {
      query("sys_operator", kOperatorPassword, "SELECT 1");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  });
  if (!up || waitForExit(pid_, 0ms).has_value()) {
    pid_ = -1;
    throw std::runtime_error("mariadbd on the clone did not start: " +
                             readFile(dir_ + "/error.log"));
  }
}

void ClonePod::stopServer() {
  if (pid_ > 0) terminateProcess(pid_, 20s);
  pid_ = -1;
}

std::string ClonePod::query(const std::string& user, const std::string& password,
                            const std::string& sql) const {
  std::string out = dir_ + "/query.out";
  SpawnSpec spec;
  spec.argv = {"/usr/bin/mariadb",
               "--no-defaults",
               "-h127.0.0.1",
               "-P" + std::to_string(port_),
               "-u" + user,
               "-p" + password,
               "-N",
               "-B",
               "-e",
               sql};
  spec.stdoutPath = out;
  spec.stderrPath = dir_ + "/query.err";
  pid_t pid = spawnProcess(spec);
  auto code = waitForExit(pid, 60s);
  if (!code || *code != 0)
    throw std::runtime_error("query as " + user + " failed: " + readFile(dir_ + "/query.err"));
  std::string r = readFile(out);
  while (!r.empty() && r.back() == '\n') r.pop_back();
  return r;
}

}  // namespace mysqlop::testing::sidecar
