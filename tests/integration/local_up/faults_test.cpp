// `mysql-operator-local fault` on a real local cluster, seen from a peer pod: partition makes new
// and established connections hang (time out, no reset, no "no route to host") and heal restores
// the pod's links exactly; freeze stops every process of the pod, thaw resumes them; kill ends a
// container (the peer sees its connection closed) and the kubelet restarts it. Every bad input
// is one line, asserted exactly.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {
namespace {

// Pod `faults/echo`: container `echo` (a TCP echo server on 7000) and `side` (a shell with two
// children), so that freeze has a process tree to stop in more than one container.
constexpr const char* kEchoPod = R"(apiVersion: v1
kind: Namespace
metadata: {name: faults}
---
apiVersion: v1
kind: Pod
metadata: {name: echo, namespace: faults}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: echo
    image: debian:12
    command:
    - python3
    - -c
    - |
      import socket, threading
      s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind(('0.0.0.0', 7000)); s.listen(64)
      def serve(c):
          while True:
              d = c.recv(4096)
              if not d: return
              c.sendall(d)
      while True:
          c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
  - name: side
    image: debian:12
    command: [sh, -c, 'sleep 100000 & sleep 100000 & wait']
)";

// The peer pod runs commands the test drops as files DIR/cmd-<n> ("VERB SECONDS") and answers
// each in DIR/result-<n>: open (a long-lived connection), echo (a round trip on it), request (a
// new connection and a round trip). Outcomes: ok, timeout, closed, reset, refused or the errno
// name (EHOSTUNREACH...). A container sees the host's root, so DIR is a directory of the test's.
std::string peerPod(const std::string& targetIp, const std::string& dir) {
  return R"(apiVersion: v1
kind: Pod
metadata: {name: peer, namespace: faults}
spec:
  restartPolicy: Never
  containers:
  - name: peer
    image: debian:12
    args: [")" +
         targetIp + R"(", ")" + dir + R"("]
    command:
    - python3
    - -c
    - |
      import errno, os, socket, sys, time
      target, d = sys.argv[1], sys.argv[2]
      est, n, token = None, 0, 0
      def roundtrip(c, t):
          global token
          token += 1
          want = b'<%d>' % token
          c.settimeout(t)
          c.sendall(want)
          got = b''
          while want not in got:  # replies to earlier (lost) requests may come first
              part = c.recv(4096)
              if not part: return 'closed'
              got += part
          return 'ok'
      def run(verb, t):
          global est
          if verb == 'open':
              est = socket.create_connection((target, 7000), timeout=t); return 'ok'
          if verb == 'echo':
              return roundtrip(est, t)
          c = socket.create_connection((target, 7000), timeout=t)
          try: return roundtrip(c, t)
          finally: c.close()
      while True:
          cmd = os.path.join(d, 'cmd-%d' % n)
          if not os.path.exists(cmd):
              time.sleep(0.05); continue
          verb, secs = open(cmd).read().split()
          start = time.time()
          try: out = run(verb, float(secs))
          except socket.timeout: out = 'timeout'
          except ConnectionResetError: out = 'reset'
          except ConnectionRefusedError: out = 'refused'
          except OSError as e: out = errno.errorcode.get(e.errno, str(e))
          with open(os.path.join(d, 'tmp'), 'w') as f: f.write('%s %.1f' % (out, time.time() - start))
          os.rename(os.path.join(d, 'tmp'), os.path.join(d, 'result-%d' % n))
          n += 1
  )";
}

