// `kubectl logs` end to end on a real local cluster, with the machine's kubectl and Debian's
// 1.20: running, restarted (--previous), finished (a Job) and init containers, -f until the
// container ends, --tail, --since/--since-time, --timestamps, --limit-bytes, and the errors as
// kubectl prints them. One cluster for every check (each costs seconds).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"

namespace mysqlop::testing {
namespace {

// The pods: "talker" fails once then runs (an emptyDir remembers the first run) after an init
// container that writes to stderr (one stream per container: the order of lines written to two
// pipes at once is not defined, in a CRI log as here); "clock" writes a line, then another 3 s
// later; "ticker" writes three lines over 3 s and ends; "stuck" has no image profile; "waiter"
// waits for a claim that does not exist; the Job "counter" counts to 3.
std::string manifests(const std::string& mnt) {
  return R"(apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: state, emptyDir: {}}]
  initContainers:
  - {name: setup, image: busybox:1.36, command: [sh, -c, "echo init says hi >&2"]}
  containers:
  - name: main
    image: busybox:1.36
    volumeMounts: [{name: state, mountPath: )" +
         mnt + R"(/state}]
    command: [sh, -c, "if [ -f )" +
         mnt + R"(/state/ran ]; then echo second run; exec sleep 100031; fi; touch )" + mnt +
         R"(/state/ran; echo first run; echo first words; exit 1"]
---
apiVersion: v1
kind: Pod
metadata: {name: clock}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: busybox:1.36, command: [sh, -c, "echo early; sleep 3; echo late; exec sleep 100032"]}
---
apiVersion: v1
kind: Pod
metadata: {name: stuck}
spec:
  containers:
  - {name: main, image: nosuch/image:1}
---
apiVersion: v1
kind: Pod
metadata: {name: waiter}
spec:
  volumes: [{name: d, persistentVolumeClaim: {claimName: missing}}]
  containers:
  - {name: main, image: busybox:1.36, volumeMounts: [{name: d, mountPath: )" +
         mnt + R"(/d}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: counter}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: count, image: busybox:1.36, command: [sh, -c, "for i in 1 2 3; do echo count $i; done"]}
)";
}

const char* kTicker = R"(apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  restartPolicy: Never
  containers:
  - {name: main, image: busybox:1.36, command: [sh, -c, "echo tick 1; sleep 1.5; echo tick 2; sleep 1.5; echo tick 3"]}
)";

// Polls `kubectl logs ARGS` until its stdout is `want`; "" or what was seen last.
std::string waitForLogs(const Kubectl& k, const std::vector<std::string>& args,
                        const std::string& want) {
  CommandResult last;
  std::vector<std::string> full = {"logs"};
  full.insert(full.end(), args.begin(), args.end());
  bool ok = pollUntil(
      [&] {
        last = k.run(full);
        return last.exitCode == 0 && last.out == want;
      },
      Poll{std::chrono::seconds(60), std::chrono::milliseconds(200)});
  return ok ? "" : "logs: want '" + want + "', last saw '" + last.out + "' / '" + last.err + "'";
}

// The RFC 3339 seconds of a "--timestamps" line ("2026-12-03T05:01:02.123456789Z text").
std::string secondsOf(const std::string& stampedLine) { return stampedLine.substr(0, 19) + "Z"; }

TEST(LocalUp, KubectlLogsOfEveryKindOfContainerWithBothKubectls) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  const std::string missing = Kubectl::missing(Kubectl::debian120());
  ASSERT_EQ(missing, "");
  Kubectl old(cluster.kubeconfigPath(), Kubectl::debian120());
  CommandResult applied = k.run({"apply", "-f", "-"}, manifests(cluster.dataDir() + "/mnt"));
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  EXPECT_EQ(waitForJsonpath(k, "pod talker", "{.status.containerStatuses[0].restartCount}", "1"),
            "");
  EXPECT_EQ(waitForJsonpath(k, "job counter", "{.status.succeeded}", "1"), "");
  EXPECT_EQ(waitForLogs(k, {"clock"}, "early\nlate\n"), "");

