// Latencies of the node layer's steps for the benchmark notes (pod created -> Running
// needs one addPod and one spawn per container). Disabled by default: it measures, it asserts only
// that the steps work. Run: test_local_node --gtest_also_run_disabled_tests
// --gtest_filter='*Timings*'
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "localcluster/node/network.h"
#include "localcluster/node/supervisor.h"
#include "tests/integration/node/node_fixture.h"

namespace mysqlop::local::node::it {
namespace {

using Ms = std::chrono::duration<double, std::milli>;

std::string percentiles(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[static_cast<size_t>(q * static_cast<double>(ms.size() - 1))];
  };
  char buf[128];
  std::snprintf(buf, sizeof buf, "n=%zu p50=%.1f ms p99=%.1f ms max=%.1f ms", ms.size(), at(0.5),
                at(0.99), ms.back());
  return buf;
}

using TimingsTest = NodeTest;

TEST_F(TimingsTest, DISABLED_Timings) {
  constexpr int kPods = 50;
  NetworkOptions options;
  options.dataDir = dir_;
  auto t0 = std::chrono::steady_clock::now();
  auto network = Network::setUp(options, *records_);
  ASSERT_TRUE(network.ok()) << network.error().message;
  const double setUpMs = Ms(std::chrono::steady_clock::now() - t0).count();
  Supervisor supervisor(*records_, nullptr);
  std::vector<double> addPod, spawn, exec;
  for (int i = 0; i < kPods; ++i) {
    char uid[40];
    std::snprintf(uid, sizeof uid, "%08x-0000-4000-8000-000000000000", 0xabc00000 + i);
    auto t = std::chrono::steady_clock::now();
    auto pod = (*network)->addPod(uid);
    ASSERT_TRUE(pod.ok()) << pod.error().message;
    addPod.push_back(Ms(std::chrono::steady_clock::now() - t).count());
    SpawnSpec spec;
    spec.key = std::string(uid) + "/c";
    spec.argv = {"sleep", "1000"};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.netns = pod->netns;
    spec.hostname = "pod-" + std::to_string(i);
    spec.logPath = dir_ + "/logs/" + std::to_string(i) + ".log";
    t = std::chrono::steady_clock::now();
    auto pid = supervisor.spawn(spec);
    ASSERT_TRUE(pid.ok()) << pid.error().message;
    spawn.push_back(Ms(std::chrono::steady_clock::now() - t).count());
    if (i % 5 == 0) {
      t = std::chrono::steady_clock::now();
      auto r = supervisor.exec(spec.key, {"true"}, std::chrono::seconds(20));
      ASSERT_TRUE(r.ok() && r->exitCode == 0);
      exec.push_back(Ms(std::chrono::steady_clock::now() - t).count());
    }
  }
  t0 = std::chrono::steady_clock::now();
  supervisor.stopAll(std::chrono::milliseconds(0));
  const double stopMs = Ms(std::chrono::steady_clock::now() - t0).count();
  t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*network)->tearDown().ok());
  const double tearDownMs = Ms(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "setUp %.1f ms\naddPod %s\nspawn %s\nexec %s\nstopAll(%d, grace 0) %.1f ms\n"
      "tearDown(%d pods) %.1f ms\n",
      setUpMs, percentiles(addPod).c_str(), percentiles(spawn).c_str(), percentiles(exec).c_str(),
      kPods, stopMs, kPods, tearDownMs);
}

}  // namespace
}  // namespace mysqlop::local::node::it
