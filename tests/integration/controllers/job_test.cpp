// The Job controller against a real API server; the test plays the kubelet.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

json job(const std::string& name, int completions, int parallelism, int backoffLimit,
         const std::string& restartPolicy = "Never") {
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", name}, {"namespace", kNs}}},
          {"spec",
           {{"completions", completions},
            {"parallelism", parallelism},
            {"backoffLimit", backoffLimit},
            {"template",
             {{"metadata", {{"labels", {{"role", "worker"}}}}},
              {"spec",
               {{"restartPolicy", restartPolicy},
                {"containers", json::array({{{"name", "w"}, {"image", "busybox:1"}}})}}}}}}}};
}

class JobTest : public ControllersTest {
 protected:
  json status(const std::string& name) {
    auto j = get(r::kJobs, name);
    return j ? j->value("status", json::object()) : json::object();
  }
  std::vector<json> pods(const std::string& jobName) {
    return list(r::kPods, "job-name=" + jobName);
  }
  std::vector<json> activePods(const std::string& jobName) {
    std::vector<json> out;
    for (auto& p : pods(jobName)) {
      const std::string phase = p.value("status", json::object()).value("phase", "");
      if (phase != "Succeeded" && phase != "Failed" &&
          !p["metadata"].contains("deletionTimestamp")) {
        out.push_back(p);
      }
    }
    return out;
  }
  // The conditions without their times, in order.
  static json conditions(const json& status) {
    json out = json::array();
    for (const auto& c : status.value("conditions", json::array())) {
      out.push_back({{"type", c["type"]},
                     {"status", c["status"]},
                     {"reason", c["reason"]},
                     {"message", c["message"]}});
    }
    return out;
  }
  std::string podName(const json& p) { return p["metadata"]["name"]; }
};

TEST_F(JobTest, SucceedsAfterCompletionsWithAtMostParallelismPods) {
  json created = create(r::kJobs, job("calc", 3, 2, 6));
  const std::string uid = created["metadata"]["uid"];
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("calc").size() == 2));
  json pod = pods("calc")[0];
  EXPECT_EQ(podName(pod).rfind("calc-", 0), 0u) << podName(pod);
  EXPECT_EQ(pod["metadata"]["generateName"], "calc-");
  EXPECT_EQ(pod["metadata"]["labels"], (json{{"role", "worker"},
                                             {"controller-uid", uid},
                                             {"batch.kubernetes.io/controller-uid", uid},
                                             {"job-name", "calc"},
                                             {"batch.kubernetes.io/job-name", "calc"}}));
  EXPECT_EQ(pod["metadata"]["ownerReferences"], (json::array({{{"apiVersion", "batch/v1"},
                                                               {"kind", "Job"},
                                                               {"name", "calc"},
                                                               {"uid", uid},
                                                               {"controller", true},
                                                               {"blockOwnerDeletion", true}}})));
  EXPECT_EQ(pod["metadata"]["finalizers"], json::array({"batch.kubernetes.io/job-tracking"}));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("calc").value("active", -1) == 2));
  json st = status("calc");
  EXPECT_FALSE(st.value("startTime", "").empty());
  EXPECT_EQ(st["succeeded"], 0);
  EXPECT_EQ(st["failed"], 0);

  // One succeeds: one more pod (2 left to do, parallelism 2).
  markReady(podName(activePods("calc")[0]));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("calc").value("ready", -1) == 1));
  setPodStatus(podName(activePods("calc")[0]), "Succeeded", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("calc").value("succeeded", -1) == 1 &&
                                 activePods("calc").size() == 2));
  EXPECT_EQ(pods("calc").size(), 3u);
  // Two more: one left to do, so only one pod runs.
  setPodStatus(podName(activePods("calc")[0]), "Succeeded", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("calc").value("succeeded", -1) == 2 &&
                                 status("calc").value("active", -1) == 1));
  EXPECT_EQ(activePods("calc").size(), 1u);
  setPodStatus(podName(activePods("calc")[0]), "Succeeded", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!status("calc").value("completionTime", "").empty()));
  st = status("calc");
  EXPECT_EQ(st["succeeded"], 3);
  EXPECT_EQ(st["active"], 0);
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(conditions(st),
            (json::array({{{"type", "SuccessCriteriaMet"},
                           {"status", "True"},
                           {"reason", "CompletionsReached"},
                           {"message", "Reached expected number of succeeded pods"}},
                          {{"type", "Complete"},
                           {"status", "True"},
                           {"reason", "CompletionsReached"},
                           {"message", "Reached expected number of succeeded pods"}}})));
  EXPECT_EQ(pods("calc").size(), 3u);
}

