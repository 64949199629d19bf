// MySQL pods on a real local cluster (issue 11, deliverable 2): the official MariaDB image's
// first boot as the image profile emulates it, the LocalVersion event, and a MysqlCluster applied
// with the real operator whose pods run every container (the init container's clone-and-init,
// mariadbd on the sidecar's configuration, the sidecar's /health, pt-heartbeat, the exporter).
// Node initialisation is not tested here (tests/integration/mysql_cluster runs the whole operator):
// the operator runs without its orchestrator plugin, and the tests configure the nodes by hand
// through kubectl exec, so that what the pods themselves do is seen alone.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/kube/operator_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {
namespace {

using std::chrono::seconds;

// One statement batch from the host to a pod IP over TCP (the host reaches pod IPs directly).
CommandResult sql(const std::string& ip, const std::string& user, const std::string& password,
                  const std::string& statements) {
  return runCommand({"/usr/bin/mariadb", "--no-defaults", "--connect-timeout=5", "-h", ip, "-u",
                     user, "-p" + password, "-NBe", statements});
}

// Polls until the statements give `want` (trimmed); "" or what was seen last.
std::string waitForSql(const std::string& ip, const std::string& user, const std::string& password,
                       const std::string& statements, const std::string& want,
                       seconds timeout = seconds(60)) {
  std::string last;
  const bool ok = pollUntil(
      [&] {
        CommandResult r = sql(ip, user, password, statements);
        last = r.exitCode == 0 ? r.out : "exit " + std::to_string(r.exitCode) + ": " + r.err;
        while (!last.empty() && last.back() == '\n') {
          last.pop_back();
        }
        return last == want;
      },
      Poll{timeout, std::chrono::milliseconds(500)});
  return ok ? "" : statements + ": want '" + want + "', last saw '" + last + "'";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string podIp(const Kubectl& k, const std::string& pod) {
  return jsonpath(k, "pod " + pod, "{.status.podIP}");
}

constexpr const char* kBarePods = R"yaml(
apiVersion: v1
kind: ConfigMap
metadata: {name: initdb}
data:
  01-table.sql: |
    CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));
    INSERT INTO t VALUES (1, 'from-sql');
  02-script.sh: |
    echo "initdb script ran for database $MARIADB_DATABASE"
    process_sql <<<"INSERT INTO t VALUES (2, 'from-sh')"
  03-ignored.txt: "not SQL"
---
apiVersion: v1
kind: Pod
metadata: {name: db}
spec:
  containers:
  - name: mariadb
    image: mariadb:10.11
    env:
    - {name: MYSQL_ROOT_PASSWORD, value: root-pw}
    - {name: MYSQL_USER, value: app}
    - {name: MYSQL_PASSWORD, value: app-pw}
    - {name: MYSQL_DATABASE, value: appdb}
    volumeMounts:
    - {name: data, mountPath: /var/lib/mysql}
    - {name: initdb, mountPath: /docker-entrypoint-initdb.d}
  volumes:
  - {name: data, emptyDir: {}}
  - {name: initdb, configMap: {name: initdb}}
---
apiVersion: v1
kind: Pod
metadata: {name: older}
spec:
  containers:
  - name: mariadb
    image: docker.io/library/mariadb:10.6
    env:
    - {name: MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, value: "1"}
---
apiVersion: v1
kind: Pod
metadata: {name: nopassword}
spec:
  restartPolicy: Never
  containers:
  - name: mariadb
    image: mariadb
)yaml";

