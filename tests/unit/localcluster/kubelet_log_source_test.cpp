// Which container instance `kubectl logs` reads, and the kubelet's error texts when there is
// none (validateContainerLogStatus).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "localcluster/kubelet/log_source.h"

namespace mysqlop::local::kubelet {
namespace {

using nlohmann::json;

json podWith(const json& status, const char* list = "containerStatuses") {
  json s = status;
  s["name"] = "c";
  return {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u-1"}}},
          {"status", {{list, json::array({s})}}}};
}

std::string error(const json& pod, bool previous) {
  auto r = containerLogSource(pod, "c", previous);
  return r.ok() ? "ok " + std::to_string(r->instance) : r.error().message;
}

int instance(const json& pod, bool previous) {
  auto r = containerLogSource(pod, "c", previous);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r->instance : -1;
}

TEST(KubeletLogSource, RunningReadsTheCurrentInstancePreviousTheLastTerminated) {
  json running = podWith({{"containerID", "local://u-1/c/3"},
                          {"state", {{"running", {{"startedAt", "x"}}}}},
                          {"lastState", {{"terminated", {{"containerID", "local://u-1/c/2"}}}}}});
  EXPECT_EQ(instance(running, false), 3);
  EXPECT_EQ(instance(running, true), 2);
  auto r = containerLogSource(running, "c", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->containerId, "local://u-1/c/3");
}

TEST(KubeletLogSource, TerminatedAndCrashLoopingContainers) {
  json done = podWith({{"state", {{"terminated", {{"containerID", "local://u-1/c/0"}}}}}});
  EXPECT_EQ(instance(done, false), 0);
  // Waiting for its next start (CrashLoopBackOff): the last terminated instance.
  json backoff = podWith({{"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
                          {"lastState", {{"terminated", {{"containerID", "local://u-1/c/4"}}}}}});
  EXPECT_EQ(instance(backoff, false), 4);
  EXPECT_EQ(instance(backoff, true), 4);
  // Terminated without an ID (it never started again): the last one that had one.
  json noId = podWith({{"state", {{"terminated", {{"exitCode", 1}}}}},
                       {"lastState", {{"terminated", {{"containerID", "local://u-1/c/1"}}}}}});
  EXPECT_EQ(instance(noId, false), 1);
}

TEST(KubeletLogSource, InitContainersCount) {
  json init = podWith({{"state", {{"terminated", {{"containerID", "local://u-1/c/0"}}}}}},
                      "initContainerStatuses");
  EXPECT_EQ(instance(init, false), 0);
}

TEST(KubeletLogSource, TheKubeletsErrors) {
  json none = {{"metadata", {{"name", "p"}}}, {"status", json::object()}};
  EXPECT_EQ(error(none, false), "container \"c\" in pod \"p\" is not available");
  json creating = podWith({{"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}});
  EXPECT_EQ(error(creating, false),
            "container \"c\" in pod \"p\" is waiting to start: ContainerCreating");
  EXPECT_EQ(error(creating, true), "previous terminated container \"c\" in pod \"p\" not found");
  json pull = podWith({{"state", {{"waiting", {{"reason", "ErrImagePull"}}}}}});
  EXPECT_EQ(error(pull, false),
            "container \"c\" in pod \"p\" is waiting to start: image can't be pulled");
  json backoff = podWith({{"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}});
  EXPECT_EQ(error(backoff, false),
            "container \"c\" in pod \"p\" is waiting to start: trying and failing to pull image");
  json neverStarted = podWith({{"state", {{"terminated", {{"exitCode", 128}}}}}});
  EXPECT_EQ(error(neverStarted, false), "container \"c\" in pod \"p\" is terminated");
  json empty = podWith({{"state", json::object()}});
  EXPECT_EQ(error(empty, false), "container \"c\" in pod \"p\" is waiting to start - no logs yet");
  json foreign =
      podWith({{"containerID", "containerd://abc"}, {"state", {{"running", json::object()}}}});
  EXPECT_EQ(error(foreign, false),
            "container \"c\" in pod \"p\" has an unknown container ID \"containerd://abc\"");
}

TEST(KubeletLogSource, PathOfAnInstance) {
  json pod = {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u-1"}}}};
  EXPECT_EQ(containerLogPath("/data", pod, "c", 2), "/data/pods/ns_p_u-1/c/2.log");
}

}  // namespace
}  // namespace mysqlop::local::kubelet
