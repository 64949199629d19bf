// The real operator with only the orchestrator plugin, on a real local cluster, with pods that
// run Debian's mariadbd as the cluster's StatefulSet pods would (name <c>-mysql-<i>, hostname and
// subdomain `mysql`, the cluster labels, the sidecar's init-file, bitpoke's readiness probe):
// the observer initialises every pod (it turns Ready), pod 0 is the master and the others
// replicate from it, status.nodes and the NodeInitialized condition say so, and read-only
// follows spec.readOnly. (The MariaDB image profile is another helper's work: these pods are
// `debian` shell pods.)
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/orchestrator/operated_users.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kReplicas = 3;

std::string initFile() { return orchestrator::operatedInitFile("c-mysql-0", "orc"); }

// YAML block scalar lines, indented.
std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

std::string pod(int i) {
  const std::string name = "c-mysql-" + std::to_string(i);
  return R"Y(---
apiVersion: v1
kind: Pod
metadata:
  name: )Y" +
         name + R"Y(
  namespace: orc
  labels:
    mysql.presslabs.org/cluster: c
    app.kubernetes.io/name: mysql
    app.kubernetes.io/managed-by: mysql.presslabs.org
spec:
  hostname: )Y" +
         name + R"Y(
  subdomain: mysql
  terminationGracePeriodSeconds: 5
  containers:
  - name: mysql
    image: debian:12
    env:
    - {name: SERVER_ID, value: ")Y" +
         std::to_string(100 + i) + R"Y("}
    command:
    - sh
    - -c
    - |
      set -e
      mkdir -p /data/tmp
      cp /init/init.sql /data/init.sql
      # Pods share the host's /tmp: each server keeps its temporary files in its own volume.
      # The datadir appears only once complete, so that a restart never starts a half install.
      if [ ! -d /data/db/mysql ]; then
        rm -rf /data/db.new
        printf '[mariadbd]\ntmpdir=/data/tmp\n' > /data/install.cnf
        mariadb-install-db --defaults-file=/data/install.cnf --user=root --datadir=/data/db.new \
          --skip-test-db --auth-root-authentication-method=normal > /data/install.log 2>&1
        mv /data/db.new /data/db
      fi
      cat > /data/my.cnf <<EOF
      [mariadbd]
      user=root
      datadir=/data/db
      tmpdir=/data/tmp
      socket=/data/mysqld.sock
      pid-file=/data/mysqld.pid
      port=3306
      bind-address=0.0.0.0
      skip-name-resolve
      server-id=$SERVER_ID
      log-bin=/data/db/mysql-bin
      log-slave-updates=ON
      binlog-format=ROW
      skip-slave-start=ON
      report-host=$(hostname).mysql.orc
      init-file=/data/init.sql
      innodb_buffer_pool_size=16M
      innodb_log_file_size=8M
      performance_schema=OFF
      max_connections=50
      EOF
      exec mariadbd --defaults-file=/data/my.cnf
    ports: [{name: mysql, containerPort: 3306}]
    readinessProbe:
      exec:
        command: [sh, -c, 'test "$(mariadb --no-defaults --socket=/data/mysqld.sock -uroot -NB -e "SELECT COUNT(*) FROM sys_operator.status WHERE name=''configured'' AND value=''1''")" -eq 1']
      periodSeconds: 1
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: init, mountPath: /init}
  volumes:
  - {name: data, emptyDir: {}}
  - name: init
    configMap: {name: init-sql}
)Y";
}

std::string manifests(bool readOnly) {
  std::string m = R"(apiVersion: v1
kind: Namespace
metadata: {name: orc}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: init-sql, namespace: orc}
data:
  init.sql: |
)" + indent(initFile(), "    ") +
                  R"(---
apiVersion: v1
kind: Secret
metadata: {name: c-mysql-operated, namespace: orc}
stringData:
  OPERATOR_USER: sys_operator
  OPERATOR_PASSWORD: operatorpw1
  REPLICATION_USER: sys_replication
  REPLICATION_PASSWORD: replpw1
---
apiVersion: v1
kind: Secret
metadata: {name: c-secret, namespace: orc}
stringData: {ROOT_PASSWORD: rootpw}
---
apiVersion: v1
kind: Service
metadata:
  name: mysql
  namespace: orc
  labels: {app.kubernetes.io/name: mysql, app.kubernetes.io/managed-by: mysql.presslabs.org}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector: {app.kubernetes.io/name: mysql, app.kubernetes.io/managed-by: mysql.presslabs.org}
  ports: [{name: mysql, port: 3306}]
