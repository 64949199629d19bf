// Deletion: finalizers, propagation policies, preconditions, namespaces, garbage collection.
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

TEST_F(ApiTest, DeleteWithoutFinalizersAnswersSuccessStatus) {
  json c = call("POST", kCmPath, configMap("c1")).json();
  auto d = call("DELETE", std::string(kCmPath) + "/c1");
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(
      d.json(),
      json({{"kind", "Status"},
            {"apiVersion", "v1"},
            {"metadata", json::object()},
            {"status", "Success"},
            {"details", {{"name", "c1"}, {"kind", "configmaps"}, {"uid", c["metadata"]["uid"]}}}}));
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/c1").status, 404);
  auto again = call("DELETE", std::string(kCmPath) + "/c1");
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(again.json()["message"], "configmaps \"c1\" not found");
}

TEST_F(ApiTest, FinalizerFlow) {
  json cm = configMap("f1");
  cm["metadata"]["finalizers"] = {"example.com/hold"};
  std::string path = std::string(kCmPath) + "/f1";
  ASSERT_EQ(call("POST", kCmPath, cm).status, 201);
  auto d = call("DELETE", path);
  ASSERT_EQ(d.status, 200);
  json held = d.json();
  EXPECT_TRUE(held["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(held["metadata"]["deletionGracePeriodSeconds"], 0);
  EXPECT_EQ(call("GET", path).json(), held);
  // A second DELETE changes nothing.
  EXPECT_EQ(call("DELETE", path).json(), held);
  // No new finalizers while deleting.
  auto add = call("PATCH", path,
                  json::parse(R"({"metadata":{"finalizers":["example.com/hold","b.io/x"]}})"),
                  "application/merge-patch+json");
  EXPECT_EQ(add.status, 422);
  EXPECT_EQ(add.json()["message"],
            "ConfigMap \"f1\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be "
            "added if the object is being deleted, found new finalizers []string{\"b.io/x\"}");
  // Removing the last finalizer deletes it in that request.
  auto rm = call("PATCH", path, json::parse(R"({"metadata":{"finalizers":null}})"),
                 "application/merge-patch+json");
  EXPECT_EQ(rm.status, 200);
  EXPECT_FALSE(rm.json()["metadata"].contains("finalizers"));
  EXPECT_EQ(call("GET", path).status, 404);
}

TEST_F(ApiTest, DeletingAnObjectWithGenerationBumpsIt) {
  json sts = json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db",
    "finalizers":["x.io/f"]},"spec":{"selector":{"matchLabels":{"a":"b"}},
    "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  std::string base = "/apis/apps/v1/namespaces/default/statefulsets";
  ASSERT_EQ(call("POST", base, sts).status, 201);
  auto d = call("DELETE", base + "/db");
  EXPECT_EQ(d.json()["metadata"]["generation"], 2);
}

TEST_F(ApiTest, Preconditions) {
  json c = call("POST", kCmPath, configMap("p1")).json();
  auto wrongUid = call("DELETE", std::string(kCmPath) + "/p1",
                       json{{"preconditions", {{"uid", "not-the-uid"}}}});
  EXPECT_EQ(wrongUid.status, 409);
  EXPECT_EQ(wrongUid.json()["message"],
            "Operation cannot be fulfilled on configmaps \"p1\": Precondition failed: UID in "
            "precondition: not-the-uid, UID in object meta: " +
                c["metadata"]["uid"].get<std::string>());
  auto wrongRv = call("DELETE", std::string(kCmPath) + "/p1",
                      json{{"preconditions", {{"resourceVersion", "1"}}}});
  EXPECT_EQ(wrongRv.json()["message"],
            "Operation cannot be fulfilled on configmaps \"p1\": Precondition failed: "
            "ResourceVersion in precondition: 1, ResourceVersion in meta: " +
                c["metadata"]["resourceVersion"].get<std::string>());
  auto ok = call("DELETE", std::string(kCmPath) + "/p1",
                 json{{"preconditions", {{"uid", c["metadata"]["uid"]}}}});
  EXPECT_EQ(ok.status, 200);
}

TEST_F(ApiTest, JobDeleteDefaultsToOrphanWithWarning) {
  std::string base = "/apis/batch/v1/namespaces/default/jobs";
  json job = json::parse(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
    "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}})");
  json created = call("POST", base, job).json();
  // A pod owned by the job survives an orphaning delete (its owner reference is removed).
  json pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"j-abcde"},
    "spec":{"containers":[{"name":"c","image":"i"}]}})");
  pod["metadata"]["ownerReferences"] = {{{"apiVersion", "batch/v1"},
                                         {"kind", "Job"},
                                         {"name", "j"},
                                         {"uid", created["metadata"]["uid"]},
                                         {"controller", true}}};
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods", pod).status, 201);
  auto d = call("DELETE", base + "/j");
  ASSERT_EQ(d.status, 200);
  ASSERT_EQ(d.header("Warning").size(), 1u);
  EXPECT_EQ(d.header("Warning")[0],
            "299 - \"child pods are preserved by default when jobs are deleted; set "
            "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to "
            "suppress this warning\"");
  EXPECT_EQ(d.json()["metadata"]["finalizers"], json::array({"orphan"}));
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", base + "/j").status == 404));
  auto p = call("GET", "/api/v1/namespaces/default/pods/j-abcde");
  ASSERT_EQ(p.status, 200);
  EXPECT_FALSE(p.json()["metadata"].contains("ownerReferences"));

  // With Background: no warning, the dependent pod is garbage collected.
  json job2 = job;
  job2["metadata"]["name"] = "k";
  json c2 = call("POST", base, job2).json();
  json pod2 = pod;
  pod2["metadata"]["name"] = "k-abcde";
  pod2["metadata"]["ownerReferences"][0]["uid"] = c2["metadata"]["uid"];
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods", pod2).status, 201);
  auto d2 = call("DELETE", base + "/k", json{{"propagationPolicy", "Background"}});
  EXPECT_TRUE(d2.header("Warning").empty());
  EXPECT_EQ(call("GET", base + "/k").status, 404);
  EXPECT_TRUE(
      MYSQLOP_EVENTUALLY(call("GET", "/api/v1/namespaces/default/pods/k-abcde").status == 404));
}

