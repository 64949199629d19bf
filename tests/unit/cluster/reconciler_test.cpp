#include "plugins/cluster/src/reconciler.h"
#include "plugins/cluster/src/adoption.h"

#include <gtest/gtest.h>

#include "plugins/common/kube/resources.h"
#include "tests/unit/cluster/cluster_test_util.h"
#include "tests/unit/cluster/fake_host.h"

namespace mysqlop::cluster::testing {
namespace {

using nlohmann::json;

// One reconcile of default/my-cluster (2 replicas, Secret my-secret) over a FakeHost.
class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.put(clusterObject({}));
    host_.put({{"apiVersion", "v1"},
               {"kind", "Secret"},
               {"metadata", {{"name", "my-secret"}, {"namespace", "default"}}},
               {"data", {{"ROOT_PASSWORD", "cHc="}}}});
  }

  mysqlop::Outcome reconcile() {
    mysqlop::Call call = host_.call();
    mysqlop::Outcome o;
    EXPECT_NO_THROW(o = reconciler_.reconcile(call, "default", "my-cluster"));
    return o;
  }

  // "reason: message" of each Warning Event, all on the cluster.
  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    for (const auto& e : host_.warnings()) {
      EXPECT_EQ(e.object, "MysqlCluster default/my-cluster") << e.reason;
      out.push_back(e.reason + ": " + e.message);
    }
    return out;
  }

  json readyCondition() const {
    for (const json& c : host_.find("MysqlCluster", "default", "my-cluster")
                             ->value("status", json::object())
                             .value("conditions", json::array())) {
      if (c.value("type", "") == "Ready") {
        return c;
      }
    }
    return json();
  }

  FakeHost host_;
  Reconciler reconciler_{testOptions()};
};

TEST_F(ReconcilerTest, CreatesTheChildrenAndWritesStatus) {
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Ok) << o.message;
  EXPECT_EQ(o.requeueAfterMs, 0u);
  EXPECT_TRUE(host_.find("ConfigMap", "default", "my-cluster-mysql"));
  EXPECT_TRUE(host_.find("Secret", "default", "my-cluster-mysql-operated"));
  EXPECT_EQ(host_.count("Service"), 4u);
  EXPECT_TRUE(host_.find("StatefulSet", "default", "my-cluster-mysql"));
  EXPECT_TRUE(host_.find("PodDisruptionBudget", "default", "my-cluster-mysql"));
  EXPECT_TRUE(warnings().empty());
  EXPECT_EQ(readyCondition().value("reason", ""), "StatefulSetNotReady");
  // A second pass changes nothing and records nothing.
  const std::size_t events = host_.events().size();
  EXPECT_EQ(reconcile().status, mysqlop_status_Ok);
  EXPECT_EQ(host_.events().size(), events);
}

// A restoring cluster whose pod 0 failed its restore says why: one RestoreFailed Warning naming
// the URL and the init container's line; a cluster without initBucketURL never looks.
TEST_F(ReconcilerTest, AFailedRestoreOfPodZeroIsAWarningNamingTheUrlAndTheCause) {
  const json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "my-cluster-mysql-0"}, {"namespace", "default"}}},
      {"status",
       {{"initContainerStatuses",
         json::array({{{"name", "init"},
                       {"lastState",
                        {{"terminated",
                          {{"exitCode", 8},
                           {"message",
                            "mysql-operator-sidecar: restore from s3://b/c.xbackup.gz: gzip: "
                            "incorrect header check; /var/lib/mysql emptied\n"}}}}}}})}}}};
  host_.put(pod);
  EXPECT_EQ(reconcile().status, mysqlop_status_Ok);
  EXPECT_TRUE(warnings().empty());

  host_.put(clusterObject({{"initBucketURL", "s3://b/c.xbackup.gz"}}));
  EXPECT_EQ(reconcile().status, mysqlop_status_Ok);
  EXPECT_EQ(warnings(),
            std::vector<std::string>{
                "RestoreFailed: restoring from s3://b/c.xbackup.gz failed: pod "
                "default/my-cluster-mysql-0: the init container exited with code 8: "
                "mysql-operator-sidecar: restore from s3://b/c.xbackup.gz: gzip: incorrect header "
                "check; /var/lib/mysql emptied"});
  const std::optional<json> sts = host_.find("StatefulSet", "default", "my-cluster-mysql");
  ASSERT_TRUE(sts);
  EXPECT_EQ(
      (*sts)["spec"]["template"]["spec"]["initContainers"][0].value("terminationMessagePolicy", ""),
      "FallbackToLogsOnError");
  // The same cause is the Ready condition's: what `kubectl get mysql` and `kubectl wait` show.
  const std::optional<json> stored = host_.find("MysqlCluster", "default", "my-cluster");
  ASSERT_TRUE(stored);
  json ready;
  for (const json& cond : (*stored)["status"]["conditions"]) {
    if (cond.value("type", "") == "Ready") {
      ready = cond;
    }
  }
  EXPECT_EQ(ready.value("status", ""), "False") << ready;
  EXPECT_EQ(ready.value("reason", ""), "RestoreFailed") << ready;
  EXPECT_EQ(ready.value("message", ""),
            "restoring from s3://b/c.xbackup.gz failed: pod default/my-cluster-mysql-0: the init "
            "container exited with code 8: mysql-operator-sidecar: restore from "
            "s3://b/c.xbackup.gz: gzip: incorrect header check; /var/lib/mysql emptied");
}

