// The StatefulSet controller against a real API server; the test plays the kubelet.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "core/kube/informer.h"
#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

json statefulSet(const std::string& name, int replicas, const std::string& policy = "OrderedReady",
                 bool claims = true) {
  json s = {{"apiVersion", "apps/v1"},
            {"kind", "StatefulSet"},
            {"metadata", {{"name", name}, {"namespace", kNs}}},
            {"spec",
             {{"replicas", replicas},
              {"serviceName", name + "-hl"},
              {"podManagementPolicy", policy},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}, {"tier", "db"}}}}},
                {"spec",
                 {{"containers",
                   json::array({{{"name", "main"},
                                 {"image", "busybox:1"},
                                 {"env", json::array({{{"name", "V"}, {"value", "1"}}})}}})}}}}}}}};
  if (claims) {
    s["spec"]["volumeClaimTemplates"] =
        json::array({{{"metadata", {{"name", "data"}, {"labels", {{"kind", "data"}}}}},
                      {"spec",
                       {{"accessModes", json::array({"ReadWriteOnce"})},
                        {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}});
  }
  return s;
}

class StatefulSetTest : public ControllersTest {
 protected:
  json set(const std::string& name) {
    auto s = get(r::kStatefulSets, name);
    return s ? *s : json();
  }
  json status(const std::string& name) { return set(name).value("status", json::object()); }
  bool exists(const std::string& pod) { return get(r::kPods, pod).has_value(); }
  std::string uidOf(const kube::Resource& res, const std::string& name) {
    auto o = get(res, name);
    return o ? (*o)["metadata"].value("uid", "") : "";
  }
  std::string revisionOf(const std::string& pod) {
    auto o = get(r::kPods, pod);
    return o ? labelOf(*o, "controller-revision-hash") : "";
  }
  std::vector<std::string> podNames(const std::string& app) {
    return names(list(r::kPods, "app=" + app));
  }
  // Steady state: every pod of the set Running and Ready, status says so.
  ::testing::AssertionResult allReady(const std::string& name, int replicas) {
    return eventually(
        name + " has " + std::to_string(replicas) + " ready replicas",
        [&] {
          readyAll("app=" + name);
          json st = status(name);
          return st.value("readyReplicas", -1) == replicas &&
                 st.value("replicas", -1) == replicas &&
                 st.value("updatedReplicas", -1) == replicas &&
                 podNames(name).size() == static_cast<std::size_t>(replicas);
        },
        [&] { return dump(r::kStatefulSets, name); });
  }
  void scale(const std::string& name, int replicas) {
    modify(r::kStatefulSets, name, [&](json& s) { s["spec"]["replicas"] = replicas; });
  }
  void changeTemplate(const std::string& name, const std::string& value) {
    modify(r::kStatefulSets, name, [&](json& s) {
      s["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = value;
    });
  }
};

// The resourceVersion at which each object was created (its first event), from a watch started
// before anything exists: resourceVersions are one global sequence in the local API server.
class CreationLog {
 public:
  CreationLog(kube::Client& client, const kube::Resource& res) : informer_(client, res, {}) {
    kube::EventHandlers h;
    h.onAdd = [this](const kube::ObjectPtr& o) {
      std::lock_guard<std::mutex> lock(mu_);
      rv_.try_emplace(o->name, std::stoll(o->resourceVersion));
    };
    informer_.addHandlers(h);
    informer_.start();
    informer_.waitForSync(std::chrono::seconds(30));
  }
  ~CreationLog() { informer_.stop(); }
  long long createdAt(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = rv_.find(name);
    return it == rv_.end() ? -1 : it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, long long> rv_;
  kube::Informer informer_;
};

TEST_F(StatefulSetTest, OrderedReadyCreatesOnePodAtATimeWithItsIdentityAndClaim) {
  CreationLog claims(*client_, r::kClaims);
  CreationLog pods(*client_, r::kPods);
  json created = create(r::kStatefulSets, statefulSet("web", 3));
  const std::string uid = created["metadata"]["uid"];
  // The controller wrote status after web-0 exists: in the same sync it would have made web-1.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("web").value("replicas", 0) == 1));
  EXPECT_EQ(podNames("web"), std::vector<std::string>{"web-0"});

  json pod = *get(r::kPods, "web-0");
  const json& meta = pod["metadata"];
  const std::string revision = status("web").value("updateRevision", "");
  EXPECT_EQ(revision.rfind("web-", 0), 0u) << revision;
  EXPECT_EQ(meta["labels"], (json{{"app", "web"},
                                  {"tier", "db"},
                                  {"controller-revision-hash", revision},
                                  {"statefulset.kubernetes.io/pod-name", "web-0"},
                                  {"apps.kubernetes.io/pod-index", "0"}}));
  EXPECT_EQ(meta["ownerReferences"], (json::array({{{"apiVersion", "apps/v1"},
                                                    {"kind", "StatefulSet"},
                                                    {"name", "web"},
                                                    {"uid", uid},
                                                    {"controller", true},
                                                    {"blockOwnerDeletion", true}}})));
  EXPECT_EQ(pod["spec"]["hostname"], "web-0");
  EXPECT_EQ(pod["spec"]["subdomain"], "web-hl");
  EXPECT_EQ(pod["spec"]["volumes"],
            (json::array(
                {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-web-0"}}}}})));
  // The claim was created before the pod (resourceVersions are one global sequence here).
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(claims.createdAt("data-web-0") > 0 && pods.createdAt("web-0") > 0));
  EXPECT_LT(claims.createdAt("data-web-0"), pods.createdAt("web-0"));
  json claim = *get(r::kClaims, "data-web-0");
  EXPECT_EQ(claim["metadata"]["labels"], (json{{"app", "web"}, {"kind", "data"}}));
  EXPECT_FALSE(claim["metadata"].contains("ownerReferences")) << claim.dump();

  // Running but not Ready does not let web-1 start.
  setPodStatus("web-0", "Running", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      get(r::kPods, "web-0")->value("status", json::object()).value("phase", "") == "Running"));
  markReady("web-0");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("web-1")));
  EXPECT_FALSE(exists("web-2"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("web").value("readyReplicas", 0) == 1 &&
                                 status("web").value("replicas", 0) == 2));
  EXPECT_FALSE(exists("web-2")) << "web-2 was created before web-1 was Ready";
  markReady("web-1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("web-2")));
  ASSERT_TRUE(allReady("web", 3));

  // Every status field.
  json st = status("web");
  json s = set("web");
  EXPECT_EQ(st, (json{{"observedGeneration", s["metadata"]["generation"]},
                      {"replicas", 3},
                      {"readyReplicas", 3},
                      {"availableReplicas", 3},
                      {"currentReplicas", 3},
                      {"updatedReplicas", 3},
                      {"currentRevision", revision},
                      {"updateRevision", revision},
                      {"collisionCount", 0}}));
  auto revisions = list(r::kControllerRevisions);
  ASSERT_EQ(revisions.size(), 1u);
  EXPECT_EQ(revisions[0]["metadata"]["name"], revision);
  EXPECT_EQ(revisions[0]["revision"], 1);
  EXPECT_EQ(revisions[0]["metadata"]["labels"]["controller.kubernetes.io/hash"],
            revision.substr(4));
  EXPECT_EQ(revisions[0]["data"]["spec"]["template"]["$patch"], "replace");
}

TEST_F(StatefulSetTest, ParallelCreatesEveryPodAtOnce) {
  create(r::kStatefulSets, statefulSet("par", 3, "Parallel"));
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(podNames("par") == std::vector<std::string>{"par-0", "par-1", "par-2"}));
  EXPECT_EQ(status("par").value("readyReplicas", -1), 0);
  scale("par", 1);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(podNames("par") == std::vector<std::string>{"par-0"}));
}

TEST_F(StatefulSetTest, ScalesUpAndDownInOrderAndKeepsClaims) {
  create(r::kStatefulSets, statefulSet("db", 3));
  ASSERT_TRUE(allReady("db", 3));
  scale("db", 5);
  ASSERT_TRUE(allReady("db", 5));

  // Deletions recorded as the API shows them, to check the order.
  std::mutex mu;
  std::vector<std::string> deleted;
  kube::Informer watcher(*client_, r::kPods, kube::InformerOptions{kNs, "app=db"});
  kube::EventHandlers h;
  h.onDelete = [&](const kube::ObjectPtr& o) {
    std::lock_guard<std::mutex> lock(mu);
    deleted.push_back(o->name);
  };
  watcher.addHandlers(h);
  watcher.start();
  ASSERT_TRUE(watcher.waitForSync(std::chrono::seconds(30)));

  scale("db", 2);
  ASSERT_TRUE(allReady("db", 2));
  watcher.stop();
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(deleted, (std::vector<std::string>{"db-4", "db-3", "db-2"}));
  }
  EXPECT_EQ(
      names(list(r::kClaims, "app=db")),
      (std::vector<std::string>{"data-db-0", "data-db-1", "data-db-2", "data-db-3", "data-db-4"}));
  // Scaling up again reuses the kept claim.
  const std::string claimUid = uidOf(r::kClaims, "data-db-2");
  scale("db", 3);
  ASSERT_TRUE(allReady("db", 3));
  EXPECT_EQ(uidOf(r::kClaims, "data-db-2"), claimUid);
}

TEST_F(StatefulSetTest, OrderedScaleDownWaitsForTheTerminatingPod) {
  create(r::kStatefulSets, statefulSet("fin", 3, "OrderedReady", false));
  ASSERT_TRUE(allReady("fin", 3));
  // A finalizer keeps fin-2 terminating, as a kubelet still stopping it would.
  modify(r::kPods, "fin-2", [](json& p) { p["metadata"]["finalizers"] = {"test.local/hold"}; });
  scale("fin", 1);
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(get(r::kPods, "fin-2")->at("metadata").contains("deletionTimestamp")));
  // The status shows the controller saw fin-2 terminating; fin-1 must still be untouched.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("fin").value("currentReplicas", 0) == 2));
  EXPECT_FALSE(get(r::kPods, "fin-1")->at("metadata").contains("deletionTimestamp"));
  modify(r::kPods, "fin-2", [](json& p) { p["metadata"].erase("finalizers"); });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(podNames("fin") == std::vector<std::string>{"fin-0"}));
  ASSERT_TRUE(allReady("fin", 1));
}

