#include <gtest/gtest.h>

#include "cluster_test_util.h"
#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/merge.h"
#include "plugins/cluster/src/status.h"

namespace mysqlop::cluster {
namespace {

using nlohmann::json;
using testing::testOptions;
using testing::validSpec;

json node(int i, const char* master, const char* replicating, const char* lagged = "False",
          const char* readOnly = "True") {
  json conds = json::array();
  for (auto [type, status] : {std::pair<const char*, const char*>{"Master", master},
                              {"Replicating", replicating},
                              {"Lagged", lagged},
                              {"ReadOnly", readOnly}}) {
    if (status != nullptr) {
      conds.push_back({{"type", type}, {"status", status}, {"lastTransitionTime", "T"}});
    }
  }
  return {{"name", "c-mysql-" + std::to_string(i) + ".mysql.ns"}, {"conditions", conds}};
}

TEST(Ready, BitpokesRules) {
  const json healthy = {node(0, "True", "False", "False", "False"), node(1, "False", "True")};
  auto ready = [&](int replicas, bool readOnly, int readyNodes, const json& nodes) {
    kube::Condition c = readyCondition("c", "ns", replicas, readOnly, readyNodes, nodes);
    return c.status + "/" + c.reason + "/" + c.message;
  };
  EXPECT_EQ(ready(2, false, 2, healthy), "True/ClusterReady/Cluster is ready");
  EXPECT_EQ(ready(2, false, 1, healthy), "False/StatefulSetNotReady/StatefulSet is not ready");
  EXPECT_EQ(ready(3, false, 3, healthy),
            "False/NotReplicating/Node c-mysql-2.mysql.ns is part of topology and not replicating");
  const json noMaster = {node(0, "False", "True"), node(1, "False", "True")};
  EXPECT_EQ(ready(2, false, 2, noMaster), "False/NoMaster/Cluster has no designated master");
  EXPECT_EQ(ready(2, true, 2, noMaster), "True/ClusterReady/Cluster is ready");
  EXPECT_EQ(ready(0, false, 0, json::array()), "True/ClusterReady/Cluster is ready");
  EXPECT_EQ(ready(1, false, 1, json::array()),
            "False/NotReplicating/Node c-mysql-0.mysql.ns is part of topology and not replicating");
}

TEST(ReadOnly, FromNodeConditions) {
  EXPECT_FALSE(readOnlyCondition(json::array()).has_value());
  auto ro =
      readOnlyCondition({node(0, "True", "False", "False", "False"), node(1, "False", "True")});
  ASSERT_TRUE(ro.has_value());
  EXPECT_EQ(ro->status, "False");
  EXPECT_EQ(ro->reason, "ClusterReadOnlyFalse");
  EXPECT_EQ(ro->message, "writable nodes: c-mysql-0.mysql.ns");
  ro = readOnlyCondition({node(0, "True", "False"), node(1, "False", "True")});
  EXPECT_EQ(ro->status, "True");
  EXPECT_EQ(ro->reason, "ClusterReadOnlyTrue");
  EXPECT_EQ(ro->message, "read-only nodes: c-mysql-0.mysql.ns c-mysql-1.mysql.ns");
}

TEST(PodRoles, ReplicasFirstMasterLastAndHealth) {
  const json nodes = {node(0, "True", "False"),
                      node(1, "False", "True", "True"),
                      node(2, "False", "True", "False"),
                      node(3, "False", "False"),
                      node(4, nullptr, "True"),
                      {{"name", "other-mysql-0.mysql.ns"}, {"conditions", json::array()}}};
  std::vector<PodRole> roles = podRoles("c", nodes);
  ASSERT_EQ(roles.size(), 4u);
  EXPECT_EQ(roles[0].pod, "c-mysql-1");
  EXPECT_EQ(roles[0].role, "replica");
  EXPECT_EQ(roles[0].healthy, "no");  // lagged
  EXPECT_EQ(roles[1].pod, "c-mysql-2");
  EXPECT_EQ(roles[1].healthy, "yes");
  EXPECT_EQ(roles[2].pod, "c-mysql-3");
  EXPECT_EQ(roles[2].healthy, "no");  // not replicating
  EXPECT_EQ(roles[3].pod, "c-mysql-0");
  EXPECT_EQ(roles[3].role, "master");
  EXPECT_EQ(roles[3].healthy, "yes");
}

TEST(OtherConditions, BitpokeReasons) {
  EXPECT_EQ(failoverNotRunningCondition().reason, "ClusterNotRunning");
  EXPECT_EQ(failoverNotRunningCondition().message, "cluster is not running");
  EXPECT_EQ(noPendingFailoverAckCondition().reason, "NoPendingFailoverAckExists");
}

// What an API server does to a created object: system metadata, defaults inside the template,
// allocated fields.
json asStored(json obj) {
  obj["metadata"]["resourceVersion"] = "7";
  obj["metadata"]["uid"] = "child-uid";
  obj["metadata"]["creationTimestamp"] = "2024-01-01T00:00:00Z";
  if (obj["kind"] == "StatefulSet") {
    obj["spec"]["podManagementPolicy"] = "OrderedReady";
    obj["spec"]["revisionHistoryLimit"] = 10;
    json& pod = obj["spec"]["template"]["spec"];
    pod["restartPolicy"] = "Always";
    pod["dnsPolicy"] = "ClusterFirst";
    for (json& c : pod["containers"]) {
      c["terminationMessagePath"] = "/dev/termination-log";
      for (json& p : c.value("ports", json::array())) {
        (void)p;
      }
    }
    pod["containers"][0]["resources"]["requests"]["memory"] = "1024Mi";  // canonicalised
    obj["status"] = {{"replicas", 2}, {"readyReplicas", 2}};
  }
  if (obj["kind"] == "Service") {
    obj["spec"]["clusterIP"] = "10.0.0.7";
    obj["spec"]["sessionAffinity"] = "None";
  }
  return obj;
}

TEST(Merge, NothingToWriteWhenOnlyDefaultsDiffer) {
  ClusterSpec c = validSpec(json::object());
  for (const json& desired :
       {buildStatefulSet(c, testOptions(), "1", "2"), buildMasterService(c), buildConfigMap(c),
        buildPodDisruptionBudget(c), buildHeadlessService("default")}) {
    EXPECT_FALSE(mergeForUpdate(asStored(desired), desired).has_value()) << desired["kind"];
  }
}

TEST(Merge, SpecChangesUpdateOnlyOwnedFields) {
  ClusterSpec c = validSpec(json::object());
  json stored = asStored(buildStatefulSet(c, testOptions(), "1", "2"));
  stored["metadata"]["annotations"]["other-controller/note"] = "keep";
  stored["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] =
      "now";
  stored["spec"]["updateStrategy"] = {{"type", "OnDelete"}};

  ClusterSpec scaled =
      validSpec({{"replicas", 5}, {"image", "percona:5.7.36"}, {"mysqlVersion", "5.7.36"}});
  std::optional<json> merged =
      mergeForUpdate(stored, buildStatefulSet(scaled, testOptions(), "1", "3"));
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ((*merged)["spec"]["replicas"], 5);
  EXPECT_EQ((*merged)["spec"]["template"]["spec"]["containers"][0]["image"], "percona:5.7.36");
  EXPECT_EQ((*merged)["spec"]["template"]["metadata"]["annotations"]["secret_rev"], "3");
  // Fields of others survive; system metadata (resourceVersion) is kept for optimistic locking.
  EXPECT_EQ((*merged)["metadata"]["annotations"]["other-controller/note"], "keep");
  EXPECT_EQ(
      (*merged)["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
      "now");
  EXPECT_EQ((*merged)["spec"]["updateStrategy"]["type"], "OnDelete");
  EXPECT_EQ((*merged)["metadata"]["resourceVersion"], "7");
  EXPECT_EQ((*merged)["spec"]["selector"], stored["spec"]["selector"]);
}

TEST(Merge, AdoptsAnOrphanAndRestoresDeletedLabels) {
  ClusterSpec c = validSpec(json::object());
  json desired = buildHealthyService(c);
  json stored = asStored(desired);
  stored["metadata"].erase("ownerReferences");
  stored["metadata"]["labels"].erase("mysql.presslabs.org/service-type");
  std::optional<json> merged = mergeForUpdate(stored, desired);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ((*merged)["metadata"]["ownerReferences"], desired["metadata"]["ownerReferences"]);
  EXPECT_EQ((*merged)["metadata"]["labels"]["mysql.presslabs.org/service-type"], "ready-nodes");
  EXPECT_EQ((*merged)["spec"]["clusterIP"], "10.0.0.7");
}

TEST(Merge, ServiceKeepsNodePortsAndDropsThemForClusterIP) {
  ClusterSpec lb = validSpec({{"masterService", {{"type", "NodePort"}}}});
  json stored = asStored(buildMasterService(lb));
  stored["spec"]["ports"][0]["nodePort"] = 30306;
  stored["spec"]["ports"][1]["nodePort"] = 30080;
  stored["spec"]["externalTrafficPolicy"] = "Cluster";
  ClusterSpec annotated =
      validSpec({{"masterService", {{"type", "NodePort"}, {"annotations", {{"a", "b"}}}}}});
  std::optional<json> merged = mergeForUpdate(stored, buildMasterService(annotated));
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ((*merged)["spec"]["ports"][0]["nodePort"], 30306);
  EXPECT_EQ((*merged)["metadata"]["annotations"]["a"], "b");

  std::optional<json> back = mergeForUpdate(stored, buildMasterService(validSpec(json::object())));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ((*back)["spec"]["type"], "ClusterIP");
  EXPECT_FALSE((*back)["spec"]["ports"][0].contains("nodePort"));
  EXPECT_FALSE((*back)["spec"].contains("externalTrafficPolicy"));
}

TEST(Merge, ConfigMapScriptGoesWithACustomLifecycle) {
  json stored = asStored(buildConfigMap(validSpec(json::object())));
  stored["data"]["user-notes"] = "kept";
  std::optional<json> merged = mergeForUpdate(
      stored, buildConfigMap(
                  validSpec({{"podSpec", {{"mysqlLifecycle", {{"preStop", json::object()}}}}}})));
  ASSERT_TRUE(merged.has_value());
  EXPECT_FALSE((*merged)["data"].contains("pre-shutdown-ha.sh"));
  EXPECT_EQ((*merged)["data"]["user-notes"], "kept");
}

TEST(Merge, SecretKeepsForeignKeys) {
  ClusterSpec c = validSpec(json::object());
  json stored = asStored(buildOperatedSecret(c, testOptions(), nullptr));
  stored["data"]["EXTRA"] = "eA==";
  EXPECT_FALSE(
      mergeForUpdate(stored, buildOperatedSecret(c, testOptions(), stored["data"])).has_value());
  Options o = testOptions();
  o.orchestratorTopologyUser = "orc2";
  std::optional<json> merged = mergeForUpdate(stored, buildOperatedSecret(c, o, stored["data"]));
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ((*merged)["data"]["EXTRA"], "eA==");
  EXPECT_EQ((*merged)["data"]["OPERATOR_PASSWORD"], stored["data"]["OPERATOR_PASSWORD"]);
}

}  // namespace
}  // namespace mysqlop::cluster
