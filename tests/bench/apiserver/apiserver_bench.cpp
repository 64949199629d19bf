// Benchmarks of the local API server (no assertion on time):
//   BM_StoreWrite      one persisted write through the Store (SQLite WAL, one transaction)
//   BM_Get / BM_Put    HTTPS GET / PUT of a ConfigMap from one keep-alive client on loopback
//   BM_WatchFanOut     N watchers: each write (a PUT) is delivered to every watcher; the delivery
//                      latency is reported from the PUT's send and from its answer, and the PUT's
//                      round trip on its own (see the function)
// Checked (exit 1 otherwise): every store write, GET and PUT succeeds, every watch opens, and every
// watcher receives every write, as a MODIFIED event with the written value, within 10 s.
// --short: brief runs (tests/bench/README.md).
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
#include "tests/bench/common/bench_main.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/kube/watch_client.h"

namespace {

namespace bench = mysqlop::bench;
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
  // The HTTP status, or -1 with the exception's text in *out when the request failed.
  int call(const std::string& method, const std::string& path, const std::string& body,
           std::string* out) {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    req.set("Authorization", "Bearer " + token_);
    if (!body.empty()) {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    out->clear();
    try {
      session_->sendRequest(req) << body;
      Poco::Net::HTTPResponse resp;
      std::istream& in = session_->receiveResponse(resp);
      Poco::StreamCopier::copyToString(in, *out);
      return static_cast<int>(resp.getStatus());
    } catch (const Poco::Exception& e) {
      *out = e.displayText();
      return -1;
    }
  }

 private:
  std::string token_;
  std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
};

const std::string kCm = "/api/v1/namespaces/default/configmaps";

// Creates the ConfigMap unless it exists; false (a failed check) when neither.
bool ensureConfigMap(Client& c, const std::string& name) {
  std::string out;
  const int status = c.call("POST", kCm,
                            json{{"apiVersion", "v1"},
                                 {"kind", "ConfigMap"},
                                 {"metadata", {{"name", name}}},
                                 {"data", {{"k", "v"}}}}
                                .dump(),
                            &out);
  if (status != 201 && status != 409) {
    bench::fail("creating ConfigMap " + name + ": " + std::to_string(status) + " " + out);
    return false;
  }
  return true;
}

// A failed request: counted as a failed check, and the benchmark stops.
void requestFailed(benchmark::State& state, const std::string& what, int status,
                   const std::string& body) {
  bench::fail(what + ": " + std::to_string(status) + " " + body);
  state.SkipWithError(what.c_str());
}

double percentile(std::vector<double> v, std::size_t pct) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * pct / 100)];
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
    if (!r.ok()) {
      bench::fail("store write " + std::to_string(i) + ": " + r.error().message);
      state.SkipWithError("store write failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  store.close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreWrite)->Unit(benchmark::kMicrosecond);

void BM_Get(benchmark::State& state) {
  Client c(server());
  if (!ensureConfigMap(c, "bench-get")) {
    state.SkipWithError("no ConfigMap to read");
    return;
  }
  std::string out;
  for (auto _ : state) {
    if (const int status = c.call("GET", kCm + "/bench-get", "", &out); status != 200) {
      requestFailed(state, "GET", status, out);
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Put(benchmark::State& state) {
  Client c(server());
  if (!ensureConfigMap(c, "bench-put")) {
    state.SkipWithError("no ConfigMap to write");
    return;
  }
  json obj = {{"apiVersion", "v1"},
              {"kind", "ConfigMap"},
              {"metadata", {{"name", "bench-put"}}},
              {"data", {{"k", "v"}}}};
  static long i = 0;
  std::string out;
  for (auto _ : state) {
    obj["data"]["n"] = std::to_string(++i);  // a real change: one write, one event
    if (const int status = c.call("PUT", kCm + "/bench-put", obj.dump(), &out); status != 200) {
      requestFailed(state, "PUT", status, out);
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Put)->Unit(benchmark::kMicrosecond)->UseRealTime();

// N watchers on one ConfigMap; each iteration writes it once (a PUT) and waits until every watcher
// has the event. The server commits the write somewhere between the PUT's send and its answer, and
// may send the event before the answer, so the delivery latency is given from both ends:
//   after_send_p50_us / _p99_us    arrival - PUT sent: an upper bound (what the first version of
//                                  this benchmark reported as p50_us / p99_us)
//   after_answer_p50_us / _p99_us  arrival - PUT answered: a lower bound, negative when the event
//                                  arrived before the answer
//   put_p50_us                     the PUT's round trip alone
void BM_WatchFanOut(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto& s = server();
  Client c(s);
  std::string name = "fan-" + std::to_string(n);
  if (!ensureConfigMap(c, name)) {
    state.SkipWithError("no ConfigMap to watch");
    return;
  }
  std::string rv = s.status().value()["resourceVersion"];
  std::vector<std::unique_ptr<mysqlop::testing::WatchClient>> watchers;
  for (int i = 0; i < n; ++i) {
    watchers.push_back(std::make_unique<mysqlop::testing::WatchClient>(s));
    auto opened = watchers.back()->open(kCm + "?watch=true&fieldSelector=metadata.name%3D" + name +
                                        "&resourceVersion=" + rv);
    if (!opened.ok() || watchers.back()->status() != 200) {
      requestFailed(state, "opening watch " + std::to_string(i), watchers.back()->status(),
                    opened.ok() ? watchers.back()->body() : opened.error().message);
      return;
    }
  }
  std::mutex mu;
  std::vector<long> arrivalsNs;   // of the current write
  std::atomic<long> expected{0};  // the value of data.n the current write sets
  std::atomic<int> received{0};
  std::atomic<int> badEvents{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  threads.reserve(watchers.size());
  for (auto& w : watchers) {
    threads.emplace_back([&, wp = w.get()] {
      while (!stop) {
        json e = wp->next(200);
        if (e.is_null()) {
          if (wp->ended()) {
            bench::fail("a watch stream ended");
            ++badEvents;
            return;
          }
          continue;
        }
        const auto now = Clock::now().time_since_epoch().count();
        if (e.value("type", "") != "MODIFIED" ||
            e["object"]["data"].value("n", "") != std::to_string(expected.load())) {
          bench::fail("unexpected watch event: " + e.dump().substr(0, 300));
          ++badEvents;
          continue;
        }
        {
          std::lock_guard l(mu);
          arrivalsNs.push_back(static_cast<long>(now));
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
  std::vector<double> afterSend;
  std::vector<double> afterAnswer;
  std::vector<double> put;
  std::string out;
  for (auto _ : state) {
    received = 0;
    {
      std::lock_guard l(mu);
      arrivalsNs.clear();
    }
    expected = ++i;
    obj["data"]["n"] = std::to_string(i);
    const long sentNs = static_cast<long>(Clock::now().time_since_epoch().count());
    const int status = c.call("PUT", kCm + "/" + name, obj.dump(), &out);
    const long answeredNs = static_cast<long>(Clock::now().time_since_epoch().count());
    if (status != 200) {
      requestFailed(state, "PUT " + std::to_string(i), status, out);
      break;
    }
    put.push_back(static_cast<double>(answeredNs - sentNs) / 1000.0);
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (received.load() < n && Clock::now() < deadline) {
      std::this_thread::yield();
    }
    if (received.load() < n) {
      bench::fail(std::to_string(n - received.load()) + " of " + std::to_string(n) +
                  " watchers did not receive write " + std::to_string(i) + " within 10 s");
      state.SkipWithError("events missing");
      break;
    }
    std::lock_guard l(mu);
    for (long at : arrivalsNs) {
      afterSend.push_back(static_cast<double>(at - sentNs) / 1000.0);
      afterAnswer.push_back(static_cast<double>(at - answeredNs) / 1000.0);
    }
  }
  stop = true;
  for (auto& t : threads) {
    t.join();
  }
  if (badEvents.load() > 0) {
    state.SkipWithError("unexpected watch events");
  }
  state.counters["after_send_p50_us"] = percentile(afterSend, 50);
  state.counters["after_send_p99_us"] = percentile(afterSend, 99);
  state.counters["after_answer_p50_us"] = percentile(afterAnswer, 50);
  state.counters["after_answer_p99_us"] = percentile(afterAnswer, 99);
  state.counters["put_p50_us"] = percentile(put, 50);
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_WatchFanOut)->Arg(1)->Arg(10)->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) { return mysqlop::bench::main(argc, argv); }
