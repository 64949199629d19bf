// kubectl exec and port-forward against the API server's stream protocols, with the machine's
// kubectl 1.32 (WebSocket, and forced to SPDY) and Debian's kubectl 1.20 (SPDY only).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <regex>
#include <thread>

#include "tests/integration/streams/stream_fixture.h"

namespace mysqlop::streams_it {
namespace {

class KubectlStreams : public ::testing::TestWithParam<Client> {
 protected:
  void SetUp() override {
    if (::access(GetParam().binary.c_str(), X_OK) != 0) {
      GTEST_FAIL() << GetParam().binary << " is missing (scripts/fetch-tools fetches kubectl 1.20)";
    }
    StreamServer::get();
  }
};

TEST_P(KubectlStreams, ExecSeparatesStdoutAndStderrAndReturnsTheExitCode) {
  Shell r = runShell(GetParam(),
                     "$KUBECTL exec streampod -c main -- sh -c 'echo out; echo err >&2; exit 3'");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err.rfind("err\n", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("command terminated with exit code 3"), std::string::npos) << r.err;
}

// The protocol each client ends up with (no silent fallback): kubectl's -v=8 log of the 101.
TEST_P(KubectlStreams, SpeaksTheExpectedProtocols) {
  Shell r = runShell(GetParam(),
                     "$KUBECTL exec -v=8 streampod -c main -- true 2>&1 | grep -E"
                     " '(Sec-Websocket-Protocol|X-Stream-Protocol-Version): ' |"
                     " grep -v curl");
  EXPECT_NE(r.out.find(GetParam().execProtocol), std::string::npos) << r.out;
  Background pf(GetParam(), "$KUBECTL port-forward -v=8 pod/streampod :1");
  ASSERT_TRUE(pf.waitFor("Forwarding from 127.0.0.1:")) << pf.err();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pf.err().find("101 Switching Protocols") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(pf.err().find(GetParam().portForwardProtocol), std::string::npos) << pf.err();
}

TEST_P(KubectlStreams, ExecSuccessExitsZero) {
  Shell r = runShell(GetParam(), "$KUBECTL exec streampod -- echo hello");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "hello\n");
}

TEST_P(KubectlStreams, ExecCarries64MiBOfStdinThroughCatIntact) {
  Shell r = runShell(GetParam(),
                     "set -e; f=$(mktemp); head -c 64M /dev/urandom > $f; want=$(sha256sum < $f);"
                     " start=$(date +%s.%N);"
                     " got=$($KUBECTL exec -i streampod -- cat < $f | sha256sum);"
                     " end=$(date +%s.%N); rm -f $f;"
                     " echo \"$want\"; echo \"$got\";"
                     " echo \"MBps $(echo \"64 / ($end - $start)\" | bc -l)\" >&2");
  ASSERT_EQ(r.code, 0) << r.err;
  auto nl = r.out.find('\n');
  ASSERT_NE(nl, std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(0, nl + 1), r.out.substr(nl + 1)) << r.out;
  std::printf("[%s] 64 MiB stdin->cat->stdout: %s", GetParam().name.c_str(), r.err.c_str());
}

TEST_P(KubectlStreams, ExecStdoutThroughput) {
  Shell r = runShell(GetParam(),
                     "start=$(date +%s.%N); n=$($KUBECTL exec streampod -- head -c 256M /dev/zero"
                     " | wc -c); end=$(date +%s.%N); echo $n;"
                     " echo \"MBps $(echo \"256 / ($end - $start)\" | bc -l)\" >&2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, std::to_string(256u << 20) + "\n");
  std::printf("[%s] exec stdout 256 MiB: %s", GetParam().name.c_str(), r.err.c_str());
}

TEST_P(KubectlStreams, ExecWithATerminalRunsAnInteractiveShell) {
  Shell r = runShell(GetParam(), "/usr/bin/python3 " + std::string(MYSQLOP_SOURCE_DIR) +
                                     "/tests/integration/streams/tty_driver.py $KUBECTL exec -it"
                                     " streampod -- sh");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("30 100"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("40 120"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EXIT 7"), std::string::npos) << r.out;
}

TEST_P(KubectlStreams, ExecInAMissingContainerNamesIt) {
  Shell r = runShell(GetParam(), "$KUBECTL exec streampod -c nope -- true");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "Error from server (BadRequest): container nope is not valid for pod streampod\n");
}

TEST_P(KubectlStreams, ExecInAContainerThatDoesNotRunGetsTheKubeletsText) {
  StreamServer::get().streams().notRunning = {"side"};
  Shell r = runShell(GetParam(), "$KUBECTL exec streampod -c side -- true");
  StreamServer::get().streams().notRunning.clear();
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "error: unable to upgrade connection: container not found (\"side\")\n");
}

TEST_P(KubectlStreams, ExecInAMissingPod) {
  Shell r = runShell(GetParam(), "$KUBECTL exec nopod -- true");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "Error from server (NotFound): pods \"nopod\" not found\n");
}

// An echo server on 127.0.0.1: every connection gets back what it sends.
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 64);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::thread([c] {
          char buf[65536];
          for (;;) {
            ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) break;
            for (ssize_t off = 0; off < n;) {
              ssize_t w = ::write(c, buf + off, static_cast<std::size_t>(n - off));
              if (w <= 0) {
                ::close(c);
                return;
              }
              off += w;
            }
          }
          ::close(c);
        }).detach();
      }
    });
  }
  ~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

