#pragma once

// What every benchmark program shares (tests/bench/README.md):
//   - a short mode, `--short` or MYSQLOP_BENCH_SHORT=1: small counts and brief runs, a few seconds
//     per program, which ctest runs under the label `bench` so that the benchmarks cannot rot;
//   - checks that count: a failed request, a missing event, a plugin that did not load... is
//     recorded with fail(), printed at once, and makes the program exit 1 (Google Benchmark's
//     SkipWithError alone exits 0).
//
//   int main(int argc, char** argv) { return mysqlop::bench::main(argc, argv); }
//
// A program with work of its own before the benchmarks calls parseArgs() first and finish() last.

#include <string>

namespace mysqlop::bench {

// True with --short (after parseArgs) or MYSQLOP_BENCH_SHORT=1 (at any time, also during the
// static registration of benchmarks).
bool shortMode();

// full normally, small in the short mode.
template <class T>
T scaled(T full, T small) {
  return shortMode() ? small : full;
}

// Records a failed check; thread-safe. The first 20 are printed to stderr, every one counts.
void fail(const std::string& what);
int failures();

// Removes `name N` from argv and returns N (a positive integer), or fallback when absent or not
// positive: the benchmarks' size and round options (--size-mib 1024, --rounds 3).
int takeIntOption(int* argc, char** argv, const char* name, int fallback);

// Removes --short from argv (setting the short mode) and leaves the other arguments.
void parseArgs(int* argc, char** argv);

// Runs the registered Google Benchmark functions with the remaining arguments; in the short mode
// each runs for at least 0.05 s instead of 0.5 s unless --benchmark_min_time is given.
void runBenchmarks(int argc, char** argv);

// Prints how many checks failed and returns the exit code: 0 when none did, else 1.
int finish();

// parseArgs, runBenchmarks, finish.
int main(int argc, char** argv);

}  // namespace mysqlop::bench