class Peer {
 public:
  explicit Peer(std::string dir) : dir_(std::move(dir)) {}
  // The outcome word of one command ("ok", "timeout", ...), "no answer" if the peer never wrote.
  std::string run(const std::string& verb, int seconds) {
    const int n = next_++;
    { std::ofstream(dir_ + "/cmd-tmp") << verb << " " << seconds; }
    std::filesystem::rename(dir_ + "/cmd-tmp", dir_ + "/cmd-" + std::to_string(n));
    const std::string result = dir_ + "/result-" + std::to_string(n);
    if (!pollUntil([&] { return std::filesystem::exists(result); },
                   Poll{std::chrono::seconds(seconds + 30), std::chrono::milliseconds(50)})) {
      return "no answer";
    }
    std::ifstream in(result);
    std::string outcome;
    in >> outcome >> lastSeconds;
    return outcome;
  }
  double lastSeconds = 0;  // how long the last command took inside the peer

 private:
  std::string dir_;
  int next_ = 0;
};

// `fault VERB --data-dir DIR -n faults POD ...`; prints how long the command took (a measurement,
// not an assertion).
CommandResult fault(const LocalClusterProcess& cluster, std::vector<std::string> args) {
  std::vector<std::string> argv = {LocalClusterProcess::binary(), "fault"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (args.size() > 1) {
    argv.insert(argv.begin() + 3, {"--data-dir", cluster.dataDir(), "-n", "faults"});
  }
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = runCommand(argv, {}, "", 60);
  std::printf("fault %s: %lld ms\n", args[0].c_str(),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()));
  return r;
}

// `tc qdisc show` of the pod's two veth ends, found through DIR/node/records.json.
std::string qdiscsOf(const LocalClusterProcess& cluster, const std::string& uid) {
  std::ifstream in(cluster.dataDir() + "/node/records.json");
  const auto records = nlohmann::json::parse(in);
  std::string netns;
  std::string ip;
  int slot = -1;
  for (const auto& r : records) {
    if (r["kind"] == "slot") {
      slot = std::stoi(r["detail"].get<std::string>());
    }
    const std::string detail = r["detail"];
    if (r["kind"] == "netns" && detail.size() > uid.size() &&
        detail.compare(detail.size() - uid.size(), uid.size(), uid) == 0) {
      netns = r["name"];
      ip = detail.substr(0, detail.find(' '));
    }
  }
  const std::string veth = "mol" + std::to_string(slot) + "h" + ip.substr(ip.rfind('.') + 1);
  return runCommand({"tc", "qdisc", "show", "dev", veth}).out + "|" +
         runCommand({"tc", "-n", netns, "qdisc", "show", "dev", "eth0"}).out;
}

