#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "target-check/target_client.h"

namespace mysqlop::targetcheck {

struct Options {
  std::string pluginPath;
  std::string url;  // the prefix the kit writes under (a '/' is added if missing)
  std::string configJson = "{}";
  std::vector<std::pair<std::string, std::string>> credentials;
  // Credentials the store must refuse (Forbidden), put over `credentials` (same keys replaced);
  // without them bad_credentials is skipped.
  std::vector<std::pair<std::string, std::string>> badCredentials;
  std::uint64_t largeSize = 256ull << 20;
  std::size_t chunkSize = 1u << 20;  // bytes per write of the large object
  // The large object fails if the process's peak RSS grew more than this while streaming it.
  std::uint64_t maxRssGrowth = 96ull << 20;
  int writers = 4;
};

enum class Verdict { Pass, Fail, Skip };

struct CheckResult {
  std::string name;
  Verdict verdict = Verdict::Pass;
  std::string detail;  // why it failed or was skipped, or what was measured
};

// Runs every check against client under run (the kit's own prefix below Options::url, which the
// checks fill and the caller removes). Each result is passed to report as soon as it is known.
std::vector<CheckResult> runChecks(TargetClient& client, const Options& options,
                                   const std::string& run,
                                   const std::function<void(const CheckResult&)>& report);

// Removes every object listed under prefix; returns how many were left (0 when clean).
std::size_t cleanUp(TargetClient& client, const std::string& prefix);

// The peak resident set of this process (VmHWM), in bytes; 0 if unknown.
std::uint64_t peakRss();
// Resets the peak to the current RSS (writes 5 to /proc/self/clear_refs); false if refused.
bool resetPeakRss();

}  // namespace mysqlop::targetcheck
