#include "tests/integration/orchestrator/observer_env.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/probe.h"
#include "tests/integration/orchestrator/operated_users.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/process/child_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing::orchestrator {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) {
    throw std::runtime_error(what);
  }
}

std::unique_ptr<MariaDbServer> podServer(int ordinal) {
  MariaDbOptions o;
  o.serverId = 100 + ordinal;
  o.port = 3306;  // as a pod: the operator connects to <pod IP>:3306
  auto s = std::make_unique<MariaDbServer>(o);
  s->query("RESET MASTER;");  // the harness's root setup is binlogged; a pod's is not
  s->query(operatedInitFile("c-mysql-" + std::to_string(ordinal), kNamespace));
  return s;
}

void initialise(const MariaDbServer& s, const std::string& master) {
  auto conn = mysql::Connection::open({s.host(), s.port()}, {"sys_operator", "operatorpw1"}, {});
  require(conn.ok(), "connecting to " + s.host() + (conn.ok() ? "" : ": " + conn.error().message));
  auto r = mysqlop::orchestrator::initNode(**conn, mysql::ReplicationSql(mysql::Flavor::MariaDB),
                                           {s.host(), master, "sys_replication", "replpw1"});
  require(r.ok(), "initialising " + s.host() + (r.ok() ? "" : ": " + r.error().message));
}

std::string clusters() {
  return std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") + kNamespace +
         "/mysqlclusters";
}
std::string core() { return std::string("/api/v1/namespaces/") + kNamespace; }

}  // namespace

ObserverEnv::ObserverEnv() {
  for (int i = 0; i < 3; ++i) {
    servers_.push_back(podServer(i));
  }
  for (int i = 0; i < 3; ++i) {
    initialise(*servers_[static_cast<std::size_t>(i)], servers_[0]->host());
  }
  auto started = api_.start();
  require(started.ok(), "starting the API server" +
                            (started.ok() ? std::string() : ": " + started.error().message));
  Kubectl k(api_.kubeconfigPath());
  CommandResult crd =
      k.run({"apply", "-f",
             std::string(MYSQLOP_SOURCE_DIR) + "/crds/mysql.presslabs.org_mysqlclusters.yaml"});
  require(crd.exitCode == 0, "applying the MysqlCluster CRD: " + crd.err);
  request("POST", "/api/v1/namespaces",
          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNamespace}}}});
  require(pollUntil(
              [&] {
                auto r = api_.request("GET", clusters());
                return r.ok() && r->status == 200;
              },
              Poll{30s, 50ms}),
          "the MysqlCluster CRD is not served");
}

ObserverEnv::~ObserverEnv() { stopOperator(); }

json ObserverEnv::request(const std::string& method, const std::string& path, const json& body,
                          const std::string& contentType) const {
  auto r = api_.request(method, path, body.is_null() ? "" : body.dump(), contentType);
  require(r.ok() && r->status < 300,
          method + " " + path + ": " +
              (r.ok() ? std::to_string(r->status) + " " + r->body : r.error().message));
  return r->json();
}

void ObserverEnv::startOperator(int pollSeconds) { startOperator(pollSeconds, ""); }

void ObserverEnv::startOperator(int pollSeconds, const std::string& extraConfig) {
  fs::create_directories(dir_.path() + "/plugins");
  const std::string link = dir_.path() + "/plugins/mysqlop_orchestrator.so";
  if (!fs::exists(link)) {
    fs::create_symlink(fs::path(MYSQLOP_BINARY_DIR) / "bin/plugins/mysqlop_orchestrator.so", link);
  }
  std::ofstream(dir_.path() + "/operator.yaml")
      << "plugins:\n- name: orchestrator\n  config: {instancePollSeconds: " << pollSeconds
      << (extraConfig.empty() ? "" : ", " + extraConfig) << "}\n";
  SpawnSpec spec;
  spec.argv = {std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
               "--kubeconfig=" + api_.kubeconfigPath(),
               "--config=" + dir_.path() + "/operator.yaml",
               "--plugin-dir=" + dir_.path() + "/plugins",
               "--leader-election=false",
               "--metrics-addr=127.0.0.1:0",
               "--healthz-addr=0"};
  spec.stdoutPath = spec.stderrPath = dir_.path() + "/operator.log";
  spec.appendStdout = spec.appendStderr = true;
  operator_ = spawnProcess(spec);
}

void ObserverEnv::stopOperator() {
  if (operator_ > 0) {
    terminateProcess(operator_, 20s);
    operator_ = -1;
  }
}

std::string ObserverEnv::operatorLog() const { return readFile(dir_.path() + "/operator.log"); }

std::string ObserverEnv::metrics() const {
  HttpAnswer a = get("/metrics");
  return a.status == 200 ? a.body : "";
}

