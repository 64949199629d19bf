// N planned switchovers (README "Planned switchover") of the standalone engine over three real
// mariadbd (a GTID master, two replicas), round robin, under a writer inserting every ~5 ms into
// whichever node is writable. Prints per mode (semi-sync armed, async) the refused-writes window
// the engine measured (fence to read_only=0 read back), the longest gap the writer saw between two
// acknowledged writes (reconnects included), the whole switchover's duration, p50/p90/max; a lost
// acknowledged write or a failed switchover is a failed check (exit 1).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "plugins/common/mysql/client.h"
#include "plugins/orchestrator/src/static_engine.h"
#include "tests/bench/common/bench_main.h"
#include "tests/support/mysql/acked_writer.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/wait/eventually.h"

namespace {

using namespace mysqlop;
using namespace mysqlop::orchestrator;
using mysqlop::testing::MariaDbOptions;
using mysqlop::testing::MariaDbServer;

double pct(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void runMode(bool semiSync, int n) {
  std::vector<std::unique_ptr<MariaDbServer>> nodes;
  for (int i = 0; i < 3; ++i) {
    MariaDbOptions o;
    o.serverId = i + 1;
    o.extraConfig = {"log_slave_updates=ON", "gtid_strict_mode=ON"};
    nodes.push_back(std::make_unique<MariaDbServer>(o));
    nodes.back()->query(
        "RESET MASTER; SET SESSION sql_log_bin=0; "
        "CREATE USER engine@'%' IDENTIFIED BY 'engine-pw'; GRANT ALL ON *.* TO engine@'%'; "
        "CREATE USER repl@'%' IDENTIFIED BY 'repl-pw'; GRANT REPLICATION SLAVE ON *.* TO repl@'%'; "
        "CREATE USER app@'%' IDENTIFIED BY 'app-pw'; GRANT ALL ON app.* TO app@'%';");
  }
  nodes[0]->query("CREATE DATABASE app; CREATE TABLE app.w (id BIGINT PRIMARY KEY);");
  for (int i = 1; i < 3; ++i) {
    nodes[i]->query("CHANGE MASTER TO MASTER_HOST='" + nodes[0]->host() +
                    "', MASTER_PORT=" + std::to_string(nodes[0]->port()) +
                    ", MASTER_USER='repl', MASTER_PASSWORD='repl-pw', MASTER_USE_GTID=slave_pos,"
                    " MASTER_CONNECT_RETRY=1; START SLAVE; SET GLOBAL read_only=1;");
  }
  auto id = [&](int i) { return nodes[i]->host() + ":" + std::to_string(nodes[i]->port()); };
  EngineOptions o;
  o.pollInterval = std::chrono::milliseconds(100);
  o.semiSyncFencing = semiSync;
  StaticCluster c{"bench", {id(0), id(1), id(2)}, "engine", "engine-pw", "repl", "repl-pw", false};
  ClusterEngine engine(c, o, [](LogLevel, const std::string&) {});
  engine.start();
  if (!mysqlop::testing::eventually("the engine armed the cluster",
                                    [&] { return engine.armed(); })) {
    bench::fail("the engine did not arm the cluster");
    return;
  }
  std::vector<mysql::Endpoint> eps;
  for (const auto& s : nodes) {
    eps.push_back({s->host(), s->port()});
  }
  mysqlop::testing::AckedWriter writer(eps);
  std::vector<double> refused, gaps, total;
  int master = 0;
  for (int k = 0; k < n; ++k) {
    // Let writes flow (and the engine see the last switchover) before the next one.
    const std::size_t before = writer.acked().size();
    mysqlop::testing::eventually("writes flow",
                                 [&] { return writer.acked().size() > before + 40; });
    writer.takeGapMs();
    const int to = (master + 1) % 3;
    SwitchoverAnswer a;
    // The engine needs a poll to see the previous switchover's topology: a refusal for "no
    // healthy master" right after one is retried.
    mysqlop::testing::eventually("a switchover", [&] {
      a = engine.switchover(id(to));
      return a.status != 409;
    });
    if (a.status != 200) {
      bench::fail("switchover " + std::to_string(k) + ": " + std::to_string(a.status) + " " +
                  a.error);
      break;
    }
    const std::size_t after = writer.acked().size();
    mysqlop::testing::eventually("writes flow again",
                                 [&] { return writer.acked().size() > after + 40; });
    refused.push_back(a.result.refusedMs);
    total.push_back(a.result.totalMs);
    gaps.push_back(writer.takeGapMs());
    master = to;
  }
  writer.stop();
  engine.stop();
  const std::set<long long> acked = writer.acked();
  auto have = nodes[static_cast<std::size_t>(master)]->sql("SELECT id FROM app.w");
  std::set<long long> onMaster;
  std::size_t at = 0;
  while (at < have.out.size()) {
    const std::size_t nl = have.out.find('\n', at);
    onMaster.insert(std::stoll(have.out.substr(at, nl - at)));
    at = nl == std::string::npos ? have.out.size() : nl + 1;
  }
  long long lost = 0;
  for (long long x : acked) {
    lost += onMaster.count(x) ? 0 : 1;
  }
  if (lost > 0) {
    bench::fail(std::to_string(lost) + " acknowledged writes lost");
  }
  std::printf(
      "%-9s %2zu switchovers | refused window (engine) p50 %6.1f p90 %6.1f max %6.1f ms | "
      "longest client gap p50 %6.1f p90 %6.1f max %6.1f ms | duration p50 %6.1f p90 %6.1f max "
      "%6.1f ms | %zu acknowledged, %lld lost\n",
      semiSync ? "semi-sync" : "async", refused.size(), pct(refused, 0.5), pct(refused, 0.9),
      pct(refused, 1.0), pct(gaps, 0.5), pct(gaps, 0.9), pct(gaps, 1.0), pct(total, 0.5),
      pct(total, 0.9), pct(total, 1.0), acked.size(), lost);
}

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  const int n =
      mysqlop::bench::takeIntOption(&argc, argv, "--rounds", mysqlop::bench::scaled(20, 3));
  runMode(true, n);
  runMode(false, n);
  return mysqlop::bench::finish();
}
