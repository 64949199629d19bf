// Scale benchmark of the cluster plugin: N MysqlClusters created at once (4 client threads) on
// the local API server, with the real mysql-operator running only the cluster plugin. Prints the
// time until every child object of every cluster exists, the reconciles per second over that
// time, and the operator's RSS afterwards. Then Google Benchmark measures building one cluster's
// objects in memory.
//
//   build/bench/bench_cluster [--clusters N] [--workers W] [benchmark flags]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "cluster_env.h"
#include "operator_process.h"
#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/options.h"
#include "plugins/cluster/src/spec.h"
#include "tests/support/kube/kubectl.h"

namespace {

using mysqlop::cluster::it::ApiEnv;
using mysqlop::cluster::it::collectionPath;
using mysqlop::cluster::it::OperatorProcess;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// User + system CPU seconds a process has used (/proc/PID/stat fields 14 and 15).
double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) {
    return -1;
  }
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i >= 14) {
      ticks += std::stod(f);
    }
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

long rssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return -1;
}

// Items in a list of kind in namespace "bench".
std::size_t count(ApiEnv& env, const std::string& kind) {
  auto r = env.api().request("GET", collectionPath(kind, "bench"));
  if (!r.ok() || r.value().status != 200) {
    return 0;
  }
  return r.value().json().value("items", json::array()).size();
}

// Sum of mysqlop_reconcile_total{plugin="cluster"} from the operator's /metrics.
double reconciles(ApiEnv& env, int metricsPort) {
  (void)env;
  const auto r = mysqlop::testing::runCommand(
      {"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(metricsPort) + "/metrics"});
  double total = 0;
  if (r.exitCode != 0 || r.out.empty()) {
    std::fprintf(stderr, "cannot read /metrics on port %d: exit %d %s\n", metricsPort, r.exitCode,
                 r.err.c_str());
  }
  const std::regex re(R"(mysqlop_reconcile_total\{[^}]*plugin="cluster"[^}]*\} ([0-9.e+]+))");
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), re); it != std::sregex_iterator();
       ++it) {
    total += std::stod((*it)[1]);
  }
  return total;
}

