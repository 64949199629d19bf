// 500 MysqlUsers reconciled against one mariadbd by the user plugin's reconciler (the Kubernetes
// side in memory, so that the numbers are the plugin's and MySQL's): wall time per pass and the
// server connections used (SHOW GLOBAL STATUS 'Connections' before and after, minus the status
// queries themselves). Passes: the first creates every account; the second finds them in sync (the
// periodic drift check); the third after a password rotation; then the same with 4 reconcile
// workers, as the host runs them. Prints the numbers; asserts nothing about speed, but a reconcile
// that does not return Ok is a failed check (exit 1). --short: 20 users (tests/bench/README.md).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "plugins/common/kube/resources.h"
#include "plugins/user/src/reconciler.h"
#include "tests/bench/common/bench_main.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/mysql/memory_kube.h"

namespace {

using mysqlop::kube::res::kMysqlUser;
using mysqlop::testing::MariaDbServer;
using mysqlop::testing::MemoryKube;
using nlohmann::json;

int users() { return mysqlop::bench::scaled(500, 20); }

struct World {
  MariaDbServer db;
  MemoryKube kube;

  World() {
    kube.setSecret("ns", "cluster-secret", {{"ROOT_PASSWORD", db.rootPassword()}});
    kube.putCluster("ns", "c", "cluster-secret", true);
    kube.setMaster("ns", "c", {db.host(), db.port()});
    kube.setSecret("ns", "pw", {{"PASSWORD", "bench-password-1"}});
    db.query("CREATE DATABASE app");
  }

  void putUsers(const std::string& prefix) {
    for (int i = 0; i < users(); ++i) {
      kube.put(kMysqlUser,
               {{"metadata", {{"namespace", "ns"}, {"name", prefix + std::to_string(i)}}},
                {"spec",
                 {{"clusterRef", {{"name", "c"}}},
                  {"user", prefix + std::to_string(i)},
                  {"password", {{"name", "pw"}, {"key", "PASSWORD"}}},
                  {"allowedHosts", {"%"}},
                  {"permissions",
                   {{{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"SELECT", "INSERT"}}}}},
                  {"resourceLimits", {{"MAX_USER_CONNECTIONS", 10}}}}}});
    }
  }
};

World& world() {
  static World w;
  return w;
}

struct Pass {
  double seconds = 0;
  long long connections = 0;
  int failures = 0;
};

// Reconciles every user of `prefix` once with `workers` threads sharing one reconciler.
Pass runPass(mysqlop::user::Reconciler& r, const std::string& prefix, int workers) {
  World& w = world();
  const long long before = w.db.globalStatus("Connections");
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(workers));
  for (int t = 0; t < workers; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < users(); i = next++) {
        auto o = r.reconcile(w.kube, "ns", prefix + std::to_string(i));
        if (o.status != mysqlop_status_Ok) {
          ++failures;
          mysqlop::bench::fail("reconciling MysqlUser ns/" + prefix + std::to_string(i) + ": " +
                               mysqlop::statusName(o.status) + " " + o.message);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  Pass p;
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Minus one: the second status query is a connection of its own.
  p.connections = w.db.globalStatus("Connections") - before - 1;
  p.failures = failures;
  return p;
}

void report(benchmark::State& state, const char* what, const Pass& p) {
  state.counters[std::string(what) + "_s"] = p.seconds;
  state.counters[std::string(what) + "_ms_per_user"] = p.seconds * 1000.0 / users();
  state.counters[std::string(what) + "_connections"] = static_cast<double>(p.connections);
  std::printf("%-40s %4d users  %7.3f s  %6.2f ms/user  %3lld connections  %d failures\n", what,
              users(), p.seconds, p.seconds * 1000.0 / users(), p.connections, p.failures);
}

void benchUsers(benchmark::State& state, int workers) {
  const std::string prefix = "w" + std::to_string(workers) + "_";
  for (auto _ : state) {
    World& w = world();
    w.kube.setSecret("ns", "pw", {{"PASSWORD", "bench-password-1"}});
    w.putUsers(prefix);
    mysqlop::user::Reconciler r(mysqlop::user::parseOptions("{}", "{}"), nullptr);
    const std::string tag = std::to_string(workers) + " worker(s): ";
    report(state, (tag + "create").c_str(), runPass(r, prefix, workers));
    report(state, (tag + "in sync (drift check)").c_str(), runPass(r, prefix, workers));
    w.kube.setSecret("ns", "pw", {{"PASSWORD", "bench-password-2"}});
    report(state, (tag + "password rotation").c_str(), runPass(r, prefix, workers));
    const auto stats = r.pool().stats();
    state.counters["pool_opened"] = static_cast<double>(stats.opened);
    std::printf("%-40s opened %llu, reused %llu\n", (tag + "pool").c_str(),
                static_cast<unsigned long long>(stats.opened),
                static_cast<unsigned long long>(stats.reused));
  }
}

// Registered at run time: the short mode (a command-line flag) changes the number of users.
void registerBenchmarks() {
  const std::string name = "BM_MysqlUsers" + std::to_string(users());
  for (int workers : {1, 4}) {
    benchmark::RegisterBenchmark((name + (workers == 1 ? "_OneWorker" : "_FourWorkers")).c_str(),
                                 [workers](benchmark::State& state) { benchUsers(state, workers); })
        ->Iterations(1)
        ->Unit(benchmark::kSecond)
        ->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  registerBenchmarks();
  mysqlop::bench::runBenchmarks(argc, argv);
  return mysqlop::bench::finish();
}
