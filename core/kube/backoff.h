#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace mysqlop::kube {

// Exponential backoff with jitter, as client-go's reflector uses it (initial 800 ms, factor 2,
// jitter 1.0: each delay is d * [1, 2), capped at 30 s). Not thread-safe.
class Backoff {
 public:
  using Duration = std::chrono::milliseconds;

  Backoff(Duration initial, Duration max, double factor = 2.0, double jitter = 1.0)
      : initial_(initial),
        max_(max),
        factor_(factor),
        jitter_(jitter),
        current_(initial),
        rng_(std::random_device{}()) {}

  // The next delay; later calls grow until max.
  Duration next() {
    const double base = static_cast<double>(current_.count());
    std::uniform_real_distribution<double> dist(0.0, jitter_);
    const double withJitter = base * (1.0 + dist(rng_));
    const auto out = std::min(max_, Duration(static_cast<Duration::rep>(withJitter)));
    const double grown = base * factor_;
    current_ = grown >= static_cast<double>(max_.count())
                   ? max_
                   : Duration(static_cast<Duration::rep>(grown));
    return out;
  }
  void reset() { current_ = initial_; }
  Duration initial() const { return initial_; }
  Duration max() const { return max_; }

 private:
  Duration initial_;
  Duration max_;
  double factor_;
  double jitter_;
  Duration current_;
  std::mt19937_64 rng_;
};

}  // namespace mysqlop::kube
