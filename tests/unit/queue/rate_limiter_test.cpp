#include "core/queue/rate_limiter.h"

#include <gtest/gtest.h>

namespace mysqlop::queue {
namespace {

using namespace std::chrono_literals;

TEST(ItemExponentialRateLimiter, DoublesPerFailureUpToTheCap) {
  ItemExponentialRateLimiter l(5ms, 1000s);
  EXPECT_EQ(l.when("a"), 5ms);
  EXPECT_EQ(l.when("a"), 10ms);
  EXPECT_EQ(l.when("a"), 20ms);
  EXPECT_EQ(l.numRequeues("a"), 3);
  EXPECT_EQ(l.when("b"), 5ms);  // per key
  for (int i = 3; i < 18; ++i) {
    EXPECT_EQ(l.when("a"), Duration(5ms) * (1 << i));
  }
  // 5 ms * 2^17 = 655.36 s; 2^18 would be 1310.72 s, above the cap.
  EXPECT_EQ(l.when("a"), 1000s);
  EXPECT_EQ(l.when("a"), 1000s);
  for (int i = 0; i < 2000; ++i) {
    (void)l.when("a");  // no overflow with huge exponents
  }
  EXPECT_EQ(l.when("a"), 1000s);
  l.forget("a");
  EXPECT_EQ(l.numRequeues("a"), 0);
  EXPECT_EQ(l.when("a"), 5ms);
  EXPECT_EQ(l.numRequeues("b"), 1);
}

TEST(BucketRateLimiter, BurstThenQps) {
  Clock::time_point now{};
  BucketRateLimiter l(10.0, 100, [&] { return now; });
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(l.when("k" + std::to_string(i)), Duration::zero()) << i;
  }
  // The bucket is empty: each further reservation waits 100 ms more than the previous one.
  EXPECT_EQ(l.when("x"), 100ms);
  EXPECT_EQ(l.when("y"), 200ms);
  EXPECT_EQ(l.when("z"), 300ms);
  // After 1 s, ten tokens came back and paid the debt of three: seven free, then waits again.
  now += 1s;
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(l.when("w"), Duration::zero()) << i;
  }
  EXPECT_EQ(l.when("w"), 100ms);
  // Refill never exceeds the burst.
  now += 1h;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(l.when("v"), Duration::zero());
  }
  EXPECT_EQ(l.when("v"), 100ms);
  EXPECT_EQ(l.numRequeues("v"), 0);
}

TEST(BucketRateLimiter, ClockGoingBackwardsAddsNothing) {
  Clock::time_point now = Clock::time_point{} + 10s;
  BucketRateLimiter l(1.0, 1, [&] { return now; });
  EXPECT_EQ(l.when("a"), Duration::zero());
  now -= 5s;
  EXPECT_EQ(l.when("a"), 1s);
}

TEST(DefaultControllerRateLimiter, IsTheMaxOfBoth) {
  DefaultControllerRateLimiter l;
  EXPECT_EQ(l.when("a"), 5ms);  // bucket is full: per-item backoff wins
  EXPECT_EQ(l.when("a"), 10ms);
  EXPECT_EQ(l.numRequeues("a"), 2);
  l.forget("a");
  EXPECT_EQ(l.numRequeues("a"), 0);
  EXPECT_EQ(l.when("a"), 5ms);
  // Drain the bucket (it already gave 3 tokens): the overall limit then dominates.
  for (int i = 0; i < 97; ++i) {
    (void)l.when("k" + std::to_string(i));
  }
  const Duration d = l.when("fresh");
  EXPECT_GT(d, 50ms);  // ~100 ms of bucket debt, far above the 5 ms per-item delay
  EXPECT_LE(d, 100ms);
}

}  // namespace
}  // namespace mysqlop::queue
