// The Service proxy against direct connections, both on this machine (no assertion on time):
//  - BM_Upload / BM_Download: one TCP connection carrying N MiB client->backend or
//    backend->client, direct to 127.0.0.2 or through a ClusterIP (198.19.x.y on a bridge of the
//    benchmark's own) and the proxy's splice forwarding;
//  - BM_ConnectFirstByte: connect, one byte each way, close: p50/p99 per connection;
//  - BM_EndpointSwitch: an EndpointSlice rewritten through the API until new connections reach
//    the new backend (what a pod's label change costs the proxy once the slice is written).
// Checked (exit 1 otherwise): the API server starts, the proxy listens on the ClusterIP, every
// connection reaches the backend and carries every byte, every switch is seen within 30 s.
// --short: 16 MiB transfers, 200 connections, 2 switches (tests/bench/README.md).
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "core/kube/informer_factory.h"
#include "core/kube/rest_config.h"
#include "localcluster/proxy/service_proxy.h"
#include "localcluster/proxy/slices.h"
#include "tests/bench/common/bench_main.h"
#include "tests/integration/proxy/service_ip_device.h"
#include "tests/support/kube/local_api_server.h"

namespace {

using namespace mysqlop;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::size_t transferBytes() { return bench::scaled<std::size_t>(256, 16) << 20; }

int connectTo(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{30, 0};  // a bound for a broken run, never reached by a working one
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool readFull(int fd, void* p, std::size_t n) {
  auto* c = static_cast<char*>(p);
  while (n > 0) {
    ssize_t r = ::recv(fd, c, n, 0);
    if (r <= 0) {
      return false;
    }
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool writeFull(int fd, const void* p, std::size_t n) {
  const auto* c = static_cast<const char*>(p);
  while (n > 0) {
    ssize_t r = ::send(fd, c, n, MSG_NOSIGNAL);
    if (r <= 0) {
      return false;
    }
    c += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

// The backend: the first byte of a connection says what it wants.
//  'U': upload, reads to EOF and answers the byte count (8 bytes);
//  'D' + 8-byte N: download, sends N bytes and closes;
//  'P': ping, answers the backend's name byte and waits for EOF.
class Backend {
 public:
  bool start(const std::string& ip, char name, int port) {
    name_ = name;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 512) != 0) {
      return false;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    std::thread([this] { acceptLoop(); }).detach();  // lives as long as the program
    return true;
  }
  int port() const { return port_; }

 private:
  void acceptLoop() {
    for (;;) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        std::thread([this, c] { serve(c); }).detach();
      }
    }
  }
  void serve(int c) {
    int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char cmd = 0;
    if (readFull(c, &cmd, 1)) {
      if (cmd == 'U') {
        std::vector<char> buf(1 << 20);
        std::uint64_t total = 0;
        for (ssize_t n; (n = ::recv(c, buf.data(), buf.size(), 0)) > 0;) {
          total += static_cast<std::uint64_t>(n);
        }
        writeFull(c, &total, sizeof total);
      } else if (cmd == 'D') {
        std::uint64_t n = 0;
        if (readFull(c, &n, sizeof n)) {
          std::vector<char> buf(1 << 20, 'd');
          while (n > 0) {
            std::size_t chunk = std::min<std::uint64_t>(n, buf.size());
            if (!writeFull(c, buf.data(), chunk)) {
              break;
            }
            n -= chunk;
          }
        }
      } else if (cmd == 'P') {
        writeFull(c, &name_, 1);
        char rest;
        while (::recv(c, &rest, 1, 0) > 0) {
        }
      }
    }
    ::close(c);
  }

  char name_ = '?';
  int fd_ = -1;
  int port_ = 0;
};

struct World {
  testing::LocalApiServer api;
  std::unique_ptr<kube::Client> client;
  std::unique_ptr<kube::InformerFactory> informers;
  local::proxy::it::ServiceIpDevice device;
  std::unique_ptr<local::proxy::ServiceProxy> proxy;
  Backend a;
  Backend b;
  std::string clusterIp;
  int servicePort = 3306;
  bool ready = false;

  static World& get() {
    static World w;
    return w;
  }

  World() {
    spdlog::set_level(spdlog::level::warn);
    if (!device.ok()) {
      bench::fail("cannot create the bridge " + device.name() + " (root and iproute2 needed)");
      return;
    }
    auto s = api.start();
    if (!s.ok()) {
      bench::fail("cannot start the local API server: " + s.error().message);
      return;
    }
    auto kc = kube::loadKubeconfigFiles({api.kubeconfigPath()}, true);
    auto rc = kube::restConfigFromKubeconfig(*kc);
    client = std::make_unique<kube::Client>(*kube::HttpTransport::create(*rc));
    informers = std::make_unique<kube::InformerFactory>(*client, kube::InformerOptions{});
    if (!a.start("127.0.0.2", 'A', 0) || !b.start("127.0.0.3", 'B', a.port())) {
      bench::fail("cannot start the backends on 127.0.0.2 and 127.0.0.3");
      return;
    }
    clusterIp = device.ip(10);
    json svc = {
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", {{"name", "bench"}, {"namespace", "default"}}},
        {"spec",
         {{"clusterIP", clusterIp},
          {"ports", {{{"port", servicePort}, {"protocol", "TCP"}, {"targetPort", a.port()}}}}}}};
    auto created = client->create(kube::resources::kServices, svc);
    if (!created.ok()) {
      bench::fail("creating the Service: " + created.error().message);
      return;
    }
    if (!putSlice("127.0.0.2")) {
      return;
    }
    proxy = std::make_unique<local::proxy::ServiceProxy>(*informers, device.hooks(),
                                                         local::proxy::ProxyOptions{});
    proxy->start();
    informers->start();
    if (!informers->waitForCacheSync(std::chrono::seconds(30))) {
      bench::fail("informers did not sync within 30 s");
      return;
    }
    // Never connect to the ClusterIP before it is on the device: the packets would take the
    // default route off the machine.
    auto deadline = Clock::now() + std::chrono::seconds(30);
    std::string key = clusterIp + ":" + std::to_string(servicePort);
    while (Clock::now() < deadline) {
      auto l = proxy->listening();
      if (std::find(l.begin(), l.end(), key) != l.end()) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto l = proxy->listening();
    if (std::find(l.begin(), l.end(), key) == l.end()) {
      bench::fail("the proxy did not listen on " + key + " within 30 s");
      return;
    }
    if (!waitForBackend('A')) {
      bench::fail("the proxy did not forward " + clusterIp + ":3306 to A within 30 s");
      return;
    }
    ready = true;
  }

  ~World() {
    if (proxy) {
      proxy->stop();
    }
    if (informers) {
      informers->stop();
    }
  }

  bool putSlice(const std::string& ip) {
    json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                  {"kind", "EndpointSlice"},
                  {"metadata",
                   {{"name", "bench-x"},
                    {"namespace", "default"},
                    {"labels", {{"kubernetes.io/service-name", "bench"}}}}},
                  {"addressType", "IPv4"},
                  {"endpoints", {{{"addresses", {ip}}, {"conditions", {{"ready", true}}}}}},
                  {"ports", {{{"name", ""}, {"port", a.port()}, {"protocol", "TCP"}}}}};
    auto existing = client->get(local::proxy::kEndpointSlices, "default", "bench-x");
    Result<json> r = existing.ok() ? ([&] {
      slice["metadata"]["resourceVersion"] = existing.value()["metadata"]["resourceVersion"];
      return client->update(local::proxy::kEndpointSlices, slice);
    })()
                                   : client->create(local::proxy::kEndpointSlices, slice);
    if (!r.ok()) {
      bench::fail("writing the EndpointSlice: " + r.error().message);
      return false;
    }
    return true;
  }

  // Which backend a new connection through the proxy reaches (0 when closed).
  char ping() const {
    int fd = connectTo(clusterIp, servicePort);
    if (fd < 0) {
      return 0;
    }
    char name = 0;
    char cmd = 'P';
    if (!writeFull(fd, &cmd, 1) || !readFull(fd, &name, 1)) {
      name = 0;
    }
    ::close(fd);
    return name;
  }

  bool waitForBackend(char name) const {
    auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      if (ping() == name) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  std::string ip(bool viaProxy) const { return viaProxy ? clusterIp : "127.0.0.2"; }
  int port(bool viaProxy) const { return viaProxy ? servicePort : a.port(); }
};

const char* pathName(bool viaProxy) { return viaProxy ? "proxy" : "direct"; }

void BM_Upload(benchmark::State& state) {
  World& w = World::get();
  if (!w.ready) {
    state.SkipWithError("no world");
    return;
  }
  bool viaProxy = state.range(0) == 1;
  state.SetLabel(pathName(viaProxy));
  std::vector<char> chunk(1 << 20, 'u');
  for (auto _ : state) {
    int fd = connectTo(w.ip(viaProxy), w.port(viaProxy));
    char cmd = 'U';
    std::uint64_t got = 0;
    bool ok = fd >= 0 && writeFull(fd, &cmd, 1);
    for (std::size_t sent = 0; ok && sent < transferBytes(); sent += chunk.size()) {
      ok = writeFull(fd, chunk.data(), chunk.size());
    }
    if (ok) {
      ::shutdown(fd, SHUT_WR);
      ok = readFull(fd, &got, sizeof got) && got == transferBytes();
    }
    if (fd >= 0) {
      ::close(fd);
    }
    if (!ok) {
      bench::fail(std::string("upload ") + pathName(viaProxy) + ": the backend counted " +
                  std::to_string(got) + " of " + std::to_string(transferBytes()) + " bytes");
      state.SkipWithError("upload failed");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * transferBytes()));
}
BENCHMARK(BM_Upload)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Download(benchmark::State& state) {
  World& w = World::get();
  if (!w.ready) {
    state.SkipWithError("no world");
    return;
  }
  bool viaProxy = state.range(0) == 1;
  state.SetLabel(pathName(viaProxy));
  std::vector<char> buf(1 << 20);
  for (auto _ : state) {
    int fd = connectTo(w.ip(viaProxy), w.port(viaProxy));
    char cmd[9] = {'D'};
    std::uint64_t n = transferBytes();
    std::memcpy(cmd + 1, &n, sizeof n);
    std::uint64_t got = 0;
    if (fd >= 0 && writeFull(fd, cmd, sizeof cmd)) {
      for (ssize_t r; (r = ::recv(fd, buf.data(), buf.size(), 0)) > 0;) {
        got += static_cast<std::uint64_t>(r);
      }
    }
    if (fd >= 0) {
      ::close(fd);
    }
    if (got != n) {
      bench::fail(std::string("download ") + pathName(viaProxy) + ": got " + std::to_string(got) +
                  " of " + std::to_string(n) + " bytes");
      state.SkipWithError("download failed");
      return;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * transferBytes()));
}
BENCHMARK(BM_Download)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

double percentile(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

// One iteration of Google Benchmark runs all the connections (the count is known only after
// --short is parsed, too late for Iterations()); the time per connection is in the counters.
void BM_ConnectFirstByte(benchmark::State& state) {
  World& w = World::get();
  if (!w.ready) {
    state.SkipWithError("no world");
    return;
  }
  bool viaProxy = state.range(0) == 1;
  state.SetLabel(pathName(viaProxy));
  std::vector<double> us;
  int count = bench::scaled(3000, 200);
  for (auto _ : state) {
    for (int i = 0; i < count; ++i) {
      auto t0 = Clock::now();
      int fd = connectTo(w.ip(viaProxy), w.port(viaProxy));
      char cmd = 'P';
      char name = 0;
      bool ok = fd >= 0 && writeFull(fd, &cmd, 1) && readFull(fd, &name, 1) && name == 'A';
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (fd >= 0) {
        ::close(fd);
      }
      if (!ok) {
        bench::fail(std::string("connect ") + pathName(viaProxy) + ": no answer from backend A");
        state.SkipWithError("connect failed");
        return;
      }
    }
  }
  state.counters["connections"] = static_cast<double>(us.size());
  state.counters["p50_us"] = percentile(us, 0.50);
  state.counters["p99_us"] = percentile(us, 0.99);
}
BENCHMARK(BM_ConnectFirstByte)
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_EndpointSwitch(benchmark::State& state) {
  World& w = World::get();
  if (!w.ready) {
    state.SkipWithError("no world");
    return;
  }
  std::vector<double> ms;
  int count = bench::scaled(20, 2);
  for (auto _ : state) {
    for (int i = 0; i < count; ++i) {
      bool toB = i % 2 == 0;
      auto t0 = Clock::now();
      if (!w.putSlice(toB ? "127.0.0.3" : "127.0.0.2") || !w.waitForBackend(toB ? 'B' : 'A')) {
        bench::fail("new connections did not follow the EndpointSlice within 30 s");
        state.SkipWithError("switch failed");
        return;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  }
  // Leave A as the endpoint for whatever runs next (count is even, but be sure).
  if (!w.putSlice("127.0.0.2") || !w.waitForBackend('A')) {
    bench::fail("could not switch back to A");
  }
  state.counters["switches"] = static_cast<double>(ms.size());
  state.counters["p50_ms"] = percentile(ms, 0.50);
  state.counters["max_ms"] = percentile(ms, 1.0);
}
BENCHMARK(BM_EndpointSwitch)->Iterations(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return mysqlop::bench::main(argc, argv); }
