#pragma once

// Invariant checks (style rule 20). None of them is used on conditions that come from outside
// the process: bad input gets an error, not an assertion.
//   MYSQLOP_ASSERT(cond)          debug builds only
//   MYSQLOP_RELEASE_ASSERT(cond)  always; aborts with the location
//   MYSQLOP_BUG(message)          logs and counts in release builds, aborts in debug builds

namespace mysqlop::detail {
[[noreturn]] void assertionFailed(const char* expr, const char* file, int line);
void bugReported(const char* message, const char* file, int line);
// How many MYSQLOP_BUG reports this process made; exported as mysqlop_bugs_total.
long bugCount();
}  // namespace mysqlop::detail

#define MYSQLOP_RELEASE_ASSERT(cond) \
  ((cond) ? (void)0 : ::mysqlop::detail::assertionFailed(#cond, __FILE__, __LINE__))

#ifdef NDEBUG
#define MYSQLOP_ASSERT(cond) ((void)0)
#else
#define MYSQLOP_ASSERT(cond) MYSQLOP_RELEASE_ASSERT(cond)
#endif

#define MYSQLOP_BUG(message) ::mysqlop::detail::bugReported((message), __FILE__, __LINE__)