---
apiVersion: mysql.presslabs.org/v1alpha1
kind: MysqlCluster
metadata: {name: c, namespace: orc}
spec:
  replicas: )" + std::to_string(kReplicas) +
                  R"(
  secretName: c-secret
  mysqlVersion: mariadb-10.11
  readOnly: )" + (readOnly ? "true" : "false") +
                  "\n";
  for (int i = 0; i < kReplicas; ++i) {
    m += pod(i);
  }
  // A cluster without its operated Secret, whose pod runs but never gets ready.
  m += R"(---
apiVersion: mysql.presslabs.org/v1alpha1
kind: MysqlCluster
metadata: {name: bad, namespace: orc}
spec: {replicas: 1, secretName: c-secret, mysqlVersion: mariadb-10.11}
---
apiVersion: v1
kind: Pod
metadata:
  name: bad-mysql-0
  namespace: orc
  labels: {mysql.presslabs.org/cluster: bad}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: mysql
    image: debian:12
    command: [sleep, "3600"]
    readinessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
)";
  return m;
}

// The real operator with a plugin directory holding only the orchestrator.
class Operator {
 public:
  Operator(const std::string& dir, const std::string& kubeconfig) : dir_(dir) {
    fs::create_directories(dir + "/plugins");
    fs::create_symlink(fs::path(MYSQLOP_BINARY_DIR) / "bin/plugins/mysqlop_orchestrator.so",
                       dir + "/plugins/mysqlop_orchestrator.so");
    std::ofstream(dir + "/operator.yaml")
        << "plugins:\n- name: orchestrator\n  config: {instancePollSeconds: 1}\n";
    SpawnSpec spec;
    spec.argv = {std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
                 "--kubeconfig=" + kubeconfig,
                 "--config=" + dir + "/operator.yaml",
                 "--plugin-dir=" + dir + "/plugins",
                 "--leader-election=false",
                 "--metrics-addr=127.0.0.1:0",
                 "--healthz-addr=0"};
    spec.stdoutPath = spec.stderrPath = dir + "/operator.log";
    pid_ = spawnProcess(spec);
  }
  ~Operator() { terminateProcess(pid_, 20s); }
  std::string log() const { return readFile(dir_ + "/operator.log"); }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

std::string sql(const Kubectl& k, int pod, const std::string& statement) {
  CommandResult r =
      k.run({"-n", "orc", "exec", "c-mysql-" + std::to_string(pod), "--", "mariadb",
             "--no-defaults", "--socket=/data/mysqld.sock", "-uroot", "-NB", "-e", statement});
  return r.exitCode == 0 ? r.out : "error: " + r.err;
}

std::string nodeCondition(int i, const std::string& type) {
  return "{.status.nodes[?(@.name==\"c-mysql-" + std::to_string(i) +
         ".mysql.orc\")].conditions[?(@.type==\"" + type + "\")].status}";
}

TEST(OrchestratorE2e, PodsAreInitialisedReplicateAndFollowReadOnly) {
  TempDir dir;
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  CommandResult crds = k.run({"apply", "-f", std::string(MYSQLOP_SOURCE_DIR) + "/crds"});
  ASSERT_EQ(crds.exitCode, 0) << crds.err;
  Operator op(dir.path(), cluster.kubeconfigPath());
  const auto appliedAt = std::chrono::steady_clock::now();
  CommandResult applied = k.run({"apply", "-f", "-"}, manifests(false));
  ASSERT_EQ(applied.exitCode, 0) << applied.err;

  // Every pod is initialised by the observer, which makes bitpoke's readiness probe pass.
  for (int i = 0; i < kReplicas; ++i) {
    const std::string p = "-n orc pod c-mysql-" + std::to_string(i);
    ASSERT_EQ(
        waitForJsonpath(k, p, "{.status.conditions[?(@.type==\"Ready\")].status}", "True", 60s), "")
        << k.run({"-n", "orc", "describe", "pod", "c-mysql-" + std::to_string(i)}).out
        << k.run({"-n", "orc", "logs", "c-mysql-" + std::to_string(i), "--previous"}).out
        << k.run({"-n", "orc", "exec", "c-mysql-" + std::to_string(i), "--", "cat",
                  "/data/install.log"})
               .out
        << op.log();
    EXPECT_EQ(jsonpath(k, p,
                       "{.status.conditions[?(@.type==\"mysql.presslabs.org/NodeInitialized\")]"
                       ".reason}"),
              "mysqlInitializationSucceeded");
  }

  std::printf("every pod Ready (initialised) %.1f s after the apply\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - appliedAt).count());

  // status.nodes: pod 0 is the master, the others replicate.
  EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", "{.status.nodes[*].name}",
                            "c-mysql-0.mysql.orc c-mysql-1.mysql.orc c-mysql-2.mysql.orc"),
            "");
  EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", nodeCondition(0, "Master"), "True"), "");
  for (int i = 1; i < kReplicas; ++i) {
    EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", nodeCondition(i, "Replicating"), "True"),
              "")
        << sql(k, i, "SHOW SLAVE STATUS\\G");
    EXPECT_EQ(jsonpath(k, "-n orc mysqlcluster c", nodeCondition(i, "Master")), "False");
    EXPECT_EQ(jsonpath(k, "-n orc mysqlcluster c", nodeCondition(i, "Lagged")), "False");
  }
  EXPECT_EQ(jsonpath(k, "-n orc mysqlcluster c",
                     "{.status.conditions[?(@.type==\"FailoverInProgress\")].reason}"),
            "ClusterMasterHealthy");
  EXPECT_EQ(jsonpath(k, "-n orc mysqlcluster c",
                     "{.status.conditions[?(@.type==\"PendingFailoverAck\")].reason}"),
            "NoPendingFailoverAckExists");

  // A row written on the master reaches every replica.
  EXPECT_EQ(sql(k, 0,
                "CREATE DATABASE app; CREATE TABLE app.t (v VARCHAR(16));"
                "INSERT INTO app.t VALUES ('hello')"),
            "");
  for (int i = 1; i < kReplicas; ++i) {
    std::string last;
    EXPECT_TRUE(pollUntil([&] { return (last = sql(k, i, "SELECT v FROM app.t")) == "hello\n"; },
                          Poll{30s, 200ms}))
        << "pod " << i << ": " << last;
  }

  // Read-only (after the 15 s of uptime bitpoke waits): the master writable, replicas not.
  EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", nodeCondition(0, "ReadOnly"), "False", 40s),
            "");
  EXPECT_EQ(sql(k, 0, "SELECT @@read_only"), "0\n");
  EXPECT_EQ(sql(k, 1, "SELECT @@read_only"), "1\n");
  // spec.readOnly: every node read-only, and back.
  ASSERT_EQ(k.run({"-n", "orc", "patch", "mysqlcluster", "c", "--type=merge", "-p",
                   R"({"spec":{"readOnly":true}})"})
                .exitCode,
            0);
  EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", nodeCondition(0, "ReadOnly"), "True"), "");
  EXPECT_EQ(sql(k, 0, "SELECT @@read_only"), "1\n");
  ASSERT_EQ(k.run({"-n", "orc", "patch", "mysqlcluster", "c", "--type=merge", "-p",
                   R"({"spec":{"readOnly":false}})"})
                .exitCode,
            0);
  EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", nodeCondition(0, "ReadOnly"), "False"), "");
  EXPECT_EQ(jsonpath(k, "-n orc mysqlcluster c", nodeCondition(2, "ReadOnly")), "True");

  // The cluster without its operated Secret: the pod says why it is not initialised (after the
  // grace its server gets to answer), and so does a Warning Event on the cluster.
  EXPECT_EQ(
      waitForJsonpath(k, "-n orc pod bad-mysql-0",
                      "{.status.conditions[?(@.type==\"mysql.presslabs.org/NodeInitialized\")]"
                      ".message}",
                      "Secret orc/bad-mysql-operated not found", 30s),
      "");
  EXPECT_EQ(jsonpath(k, "-n orc pod bad-mysql-0",
                     "{.status.conditions[?(@.type==\"mysql.presslabs.org/NodeInitialized\")]"
                     ".reason}"),
            "mysqlInitializationFailed");
  std::string events;
  EXPECT_TRUE(pollUntil(
      [&] {
        events = jsonpath(k, "-n orc events",
                          "{range .items[?(@.involvedObject.name==\"bad\")]}{.type} {.reason}: "
                          "{.message}{\"\\n\"}{end}");
        return events.find(
                   "Warning OperatedSecretMissing: Secret orc/bad-mysql-operated not "
                   "found\n") != std::string::npos &&
               events.find(
                   "Warning NodeInitializationFailed: pod bad-mysql-0: Secret "
                   "orc/bad-mysql-operated not found\n") != std::string::npos;
      },
      Poll{30s, 200ms}))
      << events;

  // Scale down: pod 2 leaves status.nodes.
  ASSERT_EQ(k.run({"-n", "orc", "patch", "mysqlcluster", "c", "--type=merge", "-p",
                   R"({"spec":{"replicas":2}})"})
                .exitCode,
            0);
  EXPECT_EQ(waitForJsonpath(k, "-n orc mysqlcluster c", "{.status.nodes[*].name}",
                            "c-mysql-0.mysql.orc c-mysql-1.mysql.orc"),
            "");
  EXPECT_EQ(op.log().find("operatorpw1"), std::string::npos);
  EXPECT_EQ(op.log().find("replpw1"), std::string::npos);
}

}  // namespace
}  // namespace mysqlop::testing
