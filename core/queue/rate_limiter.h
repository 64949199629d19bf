#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace mysqlop::queue {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;

// client-go's rate limiters (util/workqueue/default_rate_limiters.go).
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long the key must wait before its next attempt; records a failure.
  virtual Duration when(const std::string& key) = 0;
  // Clears the key's failure history.
  virtual void forget(const std::string& key) = 0;
  virtual int numRequeues(const std::string& key) = 0;
};

// Per key: base * 2^failures, capped at max.
class ItemExponentialRateLimiter final : public RateLimiter {
 public:
  ItemExponentialRateLimiter(Duration base, Duration max) : base_(base), max_(max) {}
  Duration when(const std::string& key) override;
  void forget(const std::string& key) override;
  int numRequeues(const std::string& key) override;

 private:
  Duration base_;
  Duration max_;
  std::mutex mu_;
  std::map<std::string, int> failures_;
};

// Overall: a token bucket of `qps` tokens per second holding at most `burst`, starting full
// (golang.org/x/time/rate as client-go uses it: When reserves a token and returns how long the
// caller must wait for it; the bucket may go into debt). qps must be > 0.
class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, std::function<Clock::time_point()> now = Clock::now);
  Duration when(const std::string& key) override;
  void forget(const std::string&) override {}
  int numRequeues(const std::string&) override { return 0; }

 private:
  double qps_;
  double burst_;
  std::mutex mu_;
  std::function<Clock::time_point()> now_;
  double tokens_;
  Clock::time_point last_;
};

// The default of client-go and controller-runtime: the worst of exponential per-key backoff from
// 5 ms to 1000 s and an overall bucket of 10 qps with burst 100.
class DefaultControllerRateLimiter final : public RateLimiter {
 public:
  DefaultControllerRateLimiter();
  Duration when(const std::string& key) override;
  void forget(const std::string& key) override;
  int numRequeues(const std::string& key) override;

 private:
  ItemExponentialRateLimiter item_;
  BucketRateLimiter bucket_;
};

}  // namespace mysqlop::queue
