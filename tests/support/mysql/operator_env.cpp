#include "tests/support/mysql/operator_env.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/kube/kubectl.h"
#include "tests/support/process/child_process.h"

namespace mysqlop::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += {kTable[(v >> 18) & 63], kTable[(v >> 12) & 63], kTable[(v >> 6) & 63], kTable[v & 63]};
    i += 3;
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {kTable[(v >> 18) & 63], kTable[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {kTable[(v >> 18) & 63], kTable[(v >> 12) & 63], kTable[(v >> 6) & 63], '='};
  }
  return out;
}

void require(bool ok, const std::string& what) {
  if (!ok) {
    throw std::runtime_error("MysqlOperatorEnv: " + what);
  }
}

}  // namespace

MysqlOperatorEnv::MysqlOperatorEnv() {
  std::string base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  std::string templ = base + "/mysqlop-operator-env-XXXXXX";
  require(::mkdtemp(templ.data()) != nullptr, "mkdtemp");
  dir_ = templ;
}

MysqlOperatorEnv::~MysqlOperatorEnv() {
  stopOperator();
  api_.stop();
  db_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string MysqlOperatorEnv::path(const std::string& plural, const std::string& name,
                                   const std::string& ns) {
  const bool core = plural == "secrets" || plural == "services" || plural == "pods" ||
                    plural == "namespaces" || plural == "events";
  std::string p = core ? "/api/v1" : "/apis/mysql.presslabs.org/v1alpha1";
  if (plural != "namespaces") {
    p += "/namespaces/" + ns;
  }
  p += "/" + plural;
  if (!name.empty()) {
    p += "/" + name;
  }
  return p;
}

HttpResult MysqlOperatorEnv::call(const std::string& method, const std::string& fullPath,
                                  const json& body, const std::string& contentType) {
  auto r = api_.request(method, fullPath, body.is_null() ? "" : body.dump(), contentType);
  require(r.ok(), method + " " + fullPath + ": " + (r.ok() ? "" : r.error().message));
  return r.value();
}

json MysqlOperatorEnv::create(const std::string& plural, const json& obj, const std::string& ns) {
  HttpResult r = call("POST", path(plural, "", ns), obj);
  require(r.status == 201 || r.status == 200,
          "creating " + plural + ": HTTP " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

json MysqlOperatorEnv::get(const std::string& plural, const std::string& name,
                           const std::string& ns) {
  HttpResult r = call("GET", path(plural, name, ns));
  return r.status == 200 ? r.json() : json();
}

bool MysqlOperatorEnv::exists(const std::string& plural, const std::string& name,
                              const std::string& ns) {
  return call("GET", path(plural, name, ns)).status == 200;
}

json MysqlOperatorEnv::mergePatch(const std::string& plural, const std::string& name,
                                  const json& patch, const std::string& ns) {
  HttpResult r = call("PATCH", path(plural, name, ns), patch, "application/merge-patch+json");
  require(r.status == 200,
          "patching " + plural + "/" + name + ": HTTP " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

void MysqlOperatorEnv::remove(const std::string& plural, const std::string& name,
                              const std::string& ns) {
  HttpResult r = call("DELETE", path(plural, name, ns));
  require(r.status == 200 || r.status == 202 || r.status == 404,
          "deleting " + plural + "/" + name + ": HTTP " + std::to_string(r.status) + " " + r.body);
}

void MysqlOperatorEnv::putSecret(const std::string& name,
                                 const std::map<std::string, std::string>& data,
                                 const std::string& ns) {
  json encoded = json::object();
  for (const auto& [k, v] : data) {
    encoded[k] = base64(v);
  }
  json obj = {{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", name}, {"namespace", ns}}},
              {"type", "Opaque"},
              {"data", encoded}};
  json current = get("secrets", name, ns);
  if (current.is_null()) {
    create("secrets", obj, ns);
    return;
  }
  obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"];
  HttpResult r = call("PUT", path("secrets", name, ns), obj);
  require(r.status == 200, "replacing secret " + name + ": " + r.body);
}

void MysqlOperatorEnv::setClusterReady(bool ready) {
  json cluster = get("mysqlclusters", kCluster);
  cluster["status"] = {{"readyNodes", ready ? 1 : 0},
                       {"conditions",
                        {{{"type", "Ready"},
                          {"status", ready ? "True" : "False"},
                          {"reason", ready ? "ClusterReady" : "StatefulSetNotReady"},
                          {"message", ready ? "Cluster is ready" : "StatefulSet is not ready"},
                          {"lastTransitionTime", "2026-01-01T00:00:00Z"}}}}};
  HttpResult r = call("PUT", path("mysqlclusters", kCluster) + "/status", cluster);
  require(r.status == 200, "setting the MysqlCluster status: " + r.body);
}

std::string MysqlOperatorEnv::readyStatus(const std::string& plural, const std::string& name) {
  json obj = get(plural, name);
  if (!obj.is_object() || !obj.contains("status") || !obj["status"].contains("conditions")) {
    return "";
  }
  for (const auto& c : obj["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") {
      return c.value("status", "");
    }
  }
  return "";
}

std::string MysqlOperatorEnv::readyMessage(const std::string& plural, const std::string& name) {
  json obj = get(plural, name);
  if (!obj.is_object() || !obj.contains("status") || !obj["status"].contains("conditions")) {
    return "";
  }
  for (const auto& c : obj["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") {
      return c.value("message", "");
    }
  }
  return "";
}

void MysqlOperatorEnv::applyCrds() {
  for (const char* kind : {"mysqlclusters", "mysqldatabases", "mysqlusers"}) {
    const std::string file =
        std::string(MYSQLOP_SOURCE_DIR) + "/crds/mysql.presslabs.org_" + kind + ".yaml";
    Kubectl k(api_.kubeconfigPath());
    CommandResult r = k.run({"apply", "-f", file});
    require(r.exitCode == 0, "kubectl apply " + file + ": " + r.err);
  }
  // The kinds are served once their CRDs are established.
  for (const char* plural : {"mysqlclusters", "mysqldatabases", "mysqlusers"}) {
    require(pollUntil([&] { return call("GET", path(plural)).status == 200; },
                      Poll{std::chrono::seconds(30), std::chrono::milliseconds(50)}),
            std::string("the CRD of ") + plural + " is not served");
  }
}

void MysqlOperatorEnv::createClusterObjects() {
  create("namespaces",
         {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNamespace}}}});
  putSecret("c-secret", {{"ROOT_PASSWORD", db_->rootPassword()}});
  create(
      "mysqlclusters",
      {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
       {"kind", "MysqlCluster"},
       {"metadata", {{"name", kCluster}}},
       {"spec", {{"replicas", 1}, {"secretName", "c-secret"}, {"mysqlVersion", "mariadb-10.11"}}}});
  setClusterReady(true);
  const json labels = {{"app.kubernetes.io/name", "mysql"},
                       {"app.kubernetes.io/instance", kCluster},
                       {"role", "master"},
                       {"healthy", "yes"}};
  create("services",
         {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", std::string(kCluster) + "-mysql-master"}}},
          {"spec", {{"selector", labels}, {"ports", {{{"name", "mysql"}, {"port", 3306}}}}}}});
  json pod = create(
      "pods", {{"apiVersion", "v1"},
               {"kind", "Pod"},
               {"metadata", {{"name", std::string(kCluster) + "-mysql-0"}, {"labels", labels}}},
               {"spec", {{"containers", {{{"name", "mysql"}, {"image", "mariadb:10.11"}}}}}}});
  pod["status"] = {{"phase", "Running"},
                   {"podIP", db_->host()},
                   {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  HttpResult r = call("PUT", path("pods", std::string(kCluster) + "-mysql-0") + "/status", pod);
  require(r.status == 200, "setting the pod status: " + r.body);
}

void MysqlOperatorEnv::start(const Options& options) {
  options_ = options;
  MariaDbOptions dbo;
  dbo.port = 3306;  // as a pod: the operator connects to <pod IP>:3306
  db_ = std::make_unique<MariaDbServer>(dbo);
  auto started = api_.start();
  require(started.ok(),
          "starting the API server: " + (started.ok() ? "" : started.error().message));
  applyCrds();
  createClusterObjects();
  // Only the two plugins under test: a plugin dir of their own.
  const fs::path plugins = fs::path(dir_) / "plugins";
  fs::create_directories(plugins);
  for (const char* name : {"mysqlop_database.so", "mysqlop_user.so"}) {
    fs::create_symlink(fs::path(MYSQLOP_BINARY_DIR) / "bin" / "plugins" / name, plugins / name);
  }
  const json config = {{"plugins",
                        {{{"name", "database"}, {"config", options_.databaseConfig}},
                         {{"name", "user"}, {"config", options_.userConfig}}}}};
  std::ofstream(fs::path(dir_) / "operator.yaml") << config.dump(2) << "\n";
  if (options_.metrics) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    metricsPort_ = ntohs(addr.sin_port);
    ::close(fd);
  }
  startOperator();
}

void MysqlOperatorEnv::startOperator() {
  std::vector<std::string> argv = {
      std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
      "--kubeconfig=" + api_.kubeconfigPath(),
      "--config=" + dir_ + "/operator.yaml",
      "--plugin-dir=" + dir_ + "/plugins",
      "--leader-election=false",
      "--metrics-addr=" +
          (metricsPort_ != 0 ? "127.0.0.1:" + std::to_string(metricsPort_) : std::string("0")),
      "--healthz-addr=0",
      "--debug"};
  argv.insert(argv.end(), options_.extraArgs.begin(), options_.extraArgs.end());
  SpawnSpec spec;
  spec.argv = argv;
  spec.stdoutPath = spec.stderrPath = dir_ + "/operator.log";
  spec.appendStdout = spec.appendStderr = true;
  ++launches_;
  operator_ = spawnProcess(spec);
}

void MysqlOperatorEnv::stopOperator() {
  if (operator_ <= 0) {
    return;
  }
  terminateProcess(operator_, std::chrono::seconds(20));
  operator_ = -1;
}

std::string MysqlOperatorEnv::metrics() const {
  if (metricsPort_ == 0) {
    return "";
  }
  CommandResult r = runCommand(
      {"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(metricsPort_) + "/metrics"});
  return r.exitCode == 0 ? r.out : "";
}

std::string MysqlOperatorEnv::operatorLog() const {
  std::ifstream in(dir_ + "/operator.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace mysqlop::testing