int metricsPortOf(const OperatorProcess& op) {
  const std::regex re("serving /metrics on [0-9.]*:([0-9]+)");
  for (int i = 0; i < 600; ++i) {
    std::smatch m;
    const std::string log = op.log();
    if (std::regex_search(log, m, re)) {
      return std::stoi(m[1]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

bool leading(const OperatorProcess& op) {
  return op.log().find("starting the reconcilers") != std::string::npos;
}

int runScenario(int clusters, int workers) {
  ApiEnv env;
  env.start();
  if (::testing::Test::HasFailure()) {
    return 1;
  }
  env.call("POST", "/api/v1/namespaces",
           {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "bench"}}}});
  env.create({{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata", {{"name", "root"}}},
              {"data", {{"ROOT_PASSWORD", "cm9vdA=="}}}},
             "bench");
  const fs::path dir = fs::temp_directory_path() / ("cluster-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream cfg(dir / "operator.yaml");
    cfg << "plugins:\n  - name: cluster\n    workers: " << workers << "\n";
  }
  OperatorProcess op(dir.string());
  op.start(env.api().kubeconfigPath(), {"--config=" + (dir / "operator.yaml").string()});
  const int port = metricsPortOf(op);
  for (int i = 0; i < 600 && !leading(op); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const long rssIdle = rssKiB(op.pid());
  const double opCpu0 = cpuSeconds(op.pid());
  const double apiCpu0 = cpuSeconds(env.api().pid());

  const auto t0 = Clock::now();
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      for (int i = next++; i < clusters; i = next++) {
        json c = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                  {"kind", "MysqlCluster"},
                  {"metadata", {{"name", "c" + std::to_string(i)}}},
                  {"spec", {{"replicas", 2}, {"secretName", "root"}}}};
        auto r = env.api().request("POST", collectionPath("MysqlCluster", "bench"), c.dump());
        if (!r.ok() || r.value().status != 201) {
          ++failed;
        }
      }
    });
  }
  for (auto& t : clients) {
    t.join();
  }
  const auto created = Clock::now();
  // The PDB is the last child of a reconcile: poll its count, then check every kind once.
  std::size_t pdbs = 0;
  const auto deadline = t0 + std::chrono::minutes(10);
  while ((pdbs = count(env, "PodDisruptionBudget")) < static_cast<std::size_t>(clusters) &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto done = Clock::now();
  const double reconcileCount = reconciles(env, port);
  const double opCpu = cpuSeconds(op.pid()) - opCpu0;
  const double apiCpu = cpuSeconds(env.api().pid()) - apiCpu0;
  // Let the status writes and their echoes settle, then measure steady-state RSS.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const long rss = rssKiB(op.pid());
  const double total = reconciles(env, port);

  const std::size_t sts = count(env, "StatefulSet");
  const std::size_t cms = count(env, "ConfigMap");
  const std::size_t secrets = count(env, "Secret");
  const std::size_t services = count(env, "Service");
  std::printf("clusters created:                 %d (failed POSTs: %d) in %.2f s\n", clusters,
              failed.load(), seconds(t0, created));
  std::printf("every child exists after:         %.2f s (goal <= 30 s)\n", seconds(t0, done));
  std::printf(
      "children: statefulsets %zu, configmaps %zu, secrets %zu (incl. 1 user), services %zu "
      "(incl. 1 headless), pdbs %zu\n",
      sts, cms, secrets, services, pdbs);
  std::printf("reconciles until then:            %.0f (%.0f/s), %.0f after settling\n",
              reconcileCount, reconcileCount / seconds(t0, done), total);
  std::printf("operator RSS:                     idle %.1f MiB, after %.1f MiB (goal <= 64 MiB)\n",
              static_cast<double>(rssIdle) / 1024.0, static_cast<double>(rss) / 1024.0);
  std::printf("CPU until then:                   operator %.1f s, API server %.1f s\n", opCpu,
              apiCpu);
  std::printf("workers:                          %d\n", workers);
  std::fflush(stdout);
  op.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return pdbs == static_cast<std::size_t>(clusters) ? 0 : 1;
}

void BM_BuildClusterObjects(benchmark::State& state) {
  const mysqlop::cluster::Options o = mysqlop::cluster::parseOptions("{}", "{}");
  const json cluster = {
      {"apiVersion", "mysql.presslabs.org/v1alpha1"},
      {"kind", "MysqlCluster"},
      {"metadata", {{"name", "c"}, {"namespace", "ns"}, {"uid", "u"}}},
      {"spec",
       {{"replicas", 3},
        {"secretName", "s"},
        {"volumeSpec",
         {{"persistentVolumeClaim", {{"resources", {{"requests", {{"storage", "10Gi"}}}}}}}}}}}};
  for (auto _ : state) {
    auto parsed = mysqlop::cluster::parseCluster(cluster, o);
    const auto& c = *parsed.spec;
    benchmark::DoNotOptimize(mysqlop::cluster::buildStatefulSet(c, o, "1", "2").dump());
    benchmark::DoNotOptimize(mysqlop::cluster::buildConfigMap(c).dump());
    benchmark::DoNotOptimize(mysqlop::cluster::buildMasterService(c).dump());
    benchmark::DoNotOptimize(mysqlop::cluster::buildHealthyService(c).dump());
    benchmark::DoNotOptimize(mysqlop::cluster::buildReplicasService(c).dump());
    benchmark::DoNotOptimize(mysqlop::cluster::buildPodDisruptionBudget(c).dump());
  }
}
BENCHMARK(BM_BuildClusterObjects)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  int clusters = 1000;
  int workers = 4;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--clusters") == 0 && i + 1 < argc) {
      clusters = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
      workers = std::atoi(argv[++i]);
    } else {
      rest.push_back(argv[i]);
    }
  }
  const int rc = runScenario(clusters, workers);
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  return rc;
}
