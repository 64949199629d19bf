// The controllers stopped and started again (a restart of `up`), and the API server restarted
// under them: work resumes from the API's state, nothing is created twice.
#include <gtest/gtest.h>

#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

json smallSet(const std::string& name, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"metadata", {{"name", name}, {"namespace", kNs}}},
          {"spec",
           {{"replicas", replicas},
            {"serviceName", name},
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

using RestartTest = ControllersTest;

TEST_F(RestartTest, StatefulSetResumesWhereItStoppedAfterAControllerRestart) {
  create(r::kStatefulSets, smallSet("rs", 3));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(get(r::kPods, "rs-0").has_value()));
  stopControllers();
  markReady("rs-0");
  startControllers();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(get(r::kPods, "rs-1").has_value()));
  const std::string uid0 = (*get(r::kPods, "rs-0"))["metadata"]["uid"];
  ASSERT_TRUE(eventually("three ready replicas", [&] {
    readyAll("app=rs");
    auto s = get(r::kStatefulSets, "rs");
    return s && (*s)["status"].value("readyReplicas", 0) == 3;
  }));
  EXPECT_EQ((*get(r::kPods, "rs-0"))["metadata"]["uid"], uid0);
  EXPECT_EQ(names(list(r::kPods, "app=rs")), (std::vector<std::string>{"rs-0", "rs-1", "rs-2"}));
  // One revision and three bound claims, whatever the restart interrupted.
  EXPECT_EQ(list(r::kControllerRevisions).size(), 1u);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(list(r::kVolumes).size() == 3));
}

TEST_F(RestartTest, ControllersFollowAnApiServerRestart) {
  create(r::kStatefulSets, smallSet("srv", 2));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(get(r::kPods, "srv-0").has_value()));
  auto restarted = api_.restart();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  markReady("srv-0");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(get(r::kPods, "srv-1").has_value()));
}

TEST_F(RestartTest, JobCountsPodsThatFinishedWhileTheControllersWereDown) {
  create(r::kJobs,
         {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", "down"}, {"namespace", kNs}}},
          {"spec",
           {{"completions", 2},
            {"parallelism", 2},
            {"template",
             {{"spec",
               {{"restartPolicy", "Never"},
                {"containers", json::array({{{"name", "w"}, {"image", "busybox:1"}}})}}}}}}}});
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(list(r::kPods, "job-name=down").size() == 2));
  stopControllers();
  for (const auto& p : list(r::kPods, "job-name=down")) {
    setPodStatus(p["metadata"]["name"], "Succeeded", false);
  }
  startControllers();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      !get(r::kJobs, "down")->value("status", json::object()).value("completionTime", "").empty()));
  json st = (*get(r::kJobs, "down"))["status"];
  EXPECT_EQ(st["succeeded"], 2);
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(list(r::kPods, "job-name=down").size(), 2u);
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