// A cluster adopted from bitpoke's operator keeps its orchestrator finalizer, which nothing else
// removes now: the reconcile removes it, other finalizers stay, and the pass goes on.
TEST_F(ReconcilerTest, BitpokesOrchestratorFinalizerIsRemovedAndOthersKept) {
  json adopted = clusterObject({});
  adopted["metadata"]["finalizers"] = {"example.com/keep",
                                       "mysql.presslabs.org/registered-in-orchestrator"};
  host_.put(adopted);
  EXPECT_EQ(reconcile().status, mysqlop_status_Ok);
  const std::optional<json> stored = host_.find("MysqlCluster", "default", "my-cluster");
  ASSERT_TRUE(stored);
  EXPECT_EQ((*stored)["metadata"]["finalizers"], json({"example.com/keep"}));
  EXPECT_TRUE(host_.find("StatefulSet", "default", "my-cluster-mysql"));
  EXPECT_TRUE(warnings().empty());
}

// Deleting such a cluster must not wait on it: the finalizer goes even while deleting.
TEST_F(ReconcilerTest, ADeletedAdoptedClusterLosesBitpokesFinalizer) {
  json adopted = clusterObject({});
  adopted["metadata"]["finalizers"] = {"mysql.presslabs.org/registered-in-orchestrator"};
  adopted["metadata"]["deletionTimestamp"] = "2026-12-03T12:00:00Z";
  host_.put(adopted);
  EXPECT_EQ(reconcile().status, mysqlop_status_Ok);
  const std::optional<json> stored = host_.find("MysqlCluster", "default", "my-cluster");
  if (stored) {  // the in-memory host keeps it; a real API server deletes it at once
    EXPECT_EQ((*stored)["metadata"]["finalizers"], json::array());
  }
  EXPECT_FALSE(host_.find("StatefulSet", "default", "my-cluster-mysql"));
}

TEST(ClusterAdoption, OnlyBitpokesOrchestratorFinalizerIsTakenOut) {
  EXPECT_EQ(finalizersWithoutBitpokes(json::object()), std::nullopt);
  EXPECT_EQ(finalizersWithoutBitpokes(clusterObject({})), std::nullopt);
  json c = clusterObject({});
  c["metadata"]["finalizers"] = {"a/b"};
  EXPECT_EQ(finalizersWithoutBitpokes(c), std::nullopt);
  c["metadata"]["finalizers"] = {"mysql.presslabs.org/registered-in-orchestrator", "a/b"};
  EXPECT_EQ(finalizersWithoutBitpokes(c), json({"a/b"}));
}

TEST_F(ReconcilerTest, AFailedCreateEndsThePassWithARetryAndAnEvent) {
  host_.fail("create", "StatefulSet", mysqlop_status_Forbidden, "exceeded quota");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "StatefulSet default/my-cluster-mysql: create: exceeded quota");
  EXPECT_EQ(warnings(), std::vector<std::string>{"StatefulSetSyncFailed: StatefulSet "
                                                 "default/my-cluster-mysql: create: exceeded "
                                                 "quota"});
  EXPECT_FALSE(host_.find("PodDisruptionBudget", "default", "my-cluster-mysql"));
  host_.heal();
  EXPECT_EQ(reconcile().status, mysqlop_status_Ok);
  EXPECT_TRUE(host_.find("PodDisruptionBudget", "default", "my-cluster-mysql"));
}

TEST_F(ReconcilerTest, AFailedReadOfAChild) {
  host_.fail("get", "ConfigMap", mysqlop_status_Unavailable, "connection refused");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "ConfigMap default/my-cluster-mysql: read: connection refused");
  EXPECT_EQ(warnings(), std::vector<std::string>{"ConfigMapSyncFailed: " + o.message});
}

TEST_F(ReconcilerTest, AChildControlledByAnotherOwnerIsLeftAlone) {
  host_.put(
      {{"apiVersion", "v1"},
       {"kind", "ConfigMap"},
       {"metadata",
        {{"name", "my-cluster-mysql"},
         {"namespace", "default"},
         {"ownerReferences",
          {{{"kind", "Deployment"}, {"name", "x"}, {"uid", "u-9"}, {"controller", true}}}}}}});
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "ConfigMap default/my-cluster-mysql: it is controlled by Deployment x, not by this "
            "MysqlCluster");
  EXPECT_EQ(warnings(), std::vector<std::string>{"ConfigMapSyncFailed: " + o.message});
}