TEST_F(ApiTest, ForegroundDeletionWaitsForDependents) {
  json owner = call("POST", kCmPath, configMap("owner")).json();
  json dep = configMap("dep");
  dep["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                         {"kind", "ConfigMap"},
                                         {"name", "owner"},
                                         {"uid", owner["metadata"]["uid"]},
                                         {"blockOwnerDeletion", true}}};
  ASSERT_EQ(call("POST", kCmPath, dep).status, 201);
  auto d = call("DELETE", std::string(kCmPath) + "/owner?propagationPolicy=Foreground");
  EXPECT_EQ(d.json()["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", std::string(kCmPath) + "/dep").status == 404 &&
                                 call("GET", std::string(kCmPath) + "/owner").status == 404));
}

// An owner reference to a stored object.
json ownerRef(const json& owner, bool block = false) {
  json r = {{"apiVersion", owner["apiVersion"]},
            {"kind", owner["kind"]},
            {"name", owner["metadata"]["name"]},
            {"uid", owner["metadata"]["uid"]}};
  if (block) {
    r["blockOwnerDeletion"] = true;
  }
  return r;
}

std::string cmPath(const std::string& name) { return std::string(kCmPath) + "/" + name; }

TEST_F(ApiTest, ForegroundOwnerWaitsForBlockingDependentsOnly) {
  json owner = call("POST", kCmPath, configMap("owner")).json();
  json blocking = configMap("blocking");
  blocking["metadata"]["ownerReferences"] = {ownerRef(owner, true)};
  blocking["metadata"]["finalizers"] = {"x.io/hold"};
  ASSERT_EQ(call("POST", kCmPath, blocking).status, 201);
  json loose = configMap("loose");
  loose["metadata"]["ownerReferences"] = {ownerRef(owner)};
  ASSERT_EQ(call("POST", kCmPath, loose).status, 201);
  ASSERT_EQ(call("DELETE", cmPath("owner") + "?propagationPolicy=Foreground").status, 200);
  // Both dependents are deleted in the foreground; the held one stays with its deletionTimestamp.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      call("GET", cmPath("loose")).status == 404 &&
      call("GET", cmPath("blocking")).json()["metadata"].contains("deletionTimestamp")));
  // (Its own foregroundDeletion finalizer goes at once: it has no dependents.)
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("blocking")).json()["metadata"]["finalizers"] ==
                                 json::array({"x.io/hold"})));
  // The owner waits for the blocking dependent.
  auto waiting = call("GET", cmPath("owner"));
  ASSERT_EQ(waiting.status, 200);
  EXPECT_EQ(waiting.json()["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
  // Released: the dependent goes, then the owner.
  call("PATCH", cmPath("blocking"), json::parse(R"({"metadata":{"finalizers":null}})"),
       "application/merge-patch+json");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("blocking")).status == 404 &&
                                 call("GET", cmPath("owner")).status == 404));
}

