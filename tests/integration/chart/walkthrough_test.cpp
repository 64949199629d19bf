// bitpoke's walk-through with the chart, end to end on the local control plane (issue 15 item 5,
// as scripts/demo-helm runs it): the operator itself in three pods installed by the real helm,
// one leader; a MariaDB MysqlCluster Ready; the leader pod deleted and a failover still happens;
// helm upgrade with a changed value keeps the random topology password; helm uninstall leaves the
// MySQL cluster running.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "tests/integration/chart/chart_support.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::chart_test {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Kubectl;
using testing::LocalClusterProcess;
using testing::within;

class Walkthrough : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string m = helmMissing(); !m.empty()) {
      GTEST_FAIL() << m;
    }
    ASSERT_TRUE(cluster_.start().ok());
    kubectl_ = std::make_unique<Kubectl>(cluster_.kubeconfigPath());
    for (const char* ns : {"mysql-operator", "apps"}) {
      ASSERT_EQ(kubectl_->run({"create", "namespace", ns}).exitCode, 0);
    }
    auto rbac =
        kubectl_->run({"api-resources", "--api-group=rbac.authorization.k8s.io", "-o", "name"});
    rbacCreate_ = rbac.out.find("clusterroles") != std::string::npos ? "true" : "false";
  }

  std::string get(const std::string& ns, const std::string& what, const std::string& jsonpath) {
    return kubectl_->run({"get", "-n", ns, what, "-o", "jsonpath=" + jsonpath}).out;
  }
  std::string leader() {
    return get("mysql-operator", "lease/mysql-operator-leader-election", "{.spec.holderIdentity}");
  }
  std::string master() {
    return get("apps", "pods", "{.items[?(@.metadata.labels.role==\"master\")].metadata.name}");
  }
  bool clusterReady() {
    return get("apps", "mysql/my-cluster", "{.status.conditions[?(@.type==\"Ready\")].status}") ==
           "True";
  }
  std::string operatorPods() {
    return kubectl_->run({"get", "pods", "-n", "mysql-operator", "-o", "wide"}).out;
  }
  CommandResult helmOps(std::vector<std::string> args) {
    args.insert(args.end(), {"-n", "mysql-operator"});
    return helm(args, cluster_.kubeconfigPath());
  }

  LocalClusterProcess cluster_;
  std::unique_ptr<Kubectl> kubectl_;
  std::string rbacCreate_;
};

