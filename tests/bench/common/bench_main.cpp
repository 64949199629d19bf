#include "tests/bench/common/bench_main.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace mysqlop::bench {

namespace {

constexpr int kPrintedFailures = 20;

std::atomic<bool> gShortFlag{false};
std::atomic<int> gFailures{0};
std::mutex gPrintMu;

bool shortFromEnvironment() {
  const char* v = std::getenv("MYSQLOP_BENCH_SHORT");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

}  // namespace

bool shortMode() { return gShortFlag.load() || shortFromEnvironment(); }

void fail(const std::string& what) {
  const int n = ++gFailures;
  if (n <= kPrintedFailures) {
    std::lock_guard<std::mutex> lock(gPrintMu);
    std::fprintf(stderr, "CHECK FAILED: %s\n", what.c_str());
    if (n == kPrintedFailures) {
      std::fprintf(stderr, "(further failures are counted, not printed)\n");
    }
  }
}

int failures() { return gFailures.load(); }

void parseArgs(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (std::strcmp(argv[i], "--short") == 0) {
      gShortFlag = true;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
}

void runBenchmarks(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  bool minTimeGiven = false;
  for (char* a : args) {
    minTimeGiven = minTimeGiven || std::strncmp(a, "--benchmark_min_time", 20) == 0;
  }
  static char shortMinTime[] = "--benchmark_min_time=0.05";
  if (shortMode() && !minTimeGiven) {
    args.push_back(shortMinTime);
  }
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) {
    fail("unrecognised command-line arguments");
    return;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

int finish() {
  const int n = failures();
  if (n == 0) {
    std::printf("all checks passed%s\n", shortMode() ? " (short mode)" : "");
    return 0;
  }
  std::printf("FAILED: %d check(s) failed%s\n", n, shortMode() ? " (short mode)" : "");
  return 1;
}

int main(int argc, char** argv) {
  parseArgs(&argc, argv);
  runBenchmarks(argc, argv);
  return finish();
}

}  // namespace mysqlop::bench

namespace mysqlop::bench {

int takeIntOption(int* argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < *argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) {
      const int v = std::atoi(argv[i + 1]);
      std::copy(argv + i + 2, argv + *argc, argv + i);
      *argc -= 2;
      return v > 0 ? v : fallback;
    }
  }
  return fallback;
}

}  // namespace mysqlop::bench
