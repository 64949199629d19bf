// Streams of the local control plane against a direct connection, on a real `up` (no assertion
// on time):
//  - a pod's TCP server sends N MiB per connection; read from the host at the pod IP (direct),
//    then through `kubectl port-forward` (1.32: SPDY tunnelled in WebSocket; the machine's and
//    1.20: SPDY), MB/s each;
//  - `kubectl exec POD -- head -c N /dev/zero`: stdout through the API server (WebSocket v5 for
//    1.32 and the machine's kubectl, SPDY for 1.20), MB/s measured from the first byte to the end,
//    and the time of a whole `kubectl exec POD -- true` (kubectl's start-up included).
// Checked (exit 1 otherwise): every transfer carries exactly N MiB. --short: 16 MiB, else 256.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/bench/common/bench_main.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"

namespace {

using namespace mysqlop;
using Clock = std::chrono::steady_clock;

constexpr int kPort = 9000;

std::string serverPod() {
  // One connection at a time: N MiB of zeros, then close (N comes from the first line sent; the
  // readiness probe's connection sends none).
  const std::string server =
      "import socket\n"
      "s = socket.socket()\n"
      "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
      "s.bind(('0.0.0.0', 9000))\n"
      "s.listen(8)\n"
      "chunk = bytes(1 << 20)\n"
      "while True:\n"
      "    c, _ = s.accept()\n"
      "    try:\n"
      "        n = int(c.makefile().readline() or 0)\n"
      "        for _ in range(n):\n"
      "            c.sendall(chunk)\n"
      "    except OSError:\n"
      "        pass\n"
      "    c.close()\n";
  std::string quoted;
  for (char ch : server) {
    quoted += ch == '\n'  ? std::string("\\n")
              : ch == '"' ? std::string("\\\"")
                          : std::string(1, ch);
  }
  return "apiVersion: v1\nkind: Pod\nmetadata: {name: src, namespace: default}\n"
         "spec:\n  containers:\n  - name: src\n    image: debian:12\n"
         "    command: [python3, -c, \"" +
         quoted +
         "\"]\n    readinessProbe:\n      tcpSocket: {port: 9000}\n      periodSeconds: 1\n";
}

// Reads N MiB from host:port (asking for them first); MB/s from connect to the last byte, or -1.
double readMiB(const std::string& host, int port, int mib) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  const auto start = Clock::now();
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string ask = std::to_string(mib) + "\n";
  (void)::write(fd, ask.data(), ask.size());
  std::vector<char> buf(1 << 20);
  long long total = 0;
  for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;) {
    total += n;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  if (total != static_cast<long long>(mib) << 20) {
    bench::fail(host + ":" + std::to_string(port) + ": got " + std::to_string(total) + " bytes");
    return -1;
  }
  return static_cast<double>(total) / 1e6 / seconds;
}

// `kubectl exec src -- head -c N MiB /dev/zero`: MB/s from the first byte read to the end.
double execMiB(const std::string& kubectl, const std::string& kubeconfig, int mib) {
  const std::string cmd = kubectl + " --kubeconfig " + kubeconfig + " exec src -- head -c " +
                          std::to_string(mib) + "M /dev/zero 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    return -1;
  }
  std::vector<char> buf(1 << 20);
  long long total = 0;
  Clock::time_point first;
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) {
    if (total == 0) {
      first = Clock::now();
    }
    total += static_cast<long long>(n);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - first).count();
  ::pclose(p);
  if (total != static_cast<long long>(mib) << 20) {
    bench::fail("exec with " + kubectl + ": got " + std::to_string(total) + " bytes");
    return -1;
  }
  return static_cast<double>(total) / 1e6 / seconds;
}

double execTrueMs(const testing::Kubectl& k) {
  const auto start = Clock::now();
  auto r = k.run({"exec", "src", "--", "true"});
  if (r.exitCode != 0) {
    bench::fail("exec true: " + r.err);
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double portForwardMiB(const testing::Kubectl& k, int mib) {
  auto pf = k.start({"port-forward", "pod/src", ":" + std::to_string(kPort)});
  if (!pf->waitForOutput("Forwarding from 127.0.0.1:", 30)) {
    bench::fail("port-forward did not start: " + pf->err());
    return -1;
  }
  std::smatch m;
  const std::string out = pf->out();
  if (!std::regex_search(out, m, std::regex("Forwarding from 127\\.0\\.0\\.1:([0-9]+)"))) {
    bench::fail("port-forward printed no port: " + out);
    return -1;
  }
  const double rate = readMiB("127.0.0.1", std::stoi(m[1]), mib);
  pf->stop();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  bench::parseArgs(&argc, argv);
  const int mib = bench::shortMode() ? 16 : 256;
  testing::LocalClusterProcess cluster;
  if (auto r = cluster.start(); !r.ok()) {
    bench::fail("up: " + r.error().message);
    return bench::finish();
  }
  testing::Kubectl k(cluster.kubeconfigPath());
  if (auto r = k.run({"apply", "-f", "-"}, serverPod()); r.exitCode != 0) {
    bench::fail("apply: " + r.err);
    return bench::finish();
  }
  if (k.run({"wait", "--for=condition=Ready", "pod/src", "--timeout=60s"}).exitCode != 0) {
    bench::fail("pod src not Ready within 60 s");
    return bench::finish();
  }
  const std::string ip = k.run({"get", "pod", "src", "-o", "jsonpath={.status.podIP}"}).out;

  // kubectl 1.32 tunnels port-forward's SPDY in WebSocket and execs over WebSocket v5; the
  // machine's /usr/bin/kubectl (a dispatcher, 1.30 against our server) execs over WebSocket and
  // port-forwards over SPDY; 1.20 speaks SPDY only.
  std::vector<std::pair<std::string, std::string>> kubectls;
  for (const auto& [label, binary] : std::vector<std::pair<std::string, std::string>>{
           {"kubectl 1.32", "/usr/lib/google-cloud-sdk/bin/kubectl.1.32"},
           {"kubectl (machine)", "/usr/bin/kubectl"},
           {"kubectl 1.20", testing::Kubectl::debian120()}}) {
    if (testing::Kubectl::missing(binary).empty()) {
      kubectls.emplace_back(label, binary);
    }
  }
  std::printf("%d MiB per transfer\n", mib);
  std::printf("%-40s %10s\n", "path", "MB/s");
  std::printf("%-40s %10.0f\n", "direct: host -> pod IP", readMiB(ip, kPort, mib));
  for (const auto& [label, binary] : kubectls) {
    testing::Kubectl kc(cluster.kubeconfigPath(), binary);
    std::printf("%-40s %10.0f\n", ("port-forward, " + label).c_str(), portForwardMiB(kc, mib));
    std::printf("%-40s %10.0f\n", ("exec stdout, " + label).c_str(),
                execMiB(binary, cluster.kubeconfigPath(), mib));
    std::printf("%-40s %10.0f ms\n", ("exec true (whole command), " + label).c_str(),
                execTrueMs(kc));
  }
  std::fflush(stdout);
  if (cluster.down().exitCode != 0) {
    bench::fail("down failed");
  }
  return bench::finish();
}
