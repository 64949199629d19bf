// The controllers under the API server's injected faults: lost write races (409), server errors
// (500), slow answers, dropped and expired watches. Each is retried from the cache; nothing is
// created twice and the end state is the same as without faults.
#include <gtest/gtest.h>

#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

json claimedSet(const std::string& name, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", name}, {"namespace", kNs}}},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", name},
            {"podManagementPolicy", "Parallel"},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", json::array({{{"name", "m"}, {"image", "busybox:1"}}})}}}}},
            {"volumeClaimTemplates",
             json::array({{{"metadata", {{"name", "data"}}},
                           {"spec",
                            {{"accessModes", json::array({"ReadWriteOnce"})},
                             {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}})}}}};
}

class FaultsTest : public ControllersTest {
 protected:
  // How many injected write failures are still to come.
  int pendingFailures() {
    auto st = api_.status();
    EXPECT_TRUE(st.ok());
    return st.ok() ? (*st)["faults"]["failWrites"].value("count", -1) : -1;
  }
  ::testing::AssertionResult converged(const std::string& app, int replicas) {
    return eventually(std::to_string(replicas) + " ready replicas, bound claims", [&] {
      readyAll("app=" + app);
      auto s = get(r::kStatefulSets, app);
      int bound = 0;
      for (const auto& c : list(r::kClaims, "app=" + app)) {
        bound += c["status"].value("phase", "") == "Bound" ? 1 : 0;
      }
      return s && (*s)["status"].value("readyReplicas", 0) == replicas && bound == replicas;
    });
  }
};

TEST_F(FaultsTest, ConflictsOnEveryKindOfWriteAreRetried) {
  create(r::kStatefulSets, claimedSet("c", 3));
  // The next writes lose their race, whoever makes them: revisions, claims, volumes, pods, status.
  ASSERT_TRUE(api_.failNextWrites(6, 409).ok());
  ASSERT_TRUE(converged("c", 3));
  EXPECT_EQ(pendingFailures(), 0);
  // Claims alone: the claim of c-3 is created on the fourth try.
  ASSERT_TRUE(api_.failNextWrites(3, 409, "persistentvolumeclaims").ok());
  modify(r::kStatefulSets, "c", [](json& o) { o["spec"]["replicas"] = 4; });
  ASSERT_TRUE(converged("c", 4));
  EXPECT_EQ(pendingFailures(), 0);
  EXPECT_EQ(names(list(r::kPods, "app=c")), (std::vector<std::string>{"c-0", "c-1", "c-2", "c-3"}));
  EXPECT_EQ(list(r::kVolumes).size(), 4u);
  EXPECT_EQ(list(r::kControllerRevisions).size(), 1u);
}

TEST_F(FaultsTest, ServerErrorsAreRetriedAndReported) {
  ASSERT_TRUE(api_.failNextWrites(1, 500, "pods").ok());
  create(r::kStatefulSets, claimedSet("e", 1));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(get(r::kPods, "e-0").has_value()));
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("e", "FailedCreate", &message)));
  EXPECT_EQ(
      message,
      "create Pod e-0 in StatefulSet e failed error: Internal error occurred: injected fault");
}

TEST_F(FaultsTest, JobCreatesNoExtraPodsThroughWatchLossAndSlowAnswers) {
  ASSERT_TRUE(api_.delayResponses(50).ok());
  create(r::kJobs,
         {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", "w"}, {"namespace", kNs}}},
          {"spec",
           {{"completions", 3},
            {"parallelism", 3},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers", json::array({{{"name", "w"}, {"image", "busybox:1"}}})}}}}}}}});
  ASSERT_TRUE(api_.closeWatches().ok());
  ASSERT_TRUE(api_.expireNextWatches(3).ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(list(r::kPods, "job-name=w").size() == 3));
  ASSERT_TRUE(api_.delayResponses(0).ok());
  for (const auto& p : list(r::kPods, "job-name=w")) {
    setPodStatus(p["metadata"]["name"], "Succeeded", false);
  }
  ASSERT_TRUE(MYSQLOP_EVENTUALLY((*get(r::kJobs, "w"))["status"].value("succeeded", 0) == 3));
  // Never more pods than completions: expectations held the syncs that ran on a stale cache.
  EXPECT_EQ(list(r::kPods, "job-name=w").size(), 3u);
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