TEST_F(StatefulSetTest, OrderedScaleDownWaitsBehindTheFirstUnhealthyPod) {
  create(r::kStatefulSets, statefulSet("blk", 3, "OrderedReady", false));
  ASSERT_TRUE(allReady("blk", 3));
  setPodStatus("blk-1", "Running", false);
  setPodStatus("blk-2", "Running", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("blk").value("readyReplicas", 0) == 1));
  scale("blk", 1);
  // A second generation seen proves the sync that saw the scale-down has finished (one key is
  // never synced twice at once); the partition change itself moves nothing.
  modify(r::kStatefulSets, "blk",
         [](json& o) { o["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 5; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("blk").value("observedGeneration", 0) ==
                                 set("blk")["metadata"]["generation"].get<int>()));
  // blk-2 is unhealthy and blk-1 below it is the first unhealthy pod: nothing may go.
  EXPECT_EQ(podNames("blk"), (std::vector<std::string>{"blk-0", "blk-1", "blk-2"}));
  EXPECT_FALSE(get(r::kPods, "blk-2")->at("metadata").contains("deletionTimestamp"));
  markReady("blk-2");
  // Now blk-2 is healthy and goes, then blk-1, the first unhealthy one, may go unhealthy.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(podNames("blk") == std::vector<std::string>{"blk-0"}));
}