TEST(MariaDbImage, FirstBootAsTheImageRestartKeepsDataAndOtherTagsSaySoOnce) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  CommandResult applied = k.run({"apply", "-f", "-"}, kBarePods);
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  ASSERT_EQ(waitForJsonpath(k, "pod db", "{.status.phase}", "Running"), "");
  const std::string ip = podIp(k, "db");

  // Root from another address (root@'%'), the user and its database, both initdb files in order,
  // the other file ignored.
  EXPECT_EQ(
      waitForSql(ip, "root", "root-pw", "SELECT v FROM appdb.t ORDER BY id", "from-sql\nfrom-sh"),
      "");
  CommandResult app = sql(ip, "app", "app-pw", "SELECT CURRENT_USER(), DATABASE()");
  EXPECT_EQ(app.exitCode, 0) << app.err;
  CommandResult appDb =
      sql(ip, "app", "app-pw", "USE appdb; SELECT CURRENT_USER(), COUNT(*) FROM t");
  EXPECT_EQ(appDb.out, "app@%\t2\n") << appDb.err;
  CommandResult wrong = sql(ip, "root", "nope", "SELECT 1");
  EXPECT_NE(wrong.exitCode, 0);
  std::string log = k.run({"logs", "db"}).out;
  EXPECT_TRUE(contains(log, "[Note] [Entrypoint]: Switching to dedicated user 'mysql'")) << log;
  EXPECT_TRUE(contains(log, "initdb script ran for database appdb")) << log;
  EXPECT_TRUE(contains(log, "running /docker-entrypoint-initdb.d/01-table.sql")) << log;
  EXPECT_TRUE(contains(log, "ignoring /docker-entrypoint-initdb.d/03-ignored.txt")) << log;
  EXPECT_TRUE(contains(log, "MariaDB init process done. Ready for start up.")) << log;

  // Inside: the server runs as mysql, its socket and pid file are the container's own.
  CommandResult inside = k.run({"exec", "db", "--", "mariadb", "-uroot", "-proot-pw", "-NBe",
                                "SELECT @@socket, @@pid_file, @@datadir, USER()"});
  EXPECT_EQ(inside.out,
            "/run/mysqld/mysqld.sock\t/run/mysqld/mysqld.pid\t/var/lib/mysql/\troot@localhost\n")
      << inside.err;
  CommandResult user =
      k.run({"exec", "db", "--", "sh", "-c", "stat -c %U /proc/1/ /var/lib/mysql/mysql"});
  EXPECT_EQ(user.out, "mysql\nmysql\n") << user.err;

  // A restart of the container: the data directory has `mysql`, so no second initialisation.
  CommandResult killed = runCommand(
      {LocalClusterProcess::binary(), "fault", "kill", "--data-dir", cluster.dataDir(), "db"});
  EXPECT_EQ(killed.exitCode, 0) << killed.err;
  EXPECT_EQ(waitForJsonpath(k, "pod db", "{.status.containerStatuses[0].restartCount}", "1"), "");
  EXPECT_EQ(waitForSql(ip, "app", "app-pw", "SELECT COUNT(*) FROM appdb.t", "2"), "");
  log = k.run({"logs", "db"}).out;
  EXPECT_TRUE(contains(log, "Entrypoint script for MariaDB Server")) << log;
  EXPECT_FALSE(contains(log, "Initializing database files")) << log;

  // mariadb:10.6 runs the local 10.11: one Normal event, not repeated by a restart; the 10.11 pod
  // has none.
  ASSERT_EQ(waitForJsonpath(k, "pod older", "{.status.phase}", "Running"), "");
  const std::string version =
      runCommand({"/usr/sbin/mariadbd", "--version"}).out;  // "... Ver 10.11.N-..."
  const auto at = version.find("Ver ") + 4;
  const std::string local = version.substr(at, version.find('-', at) - at);
  const std::string events =
      "events --field-selector involvedObject.name=older,reason=LocalVersion";
  EXPECT_EQ(waitForJsonpath(
                k, events, "{.items[*].message}",
                "image \"docker.io/library/mariadb:10.6\" runs MariaDB " + local + " locally"),
            "");
  EXPECT_EQ(jsonpath(k, events, "{.items[*].type}"), "Normal");
  EXPECT_EQ(waitForSql(podIp(k, "older"), "root", "", "SELECT VERSION() LIKE '10.11.%'", "1"), "")
      << "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD";
  killed = runCommand(
      {LocalClusterProcess::binary(), "fault", "kill", "--data-dir", cluster.dataDir(), "older"});
  EXPECT_EQ(killed.exitCode, 0) << killed.err;
  EXPECT_EQ(waitForJsonpath(k, "pod older", "{.status.containerStatuses[0].restartCount}", "1"),
            "");
  EXPECT_EQ(jsonpath(k, events, "{.items[*].count}"), "1");
  EXPECT_EQ(jsonpath(k, "events --field-selector involvedObject.name=db,reason=LocalVersion",
                     "{.items[*].message}"),
            "");

  // No password option on an empty data directory: the image's refusal, and the pod fails.
  EXPECT_EQ(waitForJsonpath(k, "pod nopassword", "{.status.phase}", "Failed"), "");
  log = k.run({"logs", "nopassword"}).out + k.run({"logs", "nopassword"}).err;
  EXPECT_TRUE(contains(log,
                       "[ERROR] [Entrypoint]: Database is uninitialized and password option is not "
                       "specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, "
                       "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD\n"))
      << log;

  const std::string prefix = cluster.machinePrefix();
  CommandResult down = cluster.down();
  EXPECT_EQ(down.exitCode, 0) << down.err;
  std::vector<std::string> left = machineLeftovers(prefix, cluster.dataDir());
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
}

