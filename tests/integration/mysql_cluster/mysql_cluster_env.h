#pragma once

// The ground of the MysqlCluster end-to-end tests: a real local cluster (`mysql-operator-local
// up`: API server, controllers, Service proxy, process kubelet running MariaDB pods), the CRDs,
// and the real operator on the host with its bundled plugins, reaching the pods by IP over the
// cluster's bridge exactly as scripts/demo runs it. Each test gets its own local cluster.
//
//   MysqlClusterEnv env;                      // up, CRDs, operator; ASSERT_TRUE(env.ok())
//   env.apply(clusterManifest("c", 3));       // the Secret and the MysqlCluster
//   ASSERT_EQ(env.waitReady("c"), "");        // Ready=True, or what was seen instead
//   env.sql("c-mysql-1", "SELECT ...");       // as root, through the pod's IP

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/kube/operator_process.h"

namespace mysqlop::testing {

inline constexpr const char* kNamespace = "default";
inline constexpr const char* kRootPassword = "e2e-root-pw";

// The Secret (ROOT_PASSWORD, USER/PASSWORD/DATABASE app/app-pw/app) and a MariaDB 10.11
// MysqlCluster of `replicas` nodes on PVCs, with small InnoDB settings; extraSpec is appended to
// the spec (two-space indented YAML lines).
std::string clusterManifest(const std::string& name, int replicas,
                            const std::string& extraSpec = "");

struct SqlResult {
  int exitCode = -1;
  std::string out;  // -NB output, trailing newline removed
  std::string err;
};

class MysqlClusterEnv {
 public:
  MysqlClusterEnv();
  ~MysqlClusterEnv();

  // "" when the cluster, the CRDs and the operator are up; else what failed.
  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  const Kubectl& kubectl() const { return *kubectl_; }
  LocalClusterProcess& cluster() { return cluster_; }
  const std::string& dataDir() const { return cluster_.dataDir(); }

  // kubectl apply -f - ; "" or kubectl's error.
  std::string apply(const std::string& yaml) const;
  // Polls until the MysqlCluster's Ready condition is `want` ("True"); "" or a message with the
  // last status seen and diagnostics().
  std::string waitReady(const std::string& name, std::chrono::seconds timeout,
                        const std::string& want = "True") const;
  // Runs SQL as root on a pod (through its IP); exit code and output (-NB: values only, tab
  // separated; vertical: "Column: value" lines, as \G prints them).
  SqlResult sql(const std::string& pod, const std::string& statement, bool vertical = false) const;
  // The same as another account (the app user of the Secret: "app", "app-pw").
  SqlResult sqlAs(const std::string& pod, const std::string& user, const std::string& password,
                  const std::string& statement) const;
  // Polls until sql(pod, statement).out == want; "" or the last result.
  std::string waitForSql(const std::string& pod, const std::string& statement,
                         const std::string& want, std::chrono::seconds timeout) const;
  std::string podIp(const std::string& pod) const;
  // Pods, conditions, recent Events, the tail of the operator's log: what a failing test prints.
  std::string diagnostics() const;

  // Stops and starts the operator (the same arguments).
  void restartOperator();
  OperatorProcess& operatorProcess() { return *operator_; }
  // The orchestrator plugin's config (a YAML flow mapping) for the next start; default
  // "{instancePollSeconds: 1}".
  void setOrchestratorConfig(const std::string& flowMapping) { orchestratorConfig_ = flowMapping; }
  // The backup plugin's config (a YAML flow mapping) for the next start; default "{}".
  void setBackupConfig(const std::string& flowMapping) { backupConfig_ = flowMapping; }
  // Extra entries of the operator config's plugin list (YAML flow mappings, for example a
  // third-party backup target "{name: example-dir, path: /x/t.so, config: {root: /var/tmp/x}}"),
  // for the next start.
  void addPluginEntry(const std::string& flowMapping) { extraPlugins_.push_back(flowMapping); }
  // The host's address on the cluster's pod bridge (198.18.N.1): what pods reach the host at, so
  // a server for the pods (an S3 store) binds there. "" before the cluster is up.
  std::string gatewayAddress() const;
  // Stops the operator: SIGTERM, or SIGKILL (hard: a crashed leader, nothing released). Its log
  // stays readable through operatorProcess() until the next start.
  void stopOperator(bool hard = false);
  // Starts the operator (after stopOperator).
  void startOperator();

 private:
  SqlResult run(const std::string& pod, const std::string& user, const std::string& password,
                const std::string& statement, bool vertical) const;

  LocalClusterProcess cluster_;
  std::unique_ptr<Kubectl> kubectl_;
  std::unique_ptr<OperatorProcess> operator_;
  bool operatorStopped_ = false;
  std::string orchestratorConfig_ = "{instancePollSeconds: 1}";
  std::string backupConfig_ = "{}";
  std::vector<std::string> extraPlugins_;
  std::string error_;
};

}  // namespace mysqlop::testing