TEST_F(StatefulSetTest, RetentionPolicyDeleteRemovesClaimsOnScaleDownAndDeletion) {
  json s = statefulSet("ret", 3);
  s["spec"]["persistentVolumeClaimRetentionPolicy"] = {{"whenScaled", "Delete"},
                                                       {"whenDeleted", "Delete"}};
  json created = create(r::kStatefulSets, s);
  ASSERT_TRUE(allReady("ret", 3));
  for (const auto& claim : list(r::kClaims, "app=ret")) {
    EXPECT_EQ(claim["metadata"]["ownerReferences"],
              (json::array({{{"apiVersion", "apps/v1"},
                             {"kind", "StatefulSet"},
                             {"name", "ret"},
                             {"uid", created["metadata"]["uid"]}}})))
        << claim.dump();
  }
  scale("ret", 1);
  ASSERT_TRUE(allReady("ret", 1));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(names(list(r::kClaims, "app=ret")) ==
                                 std::vector<std::string>{"data-ret-0"}));
  remove(r::kStatefulSets, "ret", kNs, "Background");
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(list(r::kClaims, "app=ret").empty() && list(r::kPods, "app=ret").empty()));
}

TEST_F(StatefulSetTest, RetainKeepsClaimsWhenTheSetIsDeleted) {
  create(r::kStatefulSets, statefulSet("keep", 2));
  ASSERT_TRUE(allReady("keep", 2));
  remove(r::kStatefulSets, "keep", kNs, "Background");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(list(r::kPods, "app=keep").empty()));
  EXPECT_EQ(names(list(r::kClaims, "app=keep")),
            (std::vector<std::string>{"data-keep-0", "data-keep-1"}));
}

