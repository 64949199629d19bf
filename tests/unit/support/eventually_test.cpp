#include "tests/support/wait/eventually.h"

#include <gtest/gtest.h>

#include <chrono>

namespace mysqlop::testing {
namespace {

using std::chrono::milliseconds;

constexpr Poll kQuick{milliseconds(50), milliseconds(10)};

TEST(PollUntil, StopsAsSoonAsTheStepIsDone) {
  int calls = 0;
  int polls = 0;
  EXPECT_TRUE(pollUntil([&] { return ++calls == 3; }, kQuick, &polls));
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(polls, 3);
}

TEST(PollUntil, LooksOnceMoreAtTheDeadline) {
  int polls = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pollUntil([] { return false; }, kQuick, &polls));
  EXPECT_GE(std::chrono::steady_clock::now() - start, kQuick.timeout);
  EXPECT_GE(polls, 2);
  // A zero timeout still looks once.
  int calls = 0;
  EXPECT_TRUE(pollUntil([&] { return ++calls == 1; }, Poll{milliseconds(0), milliseconds(10)}));
}

TEST(Eventually, SucceedsWhenTheStateArrives) {
  int calls = 0;
  EXPECT_TRUE(eventually(
      "the third call", [&] { return ++calls >= 3; }, kQuick));
}

TEST(Eventually, TimeoutSaysWhatItAwaitedAndWhatItSaw) {
  int seen = 0;
  const ::testing::AssertionResult r = eventually(
      "the counter to reach 1000", [&] { return ++seen >= 1000; },
      [&] { return "counter at " + std::to_string(seen); }, kQuick);
  ASSERT_FALSE(r);
  const std::string message = r.message();
  const std::string head = "timed out after 0.05 s (" + std::to_string(seen) +
                           " checks, every 10 ms) waiting for: the counter to reach 1000\n";
  EXPECT_EQ(message, head + "last observed: counter at " + std::to_string(seen));
}

TEST(Eventually, TimeoutWithoutAnObserver) {
  const ::testing::AssertionResult r = eventually(
      "never", [] { return false; }, within(milliseconds(20)));
  ASSERT_FALSE(r);
  EXPECT_EQ(std::string(r.message()).rfind("timed out after 0.02 s (", 0), 0u) << r.message();
  EXPECT_NE(std::string(r.message()).find(" checks, every 20 ms) waiting for: never"),
            std::string::npos)
      << r.message();
  EXPECT_EQ(std::string(r.message()).find("last observed"), std::string::npos);
}

TEST(Eventually, TheMacroNamesTheExpression) {
  int value = 0;
  const ::testing::AssertionResult r =
      MYSQLOP_EVENTUALLY_WITHIN(within(milliseconds(20)), value == 1);
  ASSERT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("waiting for: value == 1"), std::string::npos)
      << r.message();
  value = 1;
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(value == 1));
}

}  // namespace
}  // namespace mysqlop::testing
