// Startup probes and lifecycle hooks.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

TEST_F(KubeletEnv, StartupProbeHoldsStartedAndReadyUntilItPasses) {
  std::string flag = dir_ + "/started-flag";
  json p = shellPod("slowstart", "exec sleep 100051");
  p["spec"]["containers"][0]["startupProbe"] = {
      {"exec", {{"command", json::array({"test", "-f", flag})}}},
      {"periodSeconds", 1},
      {"failureThreshold", 600}};
  p["spec"]["containers"][0]["livenessProbe"] = {
      {"exec", {{"command", json::array({"test", "-f", flag})}}}, {"periodSeconds", 1}};
  create(p);
  ASSERT_TRUE(waitPod("slowstart", "Running, not started", [](const json& q) {
    return phase(q) == "Running" && containerStatus(q)["started"] == false;
  }));
  ASSERT_TRUE(eventually("Unhealthy event of the startup probe", [&] {
    return hasEvent("slowstart", "Unhealthy", "Startup probe failed");
  }));
  EXPECT_EQ(condition(pod("slowstart"), "Ready"), "False");
  std::ofstream(flag) << "ok";
  ASSERT_TRUE(waitPod("slowstart", "started and ready", [](const json& q) {
    json cs = containerStatus(q);
    return cs["started"] == true && cs["ready"] == true && condition(q, "Ready") == "True";
  }));
  EXPECT_EQ(containerStatus(pod("slowstart"))["restartCount"], 0);
}

TEST_F(KubeletEnv, PreStopHookRunsInsideTheContainerBeforeItStops) {
  std::string mark = dir_ + "/prestop";
  json p = shellPod("hooked", "trap 'exit 0' TERM; while true; do sleep 0.1; done");
  p["spec"]["containers"][0]["lifecycle"] = {
      {"preStop", {{"exec", {{"command", json::array({"sh", "-c", "hostname > " + mark})}}}}}};
  create(p);
  ASSERT_TRUE(waitPod("hooked", "Running", [](const json& q) { return phase(q) == "Running"; }));
  ASSERT_TRUE(client_->remove(kube::resources::kPods, "default", "hooked").ok());
  ASSERT_TRUE(eventually("pod object removed", [&] { return podGone("hooked"); }));
  std::ifstream in(mark);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "hooked");  // ran in the container's UTS namespace
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