TEST_F(StatefulSetTest, RollingUpdateWithPartitionGoesDownOneReadyPodAtATime) {
  create(r::kStatefulSets, statefulSet("ru", 3, "OrderedReady", false));
  ASSERT_TRUE(allReady("ru", 3));
  const std::string oldRevision = status("ru").value("updateRevision", "");
  const std::string uid0 = uidOf(r::kPods, "ru-0");
  const std::string uid1 = uidOf(r::kPods, "ru-1");
  modify(r::kStatefulSets, "ru", [](json& s) {
    s["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 1;
    s["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "2";
  });
  std::string newRevision;
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY((newRevision = status("ru").value("updateRevision", "")) != oldRevision));
  // ru-2 goes first and comes back at the new revision; ru-1 waits until ru-2 is Ready.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(revisionOf("ru-2") == newRevision));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("ru").value("updatedReplicas", 0) == 1));
  EXPECT_EQ(uidOf(r::kPods, "ru-1"), uid1) << "ru-1 was replaced before ru-2 was Ready";
  EXPECT_EQ(revisionOf("ru-1"), oldRevision);
  markReady("ru-2");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(revisionOf("ru-1") == newRevision));
  markReady("ru-1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("ru").value("readyReplicas", 0) == 3 &&
                                 status("ru").value("updatedReplicas", 0) == 2));
  // Below the partition nothing moves; the set is not fully updated.
  EXPECT_EQ(uidOf(r::kPods, "ru-0"), uid0);
  EXPECT_EQ(revisionOf("ru-0"), oldRevision);
  json st = status("ru");
  EXPECT_EQ(st["currentRevision"], oldRevision);
  EXPECT_EQ(st["updateRevision"], newRevision);
  EXPECT_EQ(st["currentReplicas"], 1);
  EXPECT_EQ(st["updatedReplicas"], 2);
  EXPECT_EQ(st["replicas"], 3);
  EXPECT_EQ(st["observedGeneration"], set("ru")["metadata"]["generation"]);

  // Partition 0: ru-0 too, then the update is complete.
  modify(r::kStatefulSets, "ru",
         [](json& s) { s["spec"]["updateStrategy"]["rollingUpdate"]["partition"] = 0; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(revisionOf("ru-0") == newRevision));
  ASSERT_TRUE(allReady("ru", 3));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("ru").value("currentRevision", "") == newRevision));
  st = status("ru");
  EXPECT_EQ(st["currentReplicas"], 3);
  EXPECT_EQ(st["updatedReplicas"], 3);
  auto revisions = list(r::kControllerRevisions);
  std::map<std::string, int> numbers;
  for (const auto& rev : revisions) {
    numbers[rev["metadata"]["name"]] = rev["revision"].get<int>();
  }
  EXPECT_EQ(numbers, (std::map<std::string, int>{{oldRevision, 1}, {newRevision, 2}}));

  // Rolling back to the first template reuses its revision with a new number.
  changeTemplate("ru", "1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("ru").value("updateRevision", "") == oldRevision));
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(get(r::kControllerRevisions, oldRevision)->value("revision", 0) == 3));
}

