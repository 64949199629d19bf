#include "core/common/assert.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>

namespace mysqlop::detail {

namespace {
std::atomic<long> gBugCount{0};
}

void assertionFailed(const char* expr, const char* file, int line) {
  spdlog::critical("assertion failed: {} at {}:{}", expr, file, line);
  spdlog::shutdown();
  std::abort();
}

long bugCount() { return gBugCount.load(); }

void bugReported(const char* message, const char* file, int line) {
  gBugCount.fetch_add(1);
  spdlog::error("BUG: {} at {}:{}", message, file, line);
#ifndef NDEBUG
  spdlog::shutdown();
  std::abort();
#endif
}

}  // namespace mysqlop::detail