TEST_F(ApiTest, ForegroundDoesNotWaitForNonBlockingDependents) {
  json owner = call("POST", kCmPath, configMap("owner")).json();
  json dep = configMap("dep");
  dep["metadata"]["ownerReferences"] = {ownerRef(owner)};
  dep["metadata"]["finalizers"] = {"x.io/hold"};
  ASSERT_EQ(call("POST", kCmPath, dep).status, 201);
  ASSERT_EQ(call("DELETE", cmPath("owner") + "?propagationPolicy=Foreground").status, 200);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("owner")).status == 404));
  json left = call("GET", cmPath("dep")).json();
  EXPECT_TRUE(left["metadata"].contains("deletionTimestamp"));
  call("PATCH", cmPath("dep"), json::parse(R"({"metadata":{"finalizers":null}})"),
       "application/merge-patch+json");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("dep")).status == 404));
}

TEST_F(ApiTest, ForegroundIsRecursive) {
  json owner = call("POST", kCmPath, configMap("owner")).json();
  json child = configMap("child");
  child["metadata"]["ownerReferences"] = {ownerRef(owner, true)};
  child = call("POST", kCmPath, child).json();
  json grandchild = configMap("grandchild");
  grandchild["metadata"]["ownerReferences"] = {ownerRef(child, true)};
  grandchild["metadata"]["finalizers"] = {"x.io/hold"};
  ASSERT_EQ(call("POST", kCmPath, grandchild).status, 201);
  ASSERT_EQ(call("DELETE", cmPath("owner") + "?propagationPolicy=Foreground").status, 200);
  // The child is deleted in the foreground too and waits for the grandchild; the owner waits for
  // the child.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      call("GET", cmPath("grandchild")).json()["metadata"].contains("deletionTimestamp")));
  EXPECT_EQ(call("GET", cmPath("child")).json()["metadata"]["finalizers"],
            json::array({"foregroundDeletion"}));
  EXPECT_EQ(call("GET", cmPath("owner")).status, 200);
  call("PATCH", cmPath("grandchild"), json::parse(R"({"metadata":{"finalizers":null}})"),
       "application/merge-patch+json");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("grandchild")).status == 404 &&
                                 call("GET", cmPath("child")).status == 404 &&
                                 call("GET", cmPath("owner")).status == 404));
}

TEST_F(ApiTest, OrphanRemovesOnlyTheDeletedOwnersReference) {
  json a = call("POST", kCmPath, configMap("a")).json();
  json b = call("POST", kCmPath, configMap("b")).json();
  json dep = configMap("dep");
  dep["metadata"]["ownerReferences"] = {ownerRef(a), ownerRef(b)};
  ASSERT_EQ(call("POST", kCmPath, dep).status, 201);
  auto d = call("DELETE", cmPath("a"), json{{"propagationPolicy", "Orphan"}});
  EXPECT_EQ(d.json()["metadata"]["finalizers"], json::array({"orphan"}));
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("a")).status == 404));
  json left = call("GET", cmPath("dep")).json();
  EXPECT_EQ(left["metadata"]["ownerReferences"], json::array({ownerRef(b)}));
}

TEST_F(ApiTest, BackgroundCollectsOnlyWhenEveryOwnerIsGone) {
  json a = call("POST", kCmPath, configMap("a")).json();
  json b = call("POST", kCmPath, configMap("b")).json();
  json dep = configMap("dep");
  dep["metadata"]["ownerReferences"] = {ownerRef(a), ownerRef(b)};
  ASSERT_EQ(call("POST", kCmPath, dep).status, 201);
  ASSERT_EQ(call("DELETE", cmPath("a")).status, 200);
  // The dangling reference is removed; the dependent stays with its other owner.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("dep")).json()["metadata"]["ownerReferences"] ==
                                 json::array({ownerRef(b)})));
  ASSERT_EQ(call("DELETE", cmPath("b")).status, 200);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("dep")).status == 404));
}