TEST(LocalFaults, PartitionFreezeAndKillSeenFromAPeerPod) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  ASSERT_EQ(k.run({"apply", "-f", "-"}, kEchoPod).exitCode, 0);
  ASSERT_EQ(waitForJsonpath(k, "-n faults pod echo", "{.status.phase}", "Running"), "");
  const std::string ip = jsonpath(k, "-n faults pod echo", "{.status.podIP}");
  const std::string uid = jsonpath(k, "-n faults pod echo", "{.metadata.uid}");
  const std::string dir = cluster.dataDir() + "/peer";
  std::filesystem::create_directories(dir);
  ASSERT_EQ(k.run({"apply", "-f", "-"}, peerPod(ip, dir)).exitCode, 0);
  ASSERT_EQ(waitForJsonpath(k, "-n faults pod peer", "{.status.phase}", "Running"), "");
  Peer peer(dir);
  ASSERT_EQ(peer.run("open", 5), "ok");
  ASSERT_EQ(peer.run("echo", 5), "ok");
  const std::string linksBefore = qdiscsOf(cluster, uid);

  // Partition: a new connection and the established one hang for 10 s: no reset, no EHOSTUNREACH
  // (ARP still passes, so the neighbour entry stays valid).
  CommandResult r = fault(cluster, {"partition", "echo"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "partitioned pod \"faults/echo\"\n");
  EXPECT_EQ(peer.run("request", 10), "timeout");
  EXPECT_EQ(peer.run("echo", 5), "timeout");
  // The host is a peer too.
  CommandResult host =
      runCommand({"/usr/bin/python3", "-c",
                  "import socket,sys\ntry: socket.create_connection((sys.argv[1],7000),timeout=4); "
                  "print('ok')\n"
                  "except socket.timeout: print('timeout')\nexcept OSError as e: print(e)",
                  ip});
  EXPECT_EQ(host.out, "timeout\n");
  CommandResult status = cluster.status();
  EXPECT_NE(status.out.find("FAULTS\npartitioned faults/echo\n"), std::string::npos) << status.out;

  // The kubelet restarting a container of the pod does not undo the partition.
  r = fault(cluster, {"kill", "echo", "-c", "side"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(
      waitForJsonpath(k, "-n faults pod echo", "{.status.containerStatuses[1].restartCount}", "1"),
      "");
  EXPECT_EQ(peer.run("request", 5), "timeout");

  // Heal: the links are as before, the established connection carries data again.
  r = fault(cluster, {"heal", "echo"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "healed pod \"faults/echo\"\n");
  EXPECT_EQ(qdiscsOf(cluster, uid), linksBefore);
  EXPECT_EQ(peer.run("request", 5), "ok");
  // The data sent during the partition arrives with TCP's next retransmission (exponential
  // backoff: up to ~50 s after a long partition).
  EXPECT_EQ(peer.run("echo", 60), "ok");
  std::printf("established connection answered %.1f s after heal\n", peer.lastSeconds);

  // Freeze: the kernel still accepts the connection, nobody answers; thaw: answered.
  r = fault(cluster, {"freeze", "echo"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "froze pod \"faults/echo\" (4 processes)\n");  // python, sh and two sleeps
  EXPECT_EQ(peer.run("request", 4), "timeout");
  EXPECT_EQ(peer.run("echo", 4), "timeout");
  r = fault(cluster, {"thaw", "echo"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "thawed pod \"faults/echo\" (4 processes)\n");
  EXPECT_EQ(peer.run("echo", 5), "ok");
  EXPECT_EQ(peer.run("request", 5), "ok");

  // Kill (the first container by default): the peer's connection is closed, the kubelet restarts
  // the container and it answers again.
  r = fault(cluster, {"kill", "echo"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out.rfind("killed container \"echo\" of pod \"faults/echo\" (pid ", 0), 0u) << r.out;
  EXPECT_EQ(peer.run("echo", 10), "closed");
  EXPECT_EQ(
      waitForJsonpath(k, "-n faults pod echo", "{.status.containerStatuses[0].restartCount}", "1"),
      "");
  std::string last;
  EXPECT_TRUE(pollUntil(
      [&] {
        last = peer.run("request", 2);
        return last == "ok";
      },
      Poll{std::chrono::seconds(30), std::chrono::milliseconds(200)}))
      << last;

  // A partition still on at `down` goes with the pod's namespace; nothing is left.
  r = fault(cluster, {"partition", "echo"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  const std::string prefix = cluster.machinePrefix();
  CommandResult down = cluster.down();
  EXPECT_EQ(down.exitCode, 0) << down.err;
  std::vector<std::string> left = machineLeftovers(prefix, cluster.dataDir());
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
  std::ifstream records(cluster.dataDir() + "/node/records.json");
  EXPECT_EQ(nlohmann::json::parse(records), nlohmann::json::array());
}

TEST(LocalFaults, EveryBadInputIsOneLine) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  ASSERT_EQ(k.run({"apply", "-f", "-"}, kEchoPod).exitCode, 0);
  // A pod bound to another node: it stays Pending here, without a namespace or processes.
  ASSERT_EQ(k.run({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Pod
metadata: {name: pending, namespace: faults}
spec:
  nodeName: elsewhere
  containers: [{name: c, image: debian:12, command: [sleep, "100"]}]
)")
                .exitCode,
            0);
  ASSERT_EQ(waitForJsonpath(k, "-n faults pod echo", "{.status.phase}", "Running"), "");
  const std::string dir = cluster.dataDir();
  const std::string bin = LocalClusterProcess::binary();
  auto expectLine = [&](std::vector<std::string> argv, int code, const std::string& line) {
    argv.insert(argv.begin(), bin);
    CommandResult got = runCommand(argv, {}, "", 60);
    EXPECT_EQ(got.exitCode, code) << ::testing::PrintToString(argv);
    EXPECT_EQ(got.err, "mysql-operator-local: " + line + "\n") << ::testing::PrintToString(argv);
    EXPECT_EQ(got.out, "");
  };
  const std::string verbs = "partition, heal, freeze, thaw, kill";
  expectLine({"fault"}, 2, "fault needs a verb: " + verbs);
  expectLine({"fault", "explode", "--data-dir", dir, "echo"}, 2,
             "unknown fault \"explode\" (one of " + verbs + ")");
  expectLine({"fault", "partition", "echo"}, 2, "--data-dir is required");
  expectLine({"fault", "partition", "--data-dir", dir}, 2, "fault partition needs a POD");
  expectLine({"fault", "partition", "--data-dir"}, 2, "--data-dir needs a value");
  expectLine({"fault", "freeze", "--data-dir", dir, "--bogus", "echo"}, 2, "unknown flag --bogus");
  expectLine({"fault", "kill", "--data-dir", dir, "echo", "extra"}, 2, "unexpected argument extra");
  expectLine({"fault", "freeze", "--data-dir", dir, "-n", "faults", "echo", "-c", "echo"}, 2,
             "-c CONTAINER is for kill only: freeze acts on the whole pod");
  const std::string empty = dir + "/not-a-cluster";
  std::filesystem::create_directories(empty);
  expectLine({"fault", "partition", "--data-dir", empty, "echo"}, 1,
             "no local cluster is running in " + empty);
  expectLine({"fault", "kill", "--data-dir", dir, "-n", "faults", "nosuch"}, 1,
             "pod \"faults/nosuch\" not found");
  expectLine({"fault", "kill", "--data-dir", dir, "echo"}, 1, "pod \"default/echo\" not found");
  expectLine({"fault", "kill", "--data-dir", dir, "-n", "faults", "echo", "-c", "nosuch"}, 1,
             "pod \"faults/echo\" has no container \"nosuch\"");
  expectLine({"fault", "heal", "--data-dir", dir, "-n", "faults", "echo"}, 1,
             "pod \"faults/echo\" is not partitioned");
  expectLine({"fault", "thaw", "--data-dir", dir, "-n", "faults", "echo"}, 1,
             "pod \"faults/echo\" is not frozen");
  expectLine({"fault", "partition", "--data-dir", dir, "-n", "faults", "pending"}, 1,
             "pod \"faults/pending\" has no network namespace on this node");
  expectLine({"fault", "freeze", "--data-dir", dir, "-n", "faults", "pending"}, 1,
             "pod \"faults/pending\" has no running container");
  expectLine({"fault", "kill", "--data-dir", dir, "-n", "faults", "pending"}, 1,
             "container \"c\" of pod \"faults/pending\" is not running");

  // Twice the same fault: refused, and the first one is still undone by one heal/thaw.
  for (const auto& [on, off, state] :
       {std::tuple{"partition", "heal", "partitioned"}, std::tuple{"freeze", "thaw", "frozen"}}) {
    ASSERT_EQ(runCommand({bin, "fault", on, "--data-dir", dir, "-n", "faults", "echo"}).exitCode,
              0);
    expectLine({"fault", on, "--data-dir", dir, "-n", "faults", "echo"}, 1,
               std::string("pod \"faults/echo\" is already ") + state);
    EXPECT_EQ(runCommand({bin, "fault", off, "--data-dir", dir, "-n", "faults", "echo"}).exitCode,
              0);
  }
}

}  // namespace
}  // namespace mysqlop::testing
