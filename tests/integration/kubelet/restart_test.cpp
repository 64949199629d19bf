// Restarts: a killed container comes back, a crashing one backs off, liveness failures restart.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

TEST_F(KubeletEnv, SigkilledContainerRestartsWithRestartCountOne) {
  create(shellPod("victim", "exec sleep 100011"));
  ASSERT_TRUE(waitPod("victim", "Running", [](const json& q) { return phase(q) == "Running"; }));
  std::vector<pid_t> pids;
  ASSERT_TRUE(eventually("the container's process", [&] {
    pids = pidsWith("sleep 100011");
    return pids.size() == 1;
  }));
  ASSERT_EQ(::kill(pids[0], SIGKILL), 0);
  ASSERT_TRUE(waitPod("victim", "restarted once and running", [](const json& q) {
    json cs = containerStatus(q);
    return cs.value("restartCount", 0) == 1 && cs["state"].contains("running");
  }));
  json cs = containerStatus(pod("victim"));
  json last = cs["lastState"]["terminated"];
  EXPECT_EQ(last["exitCode"], 137) << cs.dump();
  EXPECT_EQ(last["reason"], "Error");
  std::string uid = pod("victim")["metadata"]["uid"];
  EXPECT_EQ(last["containerID"], "local://" + uid + "/main/0");
  EXPECT_EQ(cs["containerID"], "local://" + uid + "/main/1");
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/pods/default_victim_" + uid + "/main/1.log"));
  EXPECT_EQ(phase(pod("victim")), "Running");
}

TEST_F(KubeletEnv, CrashingContainerBacksOff) {
  create(shellPod("crasher", "echo crash; exit 2"));
  ASSERT_TRUE(waitPod("crasher", "CrashLoopBackOff",
                      [](const json& q) { return waitingReason(q) == "CrashLoopBackOff"; }));
  json q = pod("crasher");
  json cs = containerStatus(q);
  EXPECT_GE(cs["restartCount"].get<int>(), 1);
  EXPECT_EQ(cs["lastState"]["terminated"]["exitCode"], 2);
  EXPECT_NE(cs["state"]["waiting"]
                .value("message", "")
                .find("back-off 10s restarting failed "
                      "container=main pod=crasher_default"),
            std::string::npos)
      << cs.dump();
  EXPECT_EQ(phase(q), "Running");  // restartPolicy Always: the pod keeps running
  EXPECT_EQ(condition(q, "Ready"), "False");
  EXPECT_TRUE(eventually("BackOff event", [&] {
    return hasEvent("crasher", "BackOff", "Back-off restarting failed container main");
  }));
}

TEST_F(KubeletEnv, LivenessFailureRestartsTheContainer) {
  std::string flag = dir_ + "/alive";
  std::ofstream(flag) << "ok";
  json p = shellPod("liveness", "exec sleep 100012");
  p["spec"]["containers"][0]["livenessProbe"] = {
      {"exec", {{"command", json::array({"cat", flag})}}},
      {"periodSeconds", 1},
      {"failureThreshold", 2}};
  p["spec"]["terminationGracePeriodSeconds"] = 1;
  create(p);
  ASSERT_TRUE(waitPod("liveness", "Running", [](const json& q) { return phase(q) == "Running"; }));
  std::filesystem::remove(flag);
  ASSERT_TRUE(waitPod("liveness", "restarted", [](const json& q) {
    return containerStatus(q).value("restartCount", 0) >= 1;
  }));
  EXPECT_TRUE(hasEvent("liveness", "Unhealthy", "Liveness probe failed: cat: "));
  EXPECT_TRUE(hasEvent("liveness", "Killing",
                       "Container main failed liveness probe, will be "
                       "restarted"));
  std::ofstream(flag) << "ok";
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
