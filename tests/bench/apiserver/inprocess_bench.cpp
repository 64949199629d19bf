// In-process benchmarks of the local API server's costs that do not involve HTTP (the server is
// an ApiServer object in this process, its requests go through ApiServer::handle):
//   BM_GcPass/N             one pass of the lifecycle controllers (namespaces, CRDs, GC finalizers,
//                           garbage collection) with N ConfigMaps stored, a tenth of them owned
//   BM_OwnedCreate/N        creating one owned ConfigMap with N objects stored, while the server's
//                           own lifecycle thread reacts to it: process CPU per create
//   BM_CascadeDelete/N      deleting (Background) an owner of 1000 ConfigMaps with N objects
//   stored:
//                           time and process CPU until the lifecycle thread has collected them all
//   BM_WatchOtherResource/W one ConfigMap write with W watchers of Secrets open (they must not
//                           receive it): process CPU per write, which is what an idle watcher of
//                           another resource costs
// Checked (exit 1 otherwise): every request succeeds, the Secret watchers receive nothing.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "localcluster/apiserver/api_server.h"
#include "tests/bench/common/bench_main.h"

namespace {
namespace inproc {  // apiserver_bench.cpp shares the unity batch

namespace bench = mysqlop::bench;
namespace local = mysqlop::local;
using nlohmann::json;

double processCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A server in a fresh temp dir, removed at the end.
class Server {
 public:
  Server() {
    dir_ = std::filesystem::temp_directory_path() /
           ("apiserver-inproc-" + std::to_string(::getpid()) + "-" + std::to_string(++count_));
    local::ApiServer::Options o;
    o.dataDir = dir_.string();
    o.historyLimit = 20000;
    if (auto r = api.open(o); !r.ok()) {
      bench::fail("opening the server: " + r.error().message);
    }
  }
  ~Server() {
    api.shutdown();
    api.store().close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // One request; false (a failed check) unless it answers `want`.
  bool call(const std::string& method, const std::string& path, const json& body, int want,
            json* out = nullptr) {
    local::ApiRequest req;
    req.method = method;
    req.path = path;
    req.body = body.is_null() ? "" : body.dump();
    req.contentType = "application/json";
    local::ApiResponse resp;
    api.handle(req, resp, nullptr);
    if (resp.code != want) {
      bench::fail(method + " " + path + ": " + std::to_string(resp.code) + " " +
                  resp.body.substr(0, 300));
      return false;
    }
    if (out) {
      *out = json::parse(resp.body);
    }
    return true;
  }

  local::ApiServer api;

 private:
  std::filesystem::path dir_;
  static inline int count_ = 0;
};

const std::string kCm = "/api/v1/namespaces/default/configmaps";

json configMap(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", {{"app", "bench"}}}}},
          {"data", {{"k", std::string(200, 'v')}}}};
}

json ownedBy(json obj, const json& owner) {
  obj["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"},
                                         {"kind", "ConfigMap"},
                                         {"name", owner["metadata"]["name"]},
                                         {"uid", owner["metadata"]["uid"]}}};
  return obj;
}

// N ConfigMaps; every tenth is owned by one of N/100 owners (whose objects stay present).
bool fill(Server& s, int n) {
  std::vector<json> owners;
  for (int i = 0; i < std::max(1, n / 100); ++i) {
    json o;
    if (!s.call("POST", kCm, configMap("owner-" + std::to_string(i)), 201, &o)) {
      return false;
    }
    owners.push_back(o);
  }
  for (int i = 0; i < n; ++i) {
    json cm = configMap("cm-" + std::to_string(i));
    if (i % 10 == 0) {
      cm = ownedBy(cm, owners[static_cast<std::size_t>(i / 10) % owners.size()]);
    }
    if (!s.call("POST", kCm, cm, 201)) {
      return false;
    }
  }
  return true;
}

void BM_GcPass(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Server s;
  if (!fill(s, n)) {
    state.SkipWithError("fill failed");
    return;
  }
  for (auto _ : state) {
    s.api.runLifecyclePass();
  }
  state.counters["objects"] = n;
}
BENCHMARK(BM_GcPass)
    ->Arg(bench::scaled(10000, 300))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(bench::scaled(20, 2));

