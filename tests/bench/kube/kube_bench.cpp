// Kubernetes layer benchmarks against the project's local API server (numbers only, no
// assertions):
//  - informer sync of 10 000 ConfigMaps of about 2 KiB: time to sync and resident memory added;
//  - client GET and PUT per second on one keep-alive connection;
//  - cache reads (get and label-selected list) through the informer store.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/kube/client.h"
#include "core/kube/informer.h"
#include "core/kube/rest_config.h"
#include "core/log/logging.h"
#include "core/metrics/registry.h"
#include "tests/support/kube/local_api_server.h"

namespace {

using namespace mysqlop;
using nlohmann::json;

constexpr int kObjects = 10000;

// One server for the whole run, filled once.
struct World {
  testing::LocalApiServer api;
  std::unique_ptr<kube::Client> client;
  bool filled = false;

  static World& get() {
    static World w;
    return w;
  }

  World() {
    log::init(log::Format::Text, spdlog::level::warn);
    testing::LocalApiServer::Options o;
    o.extraArgs = {"--history-limit", "200000"};
    auto s = api.start(o);
    if (!s.ok()) {
      // Older servers may not know the flag: retry without it.
      o.extraArgs.clear();
      s = api.start(o);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "cannot start the local API server: %s\n", s.error().message.c_str());
      std::exit(1);
    }
    auto kc = kube::loadKubeconfigFiles({api.kubeconfigPath()}, true);
    auto rc = kube::restConfigFromKubeconfig(*kc);
    client = std::make_unique<kube::Client>(*kube::HttpTransport::create(*rc));
    (void)client->create(
        kube::resources::kNamespaces,
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "bench"}}}});
  }

  // 10 000 ConfigMaps of ~2 KiB: 16 data keys of 100 bytes plus labels and annotations, a shape
  // close to the StatefulSets and Secrets an operator caches.
  void fill() {
    if (filled) {
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([this, t] {
        auto kc = kube::loadKubeconfigFiles({api.kubeconfigPath()}, true);
        kube::Client c(*kube::HttpTransport::create(*kube::restConfigFromKubeconfig(*kc)));
        for (int i = t; i < kObjects; i += 4) {
          json data = json::object();
          for (int k = 0; k < 16; ++k) {
            data["key-" + std::to_string(k)] =
                std::string(100, static_cast<char>('a' + (i + k) % 26));
          }
          json cm = {{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata",
                      {{"name", "cm-" + std::to_string(i)},
                       {"namespace", "bench"},
                       {"labels", {{"app", "bench"}, {"shard", std::to_string(i % 10)}}},
                       {"annotations", {{"example.mysqlop.io/note", "benchmark object"}}}}},
                     {"data", data}};
          auto r = c.create(kube::resources::kConfigMaps, cm);
          if (!r.ok() && !r.is(Errc::AlreadyExists)) {
            std::fprintf(stderr, "create failed: %s\n", r.error().message.c_str());
            std::exit(1);
          }
        }
      });
    }
    for (auto& w : writers) {
      w.join();
    }
    filled = true;
    std::printf("filled %d ConfigMaps in %.1f s\n", kObjects,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
};

double rssMiB() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0;
  long resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) {
      resident = 0;
    }
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

void BM_InformerSync10k(benchmark::State& state) {
  World& w = World::get();
  w.fill();
  for (auto _ : state) {
    malloc_trim(0);
    const double before = rssMiB();
    const auto start = std::chrono::steady_clock::now();
    kube::InformerOptions o;
    o.namespaceName = "bench";
    kube::Informer inf(*w.client, kube::resources::kConfigMaps, o);
    std::size_t adds = 0;
    kube::EventHandlers h;
    h.onAdd = [&](const kube::ObjectPtr&) { ++adds; };
    inf.addHandlers(h);
    inf.start();
    inf.waitForSync(std::chrono::minutes(5));
    const double syncSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double peak = rssMiB();
    malloc_trim(0);  // give back the transient list buffers, as a long-running process would
    const double after = rssMiB();
    std::size_t jsonBytes = 0;
    for (const auto& obj : inf.store().list("")) {
      jsonBytes += obj->json.size();
    }
    state.counters["objects"] = static_cast<double>(inf.store().size());
    state.counters["adds"] = static_cast<double>(adds);
    state.counters["sync_s"] = syncSeconds;
    state.counters["json_MiB"] = static_cast<double>(jsonBytes) / (1024.0 * 1024.0);
    state.counters["rss_peak_delta_MiB"] = peak - before;
    state.counters["rss_delta_MiB"] = after - before;
    inf.stop();
  }
}
BENCHMARK(BM_InformerSync10k)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CacheGetAndSelect(benchmark::State& state) {
  World& w = World::get();
  w.fill();
  kube::InformerOptions o;
  o.namespaceName = "bench";
  kube::Informer inf(*w.client, kube::resources::kConfigMaps, o);
  inf.start();
  inf.waitForSync(std::chrono::minutes(5));
  auto sel = kube::LabelSelector::parse("app=bench,shard=3");
  int i = 0;
  std::size_t selected = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(inf.store().get("bench/cm-" + std::to_string(i++ % kObjects)));
    if (i % 1000 == 0) {
      selected = inf.store().list("bench", &*sel).size();
    }
  }
  state.counters["selected"] = static_cast<double>(selected);
  state.SetItemsProcessed(state.iterations());
  inf.stop();
}
BENCHMARK(BM_CacheGetAndSelect);

void BM_ClientGet(benchmark::State& state) {
  World& w = World::get();
  (void)w.client->create(kube::resources::kConfigMaps,
                         {{"apiVersion", "v1"},
                          {"kind", "ConfigMap"},
                          {"metadata", {{"name", "hot"}, {"namespace", "bench"}}},
                          {"data", {{"v", "0"}}}});
  std::size_t failures = 0;
  for (auto _ : state) {
    auto r = w.client->get(kube::resources::kConfigMaps, "bench", "hot");
    failures += r.ok() ? 0 : 1;
  }
  state.counters["failures"] = static_cast<double>(failures);
  state.counters["connections"] = static_cast<double>(w.client->transport().connectionsOpened());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClientGet)->UseRealTime()->MinTime(3.0);

void BM_ClientPut(benchmark::State& state) {
  World& w = World::get();
  auto cur = w.client->get(kube::resources::kConfigMaps, "bench", "hot");
  if (!cur.ok()) {
    state.SkipWithError("no ConfigMap to update");
    return;
  }
  json obj = *cur;
  long n = 0;
  std::size_t failures = 0;
  for (auto _ : state) {
    obj["data"]["v"] = std::to_string(++n);
    auto r = w.client->update(kube::resources::kConfigMaps, obj);
    if (r.ok()) {
      obj = std::move(r).value();
    } else {
      ++failures;
    }
  }
  state.counters["failures"] = static_cast<double>(failures);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClientPut)->UseRealTime()->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