TEST_F(Walkthrough, InstallFailoverAfterLeaderChangeUpgradeUninstall) {
  CommandResult r = helmOps({"install", "mysql-operator", chartDir(), "--set",
                             "watchNamespace=apps,replicaCount=3,orchestrator.topologyUser=orc",
                             "--set", "rbac.create=" + rbacCreate_});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  ASSERT_TRUE(eventually(
      "three operator pods ready",
      [&] {
        return get("mysql-operator", "statefulset/mysql-operator", "{.status.readyReplicas}") ==
               "3";
      },
      [&] { return operatorPods(); }, within(3min)));
  ASSERT_TRUE(eventually(
      "a leader", [&] { return !leader().empty(); }, within(1min)));
  const std::string first = leader();
  const std::string password =
      get("mysql-operator", "secret/mysql-operator-orc", "{.data.TOPOLOGY_PASSWORD}");
  ASSERT_EQ(password.size(), 24u);

  const std::string examples = sourceDir() + "/examples/";
  auto applied =
      kubectl_->run({"apply", "-n", "apps", "-f", examples + "example-cluster-secret.yaml", "-f",
                     examples + "local-mariadb-cluster.yaml"});
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  ASSERT_TRUE(eventually(
      "my-cluster Ready", [&] { return clusterReady(); },
      [&] {
        return kubectl_->run({"get", "-n", "apps", "mysql,pods", "-o", "wide"}).out;
      },
      within(5min)));
  const std::string oldMaster = master();
  ASSERT_EQ(oldMaster, "my-cluster-mysql-0");

  // The leader pod goes: another operator process takes the Lease.
  const std::string leaderPod = first.substr(0, first.find('_'));
  ASSERT_EQ(
      kubectl_->run({"delete", "pod", "-n", "mysql-operator", leaderPod, "--wait=false"}).exitCode,
      0);
  ASSERT_TRUE(eventually(
      "a new leader",
      [&] {
        std::string l = leader();
        return !l.empty() && l != first;
      },
      [&] { return leader() + "\n" + operatorPods(); }, within(2min)));

  // ... and a failover still happens.
  auto killed = testing::runCommand({LocalClusterProcess::binary(), "fault", "kill", "--data-dir",
                                     cluster_.dataDir(), "-n", "apps", oldMaster, "-c", "mysql"});
  ASSERT_EQ(killed.exitCode, 0) << killed.err;
  ASSERT_TRUE(eventually(
      "another master",
      [&] {
        std::string m = master();
        return !m.empty() && m != oldMaster;
      },
      [&] { return master(); }, within(2min)));
  ASSERT_TRUE(eventually(
      "the OrcPostMasterFailover Event",
      [&] {
        return kubectl_
                   ->run({"get", "events", "-n", "apps", "--field-selector",
                          "reason=OrcPostMasterFailover", "-o", "name"})
                   .out.size() > 0;
      },
      within(1min)));
  ASSERT_TRUE(eventually(
      "my-cluster Ready again", [&] { return clusterReady(); }, within(5min)));

  // helm upgrade with a changed value: new config, pods rolled, the random password kept.
  const std::string before = get("mysql-operator", "statefulset/mysql-operator",
                                 "{.spec.template.metadata.annotations.checksum/config}");
  r = helmOps({"upgrade", "mysql-operator", chartDir(), "--reuse-values", "--set",
               "plugins.orchestrator.config.failureDetectionGraceSeconds=2"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(get("mysql-operator", "statefulset/mysql-operator",
                "{.spec.template.metadata.annotations.checksum/config}"),
            before);
  EXPECT_EQ(get("mysql-operator", "secret/mysql-operator-orc", "{.data.TOPOLOGY_PASSWORD}"),
            password);
  EXPECT_NE(get("mysql-operator", "configmap/mysql-operator", "{.data.config\\.yaml}")
                .find("\"failureDetectionGraceSeconds\":2"),
            std::string::npos);
  EXPECT_TRUE(eventually(
      "the pods rolled and ready",
      [&] {
        return get("mysql-operator", "statefulset/mysql-operator", "{.status.updatedReplicas}") ==
                   "3" &&
               get("mysql-operator", "statefulset/mysql-operator", "{.status.readyReplicas}") ==
                   "3";
      },
      [&] { return operatorPods(); }, within(3min)));

  // helm uninstall: the operator goes, the MySQL cluster stays and keeps replicating.
  r = helmOps({"uninstall", "mysql-operator"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(eventually(
      "no operator pod", [&] { return operatorPods().empty(); }, [&] { return operatorPods(); },
      within(2min)));
  EXPECT_TRUE(clusterReady());
  int writable = 0;
  for (const char* pod : {"my-cluster-mysql-0", "my-cluster-mysql-1", "my-cluster-mysql-2"}) {
    auto q =
        kubectl_->run({"exec", "-n", "apps", pod, "-c", "mysql", "--", "mysql",
                       "--defaults-file=/etc/mysql/client.conf", "-NBe", "SELECT @@read_only"});
    EXPECT_EQ(q.exitCode, 0) << pod << q.err;
    writable += q.out == "0\n" ? 1 : 0;
  }
  EXPECT_EQ(writable, 1);
}

// The chart's RBAC is what the operator needs: with one rule removed, the operator fails with
// the API server's 403, named in its log and by /readyz.
TEST_F(Walkthrough, ARuleRemovedIsNamedByTheLogAndReadyz) {
  ASSERT_EQ(rbacCreate_, "true") << "the local API server does not serve rbac.authorization.k8s.io";
  CommandResult r = helmOps({"install", "mysql-operator", chartDir()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto ready = [&] {
    return get("mysql-operator", "statefulset/mysql-operator", "{.status.readyReplicas}") == "1";
  };
  ASSERT_TRUE(eventually(
      "the operator ready", ready, [&] { return operatorPods(); }, within(3min)));

  // The ClusterRole without its statefulsets rule, and the operator restarted.
  auto role = kubectl_->run({"get", "clusterrole", "mysql-operator", "-o", "json"});
  ASSERT_EQ(role.exitCode, 0) << role.err;
  json cr = json::parse(role.out);
  json rules = json::array();
  for (const json& rule : cr["rules"]) {
    if (rule["resources"] != json::array({"statefulsets"})) {
      rules.push_back(rule);
    }
  }
  ASSERT_EQ(rules.size() + 1, cr["rules"].size());
  cr["rules"] = rules;
  auto replaced = kubectl_->run({"replace", "-f", "-"}, cr.dump());
  ASSERT_EQ(replaced.exitCode, 0) << replaced.err;
  ASSERT_EQ(kubectl_->run({"delete", "pod", "-n", "mysql-operator", "mysql-operator-0"}).exitCode,
            0);

  const std::string forbidden =
      "statefulsets.apps is forbidden: User "
      "\"system:serviceaccount:mysql-operator:mysql-operator\" cannot list resource "
      "\"statefulsets\" in API group \"apps\" at the cluster scope";
  auto readyz = [&] {
    return kubectl_
        ->run({"exec", "-n", "mysql-operator", "mysql-operator-0", "--", "curl", "-s",
               "http://127.0.0.1:8081/readyz"})
        .out;
  };
  EXPECT_TRUE(eventually(
      "/readyz names the 403",
      [&] {
        return readyz() ==
               "informer caches are not synced yet: statefulsets.apps (" + forbidden + ")\n";
      },
      readyz, within(2min)));
  auto logs = kubectl_->run({"logs", "-n", "mysql-operator", "mysql-operator-0"});
  EXPECT_NE(logs.out.find("informer statefulsets.apps: list failed: " + forbidden),
            std::string::npos)
      << logs.out;
  EXPECT_NE(get("mysql-operator", "pod/mysql-operator-0",
                "{.status.conditions[?(@.type==\"Ready\")].status}"),
            "True");
}

}  // namespace
}  // namespace mysqlop::chart_test
