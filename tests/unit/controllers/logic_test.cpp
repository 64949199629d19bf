// The controllers' pure logic: pod and claim identity, revision hashes, the claims'
// ownerReferences under every retention policy, endpoint models, Job pod counting.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "localcluster/controllers/endpoints.h"
#include "localcluster/controllers/job_controller.h"
#include "localcluster/controllers/statefulset_controller.h"

namespace mysqlop::local::controllers {
namespace {

using nlohmann::json;

json setWithPolicy(const std::string& whenScaled, const std::string& whenDeleted) {
  return {
      {"metadata", {{"name", "web"}, {"namespace", "ns"}, {"uid", "set-uid"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"persistentVolumeClaimRetentionPolicy",
         {{"whenScaled", whenScaled}, {"whenDeleted", whenDeleted}}},
        {"template", {{"metadata", {{"labels", {{"app", "web"}}}}}, {"spec", json::object()}}}}}};
}

TEST(StatefulSetNames, OrdinalsParseOnlyFromThisSetsNames) {
  EXPECT_EQ(ordinalOf("web", "web-0"), 0);
  EXPECT_EQ(ordinalOf("web", "web-12"), 12);
  EXPECT_EQ(ordinalOf("web", "web-"), -1);
  EXPECT_EQ(ordinalOf("web", "web-01"), -1);
  EXPECT_EQ(ordinalOf("web", "web-x"), -1);
  EXPECT_EQ(ordinalOf("web", "webx-1"), -1);
  EXPECT_EQ(ordinalOf("web", "web-a-1"), -1);
  EXPECT_EQ(ordinalOf("web-a", "web-a-1"), 1);
  EXPECT_EQ(podName("web", 3), "web-3");
  EXPECT_EQ(claimName(json{{"metadata", {{"name", "data"}}}}, "web", 2), "data-web-2");
}

TEST(StatefulSetRevisions, HashIsFnv1OfDataAndCollisionCountInKubernetesAlphabet) {
  // FNV-1 32 ("{}" + "0") = 777742067, each digit mapped through rand.SafeEncodeString.
  EXPECT_EQ(revisionHash("{}", 0), "cccc864bc");
  EXPECT_EQ(revisionHash("{}", 1), "cccc864bb");
  EXPECT_EQ(revisionHash(R"({"spec":{"template":{"$patch":"replace"}}})", 0), "589f85db5b");
}

TEST(StatefulSetRevisions, DataRecordsTheTemplateAndApplyRestoresIt) {
  json set = setWithPolicy("Retain", "Retain");
  json data = revisionData(set);
  EXPECT_EQ(data, (json{{"spec",
                         {{"template",
                           {{"metadata", {{"labels", {{"app", "web"}}}}},
                            {"spec", json::object()},
                            {"$patch", "replace"}}}}}}));
  json changed = set;
  changed["spec"]["template"]["spec"]["hostNetwork"] = true;
  Revision r{"web-x", 1, {{"data", data}}};
  EXPECT_EQ(applyRevision(changed, r)["spec"]["template"], set["spec"]["template"]);
}

TEST(StatefulSetPods, NewPodHasIdentityStorageAndOwner) {
  json set = setWithPolicy("Retain", "Retain");
  set["spec"]["serviceName"] = "hl";
  set["spec"]["template"]["spec"]["volumes"] =
      json::array({{{"name", "data"}, {"emptyDir", json::object()}},
                   {{"name", "conf"}, {"emptyDir", json::object()}}});
  set["spec"]["volumeClaimTemplates"] = json::array({{{"metadata", {{"name", "data"}}}}});
  json pod = newPod(set, "web-abc", 4);
  EXPECT_EQ(pod["metadata"]["name"], "web-4");
  EXPECT_EQ(pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"], "4");
  EXPECT_EQ(pod["spec"]["hostname"], "web-4");
  EXPECT_EQ(pod["spec"]["subdomain"], "hl");
  // The claim template replaces the template's volume of the same name.
  EXPECT_EQ(pod["spec"]["volumes"],
            (json::array(
                {{{"name", "conf"}, {"emptyDir", json::object()}},
                 {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-web-4"}}}}})));
}

// updateClaimOwnerRefForSetAndPod, every policy, in range and scaled down.
TEST(StatefulSetClaims, OwnerReferencesFollowTheRetentionPolicy) {
  const json pod = {{"metadata", {{"name", "web-1"}, {"uid", "pod-uid"}}}};
  auto owners = [&](const std::string& scaled, const std::string& deleted, bool inRange) {
    json claim = {{"metadata", {{"name", "data-web-1"}}}};
    setClaimOwnerRefs(claim, setWithPolicy(scaled, deleted), &pod, inRange);
    std::vector<std::string> out;
    for (const auto& r : claim["metadata"].value("ownerReferences", json::array())) {
      out.push_back(r["kind"].get<std::string>() + "/" + r["uid"].get<std::string>());
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(owners("Retain", "Retain", true), V{});
  EXPECT_EQ(owners("Retain", "Retain", false), V{});
  EXPECT_EQ(owners("Retain", "Delete", true), V{"StatefulSet/set-uid"});
  EXPECT_EQ(owners("Retain", "Delete", false), V{"StatefulSet/set-uid"});
  EXPECT_EQ(owners("Delete", "Retain", true), V{});
  EXPECT_EQ(owners("Delete", "Retain", false), V{"Pod/pod-uid"});
  EXPECT_EQ(owners("Delete", "Delete", true), V{"StatefulSet/set-uid"});
  EXPECT_EQ(owners("Delete", "Delete", false), V{"Pod/pod-uid"});
}

TEST(StatefulSetClaims, PolicyChangeRemovesReferencesItNoLongerWants) {
  json claim = {{"metadata", {{"name", "data-web-1"}}}};
  EXPECT_TRUE(setClaimOwnerRefs(claim, setWithPolicy("Retain", "Delete"), nullptr, true));
  EXPECT_FALSE(setClaimOwnerRefs(claim, setWithPolicy("Retain", "Delete"), nullptr, true));
  EXPECT_TRUE(setClaimOwnerRefs(claim, setWithPolicy("Retain", "Retain"), nullptr, true));
  EXPECT_FALSE(claim["metadata"].contains("ownerReferences"));
}

json endpointPod(const std::string& name, const std::string& ip, bool ready,
                 const json& ports = json::array()) {
  return {
      {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", name + "-uid"}}},
      {"spec", {{"containers", json::array({{{"name", "c"}, {"ports", ports}}})}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", ip},
        {"conditions", json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}})}}}};
}

TEST(EndpointModel, NamedTargetPortResolvesByNameAndProtocol) {
  const json pod =
      endpointPod("a", "198.18.0.1", true,
                  json::array({{{"name", "dns"}, {"containerPort", 53}, {"protocol", "UDP"}},
                               {{"name", "http"}, {"containerPort", 8080}}}));
  EXPECT_EQ(resolvePort(json{{"port", 80}, {"targetPort", "http"}}, pod), 8080);
  EXPECT_EQ(resolvePort(json{{"port", 80}, {"targetPort", 81}}, pod), 81);
  EXPECT_EQ(resolvePort(json{{"port", 80}}, pod), 80);
  EXPECT_EQ(resolvePort(json{{"port", 53}, {"targetPort", "dns"}}, pod), -1);  // TCP by default
  EXPECT_EQ(resolvePort(json{{"port", 53}, {"targetPort", "dns"}, {"protocol", "UDP"}}, pod), 53);
  EXPECT_EQ(resolvePort(json{{"port", 80}, {"targetPort", "none"}}, pod), -1);
}

TEST(EndpointModel, PodsWithDifferentResolvedPortsGetTheirOwnSubsetAndSlice) {
  const json service = {{"metadata", {{"name", "s"}, {"namespace", "ns"}}},
                        {"spec",
                         {{"selector", {{"app", "x"}}},
                          {"ports", json::array({{{"port", 80}, {"targetPort", "http"}}})}}}};
  std::vector<json> pods = {
      endpointPod("a", "198.18.0.2", true,
                  json::array({{{"name", "http"}, {"containerPort", 8080}}})),
      endpointPod("b", "198.18.0.1", false,
                  json::array({{{"name", "http"}, {"containerPort", 8081}}})),
      endpointPod("c", "", true, json::array({{{"name", "http"}, {"containerPort", 8080}}}))};
  auto eps = podEndpoints(service, pods);
  ASSERT_EQ(eps.size(), 2u);           // c has no podIP
  EXPECT_EQ(eps[0].ip, "198.18.0.1");  // sorted by IP
  json subsets = endpointSubsets(service, eps);
  ASSERT_EQ(subsets.size(), 2u);
  EXPECT_EQ(subsets[0]["ports"][0]["port"], 8080);
  EXPECT_EQ(subsets[0]["addresses"][0]["ip"], "198.18.0.2");
  EXPECT_EQ(subsets[1]["ports"][0]["port"], 8081);
  EXPECT_EQ(subsets[1]["notReadyAddresses"][0]["ip"], "198.18.0.1");
  auto slices = sliceContents(service, eps);
  ASSERT_EQ(slices.size(), 2u);
  EXPECT_EQ(slices[1]["endpoints"][0]["conditions"],
            (json{{"ready", false}, {"serving", false}, {"terminating", false}}));
}

TEST(EndpointModel, SlicesHoldAtMostAHundredEndpoints) {
  const json service = {{"metadata", {{"name", "s"}, {"namespace", "ns"}}},
                        {"spec", {{"selector", {{"app", "x"}}}}}};
  std::vector<json> pods;
  for (int i = 0; i < 250; ++i) {
    pods.push_back(endpointPod("p" + std::to_string(i),
                               "198.18." + std::to_string(i / 200) + "." + std::to_string(i % 200),
                               true));
  }
  auto slices = sliceContents(service, podEndpoints(service, pods));
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[0]["endpoints"].size(), 100u);
  EXPECT_EQ(slices[1]["endpoints"].size(), 100u);
  EXPECT_EQ(slices[2]["endpoints"].size(), 50u);
}

TEST(EndpointModel, NoEndpointsIsOnePlaceholderSlice) {
  const json service = {{"metadata", {{"name", "s"}, {"namespace", "ns"}}},
                        {"spec", {{"selector", {{"app", "x"}}}}}};
  auto slices = sliceContents(service, {});
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(slices[0], (json{{"ports", json::array()}, {"endpoints", json::array()}}));
  EXPECT_EQ(endpointSubsets(service, {}), json::array());
}

json jobPod(const std::string& uid, const std::string& phase, bool finalizer,
            bool deleting = false) {
  json p = {{"metadata", {{"name", "p-" + uid}, {"uid", uid}}}, {"status", {{"phase", phase}}}};
  if (finalizer) {
    p["metadata"]["finalizers"] = json::array({kJobTrackingFinalizer});
  }
  if (deleting) {
    p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  }
  return p;
}

TEST(JobCounting, FinishedPodsAreRecordedThenCountedOnceReleased) {
  json status = json::object();
  std::vector<json> pods = {jobPod("1", "Succeeded", true), jobPod("2", "Failed", true),
                            jobPod("3", "Running", true, true), jobPod("4", "Running", true),
                            jobPod("5", "Failed", false)};  // already counted earlier
  JobPods p = trackJobPods(status, pods);
  EXPECT_TRUE(p.newlyUncounted);
  EXPECT_EQ(p.active.size(), 1u);
  EXPECT_EQ(p.terminating, 1);
  EXPECT_EQ(p.toRelease.size(), 3u);
  EXPECT_EQ(status["uncountedTerminatedPods"],
            (json{{"succeeded", {"1"}}, {"failed", {"2", "3"}}}));
  EXPECT_EQ(status["succeeded"], 0);
  EXPECT_EQ(status["failed"], 0);

  // Finalizers removed (1, 2) or pod gone (3): counted, and never again.
  pods = {jobPod("1", "Succeeded", false), jobPod("2", "Failed", false),
          jobPod("4", "Running", true), jobPod("5", "Failed", false)};
  p = trackJobPods(status, pods);
  EXPECT_FALSE(p.newlyUncounted);
  EXPECT_TRUE(p.toRelease.empty());
  EXPECT_EQ(status["uncountedTerminatedPods"], json::object());
  EXPECT_EQ(status["succeeded"], 1);
  EXPECT_EQ(status["failed"], 2);
  p = trackJobPods(status, pods);
  EXPECT_EQ(status["succeeded"], 1);
  EXPECT_EQ(status["failed"], 2);
}

}  // namespace
}  // namespace mysqlop::local::controllers