TEST_F(JobTest, FailsAfterBackoffLimitWithRestartPolicyNever) {
  create(r::kJobs, job("flaky", 1, 1, 1));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("flaky").size() == 1));
  setPodStatus(podName(activePods("flaky")[0]), "Failed", false);
  // failed 1 is not more than backoffLimit 1: a replacement comes (after the backoff).
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("flaky").value("failed", -1) == 1 &&
                                 activePods("flaky").size() == 1));
  EXPECT_FALSE(status("flaky").contains("conditions") && !status("flaky")["conditions"].empty());
  setPodStatus(podName(activePods("flaky")[0]), "Failed", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(conditions(status("flaky")).size() == 2));
  json st = status("flaky");
  EXPECT_EQ(conditions(st),
            (json::array({{{"type", "FailureTarget"},
                           {"status", "True"},
                           {"reason", "BackoffLimitExceeded"},
                           {"message", "Job has reached the specified backoff limit"}},
                          {{"type", "Failed"},
                           {"status", "True"},
                           {"reason", "BackoffLimitExceeded"},
                           {"message", "Job has reached the specified backoff limit"}}})));
  EXPECT_EQ(st["failed"], 2);
  EXPECT_EQ(st["active"], 0);
  EXPECT_EQ(st["succeeded"], 0);
  EXPECT_FALSE(st.contains("completionTime"));
  EXPECT_TRUE(activePods("flaky").empty());
}

TEST_F(JobTest, RestartsCountAgainstBackoffLimitWithRestartPolicyOnFailure) {
  create(r::kJobs, job("restarts", 1, 1, 2, "OnFailure"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("restarts").size() == 1));
  const std::string pod = podName(activePods("restarts")[0]);
  setPodStatus(pod, "Running", true, "", 1);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("restarts").value("ready", -1) == 1));
  EXPECT_TRUE(conditions(status("restarts")).empty());
  setPodStatus(pod, "Running", true, "", 2);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(conditions(status("restarts")).size() == 2));
  EXPECT_EQ(conditions(status("restarts"))[1],
            (json{{"type", "Failed"},
                  {"status", "True"},
                  {"reason", "BackoffLimitExceeded"},
                  {"message", "Job has reached the specified backoff limit"}}));
  // The running pod of a failed Job is deleted.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(pods("restarts").empty()));
}

TEST_F(JobTest, FailsAtItsActiveDeadline) {
  json j = job("slow", 2, 2, 6);
  j["spec"]["activeDeadlineSeconds"] = 1;
  create(r::kJobs, j);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(conditions(status("slow")).size() == 2));
  json st = status("slow");
  EXPECT_EQ(conditions(st),
            (json::array({{{"type", "FailureTarget"},
                           {"status", "True"},
                           {"reason", "DeadlineExceeded"},
                           {"message", "Job was active longer than specified deadline"}},
                          {{"type", "Failed"},
                           {"status", "True"},
                           {"reason", "DeadlineExceeded"},
                           {"message", "Job was active longer than specified deadline"}}})));
  EXPECT_EQ(st["active"], 0);
  // The two pods killed at the deadline count as failed, as in Kubernetes.
  EXPECT_EQ(st["failed"], 2);
  EXPECT_TRUE(pods("slow").empty());
}

TEST_F(JobTest, FinishedJobIsDeletedAfterItsTtlWithItsPods) {
  json j = job("short", 1, 1, 6);
  j["spec"]["ttlSecondsAfterFinished"] = 1;
  create(r::kJobs, j);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("short").size() == 1));
  setPodStatus(podName(activePods("short")[0]), "Succeeded", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!status("short").value("completionTime", "").empty()));
  // Deleted with propagation Background: the garbage collector takes the pods too.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!get(r::kJobs, "short").has_value() && pods("short").empty()));
}

TEST_F(JobTest, LoweringParallelismDeletesExtraPods) {
  create(r::kJobs, job("wide", 4, 3, 6));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("wide").size() == 3));
  modify(r::kJobs, "wide", [](json& j) { j["spec"]["parallelism"] = 1; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("wide").size() == 1 &&
                                 status("wide").value("active", -1) == 1));
}