// ---- MysqlClusters with the real operator ----------------------------------------------------

// A local cluster with the CRDs and mysql-operator running with its bundled plugins.
class MysqlClusterOnLocal : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start().ok());
    k_ = std::make_unique<Kubectl>(cluster_.kubeconfigPath());
    CommandResult crds = k_->run({"apply", "-f", MYSQLOP_SOURCE_DIR "/crds/"});
    ASSERT_EQ(crds.exitCode, 0) << crds.err;
    ASSERT_TRUE(pollUntil(
        [&] {
          return k_->run({"get", "mysqlclusters"}).exitCode == 0;
        },
        Poll{seconds(30), std::chrono::milliseconds(200)}));
    const std::string config = cluster_.dataDir() + "/operator-config.yaml";
    std::ofstream(config) << "plugins:\n  - {name: orchestrator, enabled: false}\n";
    operator_ = std::make_unique<OperatorProcess>(std::vector<std::string>{
        "--kubeconfig", cluster_.kubeconfigPath(), "--config", config,
        "--leader-election-namespace", "default", "--metrics-addr", "127.0.0.1:0", "--healthz-addr",
        "127.0.0.1:0", "--orchestrator-topology-user", "orchestrator",
        "--orchestrator-topology-password", "topology-pw"});
  }
  void TearDown() override {
    if (operator_) {
      operator_->terminate();
    }
    const std::string prefix = cluster_.machinePrefix();
    CommandResult down = cluster_.down();
    EXPECT_EQ(down.exitCode, 0) << down.err;
    // No server, sidecar or namespace of the pods stays behind.
    std::vector<std::string> left = machineLeftovers(prefix, cluster_.dataDir());
    EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
  }

  CommandResult exec(const std::string& pod, const std::string& statements) {
    return k_->run(
        {"exec", pod, "-c", "mysql", "--", "mariadb", "-uroot", "-proot-pw", "-NBe", statements});
  }
  std::string secret(const std::string& name, const std::string& key) {
    const std::string b64 = jsonpath(*k_, "secret " + name, "{.data." + key + "}");
    return runCommand({"/usr/bin/base64", "-d"}, {}, b64).out;
  }
  // What the node initialisation does (plugins/orchestrator), by hand: the master writable and
  // configured (without binlogging it, so replicas never see a GTID of their own).
  void configureMaster(const std::string& pod) {
    CommandResult r = exec(pod,
                           "SET SESSION sql_log_bin=0; SET GLOBAL read_only=0; REPLACE INTO "
                           "sys_operator.status VALUES ('configured','1')");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_EQ(k_->run({"label", "pod", pod, "role=master", "healthy=yes", "--overwrite"}).exitCode,
              0);
  }
  // A clone joins the master from the GTID position its backup recorded.
  void configureReplica(const std::string& pod, const std::string& master) {
    const std::string password = secret("my-mysql-operated", "REPLICATION_PASSWORD");
    ASSERT_FALSE(password.empty());
    CommandResult r = exec(
        pod,
        "SET SESSION sql_log_bin=0; SET GLOBAL gtid_slave_pos=(SELECT value FROM "
        "sys_operator.status WHERE name='backup_gtid_purged'); CHANGE MASTER TO MASTER_HOST='" +
            master +
            ".mysql.default', MASTER_PORT=3306, MASTER_USER='sys_replication', "
            "MASTER_PASSWORD='" +
            password +
            "', MASTER_USE_GTID=slave_pos; START SLAVE; "
            "REPLACE INTO sys_operator.status VALUES ('configured','1')");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_EQ(k_->run({"label", "pod", pod, "role=replica", "healthy=yes", "--overwrite"}).exitCode,
              0);
  }
  std::string containerReady(const std::string& pod, const std::string& container) {
    return jsonpath(*k_, "pod " + pod,
                    "{.status.containerStatuses[?(@.name==\"" + container + "\")].ready}");
  }

  LocalClusterProcess cluster_;
  std::unique_ptr<Kubectl> k_;
  std::unique_ptr<OperatorProcess> operator_;
};