TEST_F(StatefulSetTest, OnDeleteUpdatesOnlyPodsDeletedBySomeoneElse) {
  json s = statefulSet("od", 2, "OrderedReady", false);
  s["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  create(r::kStatefulSets, s);
  ASSERT_TRUE(allReady("od", 2));
  const std::string oldRevision = status("od").value("updateRevision", "");
  const std::string uid0 = uidOf(r::kPods, "od-0");
  changeTemplate("od", "2");
  std::string newRevision;
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY((newRevision = status("od").value("updateRevision", "")) != oldRevision));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("od").value("observedGeneration", 0) ==
                                 set("od")["metadata"]["generation"].get<int>()));
  EXPECT_EQ(status("od").value("updatedReplicas", -1), 0);
  EXPECT_EQ(revisionOf("od-1"), oldRevision);
  remove(r::kPods, "od-1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(revisionOf("od-1") == newRevision));
  markReady("od-1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("od").value("updatedReplicas", 0) == 1));
  EXPECT_EQ(uidOf(r::kPods, "od-0"), uid0);
  EXPECT_EQ(revisionOf("od-0"), oldRevision);
}

TEST_F(StatefulSetTest, FailedPodIsDeletedAndRecreated) {
  create(r::kStatefulSets, statefulSet("fp", 2, "OrderedReady", false));
  ASSERT_TRUE(allReady("fp", 2));
  const std::string uid = uidOf(r::kPods, "fp-1");
  setPodStatus("fp-1", "Failed", false);
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(!uidOf(r::kPods, "fp-1").empty() && uidOf(r::kPods, "fp-1") != uid));
  ASSERT_TRUE(allReady("fp", 2));
}

TEST_F(StatefulSetTest, AvailableReplicasWaitForMinReadySeconds) {
  json s = statefulSet("mr", 2, "OrderedReady", false);
  s["spec"]["minReadySeconds"] = 3600;
  create(r::kStatefulSets, s);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("mr-0")));
  markReady("mr-0");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("mr").value("readyReplicas", 0) == 1));
  // Ready, not yet available: OrderedReady waits for availability before mr-1.
  EXPECT_EQ(status("mr").value("availableReplicas", -1), 0);
  EXPECT_FALSE(exists("mr-1"));
  modify(r::kStatefulSets, "mr", [](json& o) { o["spec"]["minReadySeconds"] = 1; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("mr-1")));
  markReady("mr-1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("mr").value("availableReplicas", -1) == 2));
}

TEST_F(StatefulSetTest, OrdinalsStartAtSpecOrdinalsStart) {
  json s = statefulSet("ord", 2, "Parallel", false);
  s["spec"]["ordinals"] = {{"start", 3}};
  create(r::kStatefulSets, s);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(podNames("ord") == std::vector<std::string>{"ord-3", "ord-4"}));
  EXPECT_EQ(labelOf(*get(r::kPods, "ord-3"), "apps.kubernetes.io/pod-index"), "3");
  scale("ord", 1);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(podNames("ord") == std::vector<std::string>{"ord-3"}));
}

TEST_F(StatefulSetTest, IdentityLabelsEditedAwayComeBack) {
  create(r::kStatefulSets, statefulSet("idn", 1, "OrderedReady", false));
  ASSERT_TRUE(allReady("idn", 1));
  modify(r::kPods, "idn-0", [](json& p) {
    p["metadata"]["labels"].erase("statefulset.kubernetes.io/pod-name");
    p["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = "7";
  });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      labelOf(*get(r::kPods, "idn-0"), "statefulset.kubernetes.io/pod-name") == "idn-0" &&
      labelOf(*get(r::kPods, "idn-0"), "apps.kubernetes.io/pod-index") == "0"));
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("idn", "SuccessfulUpdate", &message)));
  EXPECT_EQ(message, "update Pod idn-0 in StatefulSet idn successful");
}

