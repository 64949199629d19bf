#include "tests/integration/mysql_cluster/mysql_cluster_env.h"

#include <fstream>
#include <sstream>

#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

namespace {

std::string lastLines(const std::string& text, std::size_t n) {
  std::size_t pos = text.size();
  for (std::size_t i = 0; i <= n && pos != std::string::npos && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
  }
  // pos 0: fewer than n lines (or an empty text), all of it.
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

std::string trimNewline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();
  }
  return s;
}

}  // namespace

std::string clusterManifest(const std::string& name, int replicas, const std::string& extraSpec) {
  std::ostringstream y;
  y << "apiVersion: v1\nkind: Secret\nmetadata: {name: " << name
    << "-secret, namespace: " << kNamespace << "}\n"
    << "stringData: {ROOT_PASSWORD: " << kRootPassword
    << ", USER: app, PASSWORD: app-pw, DATABASE: app}\n---\n"
    << "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlCluster\n"
    << "metadata: {name: " << name << ", namespace: " << kNamespace << "}\n"
    << "spec:\n"
    << "  replicas: " << replicas << "\n"
    << "  secretName: " << name << "-secret\n"
    << "  mysqlVersion: \"mariadb-10.11\"\n"
    // Small servers: many run at once on a 2-core machine.
    << "  mysqlConf:\n"
    << "    innodb-buffer-pool-size: \"32M\"\n"
    << "    innodb-log-file-size: \"16M\"\n"
    << "    max-connections: \"100\"\n"
    << "  podSpec:\n"
    << "    resources:\n"
    << "      requests: {memory: 256Mi, cpu: 100m}\n"
    << "  volumeSpec:\n"
    << "    persistentVolumeClaim:\n"
    << "      accessModes: [ReadWriteOnce]\n"
    << "      resources: {requests: {storage: 1Gi}}\n"
    << extraSpec;
  return y.str();
}

MysqlClusterEnv::MysqlClusterEnv() {
  if (auto started = cluster_.start(); !started.ok()) {
    error_ = "mysql-operator-local up: " + started.error().message;
    return;
  }
  kubectl_ = std::make_unique<Kubectl>(cluster_.kubeconfigPath());
  const CommandResult crds =
      kubectl_->run({"apply", "-f", std::string(MYSQLOP_SOURCE_DIR) + "/crds/"});
  if (crds.exitCode != 0) {
    error_ = "applying the CRDs: " + crds.err;
    return;
  }
  const bool served = pollUntil(
      [&] {
        return kubectl_->run({"get", "mysqlclusters", "-A"}).exitCode == 0;
      },
      Poll{std::chrono::seconds(30), std::chrono::milliseconds(100)});
  if (!served) {
    error_ = "the MysqlCluster CRD is not served after 30 s";
    return;
  }
  startOperator();
}

MysqlClusterEnv::~MysqlClusterEnv() {
  if (operator_ && !operatorStopped_) {
    operator_->terminate();
  }
}

void MysqlClusterEnv::startOperator() {
  const std::string configPath = cluster_.dataDir() + "/operator-config.yaml";
  std::ofstream(configPath) << "plugins:\n"
                               "  - {name: cluster}\n"
                               "  - {name: orchestrator, config: "
                            << orchestratorConfig_
                            << "}\n"
                               "  - {name: database}\n"
                               "  - {name: user}\n"
                               "  - {name: backup, config: "
                            << backupConfig_ << "}\n";
  for (const std::string& entry : extraPlugins_) {
    std::ofstream(configPath, std::ios::app) << "  - " << entry << "\n";
  }
  operatorStopped_ = false;
  operator_ = std::make_unique<OperatorProcess>(std::vector<std::string>{
      "--kubeconfig", cluster_.kubeconfigPath(), "--config", configPath, "--leader-election=false",
      "--metrics-addr", "127.0.0.1:0", "--healthz-addr", "127.0.0.1:0",
      "--orchestrator-topology-user", "orchestrator", "--orchestrator-topology-password",
      "e2e-topology-pw"});
}

std::string MysqlClusterEnv::gatewayAddress() const {
  // The cluster's slot N (node/README.md): pods are on 198.18.N.0/24, the bridge's .1 is the host.
  std::ifstream in(cluster_.dataDir() + "/node/slot");
  int slot = -1;
  if (!(in >> slot) || slot < 0) {
    return "";
  }
  return "198.18." + std::to_string(slot) + ".1";
}