std::string clusterManifest(int replicas) {
  return R"yaml(
apiVersion: v1
kind: Secret
metadata: {name: my-secret}
stringData: {ROOT_PASSWORD: root-pw, USER: app, PASSWORD: app-pw, DATABASE: appdb}
---
apiVersion: mysql.presslabs.org/v1alpha1
kind: MysqlCluster
metadata: {name: my}
spec:
  replicas: )yaml" +
         std::to_string(replicas) + R"yaml(
  secretName: my-secret
  mysqlVersion: "mariadb-10.11"
)yaml";
}

TEST_F(MysqlClusterOnLocal, OneNodeRunsEveryContainerAndWaitsOnlyForConfigured) {
  CommandResult applied = k_->run({"apply", "-f", "-"}, clusterManifest(1));
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  ASSERT_EQ(waitForJsonpath(*k_, "pod my-mysql-0",
                            "{.status.initContainerStatuses[0].state.terminated.exitCode}", "0",
                            seconds(90)),
            "")
      << operator_->err();
  EXPECT_EQ(waitForJsonpath(*k_, "pod my-mysql-0", "{.status.containerStatuses[*].name}",
                            "mysql sidecar metrics-exporter pt-heartbeat"),
            "");
  const std::string ip = podIp(*k_, "my-mysql-0");

  // mariadbd on the sidecar's configuration: identity, read-only, every operated user, the
  // image's root and app user from the cluster's Secret.
  EXPECT_EQ(
      waitForSql(ip, "root", "root-pw", "SELECT @@server_id, @@report_host, @@read_only, @@log_bin",
                 "100\tmy-mysql-0.mysql.default\t1\t1"),
      "");
  CommandResult users = sql(ip, "root", "root-pw",
                            "SELECT CONCAT(user,'@',host) FROM mysql.user WHERE user NOT IN "
                            "('root','mariadb.sys') ORDER BY 1");
  EXPECT_EQ(users.out,
            "app@%\norchestrator@%\nsys_exporter@127.0.0.1\nsys_heartbeat@127.0.0.1\n"
            "sys_operator@%\nsys_replication@%\n")
      << users.err;
  EXPECT_EQ(sql(ip, "app", "app-pw", "SELECT DATABASE()").exitCode, 0);
  EXPECT_EQ(sql(ip, "root", "root-pw",
                "SELECT value FROM sys_operator.status WHERE "
                "name='configured'")
                .out,
            "0\n");

  // The sidecar serves /health and /xbackup (403 without the backup credentials); the exporter
  // answers /metrics with the server up.
  CommandResult health = runCommand({"/usr/bin/curl", "-s", "http://" + ip + ":8080/health"});
  EXPECT_EQ(health.out, "OK") << health.err;
  CommandResult xbackup = runCommand({"/usr/bin/curl", "-s", "-o", "/dev/null", "-w",
                                      "%{http_code}", "http://" + ip + ":8080/xbackup"});
  EXPECT_EQ(xbackup.out, "403");
  // The sidecar knows the flavor from MY_MYSQL_FLAVOR/MY_MYSQL_VERSION (mariadb-backup, GTIDs).
  const std::string sidecarLog = k_->run({"logs", "my-mysql-0", "-c", "sidecar"}).out;
  EXPECT_TRUE(contains(sidecarLog, "serving /health and /xbackup on 0.0.0.0:8080 (MariaDB 10.11"))
      << sidecarLog;
  EXPECT_TRUE(pollUntil(
      [&] {
        return contains(runCommand({"/usr/bin/curl", "-s", "http://" + ip + ":9125/metrics"}).out,
                        "\nmysql_up 1\n");
      },
      Poll{seconds(30), std::chrono::milliseconds(500)}));

  // Ready except mysql, whose readiness waits for `configured` (node initialisation).
  EXPECT_EQ(waitForJsonpath(*k_, "pod my-mysql-0",
                            "{.status.containerStatuses[?(@.name==\"sidecar\")].ready}", "true",
                            seconds(60)),
            "");
  EXPECT_EQ(containerReady("my-mysql-0", "mysql"), "false");

  // Marked configured and writable by hand: Ready, and pt-heartbeat writes its table.
  configureMaster("my-mysql-0");
  EXPECT_EQ(
      waitForJsonpath(*k_, "pod my-mysql-0", "{.status.conditions[?(@.type==\"Ready\")].status}",
                      "True", seconds(60)),
      "");
  EXPECT_EQ(waitForSql(ip, "root", "root-pw", "SELECT COUNT(*) > 0 FROM sys_operator.heartbeat",
                       "1", seconds(90)),
            "")
      << k_->run({"logs", "my-mysql-0", "-c", "pt-heartbeat"}).out;
}