std::string randomData(std::size_t bytes, unsigned seed) {
  std::string data(bytes, '\0');
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i + 8 <= bytes; i += 8) {
    std::uint64_t v = rng();
    std::memcpy(data.data() + i, &v, 8);
  }
  return data;
}

// Sends `data` to 127.0.0.1:port while reading the echo; true when it came back equal.
bool roundTrip(std::uint16_t port, const std::string& data) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return false;
  }
  const std::size_t bytes = data.size();
  std::thread writer([&] {
    for (std::size_t off = 0; off < data.size();) {
      ssize_t w = ::send(fd, data.data() + off, std::min<std::size_t>(65536, data.size() - off),
                         MSG_NOSIGNAL);
      if (w <= 0) break;
      off += static_cast<std::size_t>(w);
    }
    ::shutdown(fd, SHUT_WR);
  });
  std::string got;
  got.reserve(bytes);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  writer.join();
  ::close(fd);
  return got == data;
}

std::uint16_t forwardedPort(const std::string& out) {
  std::smatch m;
  static const std::regex re(R"(Forwarding from 127\.0\.0\.1:(\d+) -> )");
  if (!std::regex_search(out, m, re)) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

TEST_P(KubectlStreams, PortForwardCarries64MiBEachWayIntact) {
  EchoServer echo;
  Background pf(GetParam(), "$KUBECTL port-forward pod/streampod :" + std::to_string(echo.port()));
  ASSERT_TRUE(pf.waitFor("Forwarding from 127.0.0.1:")) << pf.out() << pf.err();
  std::uint16_t port = forwardedPort(pf.out());
  ASSERT_NE(port, 0) << pf.out();
  const std::string data = randomData(64u << 20, 1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(roundTrip(port, data)) << pf.err();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The same transfer straight to the backend, for comparison (the issue's benchmark).
  auto directStart = std::chrono::steady_clock::now();
  EXPECT_TRUE(roundTrip(echo.port(), data));
  double direct =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - directStart).count();
  std::printf("[%s] 64 MiB each way: port-forward %.1f MB/s, direct %.1f MB/s\n",
              GetParam().name.c_str(), 64.0 / seconds, 64.0 / direct);
}

TEST_P(KubectlStreams, PortForwardServesSeveralConnectionsAtOnce) {
  EchoServer echo;
  Background pf(GetParam(), "$KUBECTL port-forward pod/streampod :" + std::to_string(echo.port()));
  ASSERT_TRUE(pf.waitFor("Forwarding from 127.0.0.1:")) << pf.out() << pf.err();
  std::uint16_t port = forwardedPort(pf.out());
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { good += roundTrip(port, randomData(8u << 20, 10 + i)) ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 4) << pf.err();
}

TEST_P(KubectlStreams, PortForwardToAServiceResolvesItsPod) {
  EchoServer echo;
  std::string name = "svc-" + GetParam().name;
  std::replace(name.begin(), name.end(), '_', '-');
  // Service port 3306 targets the echo server's port: kubectl resolves the Service to its pod
  // and the port to the target port itself.
  StreamServer::get().create(
      "/api/v1/namespaces/default/services",
      {{"apiVersion", "v1"},
       {"kind", "Service"},
       {"metadata", {{"name", name}}},
       {"spec",
        {{"selector", {{"app", "streams"}}},
         {"ports", nlohmann::json::array({{{"port", 3306}, {"targetPort", echo.port()}}})}}}});
  Background pf(GetParam(), "$KUBECTL port-forward svc/" + name + " :3306");
  ASSERT_TRUE(pf.waitFor("Forwarding from 127.0.0.1:")) << pf.out() << pf.err();
  EXPECT_NE(pf.out().find(" -> " + std::to_string(echo.port())), std::string::npos) << pf.out();
  EXPECT_TRUE(roundTrip(forwardedPort(pf.out()), randomData(8u << 20, 5))) << pf.err();
}

TEST_P(KubectlStreams, PortForwardToAClosedPortReportsTheDialError) {
  Background pf(GetParam(), "$KUBECTL port-forward pod/streampod :1");
  ASSERT_TRUE(pf.waitFor("Forwarding from 127.0.0.1:")) << pf.out() << pf.err();
  std::uint16_t port = forwardedPort(pf.out());
  EXPECT_FALSE(roundTrip(port, randomData(1024, 3)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pf.err().find("error forwarding port 1 to pod streampod") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(pf.err().find("error forwarding port 1 to pod streampod, uid "), std::string::npos)
      << pf.err();
  EXPECT_NE(pf.err().find(": dial tcp4 127.0.0.1:1: connect: Connection refused"),
            std::string::npos)
      << pf.err();
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlStreams, ::testing::ValuesIn(clients()),
                         [](const ::testing::TestParamInfo<Client>& p) { return p.param.name; });

}  // namespace
}  // namespace mysqlop::streams_it
