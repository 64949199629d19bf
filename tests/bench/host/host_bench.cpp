// Plugin host benchmarks (issue 2): a no-op reconcile through the ABI, loading and creating five
// plugins, and the idle RSS of mysql-operator with five plugins. No assertion on time; a plugin
// that does not load, a reconcile that does not succeed or an operator that does not start is a
// failed check (exit 1). --short: the same runs, briefly (tests/bench/README.md).
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
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
#include "tests/bench/common/bench_main.h"

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

// Loads the plugins; false (a failed check, the benchmark skipped) when one of them did not load.
bool loadAll(benchmark::State& state, Host& h, const std::vector<config::PluginEntry>& entries) {
  h.manager.loadAll(entries);
  if (h.manager.ready()) {
    return true;
  }
  bench::fail("a plugin did not load: " + h.manager.readinessReport());
  state.SkipWithError("a plugin did not load");
  return false;
}

// The whole host path of one reconcile: request set-up, the call across the ABI, metrics and the
// queue bookkeeping of a successful result.
void BM_NoopReconcileThroughHost(benchmark::State& state) {
  quietLogs();
  Host h;
  if (!loadAll(state, h, {fivePlugins()[0]})) {
    return;
  }
  long failed = 0;
  for (auto _ : state) {
    failed += h.manager.reconcileNow("good1", "ns/ok") == mysqlop_status_Ok ? 0 : 1;
  }
  if (failed > 0) {
    bench::fail(std::to_string(failed) + " reconciles through the host did not return Ok");
  }
}
BENCHMARK(BM_NoopReconcileThroughHost);

// Just the ABI crossing: the descriptor's reconcile pointer called with a host call context.
void BM_NoopReconcileAbiCall(benchmark::State& state) {
  quietLogs();
  Host h;
  if (!loadAll(state, h, {fivePlugins()[0]})) {
    return;
  }
  host::Plugin* p = h.manager.find("good1");
  mysqlop_type_request req{sizeof(mysqlop_type_request), {"ns", 2}, {"ok", 2}, 0};
  mysqlop_type_reconcile_result res{sizeof(mysqlop_type_reconcile_result), 0};
  long failed = 0;
  for (auto _ : state) {
    mysqlop_call_host call(p->handle.get());
    failed += p->library.descriptor.reconcile(p->instance, &call, &req, &res) == mysqlop_status_Ok
                  ? 0
                  : 1;
  }
  if (failed > 0) {
    bench::fail(std::to_string(failed) + " reconciles across the ABI did not return Ok");
  }
}
BENCHMARK(BM_NoopReconcileAbiCall);

// dlopen, validation, create, and teardown (destroy, dlclose) of five plugins.
void BM_LoadAndCreateFivePlugins(benchmark::State& state) {
  quietLogs();
  const auto entries = fivePlugins();
  for (auto _ : state) {
    Host h;
    if (!loadAll(state, h, entries)) {
      break;
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

// Starts mysql-operator --standalone with five plugins, lets it settle for 2 s, and reads its RSS;
// checks that it was still running then and had loaded all five.
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
    Poco::Pipe output;  // a few log lines: far less than the pipe holds
    auto ph = Poco::Process::launch(
        std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
        {"--standalone", "--config", (dir / "config.yaml").string(), "--metrics-addr",
         "127.0.0.1:0", "--healthz-addr", "127.0.0.1:0", "--plugin-dir", dir.string()},
        nullptr, &output, &output);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const long rssKiB = ::kill(ph.id(), 0) == 0 ? vmRssKiB(ph.id()) : -1;
    rssMiB = static_cast<double>(rssKiB) / 1024.0;
    ::kill(ph.id(), SIGTERM);
    ph.wait();
    output.close(Poco::Pipe::CLOSE_WRITE);
    Poco::PipeInputStream in(output);
    std::string log;
    Poco::StreamCopier::copyToString(in, log);
    if (rssKiB <= 0) {
      bench::fail("mysql-operator was not running 2 s after its start:\n" + log);
    } else if (log.find("plugins loaded: 5 of 5 enabled") == std::string::npos) {
      bench::fail("mysql-operator did not log \"plugins loaded: 5 of 5 enabled\":\n" + log);
    }
  }
  state.counters["rss_MiB"] = rssMiB;
  fs::remove_all(dir);
}
BENCHMARK(BM_IdleRssFivePlugins)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) { return mysqlop::bench::main(argc, argv); }
