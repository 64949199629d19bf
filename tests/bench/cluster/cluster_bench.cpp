// Scale benchmark of the cluster plugin: N MysqlClusters created at once (4 client threads) on
// the local API server, with the real mysql-operator running only the cluster plugin. Prints the
// time until every child object of every cluster exists (StatefulSet, ConfigMap, operated Secret,
// master, healthy and replicas Services, PDB, and the namespace's headless Service), the
// reconciles per second over that time, and the operator's RSS afterwards, each goal with PASS or
// MISS beside it. Then Google Benchmark measures building one cluster's objects in memory.
// Checked (exit 1 otherwise): the operator starts and leads, every POST succeeds, every child of
// every cluster exists within the deadline, /metrics answers. A goal missed is printed, not failed
// (times on a shared machine are no check).
//
//   build/bench/bench_cluster [--short] [--clusters N] [--workers W] [benchmark flags]
//   --short: 20 clusters (unless --clusters) and brief runs (tests/bench/README.md)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "cluster_env.h"
#include "operator_process.h"
#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/naming.h"
#include "plugins/cluster/src/options.h"
#include "plugins/cluster/src/spec.h"
#include "tests/bench/common/bench_main.h"
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

// Goals of issue 1, printed beside the numbers.
constexpr double kChildrenGoalSeconds = 30;
constexpr double kRssGoalMiB = 64;

const char* verdict(bool met) { return met ? "PASS" : "MISS"; }

// The names of the objects of kind in namespace "bench"; nullopt when the list failed.
std::optional<std::set<std::string>> names(ApiEnv& env, const std::string& kind) {
  auto r = env.api().request("GET", collectionPath(kind, "bench"));
  if (!r.ok() || r.value().status != 200) {
    return std::nullopt;
  }
  std::set<std::string> out;
  for (const json& item : r.value().json().value("items", json::array())) {
    out.insert(item["metadata"].value("name", ""));
  }
  return out;
}

// Items in a list of kind in namespace "bench".
std::size_t count(ApiEnv& env, const std::string& kind) {
  auto n = names(env, kind);
  return n ? n->size() : 0;
}

// The children every cluster c0 ... c<clusters-1> must have, by kind.
std::map<std::string, std::vector<std::string>> expectedChildren(int clusters) {
  namespace cl = mysqlop::cluster;
  std::map<std::string, std::vector<std::string>> out;
  out["Service"].push_back(cl::kHeadlessServiceName);  // one per namespace
  for (int i = 0; i < clusters; ++i) {
    const std::string c = "c" + std::to_string(i);
    out["StatefulSet"].push_back(cl::statefulSetName(c));
    out["ConfigMap"].push_back(cl::configMapName(c));
    out["Secret"].push_back(cl::operatedSecretName(c));
    out["Service"].push_back(cl::masterServiceName(c));
    out["Service"].push_back(cl::healthyServiceName(c));
    out["Service"].push_back(cl::replicasServiceName(c));
    out["PodDisruptionBudget"].push_back(cl::pdbName(c));
  }
  return out;
}

// How many expected children are missing, by kind (kinds with none missing left out); a list that
// fails counts all of its kind as missing.
std::map<std::string, std::size_t> missingChildren(
    ApiEnv& env, const std::map<std::string, std::vector<std::string>>& expected) {
  std::map<std::string, std::size_t> out;
  for (const auto& [kind, wanted] : expected) {
    const auto have = names(env, kind);
    std::size_t missing = 0;
    for (const std::string& name : wanted) {
      missing += have && have->count(name) > 0 ? 0 : 1;
    }
    if (missing > 0) {
      out[kind] = missing;
    }
  }
  return out;
}

std::string describe(const std::map<std::string, std::size_t>& missing) {
  std::string out;
  for (const auto& [kind, n] : missing) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
  }
  return out;
}

