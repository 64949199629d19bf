// nlohmann/json against Poco::JSON on the document an operator handles most: a Kubernetes List of
// about 1 MB (kube_list.h). For each library: parse, serialise, read nested fields of every item,
// deep-copy one item, and merge-patch one item (RFC 7386), with the time per operation (Google
// Benchmark) and the memory of one operation (counting_allocator.h): bytes and blocks allocated,
// bytes retained by the result, peak. Checked (exit 1 otherwise): both libraries read the same
// number of items and the same field values, and each one's output parses back to the same
// document. --short: brief runs (tests/bench/README.md). docs/dependencies.md records the numbers.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <benchmark/benchmark.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/bench/common/bench_main.h"
#include "tests/bench/json/counting_allocator.h"
#include "tests/bench/json/kube_list.h"

namespace {

using mysqlop::bench::fail;
using mysqlop::bench::measureMemory;
using mysqlop::bench::MemoryUse;
using nlohmann::json;
using Poco::JSON::Object;

const mysqlop::bench::KubeList& document() {
  static const mysqlop::bench::KubeList kList = mysqlop::bench::makeKubeList(1'000'000);
  return kList;
}

// The label read from every item by the nested-field benchmarks (a std::string, so that neither
// library's lookup builds a key).
const std::string& clusterLabel() {
  static const std::string kKey = "mysql.presslabs.org/cluster";
  return kKey;
}

// An RFC 7386 merge patch as the reconcilers send them: change a label, remove one, add an
// annotation, change the status.
const json& mergePatch() {
  static const json kPatch = {
      {"metadata",
       {{"labels", {{"role", "master"}, {"healthy", nullptr}}},
        {"annotations", {{"mysql.presslabs.org/failover", "in-progress"}}}}},
      {"status", {{"phase", "Pending"}}}};
  return kPatch;
}

Object::Ptr pocoParse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Object::Ptr>();
}

std::string pocoStringify(const Object::Ptr& o) {
  std::ostringstream out;
  o->stringify(out);
  return out.str();
}

void report(benchmark::State& state, const MemoryUse& m) {
  state.counters["alloc_KiB"] = static_cast<double>(m.allocatedBytes) / 1024.0;
  state.counters["allocs"] = static_cast<double>(m.allocations);
  state.counters["retained_KiB"] = static_cast<double>(m.retainedBytes) / 1024.0;
  state.counters["peak_KiB"] = static_cast<double>(m.peakBytes) / 1024.0;
}