void BM_OwnedCreate(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Server s;
  if (!fill(s, n)) {
    state.SkipWithError("fill failed");
    return;
  }
  json owner;
  if (!s.call("GET", kCm + "/owner-0", json(), 200, &owner)) {
    state.SkipWithError("no owner");
    return;
  }
  // Let the lifecycle thread finish with the fill before measuring.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  int i = 0;
  const int creates = bench::scaled(200, 10);
  double cpu = 0;
  for (auto _ : state) {
    const double before = processCpuSeconds();
    for (int k = 0; k < creates; ++k) {
      if (!s.call("POST", kCm, ownedBy(configMap("more-" + std::to_string(i++)), owner), 201)) {
        state.SkipWithError("create failed");
        return;
      }
      // One create at a time, as a controller would do them: give the lifecycle loop its turn.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // The lifecycle thread's last pass.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    cpu += processCpuSeconds() - before;
  }
  state.counters["cpu_ms_per_create"] =
      cpu * 1000.0 / static_cast<double>(creates * state.iterations());
  state.counters["objects"] = n;
}
BENCHMARK(BM_OwnedCreate)
    ->Arg(bench::scaled(10000, 300))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

void BM_CascadeDelete(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int dependents = bench::scaled(1000, 50);
  Server s;
  if (!fill(s, n)) {
    state.SkipWithError("fill failed");
    return;
  }
  int round = 0;
  double cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    json owner;
    const std::string name = "big-" + std::to_string(round++);
    if (!s.call("POST", kCm, configMap(name), 201, &owner)) {
      state.SkipWithError("create failed");
      return;
    }
    for (int i = 0; i < dependents; ++i) {
      if (!s.call("POST", kCm, ownedBy(configMap(name + "-dep-" + std::to_string(i)), owner),
                  201)) {
        state.SkipWithError("create failed");
        return;
      }
    }
    const std::size_t before = s.api.store().list("/configmaps", "").items.size();
    state.ResumeTiming();
    const double cpuBefore = processCpuSeconds();
    if (!s.call("DELETE", kCm + "/" + name, json(), 200)) {
      state.SkipWithError("delete failed");
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (s.api.store().list("/configmaps", "").items.size() >
               before - static_cast<std::size_t>(dependents) - 1 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    cpu += processCpuSeconds() - cpuBefore;
    if (s.api.store().list("/configmaps", "").items.size() >
        before - static_cast<std::size_t>(dependents) - 1) {
      bench::fail("the dependents were not collected within 60 s");
      state.SkipWithError("not collected");
      return;
    }
  }
  state.counters["cpu_ms"] = cpu * 1000.0 / static_cast<double>(state.iterations());
  state.counters["dependents"] = dependents;
  state.counters["objects"] = n;
}
BENCHMARK(BM_CascadeDelete)
    ->Arg(bench::scaled(10000, 300))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(bench::scaled(3, 1))
    ->UseRealTime();

// The server side of a watch that counts lines and never goes away.
class CountingStream : public local::WatchStream {
 public:
  bool begin(int code) override { return code == 200; }
  bool send(const std::string& line) override {
    if (line.find("\"BOOKMARK\"") == std::string::npos) {
      ++lines;
    }
    return true;
  }
  bool clientGone() override { return gone.load(); }
  std::atomic<int> lines{0};
  std::atomic<bool> gone{false};
};

void BM_WatchOtherResource(benchmark::State& state) {
  const int watchers = static_cast<int>(state.range(0));
  Server s;
  if (!s.call("POST", kCm, configMap("target"), 201)) {
    state.SkipWithError("create failed");
    return;
  }
  std::vector<std::unique_ptr<CountingStream>> streams;
  std::vector<std::thread> threads;
  for (int i = 0; i < watchers; ++i) {
    streams.push_back(std::make_unique<CountingStream>());
    threads.emplace_back([&s, st = streams.back().get()] {
      local::ApiRequest req;
      req.method = "GET";
      req.path = "/api/v1/namespaces/default/secrets";
      req.query = {{"watch", "true"},
                   {"resourceVersion", std::to_string(s.api.store().currentRv())}};
      local::ApiResponse resp;
      s.api.handle(req, resp, st);
    });
  }
  while (s.api.openWatches() < watchers) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  json cm = configMap("target");
  int i = 0;
  const int writes = bench::scaled(2000, 50);
  double cpu = 0;
  for (auto _ : state) {
    const double before = processCpuSeconds();
    for (int k = 0; k < writes; ++k) {
      cm["data"]["n"] = std::to_string(i++);
      if (!s.call("PUT", kCm + "/target", cm, 200)) {
        state.SkipWithError("write failed");
        break;
      }
    }
    cpu += processCpuSeconds() - before;
  }
  for (auto& st : streams) {
    if (st->lines.load() != 0) {
      bench::fail("a Secret watcher received a ConfigMap event");
    }
    st->gone = true;
  }
  s.api.store().wakeAll();
  for (auto& t : threads) {
    t.join();
  }
  state.counters["cpu_us_per_write"] = cpu * 1e6 / static_cast<double>(writes * state.iterations());
}
BENCHMARK(BM_WatchOtherResource)
    ->Arg(0)
    ->Arg(bench::scaled(100, 10))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

}  // namespace inproc
}  // namespace
