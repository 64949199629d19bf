// Benchmarks of the local API server (numbers only, no assertions):
//   BM_StoreWrite      one persisted write through the Store (SQLite WAL, one transaction)
//   BM_Get / BM_Put    HTTPS GET / PUT of a ConfigMap from one keep-alive client on loopback
//   BM_WatchFanOut     N watchers: time from a write's answer to each watcher receiving the event
#include <benchmark/benchmark.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "localcluster/apiserver/store.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/kube/watch_client.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

mysqlop::testing::LocalApiServer& server() {
  static mysqlop::testing::LocalApiServer* s = [] {
    auto* srv = new mysqlop::testing::LocalApiServer();
    auto r = srv->start();
    if (!r.ok()) {
      std::fprintf(stderr, "cannot start the server: %s\n", r.error().message.c_str());
      std::exit(1);
    }
    return srv;
  }();
  return *s;
}

// One keep-alive HTTPS connection.
class Client {
 public:
  explicit Client(const mysqlop::testing::LocalApiServer& s) : token_(s.token()) {
    Poco::Net::initializeSSL();
    Poco::URI uri(s.baseUrl());
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                         Poco::Net::Context::VERIFY_NONE);
    session_ = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
    session_->setKeepAlive(true);
  }
  int call(const std::string& method, const std::string& path, const std::string& body,
           std::string* out) {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    req.set("Authorization", "Bearer " + token_);
    if (!body.empty()) {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session_->sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = session_->receiveResponse(resp);
    out->clear();
    Poco::StreamCopier::copyToString(in, *out);
    return static_cast<int>(resp.getStatus());
  }

 private:
  std::string token_;
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
};

const std::string kCm = "/api/v1/namespaces/default/configmaps";

void ensureConfigMap(Client& c, const std::string& name) {
  std::string out;
  c.call("POST", kCm,
         json{{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}}},
              {"data", {{"k", "v"}}}}
             .dump(),
         &out);
}

void BM_StoreWrite(benchmark::State& state) {
  std::string dir = (std::filesystem::temp_directory_path() / "bench-store-XXXXXX").string();
  if (!mkdtemp(dir.data())) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  mysqlop::local::Store store;
  mysqlop::local::Store::Options o;
  o.path = dir + "/state.db";
  if (!store.open(o).ok()) {
    state.SkipWithError("cannot open the store");
    return;
  }
  json obj = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", "c"}, {"namespace", "default"}}},
              {"data", {{"k", std::string(200, 'x')}}}};
  long i = 0;
  for (auto _ : state) {
    obj["data"]["n"] = std::to_string(++i);
    auto r = store.mutate("/configmaps", "default", "c", [&](const mysqlop::local::ObjPtr&) {
      mysqlop::local::Store::Decision d;
      d.kind = mysqlop::local::Store::Decision::Kind::Put;
      d.object = obj;
      return d;
    });
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  store.close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreWrite)->Unit(benchmark::kMicrosecond);

void BM_Get(benchmark::State& state) {
  Client c(server());
  ensureConfigMap(c, "bench-get");
  std::string out;
  for (auto _ : state) {
    if (c.call("GET", kCm + "/bench-get", "", &out) != 200) {
      state.SkipWithError("GET failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Put(benchmark::State& state) {
  Client c(server());
  ensureConfigMap(c, "bench-put");
  json obj = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", "bench-put"}}},
              {"data", {{"k", "v"}}}};
  static long i = 0;
  std::string out;
  for (auto _ : state) {
    obj["data"]["n"] = std::to_string(++i);  // a real change: one write, one event
    if (c.call("PUT", kCm + "/bench-put", obj.dump(), &out) != 200) {
      state.SkipWithError("PUT failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Put)->Unit(benchmark::kMicrosecond)->UseRealTime();

// N watchers on one ConfigMap; each iteration writes it once and waits until every watcher has
// the event. Latency = arrival time - the time the write was answered.
void BM_WatchFanOut(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto& s = server();
  Client c(s);
  std::string name = "fan-" + std::to_string(n);
  ensureConfigMap(c, name);
  std::string rv = s.status().value()["resourceVersion"];
  std::vector<std::unique_ptr<mysqlop::testing::WatchClient>> watchers;
  for (int i = 0; i < n; ++i) {
    watchers.push_back(std::make_unique<mysqlop::testing::WatchClient>(s));
    (void)watchers.back()->open(kCm + "?watch=true&fieldSelector=metadata.name%3D" + name +
                                "&resourceVersion=" + rv);
  }
  std::mutex mu;
  std::vector<double> latencies;
  std::atomic<long> sentAtNs{0};
  std::atomic<int> received{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& w : watchers) {
    threads.emplace_back([&, wp = w.get()] {
      while (!stop) {
        json e = wp->next(200);
        if (e.is_null()) {
          continue;
        }
        auto now = Clock::now().time_since_epoch().count();
        {
          std::lock_guard l(mu);
          latencies.push_back(static_cast<double>(now - sentAtNs.load()) / 1000.0);
        }
        ++received;
      }
    });
  }
  json obj = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", name}}},
              {"data", {{"k", "v"}}}};
  // Global counters: Google Benchmark runs this function several times, and writing the same value
  // again would be a no-op write without an event.
  static long i = 0;
  std::string out;
  for (auto _ : state) {
    received = 0;
    obj["data"]["n"] = std::to_string(++i);
    sentAtNs = Clock::now().time_since_epoch().count();  // the write starts now
    c.call("PUT", kCm + "/" + name, obj.dump(), &out);
    while (received.load() < n) {
      std::this_thread::yield();
    }
  }
  stop = true;
  for (auto& t : threads) {
    t.join();
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    state.counters["p50_us"] = latencies[latencies.size() / 2];
    state.counters["p99_us"] =
        latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_WatchFanOut)->Arg(1)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