TEST_F(StatefulSetTest, AdoptsAnOrphanPodOfItsOwn) {
  json orphan = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "adopt-0"}, {"namespace", kNs}, {"labels", {{"app", "adopt"}}}}},
      {"spec", {{"containers", json::array({{{"name", "main"}, {"image", "busybox:1"}}})}}}};
  const std::string podUid = create(r::kPods, orphan)["metadata"]["uid"];
  markReady("adopt-0");
  json s = statefulSet("adopt", 1, "OrderedReady", false);
  s["spec"]["updateStrategy"] = {{"type", "OnDelete"}};
  const std::string setUid = create(r::kStatefulSets, s)["metadata"]["uid"];
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      get(r::kPods, "adopt-0")->at("metadata").value("ownerReferences", json::array()) ==
      (json::array({{{"apiVersion", "apps/v1"},
                     {"kind", "StatefulSet"},
                     {"name", "adopt"},
                     {"uid", setUid},
                     {"controller", true},
                     {"blockOwnerDeletion", true}}}))));
  EXPECT_EQ(uidOf(r::kPods, "adopt-0"), podUid);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("adopt").value("readyReplicas", 0) == 1));
  EXPECT_EQ(podNames("adopt"), std::vector<std::string>{"adopt-0"});
}

TEST_F(StatefulSetTest, AClaimGoneWakesTheSetWaitingForIt) {
  create(r::kClaims, {{"apiVersion", "v1"},
                      {"kind", "PersistentVolumeClaim"},
                      {"metadata", {{"name", "data-wake-0"}, {"finalizers", {"test.local/hold"}}}},
                      {"spec",
                       {{"accessModes", json::array({"ReadWriteOnce"})},
                        {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  remove(r::kClaims, "data-wake-0");
  create(r::kStatefulSets, statefulSet("wake", 1));
  // Eleven failed tries: the next retry (5 ms doubling) is over ten seconds away.
  ASSERT_TRUE(eventually("eleven FailedCreate events", [&] {
    for (const auto& e : list(kube::resources::kEvents)) {
      if (e["involvedObject"].value("name", "") == "wake" &&
          e.value("reason", "") == "FailedCreate" && e.value("count", 0) >= 11) {
        return true;
      }
    }
    return false;
  }));
  modify(r::kClaims, "data-wake-0", [](json& c) { c["metadata"].erase("finalizers"); });
  // The claim's deletion itself wakes the set, not the next retry seconds later.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(within(std::chrono::seconds(2)), exists("wake-0")));
}

TEST_F(StatefulSetTest, PodTheServerRejectsIsReportedInAnEvent) {
  json s = statefulSet("bad", 1, "OrderedReady", false);
  s["spec"]["template"]["spec"]["containers"] = json::array();
  create(r::kStatefulSets, s);
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("bad", "FailedCreate", &message)));
  EXPECT_EQ(message,
            "create Pod bad-0 in StatefulSet bad failed error: Pod \"bad-0\" is invalid: "
            "spec.containers: Required value");
  EXPECT_FALSE(exists("bad-0"));
}

TEST_F(StatefulSetTest, ClaimBeingDeletedHoldsThePodBack) {
  create(r::kClaims, {{"apiVersion", "v1"},
                      {"kind", "PersistentVolumeClaim"},
                      {"metadata", {{"name", "data-held-0"}, {"finalizers", {"test.local/hold"}}}},
                      {"spec",
                       {{"accessModes", json::array({"ReadWriteOnce"})},
                        {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  remove(r::kClaims, "data-held-0");
  create(r::kStatefulSets, statefulSet("held", 1));
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("held", "FailedCreate", &message)));
  EXPECT_EQ(message,
            "create Pod held-0 in StatefulSet held failed error: pvc data-held-0 is being deleted");
  EXPECT_FALSE(exists("held-0"));
  // Once the old claim is gone, a new one is made and the pod starts on it.
  modify(r::kClaims, "data-held-0", [](json& c) { c["metadata"].erase("finalizers"); });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("held-0")));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("held", "SuccessfulCreate")));
  auto all = events("held");
  EXPECT_NE(std::find(all.begin(), all.end(),
                      "Normal SuccessfulCreate: create Claim data-held-0 Pod held-0 in "
                      "StatefulSet held success"),
            all.end())
      << ::testing::PrintToString(all);
  EXPECT_NE(std::find(all.begin(), all.end(),
                      "Normal SuccessfulCreate: create Pod held-0 in StatefulSet held successful"),
            all.end())
      << ::testing::PrintToString(all);
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
