// Pods that run: Running+Ready, readiness gating, terminal phases, init containers, no profile.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

TEST_F(KubeletEnv, ShellPodReachesRunningAndReady) {
  create(shellPod("web", "echo hello; exec sleep 100001"));
  ASSERT_TRUE(waitPod("web", "Running and Ready", [](const json& p) {
    return phase(p) == "Running" && condition(p, "Ready") == "True" &&
           condition(p, "ContainersReady") == "True" && condition(p, "Initialized") == "True";
  }));
  json p = pod("web");
  const json st = p["status"];
  EXPECT_EQ(st["hostIP"], network_->subnets().gateway);
  std::string ip = st.value("podIP", "");
  EXPECT_EQ(ip.rfind("198.18.", 0), 0u) << ip;
  EXPECT_EQ(st["podIPs"][0]["ip"], ip);
  EXPECT_FALSE(st.value("startTime", "").empty());
  json cs = containerStatus(p);
  EXPECT_TRUE(cs["ready"].get<bool>());
  EXPECT_TRUE(cs["started"].get<bool>());
  EXPECT_EQ(cs["restartCount"], 0);
  EXPECT_EQ(cs["image"], "busybox:1.36");
  EXPECT_EQ(cs["containerID"], "local://" + p["metadata"]["uid"].get<std::string>() + "/main/0");
  EXPECT_TRUE(cs["state"].contains("running")) << cs.dump();
  // The container's output goes to the kubelet's log layout.
  std::string log =
      dir_ + "/pods/default_web_" + p["metadata"]["uid"].get<std::string>() + "/main/0.log";
  EXPECT_TRUE(eventually("log line", [&] {
    std::ifstream in(log);
    std::string line;
    std::getline(in, line);
    return line.find(" stdout F hello") != std::string::npos;
  }));
  EXPECT_TRUE(hasEvent("web", "Started", "Started container main"));
}

TEST_F(KubeletEnv, ReadinessProbeGatesReady) {
  std::string flag = dir_ + "/ready-flag";
  json p = shellPod("gated", "exec sleep 100002");
  p["spec"]["containers"][0]["readinessProbe"] = {
      {"exec", {{"command", json::array({"test", "-f", flag})}}}, {"periodSeconds", 1}};
  create(p);
  ASSERT_TRUE(waitPod("gated", "Running, not ready", [](const json& q) {
    return phase(q) == "Running" && condition(q, "Ready") == "False";
  }));
  ASSERT_TRUE(eventually("Unhealthy event",
                         [&] { return hasEvent("gated", "Unhealthy", "Readiness probe failed"); }));
  EXPECT_EQ(condition(pod("gated"), "Ready"), "False");
  std::ofstream(flag) << "ok";
  ASSERT_TRUE(waitPod("gated", "Ready", [](const json& q) {
    return condition(q, "Ready") == "True" && containerStatus(q)["ready"] == true;
  }));
  std::filesystem::remove(flag);
  ASSERT_TRUE(waitPod("gated", "not Ready after 3 failures",
                      [](const json& q) { return condition(q, "Ready") == "False"; }));
}

// A condition another writer put on the pod (the failover engine's NodeInitialized) stays when the
// kubelet writes its own.
TEST_F(KubeletEnv, ConditionsOfOtherWritersSurviveTheKubeletsWrites) {
  std::string flag = dir_ + "/ready-flag-2";
  json p = shellPod("foreign", "exec sleep 100002");
  p["spec"]["containers"][0]["readinessProbe"] = {
      {"exec", {{"command", json::array({"test", "-f", flag})}}}, {"periodSeconds", 1}};
  create(p);
  ASSERT_TRUE(waitPod("foreign", "Running, not ready", [](const json& q) {
    return phase(q) == "Running" && condition(q, "Ready") == "False";
  }));
  json current = pod("foreign");
  current["status"]["conditions"].push_back(
      {{"type", "example.com/Initialized"}, {"status", "True"}, {"reason", "DoneByAController"}});
  ASSERT_TRUE(client_->updateStatus(kube::resources::kPods, current).ok());
  std::ofstream(flag) << "ok";
  ASSERT_TRUE(
      waitPod("foreign", "Ready", [](const json& q) { return condition(q, "Ready") == "True"; }));
  EXPECT_EQ(condition(pod("foreign"), "example.com/Initialized"), "True");
  std::filesystem::remove(flag);
}