TEST_F(JobTest, FailedPodIsCountedOnceEvenWhenDeletedRightAway) {
  create(r::kJobs, job("count", 1, 1, 6));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("count").size() == 1));
  const std::string first = podName(activePods("count")[0]);
  setPodStatus(first, "Failed", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("count").value("failed", -1) == 1));
  // Counted, then released: the finalizer is gone and uncounted is empty again.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!get(r::kPods, first)->at("metadata").contains("finalizers") &&
                                 status("count").value("uncountedTerminatedPods", json()) ==
                                     json::object()));
  remove(r::kPods, first);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("count").size() == 1 &&
                                 podName(activePods("count")[0]) != first));
  setPodStatus(podName(activePods("count")[0]), "Failed", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("count").value("failed", -1) == 2));
  // A running pod deleted by someone else counts as failed too (it will never succeed).
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("count").size() == 1));
  remove(r::kPods, podName(activePods("count")[0]));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(status("count").value("failed", -1) == 3));
}

TEST_F(JobTest, DeletedJobsPodsAreReleasedAndCollected) {
  create(r::kJobs, job("gone", 2, 2, 6));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("gone").size() == 2));
  remove(r::kJobs, "gone", kNs, "Background");
  // The garbage collector deletes the pods; their tracking finalizer must not hold them.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(pods("gone").empty()));
}

TEST_F(JobTest, ForegroundDeletionOfARunningJobCompletes) {
  create(r::kJobs, job("fg", 2, 2, 6));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("fg").size() == 2));
  remove(r::kJobs, "fg", kNs, "Foreground");
  // The Job waits for its pods, the pods for their tracking finalizer: the controller lets go.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(pods("fg").empty() && !get(r::kJobs, "fg").has_value()));
}

TEST_F(JobTest, SuspendedJobRunsNothingUntilResumed) {
  json j = job("later", 2, 2, 6);
  j["spec"]["suspend"] = true;
  create(r::kJobs, j);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(conditions(status("later")).size() == 1));
  EXPECT_EQ(conditions(status("later"))[0], (json{{"type", "Suspended"},
                                                  {"status", "True"},
                                                  {"reason", "JobSuspended"},
                                                  {"message", "Job suspended"}}));
  EXPECT_FALSE(status("later").contains("startTime"));
  EXPECT_TRUE(pods("later").empty());

  modify(r::kJobs, "later", [](json& o) { o["spec"]["suspend"] = false; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("later").size() == 2));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!conditions(status("later")).empty() &&
                                 conditions(status("later"))[0]["status"] == "False"));
  EXPECT_EQ(conditions(status("later"))[0], (json{{"type", "Suspended"},
                                                  {"status", "False"},
                                                  {"reason", "JobResumed"},
                                                  {"message", "Job resumed"}}));
  EXPECT_FALSE(status("later").value("startTime", "").empty());

  // Suspended again: the running pods are stopped, and that is no failure.
  modify(r::kJobs, "later", [](json& o) { o["spec"]["suspend"] = true; });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(pods("later").empty()));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(conditions(status("later"))[0]["status"] == "True"));
  EXPECT_EQ(status("later").value("failed", -1), 0);
  EXPECT_EQ(status("later").value("active", -1), 0);
  auto all = events("later");
  EXPECT_NE(std::find(all.begin(), all.end(), "Normal Suspended: Job suspended"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "Normal Resumed: Job resumed"), all.end());
}

TEST_F(JobTest, PodTheServerRejectsIsReportedInAnEvent) {
  json j = job("broken", 1, 1, 6);
  j["spec"]["template"]["spec"]["containers"] = json::array();
  create(r::kJobs, j);
  std::string message;
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("broken", "FailedCreate", &message)));
  // The server names the pod it generated (generateName "broken-" plus 5 characters).
  EXPECT_THAT(message, ::testing::MatchesRegex("Error creating: Pod \"broken-[a-z0-9]{5}\" is "
                                               "invalid: spec\\.containers: Required value"));
  EXPECT_TRUE(pods("broken").empty());
}

TEST_F(JobTest, EventsTellTheJobsStory) {
  create(r::kJobs, job("story", 1, 1, 0));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(activePods("story").size() == 1));
  const std::string pod = podName(activePods("story")[0]);
  setPodStatus(pod, "Failed", false);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(hasEvent("story", "BackoffLimitExceeded")));
  EXPECT_EQ(events("story"),
            (std::vector<std::string>{
                "Normal SuccessfulCreate: Created pod: " + pod,
                "Warning BackoffLimitExceeded: Job has reached the specified backoff limit"}));
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
