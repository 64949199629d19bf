// Kubernetes layer benchmarks against the project's local API server (no assertion on time):
//  - informer sync of 10 000 ConfigMaps of about 2 KiB: time to sync and resident memory added;
//  - client GET and PUT per second on one keep-alive connection;
//  - cache reads (get and label-selected list) through the informer store.
// Checked (exit 1 otherwise): every create, GET and PUT succeeds, every informer syncs with every
// object, and the cache answers every get and selects a tenth of the objects.
// --short: 500 objects and brief runs (tests/bench/README.md).
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
#include "tests/bench/common/bench_main.h"
#include "tests/support/kube/local_api_server.h"

namespace {

using namespace mysqlop;
using nlohmann::json;

// The number of ConfigMaps (a multiple of 10: shard=3 selects a tenth).
int objects() { return bench::scaled(10000, 500); }

// Starts an informer on the ConfigMaps of "bench" and waits for it; false (a failed check) when it
// does not sync with every object within 5 minutes.
bool syncAll(kube::Informer& inf) {
  inf.start();
  if (!inf.waitForSync(std::chrono::minutes(5))) {
    bench::fail("the informer did not sync within 5 minutes");
    return false;
  }
  if (inf.store().size() != static_cast<std::size_t>(objects())) {
    bench::fail("the informer holds " + std::to_string(inf.store().size()) + " ConfigMaps, not " +
                std::to_string(objects()));
    return false;
  }
  return true;
}

// One server for the whole run, filled once.
struct World {
  testing::LocalApiServer api;
  std::shared_ptr<kube::HttpTransport> transport;  // for its connection count
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
    transport = *kube::HttpTransport::create(*rc);
    client = std::make_unique<kube::Client>(transport);
    auto ns = client->create(
        kube::resources::kNamespaces,
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "bench"}}}});
    if (!ns.ok() && !ns.is(Errc::AlreadyExists)) {
      bench::fail("creating the namespace: " + ns.error().message);
    }
  }

  // objects() ConfigMaps of ~2 KiB: 16 data keys of 100 bytes plus labels and annotations, a
  // shape close to the StatefulSets and Secrets an operator caches.
  void fill() {
    if (filled) {
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> writers;
    writers.reserve(4);
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([this, t] {
        auto kc = kube::loadKubeconfigFiles({api.kubeconfigPath()}, true);
        kube::Client c(*kube::HttpTransport::create(*kube::restConfigFromKubeconfig(*kc)));
        for (int i = t; i < objects(); i += 4) {
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
            bench::fail("creating ConfigMap cm-" + std::to_string(i) + ": " + r.error().message);
          }
        }
      });
    }
    for (auto& w : writers) {
      w.join();
    }
    filled = true;
    std::printf("filled %d ConfigMaps in %.1f s\n", objects(),
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

void BM_InformerSync(benchmark::State& state) {
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
    if (!syncAll(inf)) {
      state.SkipWithError("the informer did not sync");
      break;
    }
    const double syncSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double peak = rssMiB();
    malloc_trim(0);  // give back the transient list buffers, as a long-running process would
    const double after = rssMiB();
    std::size_t jsonBytes = 0;
    for (const auto& obj : inf.store().list("")) {
      jsonBytes += obj->json.size();
    }
    if (adds != static_cast<std::size_t>(objects())) {
      bench::fail("the informer's onAdd ran " + std::to_string(adds) + " times, not " +
                  std::to_string(objects()));
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

void BM_CacheGetAndSelect(benchmark::State& state) {
  World& w = World::get();
  w.fill();
  kube::InformerOptions o;
  o.namespaceName = "bench";
  kube::Informer inf(*w.client, kube::resources::kConfigMaps, o);
  if (!syncAll(inf)) {
    state.SkipWithError("the informer did not sync");
    return;
  }
  auto sel = kube::LabelSelector::parse("app=bench,shard=3");
  int i = 0;
  long missing = 0;
  std::size_t selected = 0;
  for (auto _ : state) {
    missing += inf.store().get("bench/cm-" + std::to_string(i++ % objects())) ? 0 : 1;
    if (i % 1000 == 0) {
      selected = inf.store().list("bench", &*sel).size();
    }
  }
  selected = inf.store().list("bench", &*sel).size();
  if (missing > 0) {
    bench::fail(std::to_string(missing) + " cache gets found nothing");
  }
  if (selected != static_cast<std::size_t>(objects() / 10)) {
    bench::fail("shard=3 selected " + std::to_string(selected) + " ConfigMaps, not " +
                std::to_string(objects() / 10));
  }
  state.counters["selected"] = static_cast<double>(selected);
  state.SetItemsProcessed(state.iterations());
  inf.stop();
}

void BM_ClientGet(benchmark::State& state) {
  World& w = World::get();
  auto hot = w.client->create(kube::resources::kConfigMaps,
                              {{"apiVersion", "v1"},
                               {"kind", "ConfigMap"},
                               {"metadata", {{"name", "hot"}, {"namespace", "bench"}}},
                               {"data", {{"v", "0"}}}});
  if (!hot.ok() && !hot.is(Errc::AlreadyExists)) {
    bench::fail("creating ConfigMap hot: " + hot.error().message);
  }
  std::size_t failures = 0;
  for (auto _ : state) {
    auto r = w.client->get(kube::resources::kConfigMaps, "bench", "hot");
    failures += r.ok() ? 0 : 1;
  }
  if (failures > 0) {
    bench::fail(std::to_string(failures) + " GETs failed");
  }
  state.counters["failures"] = static_cast<double>(failures);
  state.counters["connections"] = static_cast<double>(w.transport->connectionsOpened());
  state.SetItemsProcessed(state.iterations());
}

void BM_ClientPut(benchmark::State& state) {
  World& w = World::get();
  auto cur = w.client->get(kube::resources::kConfigMaps, "bench", "hot");
  if (!cur.ok()) {
    bench::fail("no ConfigMap to update: " + cur.error().message);
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
  if (failures > 0) {
    bench::fail(std::to_string(failures) + " PUTs failed");
  }
  state.counters["failures"] = static_cast<double>(failures);
  state.SetItemsProcessed(state.iterations());
}

// Registered at run time: the short mode (a command-line flag) changes the names and run times.
void registerBenchmarks() {
  const std::string syncName = bench::shortMode() ? "BM_InformerSync500" : "BM_InformerSync10k";
  benchmark::RegisterBenchmark(syncName.c_str(), BM_InformerSync)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_CacheGetAndSelect", BM_CacheGetAndSelect);
  const double clientTime = bench::scaled(3.0, 0.2);
  benchmark::RegisterBenchmark("BM_ClientGet", BM_ClientGet)->UseRealTime()->MinTime(clientTime);
  benchmark::RegisterBenchmark("BM_ClientPut", BM_ClientPut)->UseRealTime()->MinTime(clientTime);
}

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  registerBenchmarks();
  mysqlop::bench::runBenchmarks(argc, argv);
  return mysqlop::bench::finish();
}