  for (const Kubectl* kc : {&k, &old}) {
    SCOPED_TRACE(kc == &k ? "kubectl" : "kubectl 1.20");
    // A running container after a restart, its previous instance, its init container.
    EXPECT_EQ(waitForLogs(*kc, {"talker", "-c", "main"}, "second run\n"), "");
    CommandResult r = kc->run({"logs", "talker", "-c", "main", "--previous"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "first run\nfirst words\n");
    r = kc->run({"logs", "talker", "-c", "setup"});
    EXPECT_EQ(r.out, "init says hi\n") << r.err;
    // A finished container: the Job's.
    r = kc->run({"logs", "job/counter"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out, "count 1\ncount 2\ncount 3\n");
    // --tail, --limit-bytes, --timestamps, --since, --since-time.
    r = kc->run({"logs", "job/counter", "--tail=2"});
    EXPECT_EQ(r.out, "count 2\ncount 3\n") << r.err;
    r = kc->run({"logs", "job/counter", "--limit-bytes=10"});
    EXPECT_EQ(r.out, "count 1\nco") << r.err;
    r = kc->run({"logs", "clock", "--timestamps"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto nl = r.out.find('\n');
    ASSERT_NE(nl, std::string::npos) << r.out;
    const std::string early = r.out.substr(0, nl);
    const std::string late = r.out.substr(nl + 1);
    // "2026-12-03T05:01:02.123456789Z early": the kubelet's RFC3339Nano prefix.
    EXPECT_EQ(early.size(), 36u) << early;
    EXPECT_EQ(early.substr(30), " early") << early;
    EXPECT_EQ(late.substr(30), " late\n") << late;
    r = kc->run({"logs", "clock", "--since=1h"});
    EXPECT_EQ(r.out, "early\nlate\n") << r.err;
    // The second of the late line is past the early one (3 s apart): only "late" is as recent.
    r = kc->run({"logs", "clock", "--since-time=" + secondsOf(late)});
    EXPECT_EQ(r.out, "late\n") << r.err;

    // The errors, as kubectl prints them.
    r = kc->run({"logs", "talker", "-c", "setup", "--previous"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err,
              "Error from server (BadRequest): previous terminated container \"setup\" in pod "
              "\"talker\" not found\n");
    r = kc->run({"logs", "stuck"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err,
              "Error from server (BadRequest): container \"main\" in pod \"stuck\" is waiting to "
              "start: ImageNotAvailableLocally\n");
    r = kc->run({"logs", "waiter"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err,
              "Error from server (BadRequest): container \"main\" in pod \"waiter\" is waiting to "
              "start: ContainerCreating\n");
    r = kc->run({"logs", "talker", "-c", "nope"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err, "error: container nope is not valid for pod talker\n");
    r = kc->run({"logs", "nope"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err, kc == &k ? "error: error from server (NotFound): pods \"nope\" not found in "
                                "namespace \"default\"\n"
                              : "Error from server (NotFound): pods \"nope\" not found\n");
    // kube-apiserver's validation of what kubectl would refuse itself.
    r = kc->run(
        {"get", "--raw", "/api/v1/namespaces/default/pods/clock/log?tailLines=-1&sinceSeconds=0"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(r.err,
              "The PodLogOptions \"clock\" is invalid: \n"
              "* tailLines: Invalid value: -1: must be greater than or equal to 0\n"
              "* sinceSeconds: Invalid value: 0: must be greater than 0\n");
  }

  // -f follows a running container and ends by itself when it ends (both kubectls at once).
  applied = k.run({"apply", "-f", "-"}, kTicker);
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  EXPECT_EQ(waitForLogs(k, {"ticker"}, "tick 1\n"), "");
  CommandResult oldFollow;
  std::thread follower([&] { oldFollow = old.run({"logs", "-f", "ticker"}, "", 60); });
  CommandResult follow = k.run({"logs", "-f", "ticker"}, "", 60);
  follower.join();
  EXPECT_EQ(follow.exitCode, 0) << follow.err;
  EXPECT_EQ(follow.out, "tick 1\ntick 2\ntick 3\n");
  EXPECT_EQ(oldFollow.exitCode, 0) << oldFollow.err;
  EXPECT_EQ(oldFollow.out, "tick 1\ntick 2\ntick 3\n");
  // It ended because the container did.
  EXPECT_EQ(jsonpath(k, "pod ticker", "{.status.containerStatuses[0].state.terminated.reason}"),
            "Completed");

  // A follower whose client leaves ends: the server closes its side (no CLOSE-WAIT is left).
  std::ifstream kubeconfig(cluster.kubeconfigPath());
  std::string port;
  for (std::string line; std::getline(kubeconfig, line);) {
    if (line.find("server: https://") != std::string::npos) {
      port = line.substr(line.rfind(':') + 1);
    }
  }
  ASSERT_FALSE(port.empty());
  auto leaving = k.start({"logs", "-f", "clock"});
  ASSERT_TRUE(leaving->waitForOutput("late"));
  leaving->stop();
  std::string waiting;
  EXPECT_TRUE(pollUntil(
      [&] {
        waiting =
            runCommand({"ss", "-Htn", "state", "close-wait", "( sport = :" + port + " )"}).out;
        return waiting.empty();
      },
      Poll{std::chrono::seconds(30), std::chrono::milliseconds(100)}))
      << waiting;

  CommandResult down = cluster.down();
  EXPECT_EQ(down.exitCode, 0) << down.err;
}

}  // namespace
}  // namespace mysqlop::testing