// Sum of mysqlop_reconcile_total{plugin="cluster"} from the operator's /metrics.
double reconciles(ApiEnv& env, int metricsPort) {
  (void)env;
  const auto r = mysqlop::testing::runCommand(
      {"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(metricsPort) + "/metrics"});
  double total = 0;
  if (r.exitCode != 0 || r.out.empty()) {
    mysqlop::bench::fail("cannot read /metrics on port " + std::to_string(metricsPort) + ": exit " +
                         std::to_string(r.exitCode) + " " + r.err);
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

void runScenario(int clusters, int workers) {
  ApiEnv env;
  env.start();
  if (::testing::Test::HasFailure()) {
    mysqlop::bench::fail("the local API server did not start with the CRDs");
    return;
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
  if (port < 0 || !leading(op)) {
    mysqlop::bench::fail("the operator did not serve /metrics and lead within 30 s:\n" + op.log());
    return;
  }
  const long rssIdle = rssKiB(op.pid());
  const double opCpu0 = cpuSeconds(op.pid());
  const double apiCpu0 = cpuSeconds(env.api().pid());

  const auto t0 = Clock::now();
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  clients.reserve(4);
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
  if (failed.load() > 0) {
    mysqlop::bench::fail(std::to_string(failed.load()) + " of " + std::to_string(clusters) +
                         " MysqlCluster POSTs failed");
  }
  // The PDB is the last child of a reconcile: poll its count (a cheap list), then check every
  // child of every cluster by name, and go on polling while any is missing.
  const auto expected = expectedChildren(clusters);
  std::map<std::string, std::size_t> missing;
  const auto deadline = t0 + std::chrono::minutes(10);
  for (;;) {
    if (count(env, "PodDisruptionBudget") >= static_cast<std::size_t>(clusters)) {
      missing = missingChildren(env, expected);
      if (missing.empty()) {
        break;
      }
    }
    if (Clock::now() >= deadline) {
      missing = missingChildren(env, expected);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto done = Clock::now();
  if (!missing.empty()) {
    mysqlop::bench::fail("children missing after 10 minutes: " + describe(missing));
  }
  const double reconcileCount = reconciles(env, port);
  const double opCpu = cpuSeconds(op.pid()) - opCpu0;
  const double apiCpu = cpuSeconds(env.api().pid()) - apiCpu0;
  // Let the status writes and their echoes settle, then measure steady-state RSS.
  std::this_thread::sleep_for(std::chrono::seconds(mysqlop::bench::scaled(3, 1)));
  const long rss = rssKiB(op.pid());
  if (rss < 0) {
    mysqlop::bench::fail("the operator is no longer running:\n" + op.log());
  }
  const double total = reconciles(env, port);
  const double childrenSeconds = seconds(t0, done);
  const double rssMiB = static_cast<double>(rss) / 1024.0;

  const std::size_t sts = count(env, "StatefulSet");
  const std::size_t cms = count(env, "ConfigMap");
  const std::size_t secrets = count(env, "Secret");
  const std::size_t services = count(env, "Service");
  const std::size_t pdbs = count(env, "PodDisruptionBudget");
  std::printf("clusters created:                 %d (failed POSTs: %d) in %.2f s\n", clusters,
              failed.load(), seconds(t0, created));
  if (missing.empty()) {
    std::printf("every child exists after:         %.2f s (goal <= %.0f s: %s)\n", childrenSeconds,
                kChildrenGoalSeconds, verdict(childrenSeconds <= kChildrenGoalSeconds));
  } else {
    std::printf("children still missing after:     %.2f s: %s (goal <= %.0f s: MISS)\n",
                childrenSeconds, describe(missing).c_str(), kChildrenGoalSeconds);
  }
  std::printf(
      "children: statefulsets %zu, configmaps %zu, secrets %zu (incl. 1 user), services %zu "
      "(incl. 1 headless), pdbs %zu\n",
      sts, cms, secrets, services, pdbs);
  std::printf("reconciles until then:            %.0f (%.0f/s), %.0f after settling\n",
              reconcileCount, reconcileCount / childrenSeconds, total);
  std::printf(
      "operator RSS:                     idle %.1f MiB, after %.1f MiB (goal <= %.0f MiB: %s)\n",
      static_cast<double>(rssIdle) / 1024.0, rssMiB, kRssGoalMiB,
      verdict(rss >= 0 && rssMiB <= kRssGoalMiB));
  std::printf("CPU until then:                   operator %.1f s, API server %.1f s\n", opCpu,
              apiCpu);
  std::printf("workers:                          %d\n", workers);
  std::fflush(stdout);
  op.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
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
    if (!parsed.spec) {
      mysqlop::bench::fail("the benchmark's MysqlCluster is invalid: " +
                           parsed.errors.at(0).message);
      state.SkipWithError("invalid MysqlCluster");
      break;
    }
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
  mysqlop::bench::parseArgs(&argc, argv);
  int clusters = mysqlop::bench::scaled(1000, 20);
  int workers = 4;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--clusters") == 0 && i + 1 < argc) {
      clusters = std::stoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
      workers = std::stoi(argv[++i]);
    } else {
      rest.push_back(argv[i]);
    }
  }
  runScenario(clusters, workers);
  mysqlop::bench::runBenchmarks(static_cast<int>(rest.size()), rest.data());
  return mysqlop::bench::finish();
}
