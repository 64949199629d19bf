#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>

#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

// The one wait of the test suites: polls check() until it holds, within poll.timeout. A success
// is a plain AssertionSuccess; a timeout fails with what was awaited, how long and how often it
// was looked at, and the last state observe() reported (when given), so that a failing test
// explains itself:
//   ASSERT_TRUE(eventually("StatefulSet ns/db exists", [&] { return exists("db"); },
//                          [&] { return dump("db"); }));
::testing::AssertionResult eventually(std::string_view what, const std::function<bool()>& check,
                                      const std::function<std::string()>& observe, Poll poll = {});
::testing::AssertionResult eventually(std::string_view what, const std::function<bool()>& check,
                                      Poll poll = {});

// A Poll with the given timeout and the default interval.
inline Poll within(std::chrono::milliseconds timeout) { return Poll{timeout, Poll{}.interval}; }

}  // namespace mysqlop::testing

// Waits for a boolean expression and names it in the failure, as EXPECT_TRUE names what it checks:
//   ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("StatefulSet", "db")));
// The expression is evaluated in a [&] lambda on every poll.
#define MYSQLOP_EVENTUALLY(...) \
  ::mysqlop::testing::eventually(#__VA_ARGS__, [&] { return static_cast<bool>(__VA_ARGS__); })
// The same with another Poll, usually a longer bound: MYSQLOP_EVENTUALLY_WITHIN(within(2min), e).
#define MYSQLOP_EVENTUALLY_WITHIN(poll, ...) \
  ::mysqlop::testing::eventually(            \
      #__VA_ARGS__, [&] { return static_cast<bool>(__VA_ARGS__); }, (poll))
