// CPU and RSS of the topology observer polling N clusters x 3 nodes every second (issue 11: 10
// clusters of 3 nodes). Three real mariadbd servers (a master and two GTID replicas, each on
// 127.0.0.X:3306 as a pod) stand for the 3 nodes of every cluster: each cluster's pods have those
// addresses as their podIP, so every poll really connects, probes and publishes, 3N probes a
// second; 30 servers would measure mariadbd, not the observer. The operator runs only the
// orchestrator plugin against the local API server (no kubelet: the pods are API objects).
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/probe.h"
#include "sidecar/init_sql.h"
#include "tests/bench/common/bench_main.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/poll.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using mysqlop::bench::fail;
using mysqlop::testing::LocalApiServer;
using mysqlop::testing::MariaDbOptions;
using mysqlop::testing::MariaDbServer;

constexpr const char* kNs = "bench";

std::unique_ptr<MariaDbServer> server(int ordinal) {
  MariaDbOptions o;
  o.serverId = 100 + ordinal;
  o.port = 3306;
  auto s = std::make_unique<MariaDbServer>(o);
  mysqlop::sidecar::Config c;
  c.hostname = "c-mysql-" + std::to_string(ordinal);
  c.clusterName = "c";
  c.nameSpace = kNs;
  c.serviceName = "mysql";
  c.version = mysqlop::mysql::ServerVersion{mysqlop::mysql::Flavor::MariaDB, 10, 11, 0};
  c.operatorUser = {"sys_operator", "operatorpw1"};
  c.replicationUser = {"sys_replication", "replpw1"};
  c.exporterUser = {"sys_exporter", "exporterpw1"};
  c.orcTopologyUser = {"orchestrator", "orcpw1"};
  c.backupUser = {"sys_backup", "backuppw1"};
  mysqlop::sidecar::InitFacts f;
  f.heartbeatPassword = "heartbeatpw";
  s->query("RESET MASTER;");
  s->query(mysqlop::sidecar::initFileContent(c, f));
  return s;
}

void initialise(const MariaDbServer& s, const std::string& master) {
  auto conn = mysqlop::mysql::Connection::open({s.host(), s.port()},
                                               {"sys_operator", "operatorpw1"}, {});
  if (!conn.ok()) {
    fail("connecting to " + s.host() + ": " + conn.error().message);
    return;
  }
  auto r = mysqlop::orchestrator::initNode(
      **conn, mysqlop::mysql::ReplicationSql(mysqlop::mysql::Flavor::MariaDB),
      {s.host(), master, "sys_replication", "replpw1"});
  if (!r.ok()) {
    fail("initialising " + s.host() + ": " + r.error().message);
  }
}

bool request(const LocalApiServer& api, const std::string& method, const std::string& path,
             const json& body, json* out = nullptr) {
  auto r = api.request(method, path, body.is_null() ? "" : body.dump());
  if (!r.ok() || r->status >= 300) {
    fail(method + " " + path + ": " + (r.ok() ? std::to_string(r->status) + " " + r->body
                                                : r.error().message));
    return false;
  }
  if (out) {
    *out = r->json();
  }
  return true;
}

void createCluster(const LocalApiServer& api, int k,
                   const std::vector<std::unique_ptr<MariaDbServer>>& servers) {
  const std::string c = "c" + std::to_string(k);
  const std::string core = std::string("/api/v1/namespaces/") + kNs;
  request(api, "POST", core + "/secrets",
          {{"apiVersion", "v1"},
           {"kind", "Secret"},
           {"metadata", {{"name", c + "-mysql-operated"}}},
           {"stringData",
            {{"OPERATOR_USER", "sys_operator"},
             {"OPERATOR_PASSWORD", "operatorpw1"},
             {"REPLICATION_USER", "sys_replication"},
             {"REPLICATION_PASSWORD", "replpw1"}}}});
  request(api, "POST", std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") + kNs +
                           "/mysqlclusters",
          {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
           {"kind", "MysqlCluster"},
           {"metadata", {{"name", c}}},
           {"spec", {{"replicas", 3}, {"secretName", c + "-secret"}, {"mysqlVersion", "mariadb-10.11"}}}});
  for (int i = 0; i < 3; ++i) {
    const std::string name = c + "-mysql-" + std::to_string(i);
    json pod;
    if (!request(api, "POST", core + "/pods",
                 {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", {{"name", name}, {"labels", {{"mysql.presslabs.org/cluster", c}}}}},
                  {"spec", {{"containers", {{{"name", "mysql"}, {"image", "mariadb:10.11"}}}}}}},
                 &pod)) {
      continue;
    }
    pod["status"] = {{"phase", "Running"},
                     {"podIP", servers[static_cast<std::size_t>(i)]->host()},
                     {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
    request(api, "PUT", core + "/pods/" + name + "/status", pod);
  }
}

// utime + stime of a process, in seconds.
double cpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double statusMiB(pid_t pid, const std::string& key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return std::stod(line.substr(key.size() + 1)) / 1024.0;
    }
  }
  return 0;
}

struct Window {
  double cpuPercent = 0;
  double probesPerSecond = 0;
};

