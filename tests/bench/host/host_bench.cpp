// Plugin host benchmarks (issue 2): a no-op reconcile through the ABI, loading and creating five
// plugins, and the idle RSS of mysql-operator with five plugins. Numbers only; no assertions.
#include <Poco/Pipe.h>
#include <Poco/Process.h>
#include <benchmark/benchmark.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/host/host_api.h"
#include "core/host/plugin_manager.h"
#include "core/log/logging.h"

namespace {

using namespace mysqlop;

std::string fixture(const std::string& name) {
  return std::string(MYSQLOP_BINARY_DIR) + "/tests/fixtures/" + name + ".so";
}

std::vector<config::PluginEntry> fivePlugins() {
  std::vector<config::PluginEntry> out;
  for (int i = 1; i <= 5; ++i) {
    config::PluginEntry e;
    e.name = "good" + std::to_string(i);
    e.path = fixture(e.name);
    out.push_back(e);
  }
  return out;
}

struct Host {
  metrics::Registry registry;
  http::Router router;
  host::UnavailableClusterAccess cluster;
  host::PluginManager manager{registry, router, cluster, "{}"};
};

void quietLogs() {
  static bool done = false;
  if (!done) {
    log::init(log::Format::Text, spdlog::level::warn);
    done = true;
  }
}

// The whole host path of one reconcile: request set-up, the call across the ABI, metrics and the
// queue bookkeeping of a successful result.
void BM_NoopReconcileThroughHost(benchmark::State& state) {
  quietLogs();
  Host h;
  h.manager.loadAll({fivePlugins()[0]});
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.manager.reconcileNow("good1", "ns/ok"));
  }
}
BENCHMARK(BM_NoopReconcileThroughHost);

// Just the ABI crossing: the descriptor's reconcile pointer called with a host call context.
void BM_NoopReconcileAbiCall(benchmark::State& state) {
  quietLogs();
  Host h;
  h.manager.loadAll({fivePlugins()[0]});
  host::Plugin* p = h.manager.find("good1");
  mysqlop_type_request req{sizeof(mysqlop_type_request), {"ns", 2}, {"ok", 2}, 0};
  mysqlop_type_reconcile_result res{sizeof(mysqlop_type_reconcile_result), 0};
  for (auto _ : state) {
    mysqlop_call_host call(p->handle.get());
    benchmark::DoNotOptimize(p->library.descriptor.reconcile(p->instance, &call, &req, &res));
  }
}
BENCHMARK(BM_NoopReconcileAbiCall);

// dlopen, validation, create, and teardown (destroy, dlclose) of five plugins.
void BM_LoadAndCreateFivePlugins(benchmark::State& state) {
  quietLogs();
  const auto entries = fivePlugins();
  for (auto _ : state) {
    Host h;
    h.manager.loadAll(entries);
    if (!h.manager.ready()) {
      state.SkipWithError("a plugin did not load");
    }
  }
}
BENCHMARK(BM_LoadAndCreateFivePlugins)->Unit(benchmark::kMillisecond);

long vmRssKiB(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

// Starts mysql-operator --standalone with five plugins, lets it settle, and reads its RSS.
void BM_IdleRssFivePlugins(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mysqlop-rss-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream cfg(dir / "config.yaml");
  cfg << "plugins:\n";
  for (const auto& e : fivePlugins()) {
    cfg << "  - name: " << e.name << "\n    path: " << e.path << "\n";
  }
  cfg.close();
  double rssMiB = 0;
  for (auto _ : state) {
    Poco::Pipe devnull;
    auto ph = Poco::Process::launch(
        std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
        {"--standalone", "--config", (dir / "config.yaml").string(), "--metrics-addr",
         "127.0.0.1:0", "--healthz-addr", "127.0.0.1:0", "--plugin-dir", dir.string()},
        nullptr, nullptr, &devnull);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    rssMiB = static_cast<double>(vmRssKiB(ph.id())) / 1024.0;
    ::kill(ph.id(), SIGTERM);
    ph.wait();
  }
  state.counters["rss_MiB"] = rssMiB;
  fs::remove_all(dir);
}
BENCHMARK(BM_IdleRssFivePlugins)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