TEST_F(ReconcilerTest, AConflictIsRetriedWithoutAnEvent) {
  ASSERT_EQ(reconcile().status, mysqlop_status_Ok);
  json cluster = *host_.find("MysqlCluster", "default", "my-cluster");
  cluster["spec"]["replicas"] = 3;
  host_.put(cluster);
  host_.fail("update", "StatefulSet", mysqlop_status_Conflict, "the object has been modified");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "StatefulSet default/my-cluster-mysql changed meanwhile; will retry");
  EXPECT_TRUE(warnings().empty());
}

TEST_F(ReconcilerTest, AFailedReadOfTheUsersSecret) {
  host_.fail("get", "Secret", mysqlop_status_Unavailable, "connection refused");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "reading Secret default/my-secret: connection refused");
  EXPECT_EQ(warnings(), std::vector<std::string>{"SecretReadFailed: " + o.message});
  EXPECT_EQ(host_.count("StatefulSet"), 0u);
}

TEST_F(ReconcilerTest, InvalidJsonFromTheHost) {
  host_.fail("get", "MysqlCluster", mysqlop_status_Ok, "", "not json");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "reading MysqlCluster default/my-cluster: the host returned invalid JSON");
  EXPECT_TRUE(host_.events().empty());  // no object to put an Event on: the host logs it
  host_.heal();
  host_.fail("get", "Pod", mysqlop_status_Ok, "", "[]");
  json cluster = *host_.find("MysqlCluster", "default", "my-cluster");
  cluster["status"]["nodes"] = {{{"name", "my-cluster-mysql-0.mysql.default"},
                                 {"conditions", {{{"type", "Master"}, {"status", "True"}}}}}};
  host_.put(cluster);
  const mysqlop::Outcome pods = reconcile();
  EXPECT_EQ(pods.status, mysqlop_status_Retry);
  EXPECT_EQ(pods.message, "Pod default/my-cluster-mysql-0: read: the host returned invalid JSON");
  EXPECT_EQ(warnings(), std::vector<std::string>{"PodLabelsSyncFailed: " + pods.message});
}

TEST_F(ReconcilerTest, AFailedListOfClaims) {
  host_.fail("list", "PersistentVolumeClaim", mysqlop_status_Unavailable, "timeout");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "PersistentVolumeClaims of default/my-cluster: list: timeout");
  EXPECT_EQ(warnings(), std::vector<std::string>{"FailedPVCCleanup: " + o.message});
}

TEST_F(ReconcilerTest, AFailedStatusWrite) {
  host_.fail("update_status", "MysqlCluster", mysqlop_status_Unavailable, "etcd is down");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "updating the status of MysqlCluster default/my-cluster: etcd is down");
  EXPECT_EQ(warnings(), std::vector<std::string>{"StatusUpdateFailed: " + o.message});
}

TEST_F(ReconcilerTest, AnInvalidSpecSetsReadyFalseAndAnEvent) {
  mysqlop::Call call = host_.call();
  ASSERT_EQ(call.remove(mysqlop::kube::res::kSecret, "default", "my-secret").status,
            mysqlop_status_Ok);
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Ok);
  EXPECT_EQ(o.requeueAfterMs, Reconciler::kSecretRecheckMs);
  const std::string message =
      "spec.secretName: Secret \"my-secret\" not found in namespace \"default\"";
  EXPECT_EQ(readyCondition().value("status", ""), "False");
  EXPECT_EQ(readyCondition().value("reason", ""), "InvalidSecretName");
  EXPECT_EQ(readyCondition().value("message", ""), message);
  EXPECT_EQ(warnings(), std::vector<std::string>{"InvalidSecretName: " + message});
  EXPECT_EQ(host_.count("ConfigMap"), 0u);
}

TEST_F(ReconcilerTest, AnInvalidSpecWhoseStatusCannotBeSaved) {
  mysqlop::Call call = host_.call();
  ASSERT_EQ(call.remove(mysqlop::kube::res::kSecret, "default", "my-secret").status,
            mysqlop_status_Ok);
  host_.fail("update_status", "MysqlCluster", mysqlop_status_Unavailable, "etcd is down");
  const mysqlop::Outcome o = reconcile();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "updating the status of MysqlCluster default/my-cluster: etcd is down");
  EXPECT_EQ(warnings(),
            (std::vector<std::string>{
                "InvalidSecretName: spec.secretName: Secret \"my-secret\" not found in namespace "
                "\"default\"",
                "StatusUpdateFailed: " + o.message}));
}

}  // namespace
}  // namespace mysqlop::cluster::testing
