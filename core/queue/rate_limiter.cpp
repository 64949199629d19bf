#include "core/queue/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace mysqlop::queue {

using namespace std::chrono_literals;

Duration ItemExponentialRateLimiter::when(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const int exp = failures_[key]++;
  // Compute in floating point to avoid overflow for large exponents, as client-go does.
  const double backoff = static_cast<double>(base_.count()) * std::pow(2.0, exp);
  if (backoff > static_cast<double>(max_.count())) {
    return max_;
  }
  return Duration(static_cast<Duration::rep>(backoff));
}

void ItemExponentialRateLimiter::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int ItemExponentialRateLimiter::numRequeues(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

BucketRateLimiter::BucketRateLimiter(double qps, int burst, std::function<Clock::time_point()> now)
    : qps_(qps > 0 ? qps : 1e-9),
      burst_(burst),
      now_(std::move(now)),
      tokens_(burst),
      last_(now_()) {}

Duration BucketRateLimiter::when(const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = now_();
  // A clock that went backwards adds nothing (rate.Limiter.advance does the same).
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - last_).count());
  last_ = std::max(now, last_);
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  tokens_ -= 1;  // a reservation: may go negative, and then the caller waits for the deficit
  if (tokens_ >= 0) {
    return Duration::zero();
  }
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

DefaultControllerRateLimiter::DefaultControllerRateLimiter()
    : item_(5ms, 1000s), bucket_(10.0, 100) {}

Duration DefaultControllerRateLimiter::when(const std::string& key) {
  return std::max(item_.when(key), bucket_.when(key));
}

void DefaultControllerRateLimiter::forget(const std::string& key) { item_.forget(key); }

int DefaultControllerRateLimiter::numRequeues(const std::string& key) {
  return item_.numRequeues(key);
}

}  // namespace mysqlop::queue
