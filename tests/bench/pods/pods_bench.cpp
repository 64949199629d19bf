// Pods on a real local cluster (`mysql-operator-local up`: netns, veth, bwrap), no assertion on
// time:
//  - for bursts of 1, 10 and 50 pods (busybox profile, `sleep`, no probes): from the create
//    request to the informer seeing the pod Ready, p50/p99/max per burst (Kubernetes' SLO for a
//    stateless pod is 5 s p99);
//  - RSS of the `up` process with the largest burst running (its own memory, not the pods');
//  - deletion of the burst (grace 0... the kubelet's termination path with SIGTERM): until the
//    objects are gone.
// Checked (exit 1 otherwise): the cluster starts, every create succeeds, every pod is Ready and
// gone again within 120 s. --short: bursts of 1 and 5.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "core/kube/informer.h"
#include "core/kube/rest_config.h"
#include "tests/bench/common/bench_main.h"
#include "tests/support/kube/local_cluster_process.h"

namespace {

using namespace mysqlop;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

bool podReady(const json& pod) {
  for (const auto& c : pod.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") {
      return c.value("status", "") == "True";
    }
  }
  return false;
}

long rssKiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Ready times seen by the informer, by pod name.
struct ReadyLog {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Clock::time_point> ready;
  std::map<std::string, bool> present;
};

}  // namespace

int main(int argc, char** argv) {
  bench::parseArgs(&argc, argv);
  testing::LocalClusterProcess cluster;
  if (auto r = cluster.start(); !r.ok()) {
    bench::fail("up: " + r.error().message);
    return bench::finish();
  }
  auto config = kube::parseKubeconfigFile(cluster.kubeconfigPath());
  auto rest = config.ok() ? kube::restConfigFromKubeconfig(*config)
                          : Result<kube::RestConfig>(config.error());
  if (!rest.ok()) {
    bench::fail("kubeconfig: " + rest.error().message);
    return bench::finish();
  }
  auto transport = kube::HttpTransport::create(*rest);
  if (!transport.ok()) {
    bench::fail("transport: " + transport.error().message);
    return bench::finish();
  }
  kube::Client client(*transport);
  (void)client.create(
      kube::resources::kNamespaces,
      json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "bench"}}}});

  ReadyLog log;
  kube::InformerOptions informerOptions;
  informerOptions.namespaceName = "bench";
  kube::Informer pods(client, kube::resources::kPods, informerOptions);
  auto seen = [&](const kube::ObjectPtr& o) {
    const json pod = json::parse(o->json);
    std::lock_guard<std::mutex> lock(log.mu);
    const std::string name = o->name;
    log.present[name] = true;
    if (podReady(pod) && !log.ready.count(name)) {
      log.ready[name] = Clock::now();
    }
    log.cv.notify_all();
  };
  pods.addHandlers({seen, [&](const kube::ObjectPtr&, const kube::ObjectPtr& n) { seen(n); },
                    [&](const kube::ObjectPtr& o) {
                      std::lock_guard<std::mutex> lock(log.mu);
                      log.present.erase(o->name);
                      log.cv.notify_all();
                    }});
  pods.start();
  pods.waitForSync(std::chrono::seconds(30));

  const std::vector<int> bursts =
      bench::shortMode() ? std::vector<int>{1, 5} : std::vector<int>{1, 10, 50};
  std::printf("%-8s %10s %10s %10s %12s %14s\n", "pods", "p50 ms", "p99 ms", "max ms", "up RSS MiB",
              "delete all ms");
  for (int n : bursts) {
    std::map<std::string, Clock::time_point> created;
    {
      std::lock_guard<std::mutex> lock(log.mu);
      log.ready.clear();
    }
    for (int i = 0; i < n; ++i) {
      const std::string name = "p" + std::to_string(n) + "-" + std::to_string(i);
      json pod = {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata", {{"name", name}, {"namespace", "bench"}}},
                  {"spec",
                   {{"terminationGracePeriodSeconds", 5},
                    {"containers", json::array({{{"name", "sleep"},
                                                 {"image", "busybox"},
                                                 {"command", json::array({"sleep", "3600"})}}})}}}};
      created[name] = Clock::now();
      if (auto r = client.create(kube::resources::kPods, pod); !r.ok()) {
        bench::fail("create " + name + ": " + r.error().message);
      }
    }
    std::vector<double> latencies;
    {
      std::unique_lock<std::mutex> lock(log.mu);
      bool all = log.cv.wait_for(lock, std::chrono::seconds(120), [&] {
        for (const auto& [name, t] : created) {
          if (!log.ready.count(name)) {
            return false;
          }
        }
        return true;
      });
      if (!all) {
        bench::fail(std::to_string(n) + " pods: not all Ready within 120 s");
      }
      for (const auto& [name, t] : created) {
        if (log.ready.count(name)) {
          latencies.push_back(
              std::chrono::duration<double, std::milli>(log.ready[name] - t).count());
        }
      }
    }
    const long rss = rssKiB(cluster.pid());
    const auto deleteStart = Clock::now();
    for (const auto& [name, t] : created) {
      if (auto r = client.remove(kube::resources::kPods, "bench", name); !r.ok()) {
        bench::fail("delete " + name + ": " + r.error().message);
      }
    }
    {
      std::unique_lock<std::mutex> lock(log.mu);
      bool gone = log.cv.wait_for(lock, std::chrono::seconds(120), [&] {
        for (const auto& [name, t] : created) {
          if (log.present.count(name)) {
            return false;
          }
        }
        return true;
      });
      if (!gone) {
        bench::fail(std::to_string(n) + " pods: not all deleted within 120 s");
      }
    }
    const double deleteMs =
        std::chrono::duration<double, std::milli>(Clock::now() - deleteStart).count();
    std::printf("%-8d %10.1f %10.1f %10.1f %12.1f %14.1f\n", n, percentile(latencies, 0.5),
                percentile(latencies, 0.99), percentile(latencies, 1.0),
                static_cast<double>(rss) / 1024.0, deleteMs);
    std::fflush(stdout);
  }
  pods.stop();
  if (cluster.down().exitCode != 0) {
    bench::fail("down failed");
  }
  return bench::finish();
}