TEST_F(KubeletEnv, HttpAndTcpProbesReachThePodIp) {
  json p = shellPod("http", "");
  p["spec"]["containers"][0]["image"] = "python:3";
  p["spec"]["containers"][0]["command"] = json::array({"python3", "-m", "http.server", "8080"});
  p["spec"]["containers"][0]["ports"] = json::array({{{"name", "web"}, {"containerPort", 8080}}});
  p["spec"]["containers"][0]["readinessProbe"] = {{"httpGet", {{"path", "/"}, {"port", "web"}}},
                                                  {"periodSeconds", 1}};
  p["spec"]["containers"][0]["livenessProbe"] = {
      {"tcpSocket", {{"port", 8080}}}, {"periodSeconds", 1}, {"initialDelaySeconds", 1}};
  create(p);
  ASSERT_TRUE(waitPod("http", "Ready through httpGet",
                      [](const json& q) { return condition(q, "Ready") == "True"; }));
  EXPECT_EQ(containerStatus(pod("http"))["restartCount"], 0);
}

TEST_F(KubeletEnv, NeverWithExitOneFails) {
  create(shellPod("fails", "exit 1", "Never"));
  ASSERT_TRUE(waitPod("fails", "Failed", [](const json& q) { return phase(q) == "Failed"; }));
  json t = containerStatus(pod("fails"))["state"]["terminated"];
  EXPECT_EQ(t["exitCode"], 1);
  EXPECT_EQ(t["reason"], "Error");
  EXPECT_FALSE(t.value("finishedAt", "").empty());
  EXPECT_EQ(containerStatus(pod("fails"))["restartCount"], 0);
  EXPECT_EQ(condition(pod("fails"), "Ready"), "False");
}

