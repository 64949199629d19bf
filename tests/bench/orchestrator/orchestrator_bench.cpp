// CPU and RSS of the topology observer polling N clusters x 3 nodes every second (issue 11: 10
// clusters of 3 nodes). Three real mariadbd servers (a master and two GTID replicas, each on
// 127.0.0.X:3306 as a pod) stand for the 3 nodes of every cluster: each cluster's pods have those
// addresses as their podIP, so every poll really connects, probes and publishes, 3N probes a
// second; 30 servers would measure mariadbd, not the observer. The operator runs only the
// orchestrator plugin against the local API server (no kubelet: the pods are API objects).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "tests/bench/common/bench_main.h"
#include "tests/integration/orchestrator/observer_env.h"
#include "tests/support/wait/poll.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using mysqlop::bench::fail;
using mysqlop::testing::orchestrator::ObserverEnv;

// utime + stime of a process, in seconds.
double cpuSeconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::istringstream in(stat.substr(stat.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double statusMiB(pid_t pid, const std::string& key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return std::stod(line.substr(key.size() + 1)) / 1024.0;
    }
  }
  return 0;
}

struct Window {
  double cpuPercent = 0;
  double probesPerSecond = 0;
};

Window measure(const ObserverEnv& env, std::chrono::seconds length) {
  const double cpu0 = cpuSeconds(env.operatorPid());
  const long long p0 = env.probes();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(length);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {100.0 * (cpuSeconds(env.operatorPid()) - cpu0) / seconds,
          static_cast<double>(env.probes() - p0) / seconds};
}

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  const int clusters = mysqlop::bench::scaled(10, 2);
  const auto window = mysqlop::bench::scaled(30s, 4s);
  try {
    ObserverEnv env;
    env.startOperator(1);
    std::this_thread::sleep_for(2s);
    const Window idle = measure(env, std::chrono::seconds(std::min<long>(window.count(), 5)));
    const double idleRss = statusMiB(env.operatorPid(), "VmRSS");

    for (int c = 0; c < clusters; ++c) {
      env.createCluster("c" + std::to_string(c), 3);
    }
    // Every cluster published its three nodes with pod 0 the master.
    const bool published = mysqlop::testing::pollUntil(
        [&] {
          for (int c = 0; c < clusters; ++c) {
            if (env.nodeCondition("c" + std::to_string(c), 0, "Master") != "True" ||
                env.nodeCondition("c" + std::to_string(c), 2, "Replicating") != "True") {
              return false;
            }
          }
          return true;
        },
        mysqlop::testing::Poll{60s, 200ms});
    if (!published) {
      fail("not every cluster published its topology within 60 s; c0 is " +
           env.cluster("c0").dump());
    }

    const Window busy = measure(env, window);
    const double rss = statusMiB(env.operatorPid(), "VmRSS");
    const double hwm = statusMiB(env.operatorPid(), "VmHWM");
    std::printf(
        "observer, %d clusters x 3 nodes, instancePollSeconds 1, %lds window:\n"
        "  idle (no cluster):  cpu %.1f%% of one core, rss %.1f MiB\n"
        "  polling:            cpu %.1f%% of one core, rss %.1f MiB (peak %.1f MiB)\n"
        "  probes per second:  %.1f (expected %d)\n",
        clusters, static_cast<long>(window.count()), idle.cpuPercent, idleRss, busy.cpuPercent, rss,
        hwm, busy.probesPerSecond, clusters * 3);
    if (busy.probesPerSecond < 0.5 * clusters * 3) {
      fail("the observer probed " + std::to_string(busy.probesPerSecond) + " nodes/s, not ~" +
           std::to_string(clusters * 3));
    }
    env.stopOperator();
    if (env.operatorLog().find("operatorpw1") != std::string::npos) {
      fail("a password reached the operator's log");
    }
  } catch (const std::exception& e) {
    fail(e.what());
  }
  return mysqlop::bench::finish();
}
