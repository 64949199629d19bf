#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "core/common/result.h"
#include "core/election/lease_lock.h"

namespace mysqlop::metrics {
class Registry;
class Series;
}  // namespace mysqlop::metrics

namespace mysqlop::election {

using Duration = std::chrono::milliseconds;

struct LeaderElectionConfig {
  std::shared_ptr<LeaseLock> lock;
  // controller-runtime's defaults.
  Duration leaseDuration = std::chrono::seconds(15);
  Duration renewDeadline = std::chrono::seconds(10);
  Duration retryPeriod = std::chrono::seconds(2);
  std::function<void()> onStartedLeading;               // on the elector's thread
  std::function<void()> onStoppedLeading;               // lost the lease, or stopped while leading
  std::function<void(const std::string&)> onNewLeader;  // optional: the observed holder changed
  bool releaseOnCancel = true;
  std::string name;  // metrics label (the lease name)
};

// client-go's JitterFactor: a retry happens every retryPeriod * [1, 2.2).
inline constexpr double kJitterFactor = 1.2;

// The checks of client-go's NewLeaderElector, with its messages.
Result<void> validate(const LeaderElectionConfig& config);

// "<hostname>_<random uuid>", controller-runtime's identity.
std::string defaultIdentity();

// client-go's leader election (tools/leaderelection/leaderelection.go, kube-api.md section 7):
// acquire by creating or taking over an expired Lease, renew every retryPeriod, give up after
// renewDeadline without a successful renew. Expiry is judged on the local clock at which the
// current record was first observed, never by comparing the remote renewTime with our clock.
class LeaderElector {
 public:
  using SteadyClock = std::chrono::steady_clock;
  using WallClock = std::chrono::system_clock;
  struct Clocks {
    std::function<SteadyClock::time_point()> now = SteadyClock::now;
    std::function<WallClock::time_point()> wallNow = WallClock::now;
  };

  static Result<std::unique_ptr<LeaderElector>> create(LeaderElectionConfig config,
                                                       metrics::Registry* registry = nullptr);
  static Result<std::unique_ptr<LeaderElector>> create(LeaderElectionConfig config,
                                                       metrics::Registry* registry, Clocks clocks);
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Runs acquire then renew on a thread of its own until stop() or the loss of the lease.
  void start();
  // Stops the loops; a leader then releases the lease (releaseOnCancel) and onStoppedLeading
  // runs. Idempotent; returns after the thread has ended.
  void stop();

  bool isLeader() const;
  // The holder last observed ("" when none).
  std::string leader() const;
  const std::string& identity() const { return config_.lock->identity(); }

  // One round of client-go's tryAcquireOrRenew; true if we hold the lease afterwards.
  // Public for tests, which drive the decisions with their own clocks.
  bool tryAcquireOrRenew();
  // Writes an empty holder with a 1 s lease so that a successor takes over at once; retries on
  // conflict within renewDeadline. True if released (or not leading).
  bool release();

 private:
  LeaderElector(LeaderElectionConfig config, metrics::Registry* registry, Clocks clocks);
  void run();
  bool acquire();  // false when stopped before acquiring
  void renew();    // returns when the lease is lost or on stop
  bool isLeaseValidLocked(SteadyClock::time_point now) const;
  void setObservedLocked(const LeaseRecord& r);
  bool sleepFor(Duration d);
  void setLeaderGauge(bool leading);

  LeaderElectionConfig config_;
  Clocks clocks_;
  mutable std::mutex mu_;  // observed record
  LeaseRecord observed_;
  SteadyClock::time_point observedTime_{};
  std::string reportedLeader_;

  std::atomic<bool> stopping_{false};
  std::mutex stopMu_;
  std::condition_variable stopCv_;
  std::thread thread_;
  std::mt19937_64 rng_{std::random_device{}()};
  metrics::Series* leaderGauge_ = nullptr;
};

}  // namespace mysqlop::election