void BM_Parse_Nlohmann(benchmark::State& state) {
  const std::string& text = document().text;
  json doc;
  report(state, measureMemory([&] { doc = json::parse(text); }));
  if (doc["items"].size() != static_cast<std::size_t>(document().items)) {
    fail("nlohmann read " + std::to_string(doc["items"].size()) + " items");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(json::parse(text));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_Parse_Nlohmann)->Unit(benchmark::kMillisecond);

void BM_Parse_Poco(benchmark::State& state) {
  const std::string& text = document().text;
  Object::Ptr doc;
  report(state, measureMemory([&] { doc = pocoParse(text); }));
  if (doc->getArray("items")->size() != static_cast<std::size_t>(document().items)) {
    fail("Poco read " + std::to_string(doc->getArray("items")->size()) + " items");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(pocoParse(text));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_Parse_Poco)->Unit(benchmark::kMillisecond);

void BM_Serialise_Nlohmann(benchmark::State& state) {
  const json doc = json::parse(document().text);
  std::string out;
  report(state, measureMemory([&] { out = doc.dump(); }));
  if (out != document().text) {
    fail("nlohmann's output differs from the text it parsed");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(doc.dump());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_Serialise_Nlohmann)->Unit(benchmark::kMillisecond);

void BM_Serialise_Poco(benchmark::State& state) {
  const Object::Ptr doc = pocoParse(document().text);
  std::string out;
  report(state, measureMemory([&] { out = pocoStringify(doc); }));
  if (json::parse(out) != json::parse(document().text)) {
    fail("Poco's output is not the document it parsed");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(pocoStringify(doc));
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
}
BENCHMARK(BM_Serialise_Poco)->Unit(benchmark::kMillisecond);

// Reads metadata.labels[cluster] and spec.containers[0].image of every item; returns the total
// length, so that both libraries can be checked against each other.
std::size_t readNlohmann(const json& doc) {
  std::size_t n = 0;
  for (const json& item : doc["items"]) {
    n += item["metadata"]["labels"][clusterLabel()].get_ref<const std::string&>().size();
    n += item["spec"]["containers"][0]["image"].get_ref<const std::string&>().size();
  }
  return n;
}

std::size_t readPoco(const Object::Ptr& doc) {
  std::size_t n = 0;
  const Poco::JSON::Array::Ptr items = doc->getArray("items");
  for (std::size_t i = 0; i < items->size(); ++i) {
    const Object::Ptr item = items->getObject(static_cast<unsigned>(i));
    n += item->getObject("metadata")
             ->getObject("labels")
             ->getValue<std::string>(clusterLabel())
             .size();
    n += item->getObject("spec")
             ->getArray("containers")
             ->getObject(0)
             ->getValue<std::string>("image")
             .size();
  }
  return n;
}

void BM_ReadNestedFields_Nlohmann(benchmark::State& state) {
  const json doc = json::parse(document().text);
  std::size_t n = 0;
  report(state, measureMemory([&] { n = readNlohmann(doc); }));
  if (n != readPoco(pocoParse(document().text))) {
    fail("nlohmann and Poco read different field values");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(readNlohmann(doc));
  }
  state.SetItemsProcessed(state.iterations() * document().items);
}
BENCHMARK(BM_ReadNestedFields_Nlohmann)->Unit(benchmark::kMicrosecond);

void BM_ReadNestedFields_Poco(benchmark::State& state) {
  const Object::Ptr doc = pocoParse(document().text);
  report(state, measureMemory([&] { benchmark::DoNotOptimize(readPoco(doc)); }));
  for (auto _ : state) {
    benchmark::DoNotOptimize(readPoco(doc));
  }
  state.SetItemsProcessed(state.iterations() * document().items);
}
BENCHMARK(BM_ReadNestedFields_Poco)->Unit(benchmark::kMicrosecond);

// A deep copy of one item (a reconciler's desired state starts as a copy of what it read).
void BM_CopyItem_Nlohmann(benchmark::State& state) {
  const json item = json::parse(document().text)["items"][0];
  json copy;
  report(state, measureMemory([&] { copy = item; }));
  if (copy != item) {
    fail("nlohmann's copy differs");
  }
  for (auto _ : state) {
    json c = item;
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_CopyItem_Nlohmann)->Unit(benchmark::kMicrosecond);

// Poco::JSON::Object's copy constructor shares the nested objects (they are reference-counted
// pointers); the only deep copy Poco offers is to stringify and parse again.
void BM_CopyItem_Poco(benchmark::State& state) {
  const Object::Ptr item = pocoParse(document().text)->getArray("items")->getObject(0);
  Object::Ptr copy;
  report(state, measureMemory([&] { copy = pocoParse(pocoStringify(item)); }));
  if (json::parse(pocoStringify(copy)) != json::parse(pocoStringify(item))) {
    fail("Poco's copy differs");
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(pocoParse(pocoStringify(item)));
  }
}
BENCHMARK(BM_CopyItem_Poco)->Unit(benchmark::kMicrosecond);

// Copy and merge-patch one item. Poco::JSON has no merge patch (nor JSON Patch, nor diff); a
// reconciler on Poco would carry its own.
void BM_MergePatchItem_Nlohmann(benchmark::State& state) {
  const json item = json::parse(document().text)["items"][0];
  json patched;
  report(state, measureMemory([&] {
           patched = item;
           patched.merge_patch(mergePatch());
         }));
  if (patched["metadata"]["labels"].contains("healthy") ||
      patched["status"]["phase"] != "Pending") {
    fail("the merge patch was not applied: " + patched["metadata"].dump());
  }
  for (auto _ : state) {
    json c = item;
    c.merge_patch(mergePatch());
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_MergePatchItem_Nlohmann)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  mysqlop::bench::parseArgs(&argc, argv);
  std::printf("document: %zu bytes, %d items\n", document().text.size(), document().items);
  mysqlop::bench::runBenchmarks(argc, argv);
  return mysqlop::bench::finish();
}