// Three nodes, OrderedReady: pod 1 clones from the master Service, pod 2 from the replicas
// Service (a peer), each through its init container; replication is set by hand as the node
// initialisation will set it, and rows written on the master reach both replicas.
TEST_F(MysqlClusterOnLocal, ThreeNodesCloneFromMasterThenPeerAndReplicate) {
  CommandResult applied = k_->run({"apply", "-f", "-"}, clusterManifest(3));
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  const std::string initExit = "{.status.initContainerStatuses[0].state.terminated.exitCode}";
  ASSERT_EQ(waitForJsonpath(*k_, "pod my-mysql-0", initExit, "0", seconds(90)), "")
      << operator_->err();
  const std::string ip0 = podIp(*k_, "my-mysql-0");
  ASSERT_EQ(waitForSql(ip0, "root", "root-pw", "SELECT @@read_only", "1"), "");
  configureMaster("my-mysql-0");
  ASSERT_EQ(sql(ip0, "root", "root-pw",
                "CREATE TABLE appdb.t (id INT PRIMARY KEY); INSERT INTO appdb.t VALUES (1)")
                .exitCode,
            0);

  // Pod 1: no healthy replica yet, so the master.
  ASSERT_EQ(waitForJsonpath(*k_, "pod my-mysql-1", initExit, "0", seconds(120)), "")
      << k_->run({"logs", "my-mysql-1", "-c", "init"}).out;
  std::string initLog = k_->run({"logs", "my-mysql-1", "-c", "init"}).out;
  EXPECT_TRUE(contains(initLog, "clone from http://my-mysql-master:8080/xbackup: ")) << initLog;
  const std::string ip1 = podIp(*k_, "my-mysql-1");
  ASSERT_EQ(
      waitForSql(ip1, "root", "root-pw", "SELECT @@server_id, COUNT(*) FROM appdb.t", "101\t1"),
      "");
  configureReplica("my-mysql-1", "my-mysql-0");

  // Pod 2: pod 1 is a healthy replica now, so the peer.
  ASSERT_EQ(waitForJsonpath(*k_, "pod my-mysql-2", initExit, "0", seconds(120)), "")
      << k_->run({"logs", "my-mysql-2", "-c", "init"}).out;
  initLog = k_->run({"logs", "my-mysql-2", "-c", "init"}).out;
  EXPECT_TRUE(contains(initLog, "clone from http://my-mysql-replicas:8080/xbackup: ")) << initLog;
  const std::string ip2 = podIp(*k_, "my-mysql-2");
  ASSERT_EQ(
      waitForSql(ip2, "root", "root-pw", "SELECT @@server_id, COUNT(*) FROM appdb.t", "102\t1"),
      "");
  configureReplica("my-mysql-2", "my-mysql-0");

  ASSERT_EQ(sql(ip0, "root", "root-pw", "INSERT INTO appdb.t VALUES (2)").exitCode, 0);
  for (const std::string& ip : {ip1, ip2}) {
    EXPECT_EQ(waitForSql(ip, "root", "root-pw", "SELECT GROUP_CONCAT(id ORDER BY id) FROM appdb.t",
                         "1,2"),
              "");
  }
  EXPECT_EQ(
      waitForJsonpath(*k_, "statefulset my-mysql", "{.status.readyReplicas}", "3", seconds(90)),
      "");
  // The servers and sidecars never restarted (pod 0's liveness probe has run by now).
  for (const char* pod : {"my-mysql-0", "my-mysql-1", "my-mysql-2"}) {
    for (const char* c : {"mysql", "sidecar", "metrics-exporter"}) {
      EXPECT_EQ(jsonpath(*k_, std::string("pod ") + pod,
                         std::string("{.status.containerStatuses[?(@.name==\"") + c +
                             "\")].restartCount}"),
                "0")
          << pod << " " << c;
    }
  }
}

}  // namespace
}  // namespace mysqlop::testing
