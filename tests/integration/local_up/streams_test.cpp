// `kubectl exec` and `kubectl port-forward` end to end on a real local cluster (the kubelet's
// node side, real pods), with kubectl 1.32 (WebSocket exec, SPDY tunnelled in WebSocket for
// port-forward), the machine's kubectl and Debian's 1.20 (SPDY): the exit code of a command, an
// interactive shell on a terminal with a resize, a missing container's error, and a MySQL-sized
// transfer (64 MiB each way) through port-forward to a pod (a server on the pod's 127.0.0.1) and
// to a Service. One cluster for every check.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/process/child_process.h"

namespace mysqlop::testing {
namespace {

// "echo": an echo server on the pod's loopback only (port 7000: reached by port-forward, which
// dials inside the pod, never from outside) and on every address (7001, behind the Service).
const char* kManifests = R"(apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: debian:12
    command:
    - python3
    - -c
    - |
      import socket, threading
      def serve(host, port):
          s = socket.socket()
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind((host, port))
          s.listen(16)
          while True:
              c, _ = s.accept()
              threading.Thread(target=echo, args=(c,), daemon=True).start()
      def echo(c):
          try:
              while True:
                  d = c.recv(1 << 20)
                  if not d:
                      break
                  c.sendall(d)
          except OSError:
              pass
          c.close()
      threading.Thread(target=serve, args=('127.0.0.1', 7000), daemon=True).start()
      serve('0.0.0.0', 7001)
    readinessProbe:
      tcpSocket: {port: 7001}
      periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{name: echo, port: 3306, targetPort: 7001}]
)";

struct Client {
  std::string name;
  std::string binary;
};

std::vector<Client> clients() {
  std::vector<Client> all;
  for (const Client& c : {Client{"kubectl 1.32", "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"},
                          Client{"the machine's kubectl", "/usr/bin/kubectl"},
                          Client{"kubectl 1.20", Kubectl::debian120()}}) {
    if (Kubectl::missing(c.binary).empty()) {
      all.push_back(c);
    } else {
      ADD_FAILURE() << c.name << ": " << Kubectl::missing(c.binary);
    }
  }
  return all;
}

// Sends `data` to 127.0.0.1:port while reading the echo back; what came back ("" on a connect
// failure).
std::string echoThrough(int port, const std::string& data) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(fd, data.data() + off, std::min<std::size_t>(data.size() - off, 1 << 16));
      if (n <= 0) {
        break;
      }
      off += static_cast<std::size_t>(n);
    }
  });
  std::string back;
  std::vector<char> buf(1 << 16);
  timeval tv{30, 0};  // a stalled stream fails the comparison rather than hanging the test
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (back.size() < data.size()) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n <= 0) {
      break;
    }
    back.append(buf.data(), static_cast<std::size_t>(n));
  }
  writer.join();
  ::close(fd);
  return back;
}

std::string randomBytes(std::size_t n) {
  std::mt19937_64 gen(42);
  std::string s(n, '\0');
  for (auto& c : s) {
    c = static_cast<char>(gen());
  }
  return s;
}

// The local port of a `kubectl port-forward TARGET :PORT` (0 if it did not start).
int forwardedPort(const Kubectl::Background& pf) {
  if (!pf.waitForOutput("Forwarding from 127.0.0.1:", 60)) {
    return 0;
  }
  std::smatch m;
  const std::string out = pf.out();
  if (!std::regex_search(out, m, std::regex("Forwarding from 127\\.0\\.0\\.1:([0-9]+)"))) {
    return 0;
  }
  return std::stoi(m[1]);
}

TEST(LocalUp, ExecAndPortForwardWithEveryKubectl) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok()) << readFile(cluster.logFile());
  Kubectl k(cluster.kubeconfigPath());
  ASSERT_EQ(k.run({"apply", "-f", "-"}, kManifests).exitCode, 0);
  ASSERT_EQ(
      waitForJsonpath(k, "pod echo", "{.status.conditions[?(@.type==\"Ready\")].status}", "True"),
      "");
  const std::string data = randomBytes(64u << 20);
  const std::string ttyDriver =
      std::string(MYSQLOP_SOURCE_DIR) + "/tests/integration/streams/tty_driver.py";

  for (const Client& c : clients()) {
    SCOPED_TRACE(c.name);
    Kubectl kc(cluster.kubeconfigPath(), c.binary);

    // The command's exit code reaches kubectl; stdout and stderr stay apart.
    auto r = kc.run({"exec", "echo", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
    EXPECT_EQ(r.exitCode, 3) << r.err;
    EXPECT_EQ(r.out, "out\n");
    EXPECT_NE(r.err.find("err\n"), std::string::npos) << r.err;
    // It runs in the pod: its hostname and its loopback server.
    r = kc.run({"exec", "echo", "--", "sh", "-c", "hostname; cat /proc/1/cmdline | head -c 7"});
    EXPECT_EQ(r.out, "echo\npython3") << r.err;

    // An interactive shell on a terminal: tty, stty size, a resize, exit 7.
    r = runCommand({"/usr/bin/python3", ttyDriver, c.binary, "--kubeconfig",
                    cluster.kubeconfigPath(), "exec", "-it", "echo", "--", "sh"},
                   {"HOME=" + kc.home()}, "", 120);
    EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("30 100"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("40 120"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("EXIT 7"), std::string::npos) << r.out;

    // A container the pod does not have: kube-apiserver's text.
    r = kc.run({"exec", "echo", "-c", "nope", "--", "true"});
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("container nope is not valid for pod echo"), std::string::npos) << r.err;

    // Port-forward to the pod's loopback server and to the Service (kubectl picks its pod).
    for (const std::string& target :
         {std::string("pod/echo :7000"), std::string("svc/echo :3306")}) {
      SCOPED_TRACE(target);
      auto pf = kc.start({"port-forward", target.substr(0, target.find(' ')),
                          target.substr(target.find(' ') + 1)});
      const int port = forwardedPort(*pf);
      ASSERT_NE(port, 0) << pf->err();
      const std::string back = echoThrough(port, data);
      EXPECT_EQ(back.size(), data.size());
      EXPECT_TRUE(back == data) << "the 64 MiB came back changed";
      pf->stop();
    }
  }
  EXPECT_EQ(cluster.down().exitCode, 0);
}

}  // namespace
}  // namespace mysqlop::testing