void MysqlClusterEnv::stopOperator(bool hard) {
  if (operator_ && !operatorStopped_) {
    if (hard) {
      operator_->killHard();
    } else {
      operator_->terminate();
    }
  }
  operatorStopped_ = true;
}

void MysqlClusterEnv::restartOperator() {
  stopOperator();
  startOperator();
}

std::string MysqlClusterEnv::apply(const std::string& yaml) const {
  const CommandResult r = kubectl_->run({"apply", "-f", "-"}, yaml);
  return r.exitCode == 0 ? "" : "kubectl apply: " + r.err;
}

std::string MysqlClusterEnv::waitReady(const std::string& name, std::chrono::seconds timeout,
                                       const std::string& want) const {
  std::string last;
  const bool ok = pollUntil(
      [&] {
        const CommandResult r =
            kubectl_->run({"get", "mysqlcluster", name, "-n", kNamespace, "-o",
                           "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"});
        last = r.exitCode == 0 ? r.out : r.err;
        return last == want;
      },
      Poll{timeout, std::chrono::milliseconds(250)});
  if (ok) {
    return "";
  }
  const CommandResult status =
      kubectl_->run({"get", "mysqlcluster", name, "-n", kNamespace, "-o", "jsonpath={.status}"});
  return "MysqlCluster " + name + " not Ready=" + want + " (last: '" + last +
         "')\nstatus: " + status.out + "\n" + diagnostics();
}

std::string MysqlClusterEnv::podIp(const std::string& pod) const {
  return kubectl_->run({"get", "pod", pod, "-n", kNamespace, "-o", "jsonpath={.status.podIP}"}).out;
}

SqlResult MysqlClusterEnv::sql(const std::string& pod, const std::string& statement,
                               bool vertical) const {
  return run(pod, "root", kRootPassword, statement, vertical);
}

SqlResult MysqlClusterEnv::sqlAs(const std::string& pod, const std::string& user,
                                 const std::string& password, const std::string& statement) const {
  return run(pod, user, password, statement, false);
}

SqlResult MysqlClusterEnv::run(const std::string& pod, const std::string& user,
                               const std::string& password, const std::string& statement,
                               bool vertical) const {
  const std::string ip = podIp(pod);
  if (ip.empty()) {
    return {1, "", "pod " + pod + " has no IP"};
  }
  const CommandResult r =
      runCommand({"/usr/bin/mariadb", "--no-defaults", "--connect-timeout=3", "-h", ip, "-P",
                  "3306", "-u" + user, vertical ? "-E" : "-NB", "-e", statement},
                 {"MYSQL_PWD=" + password}, "", 30);
  return {r.exitCode, trimNewline(r.out), r.err};
}

std::string MysqlClusterEnv::waitForSql(const std::string& pod, const std::string& statement,
                                        const std::string& want,
                                        std::chrono::seconds timeout) const {
  SqlResult last;
  const bool ok = pollUntil(
      [&] {
        last = sql(pod, statement);
        return last.exitCode == 0 && last.out == want;
      },
      Poll{timeout, std::chrono::milliseconds(250)});
  return ok ? ""
            : pod + ": " + statement + ": want '" + want + "', last '" + last.out + "' " +
                  last.err + "\n" + diagnostics();
}

std::string MysqlClusterEnv::diagnostics() const {
  std::string out = "--- pods\n" + kubectl_->run({"get", "pods", "-A", "-o", "wide"}).out;
  out += "--- pod conditions\n" +
         kubectl_
             ->run({"get", "pods", "-n", kNamespace, "-o",
                    "jsonpath={range .items[*]}{.metadata.name} {.metadata.labels.role} "
                    "{.metadata.labels.healthy} {range .status.conditions[*]}{.type}={.status}"
                    "({.reason}) {end}{range .status.containerStatuses[*]}{.name}:{.ready}"
                    "{.state.waiting.reason} {end}{\"\\n\"}{end}"})
             .out;
  out += "--- events\n" + lastLines(kubectl_->run({"get", "events", "-A"}).out, 25);
  out += "--- operator log\n" + lastLines(operator_ ? operator_->err() : "", 40);
  return out;
}

}  // namespace mysqlop::testing