TEST_F(ApiTest, DependentOfAnOwnerThatNeverExistedIsCollected) {
  json dep = configMap("dep");
  dep["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                         {"kind", "ConfigMap"},
                                         {"name", "ghost"},
                                         {"uid", "00000000-0000-4000-8000-000000000000"}}};
  ASSERT_EQ(call("POST", kCmPath, dep).status, 201);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("dep")).status == 404));
}

TEST_F(ApiTest, GarbageCollectionResumesAfterRestart) {
  // An owner deleted while the server was down (its store entry gone at the next start) has its
  // dependents collected after the restart: the owner index is rebuilt from the stored objects.
  json owner = call("POST", kCmPath, configMap("owner")).json();
  json dep = configMap("dep");
  dep["metadata"]["ownerReferences"] = {ownerRef(owner)};
  dep["metadata"]["finalizers"] = {"x.io/hold"};
  ASSERT_EQ(call("POST", kCmPath, dep).status, 201);
  ASSERT_EQ(call("DELETE", cmPath("owner")).status, 200);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      call("GET", cmPath("dep")).json()["metadata"].contains("deletionTimestamp")));
  ASSERT_TRUE(api_.restart().ok());
  call("PATCH", cmPath("dep"), json::parse(R"({"metadata":{"finalizers":null}})"),
       "application/merge-patch+json");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cmPath("dep")).status == 404));
}

TEST_F(ApiTest, PodDeleteReturnsTheObject) {
  json pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c","image":"i"}]}})");
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods", pod).status, 201);
  auto d = call("DELETE", "/api/v1/namespaces/default/pods/p");
  EXPECT_EQ(d.json()["kind"], "Pod");
  // A scheduled pod is deleted gracefully: it stays until deleted with grace 0.
  pod["spec"]["nodeName"] = "local-node";
  pod["metadata"]["name"] = "q";
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods", pod).status, 201);
  auto g = call("DELETE", "/api/v1/namespaces/default/pods/q");
  EXPECT_EQ(g.json()["metadata"]["deletionGracePeriodSeconds"], 30);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/pods/q").status, 200);
  auto now = call("DELETE", "/api/v1/namespaces/default/pods/q?gracePeriodSeconds=0");
  EXPECT_EQ(now.status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/pods/q").status, 404);
}

TEST_F(ApiTest, NamespaceDeletionRemovesItsContents) {
  ASSERT_EQ(call("POST", "/api/v1/namespaces",
                 json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"tmp"}})"))
                .status,
            201);
  std::string cms = "/api/v1/namespaces/tmp/configmaps";
  ASSERT_EQ(call("POST", cms, configMap("a")).status, 201);
  json held = configMap("held");
  held["metadata"]["finalizers"] = {"x.io/hold"};
  ASSERT_EQ(call("POST", cms, held).status, 201);
  auto d = call("DELETE", "/api/v1/namespaces/tmp");
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.json()["status"]["phase"], "Terminating");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", cms + "/a").status == 404));
  auto create = call("POST", cms, configMap("b"));
  EXPECT_EQ(create.status, 403);
  EXPECT_EQ(create.json()["message"],
            "configmaps \"b\" is forbidden: unable to create new content in namespace tmp because "
            "it is being terminated");
  EXPECT_EQ(create.json()["details"]["causes"][0]["reason"], "NamespaceTerminating");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/tmp").status, 200);  // held by the finalizer
  call("PATCH", cms + "/held", json::parse(R"({"metadata":{"finalizers":null}})"),
       "application/merge-patch+json");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET", "/api/v1/namespaces/tmp").status == 404));
}

TEST_F(ApiTest, DeleteCollectionWithSelector) {
  json a = configMap("a");
  a["metadata"]["labels"] = {{"app", "x"}};
  json b = configMap("b");
  b["metadata"]["labels"] = {{"app", "y"}};
  call("POST", kCmPath, a);
  call("POST", kCmPath, b);
  auto d = call("DELETE", std::string(kCmPath) + "?labelSelector=app%3Dx");
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.json()["kind"], "ConfigMapList");
  EXPECT_EQ(d.json()["items"].size(), 1u);
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/a").status, 404);
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/b").status, 200);
}

}  // namespace
}  // namespace mysqlop::local::it