TEST_F(KubeletEnv, OnFailureWithExitZeroSucceeds) {
  create(shellPod("done", "exit 0", "OnFailure"));
  ASSERT_TRUE(waitPod("done", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  EXPECT_EQ(containerStatus(pod("done"))["state"]["terminated"]["reason"], "Completed");
}

TEST_F(KubeletEnv, InitContainersRunInOrderBeforeTheContainers) {
  std::string trail = dir_ + "/trail";
  json p = shellPod("inits", "echo main >> " + trail + "; exec sleep 100003");
  p["spec"]["initContainers"] =
      json::array({{{"name", "first"},
                    {"image", "busybox"},
                    {"command", json::array({"sh", "-c", "sleep 1; echo first >> " + trail})}},
                   {{"name", "second"},
                    {"image", "busybox"},
                    {"command", json::array({"sh", "-c", "echo second >> " + trail})}}});
  create(p);
  ASSERT_TRUE(waitPod("inits", "Running", [](const json& q) {
    return phase(q) == "Running" && condition(q, "Initialized") == "True";
  }));
  ASSERT_TRUE(eventually(
      "main wrote",
      [&] {
        std::ifstream in(trail);
        std::stringstream s;
        s << in.rdbuf();
        return s.str() == "first\nsecond\nmain\n";
      },
      [&] {
        std::ifstream in(trail);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
      }));
  json q = pod("inits");
  for (const char* name : {"first", "second"}) {
    json t = containerStatus(q, name, "initContainerStatuses")["state"]["terminated"];
    EXPECT_EQ(t["exitCode"], 0) << name;
    EXPECT_EQ(t["reason"], "Completed") << name;
  }
}

TEST_F(KubeletEnv, FailingInitContainerWithNeverFailsThePod) {
  json p = shellPod("badinit", "exec sleep 100004", "Never");
  p["spec"]["initContainers"] = json::array(
      {{{"name", "init"}, {"image", "busybox"}, {"command", json::array({"sh", "-c", "exit 3"})}}});
  create(p);
  ASSERT_TRUE(waitPod("badinit", "Failed", [](const json& q) { return phase(q) == "Failed"; }));
  json q = pod("badinit");
  EXPECT_EQ(containerStatus(q, "init", "initContainerStatuses")["state"]["terminated"]["exitCode"],
            3);
  EXPECT_EQ(waitingReason(q), "PodInitializing");
  EXPECT_EQ(condition(q, "Initialized"), "False");
}

TEST_F(KubeletEnv, ImageWithoutProfileWaitsWithTheExactMessage) {
  json p = shellPod("noimage", "true");
  p["spec"]["containers"][0]["image"] = "registry.example/nosuch:1.0";
  create(p);
  ASSERT_TRUE(waitPod("noimage", "ImageNotAvailableLocally", [](const json& q) {
    return waitingReason(q) == "ImageNotAvailableLocally";
  }));
  json q = pod("noimage");
  EXPECT_EQ(
      containerStatus(q)["state"]["waiting"]["message"],
      std::string("image \"registry.example/nosuch:1.0\" has no profile in ") + kShippedProfiles);
  EXPECT_EQ(phase(q), "Pending");
}

TEST_F(KubeletEnv, LimitsAreRecordedAndTheConditionSaysTheyAreNotEnforced) {
  json p = shellPod("limited", "exec sleep 100005");
  p["spec"]["containers"][0]["resources"] = {{"limits", {{"memory", "64Mi"}, {"cpu", "100m"}}}};
  create(p);
  ASSERT_TRUE(waitPod("limited", "Running", [](const json& q) { return phase(q) == "Running"; }));
  json q = pod("limited");
  bool found = false;
  for (const auto& c : q["status"]["conditions"]) {
    if (c["type"] == "ResourceLimitsEnforced") {
      found = true;
      EXPECT_EQ(c["status"], "False");
      EXPECT_EQ(c["reason"], "CgroupV1NotDelegated");
      EXPECT_NE(c.value("message", "").find("not enforced"), std::string::npos);
    }
  }
  EXPECT_TRUE(found) << q["status"].dump();
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it

namespace mysqlop::local::kubelet::it {
namespace {

TEST_F(KubeletEnv, HostNetworkPodHasTheNodesIpAndNoNamespace) {
  json p = shellPod("hostnet", "exec sleep 100006");
  p["spec"]["hostNetwork"] = true;
  create(p);
  ASSERT_TRUE(waitPod("hostnet", "Running", [](const json& q) { return phase(q) == "Running"; }));
  EXPECT_EQ(pod("hostnet")["status"]["podIP"], network_->subnets().gateway);
  // No namespace of the cluster's slot was made for it.
  std::string slotPrefix = "mol" + std::to_string(network_->subnets().slot) + "-";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/run/netns", ec)) {
    EXPECT_NE(e.path().filename().string().rfind(slotPrefix, 0), 0u) << e.path();
  }
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it

namespace mysqlop::local::kubelet::it {
namespace {

// Status is written when it changes, not on every sync: three more probe runs (each a sync of
// the pod) leave the pod's resourceVersion where it was.
TEST_F(KubeletEnv, StatusIsNotRewrittenWhileNothingChanges) {
  std::string runs = dir_ + "/probe-runs";
  json p = shellPod("steady", "exec sleep 100007");
  p["spec"]["containers"][0]["readinessProbe"] = {
      {"exec", {{"command", json::array({"sh", "-c", "echo run >> " + runs})}}},
      {"periodSeconds", 1}};
  create(p);
  ASSERT_TRUE(
      waitPod("steady", "Ready", [](const json& q) { return condition(q, "Ready") == "True"; }));
  auto countRuns = [&] {
    std::ifstream in(runs);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
    }
    return n;
  };
  // The status write that made it Ready may still be on its way to our reads: one more probe
  // run first, then the resourceVersion to compare against.
  int before = countRuns();
  ASSERT_TRUE(eventually("one more probe run", [&] { return countRuns() >= before + 1; }));
  std::string rv = pod("steady")["metadata"]["resourceVersion"];
  int now = countRuns();
  ASSERT_TRUE(eventually("three more probe runs", [&] { return countRuns() >= now + 3; }));
  EXPECT_EQ(pod("steady")["metadata"]["resourceVersion"], rv);
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