Window measure(pid_t op, const std::vector<std::unique_ptr<MariaDbServer>>& servers,
               std::chrono::seconds length) {
  auto questions = [&] {
    long long q = 0;
    for (const auto& s : servers) q += s->globalStatus("Com_show_slave_status");
    return q;
  };
  const double cpu0 = cpuSeconds(op);
  const long long q0 = questions();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(length);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {100.0 * (cpuSeconds(op) - cpu0) / seconds,
          static_cast<double>(questions() - q0) / seconds};
}

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  const int clusters = mysqlop::bench::scaled(10, 2);
  const auto window = mysqlop::bench::scaled(30s, 4s);
  try {
    std::vector<std::unique_ptr<MariaDbServer>> servers;
    for (int i = 0; i < 3; ++i) servers.push_back(server(i));
    initialise(*servers[0], servers[0]->host());
    initialise(*servers[1], servers[0]->host());
    initialise(*servers[2], servers[0]->host());

    LocalApiServer api;
    auto started = api.start();
    if (!started.ok()) {
      fail("starting the API server: " + started.error().message);
      return mysqlop::bench::finish();
    }
    mysqlop::testing::Kubectl k(api.kubeconfigPath());
    auto crd = k.run({"apply", "-f",
                      std::string(MYSQLOP_SOURCE_DIR) + "/crds/mysql.presslabs.org_mysqlclusters.yaml"});
    if (crd.exitCode != 0) fail("applying the CRD: " + crd.err);
    mysqlop::testing::pollUntil(
        [&] {
          auto r = api.request("GET", std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") +
                                          kNs + "/mysqlclusters");
          return r.ok() && r->status == 200;
        },
        mysqlop::testing::Poll{30s, 50ms});
    request(api, "POST", "/api/v1/namespaces",
            {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNs}}}});

    mysqlop::testing::TempDir dir;
    fs::create_directories(dir.path() + "/plugins");
    fs::create_symlink(fs::path(MYSQLOP_BINARY_DIR) / "bin/plugins/mysqlop_orchestrator.so",
                       dir.path() + "/plugins/mysqlop_orchestrator.so");
    std::ofstream(dir.path() + "/operator.yaml")
        << "plugins:\n- name: orchestrator\n  config: {instancePollSeconds: 1}\n";
    mysqlop::testing::SpawnSpec spec;
    spec.argv = {std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
                 "--kubeconfig=" + api.kubeconfigPath(), "--config=" + dir.path() + "/operator.yaml",
                 "--plugin-dir=" + dir.path() + "/plugins", "--leader-election=false",
                 "--metrics-addr=127.0.0.1:0", "--healthz-addr=0"};
    spec.stdoutPath = spec.stderrPath = dir.path() + "/operator.log";
    const pid_t op = mysqlop::testing::spawnProcess(spec);
    std::this_thread::sleep_for(2s);
    const Window idle = measure(op, servers, std::chrono::seconds(std::min<long>(window.count(), 5)));
    const double idleRss = statusMiB(op, "VmRSS");

    for (int c = 0; c < clusters; ++c) createCluster(api, c, servers);
    // Every cluster published its three nodes, pod 0 the master.
    const bool published = mysqlop::testing::pollUntil(
        [&] {
          auto r = api.request("GET", std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") +
                                          kNs + "/mysqlclusters");
          if (!r.ok() || r->status != 200) return false;
          int done = 0;
          const json list = r->json();
          for (const json& c : list.value("items", json::array())) {
            const json nodes = c.value("status", json::object()).value("nodes", json::array());
            done += nodes.size() == 3 ? 1 : 0;
          }
          return done == clusters;
        },
        mysqlop::testing::Poll{60s, 200ms});
    if (!published) {
      const std::string log = mysqlop::testing::readFile(dir.path() + "/operator.log");
      auto one = api.request("GET", std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") +
                                        kNs + "/mysqlclusters/c0");
      fail("not every cluster published status.nodes within 60 s; c0 is " +
           (one.ok() ? one->body : one.error().message) + "; the operator's log ends:\n" +
           log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
    }

    const Window busy = measure(op, servers, window);
    const double rss = statusMiB(op, "VmRSS");
    const double hwm = statusMiB(op, "VmHWM");
    std::printf(
        "observer, %d clusters x 3 nodes, instancePollSeconds 1, %lds window:\n"
        "  idle (no cluster):  cpu %.1f%% of one core, rss %.1f MiB\n"
        "  polling:            cpu %.1f%% of one core, rss %.1f MiB (peak %.1f MiB)\n"
        "  probes per second:  %.1f (expected %d)\n",
        clusters, static_cast<long>(window.count()), idle.cpuPercent, idleRss, busy.cpuPercent,
        rss, hwm, busy.probesPerSecond, clusters * 3);
    if (busy.probesPerSecond < 0.5 * clusters * 3) {
      fail("the observer probed " + std::to_string(busy.probesPerSecond) + " nodes/s, not ~" +
           std::to_string(clusters * 3));
    }
    mysqlop::testing::terminateProcess(op, 20s);
    const std::string log = mysqlop::testing::readFile(dir.path() + "/operator.log");
    if (log.find("operatorpw1") != std::string::npos) fail("a password reached the log");
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return mysqlop::bench::finish();
}
