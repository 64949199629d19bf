// The end of pods: deletion with grace (SIGTERM seen by a trap), SIGKILL escalation, and a stop
// and start of the node (a restart of `up`) that keeps pod IPs.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

bool exists(const std::string& path) { return std::filesystem::exists(path); }

TEST_F(KubeletEnv, DeletionWithGraceDeliversSigtermToTheContainer) {
  std::string seen = dir_ + "/term-seen";
  json p = shellPod("graceful",
                    "trap 'echo term > " + seen + "; exit 0' TERM; while true; do sleep 0.1; done");
  p["spec"]["terminationGracePeriodSeconds"] = 30;
  create(p);
  ASSERT_TRUE(waitPod("graceful", "Running", [](const json& q) { return phase(q) == "Running"; }));
  std::string uid = pod("graceful")["metadata"]["uid"];
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "graceful").ok());
  ASSERT_TRUE(eventually("pod object removed", [&] { return podGone("graceful"); }));
  EXPECT_TRUE(exists(seen));
  EXPECT_FALSE(exists(dir_ + "/pods/" + uid));
  EXPECT_TRUE(eventually(
      "Killing event", [&] { return hasEvent("graceful", "Killing", "Stopping container main"); }));
}

TEST_F(KubeletEnv, ContainerIgnoringSigtermIsKilledAfterTheGrace) {
  std::string ignored = dir_ + "/term-ignored";
  json p = shellPod("stubborn", "trap 'echo ignored > " + ignored +
                                    "' TERM; while true; do sleep 0.1; done; echo 100031");
  p["spec"]["terminationGracePeriodSeconds"] = 2;
  create(p);
  ASSERT_TRUE(waitPod("stubborn", "Running", [](const json& q) { return phase(q) == "Running"; }));
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "stubborn").ok());
  ASSERT_TRUE(eventually("pod object removed", [&] { return podGone("stubborn"); }));
  EXPECT_TRUE(exists(ignored));  // SIGTERM came first, and was ignored
  EXPECT_TRUE(pidsWith("echo 100031").empty());
}

TEST_F(KubeletEnv, DeleteWithGraceZeroOfTheRequestWins) {
  json p = shellPod("quick", "trap '' TERM; while true; do sleep 0.1; done; echo 100032");
  p["spec"]["terminationGracePeriodSeconds"] = 300;
  create(p);
  ASSERT_TRUE(waitPod("quick", "Running", [](const json& q) { return phase(q) == "Running"; }));
  kube::DeleteOptions o;
  o.gracePeriodSeconds = 1;
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "quick", o).ok());
  ASSERT_TRUE(eventually(
      "pod object removed", [&] { return podGone("quick"); }, within(std::chrono::seconds(30))));
  EXPECT_TRUE(pidsWith("echo 100032").empty());
}

TEST_F(KubeletEnv, DeletedPodHeldByAFinalizerShowsItsTerminalStatus) {
  json p = shellPod("held", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
  p["metadata"]["finalizers"] = json::array({"example.com/hold"});
  create(p);
  ASSERT_TRUE(waitPod("held", "Running", [](const json& q) { return phase(q) == "Running"; }));
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "held").ok());
  ASSERT_TRUE(waitPod("held", "Succeeded after SIGTERM", [](const json& q) {
    return phase(q) == "Succeeded" &&
           containerStatus(q)["state"]["terminated"].value("exitCode", -1) == 0;
  }));
  EXPECT_EQ(condition(pod("held"), "Ready"), "False");
  // Not checked here: that dropping the finalizer then removes the object. The kubelet's delete
  // with grace 0 should shorten deletionGracePeriodSeconds to 0 (kube-apiserver does); the local
  // API server keeps the old grace while finalizers remain, so the object stays (reported).
}

// A pod that ended has no worker left; its deletion still reaches the kubelet, which removes it.
TEST_F(KubeletEnv, EndedPodIsRemovedWhenDeleted) {
  create(shellPod("ended", "exit 0", "Never"));
  ASSERT_TRUE(waitPod("ended", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "ended").ok());
  ASSERT_TRUE(eventually("pod object removed", [&] { return podGone("ended"); }));
}

TEST_F(KubeletEnv, StopAndStartAgainResumesPodsWithTheirIp) {
  std::string trail = dir_ + "/init-runs";
  json p = shellPod("durable", "exec sleep 100033");
  p["spec"]["initContainers"] =
      json::array({{{"name", "init"},
                    {"image", "busybox"},
                    {"command", json::array({"sh", "-c", "echo init >> " + trail})}}});
  create(p);
  ASSERT_TRUE(waitPod("durable", "Running", [](const json& q) { return phase(q) == "Running"; }));
  std::string ip = pod("durable")["status"]["podIP"];
  std::string uid = pod("durable")["metadata"]["uid"];
  std::string hex;
  for (char ch : uid) {
    if (std::isxdigit(static_cast<unsigned char>(ch)) != 0 && hex.size() < 12) {
      hex += ch;
    }
  }
  std::string netns = "/run/netns/mol" + std::to_string(network_->subnets().slot) + "-" + hex;
  EXPECT_TRUE(exists(netns));
  kubelet_->stop();  // the kubelet alone: containers and namespaces go
  EXPECT_TRUE(pidsWith("sleep 100033").empty());
  EXPECT_FALSE(exists(netns));
  stopNode();
  EXPECT_TRUE(pidsWith("sleep 100033").empty());
  EXPECT_EQ(phase(pod("durable")), "Running");  // the object is untouched
  startNode();
  ASSERT_TRUE(waitPod("durable", "running again", [](const json& q) {
    json cs = containerStatus(q);
    return cs.value("restartCount", 0) == 1 && cs["state"].contains("running");
  }));
  EXPECT_EQ(pod("durable")["status"]["podIP"], ip);
  EXPECT_EQ(pidsWith("sleep 100033").size(), 1u);
  // A new sandbox runs the init containers again, as after a node restart.
  std::ifstream in(trail);
  std::stringstream runs;
  runs << in.rdbuf();
  EXPECT_EQ(runs.str(), "init\ninit\n");
  EXPECT_EQ(containerStatus(pod("durable"), "init", "initContainerStatuses")["restartCount"], 1);
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