ObserverEnv::HttpAnswer ObserverEnv::get(const std::string& path) const {
  static const std::regex kServing("serving /metrics on 127\\.0\\.0\\.1:([0-9]+)");
  std::smatch m;
  const std::string log = operatorLog();
  if (!std::regex_search(log, m, kServing)) {
    return {};
  }
  // The status and the content type on the last line, after the body.
  CommandResult r = runCommand({"/usr/bin/curl", "-s", "-w", "\n%{http_code} %{content_type}",
                                "http://127.0.0.1:" + m[1].str() + path});
  const std::size_t nl = r.out.rfind('\n');
  if (r.exitCode != 0 || nl == std::string::npos) {
    return {};
  }
  HttpAnswer a;
  const std::string last = r.out.substr(nl + 1);
  const std::size_t sp = last.find(' ');
  a.status = std::atoi(last.substr(0, sp).c_str());
  a.contentType = sp == std::string::npos ? "" : last.substr(sp + 1);
  a.body = r.out.substr(0, nl);
  return a;
}

void ObserverEnv::createCluster(const std::string& name, int replicas, bool withoutSecret) {
  if (!withoutSecret) {
    request("POST", core() + "/secrets",
            {{"apiVersion", "v1"},
             {"kind", "Secret"},
             {"metadata", {{"name", name + "-mysql-operated"}}},
             {"stringData",
              {{"OPERATOR_USER", "sys_operator"},
               {"OPERATOR_PASSWORD", "operatorpw1"},
               {"REPLICATION_USER", "sys_replication"},
               {"REPLICATION_PASSWORD", "replpw1"}}}});
  }
  request("POST", clusters(),
          {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
           {"kind", "MysqlCluster"},
           {"metadata", {{"name", name}}},
           {"spec",
            {{"replicas", replicas},
             {"secretName", name + "-secret"},
             {"mysqlVersion", "mariadb-10.11"}}}});
  for (int i = 0; i < replicas; ++i) {
    const std::string pod = name + "-mysql-" + std::to_string(i);
    json created =
        request("POST", core() + "/pods",
                {{"apiVersion", "v1"},
                 {"kind", "Pod"},
                 {"metadata", {{"name", pod}, {"labels", {{"mysql.presslabs.org/cluster", name}}}}},
                 {"spec", {{"containers", {{{"name", "mysql"}, {"image", "mariadb:10.11"}}}}}}});
    created["status"] = {{"phase", "Running"},
                         {"podIP", servers_[static_cast<std::size_t>(i % 3)]->host()},
                         {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
    request("PUT", core() + "/pods/" + pod + "/status", created);
  }
}

void ObserverEnv::createUnreadyCluster(const std::string& name, const std::string& podIp) {
  createCluster(name, 0);
  patchCluster(name, {{"spec", {{"replicas", 1}}}});
  const std::string pod = name + "-mysql-0";
  json created =
      request("POST", core() + "/pods",
              {{"apiVersion", "v1"},
               {"kind", "Pod"},
               {"metadata", {{"name", pod}, {"labels", {{"mysql.presslabs.org/cluster", name}}}}},
               {"spec", {{"containers", {{{"name", "mysql"}, {"image", "mariadb:10.11"}}}}}}});
  created["status"] = {{"phase", "Running"},
                       {"podIP", podIp},
                       {"conditions", {{{"type", "Ready"}, {"status", "False"}}}}};
  request("PUT", core() + "/pods/" + pod + "/status", created);
}

json ObserverEnv::pod(const std::string& name) const {
  return request("GET", core() + "/pods/" + name);
}

json ObserverEnv::cluster(const std::string& name) const {
  return request("GET", clusters() + "/" + name);
}

void ObserverEnv::patchCluster(const std::string& name, const json& mergePatch) const {
  request("PATCH", clusters() + "/" + name, mergePatch, "application/merge-patch+json");
}

std::string ObserverEnv::nodeCondition(const std::string& cluster, int ordinal,
                                       const std::string& type) const {
  const std::string host = cluster + "-mysql-" + std::to_string(ordinal) + ".mysql." + kNamespace;
  const json c = this->cluster(cluster);
  for (const json& n : c.value("status", json::object()).value("nodes", json::array())) {
    if (n.value("name", "") != host) {
      continue;
    }
    for (const json& cond : n.value("conditions", json::array())) {
      if (cond.value("type", "") == type) {
        return cond.value("status", "");
      }
    }
  }
  return "";
}

long long ObserverEnv::probes() const {
  long long n = 0;
  for (const auto& s : servers_) {
    n += s->globalStatus("Com_show_slave_status");
  }
  return n;
}

}  // namespace mysqlop::testing::orchestrator
