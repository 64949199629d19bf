// The termination message: what a container writes to /dev/termination-log (or its own
// terminationMessagePath) is its terminated state's message, and its lastState's after a
// restart; FallbackToLogsOnError gives the log tail of a failed container that wrote nothing.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

TEST_F(KubeletEnv, TerminationLogBecomesTheTerminatedMessage) {
  create(shellPod("msg",
                  "test -s /dev/termination-log && exit 9; printf '{\"phase\":\"Complete\"}' "
                  "> /dev/termination-log; echo not this; exit 0",
                  "Never"));
  ASSERT_TRUE(waitPod("msg", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  json t = containerStatus(pod("msg"))["state"]["terminated"];
  EXPECT_EQ(t["exitCode"], 0) << t.dump();
  EXPECT_EQ(t["message"], R"({"phase":"Complete"})");
}

TEST_F(KubeletEnv, TerminationMessageIsCutAt4096BytesAndKeptInLastState) {
  // Writes 5000 bytes to its own path, then exits 1 once the test says so (and at once after).
  const std::string flag = dir_ + "/exit-now";
  json p = shellPod("big",
                    "head -c 5000 /dev/zero | tr '\\0' y > /msg/termination-log; "
                    "while [ ! -f " +
                        flag + " ]; do sleep 0.1; done; exit 1",
                    "Always");
  // Under a volume: the file is bound inside the volume's directory, not on the host's /.
  p["spec"]["volumes"] = json::array({{{"name", "msg"}, {"emptyDir", json::object()}}});
  p["spec"]["containers"][0]["volumeMounts"] =
      json::array({{{"name", "msg"}, {"mountPath", "/msg"}}});
  p["spec"]["containers"][0]["terminationMessagePath"] = "/msg/termination-log";
  create(p);
  ASSERT_TRUE(waitPod("big", "Running", [](const json& q) { return phase(q) == "Running"; }));
  std::ofstream(flag) << "x";
  ASSERT_TRUE(waitPod("big", "restarted", [](const json& q) {
    return containerStatus(q).value("restartCount", 0) >= 1 &&
           containerStatus(q)["lastState"].contains("terminated");
  }));
  json last = containerStatus(pod("big"))["lastState"]["terminated"];
  EXPECT_EQ(last["exitCode"], 1);
  EXPECT_EQ(last["message"], std::string(4096, 'y'));
}

TEST_F(KubeletEnv, FallbackToLogsOnErrorUsesTheLogTailOfAFailure) {
  // One stream: stdout and stderr are separate pipes, so their relative order is not kept.
  json p = shellPod("fallback", "echo first >&2; echo the cause >&2; exit 4", "Never");
  p["spec"]["containers"][0]["terminationMessagePolicy"] = "FallbackToLogsOnError";
  create(p);
  ASSERT_TRUE(waitPod("fallback", "Failed", [](const json& q) { return phase(q) == "Failed"; }));
  json t = containerStatus(pod("fallback"))["state"]["terminated"];
  EXPECT_EQ(t["exitCode"], 4);
  EXPECT_EQ(t["message"], "first\nthe cause\n");

  // A success does not fall back: no message.
  json ok = shellPod("fallback-ok", "echo fine; exit 0", "Never");
  ok["spec"]["containers"][0]["terminationMessagePolicy"] = "FallbackToLogsOnError";
  create(ok);
  ASSERT_TRUE(
      waitPod("fallback-ok", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  EXPECT_FALSE(containerStatus(pod("fallback-ok"))["state"]["terminated"].contains("message"));
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
