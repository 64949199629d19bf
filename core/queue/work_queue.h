#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "core/queue/rate_limiter.h"

namespace mysqlop::metrics {
class Registry;
class Series;
}  // namespace mysqlop::metrics

namespace mysqlop::queue {

// A work queue with client-go's semantics (util/workqueue/queue.go, delaying_queue.go,
// rate_limiting_queue.go):
//  - a key added while queued is not added twice (dirty set);
//  - a key being processed is never handed to a second worker: re-adds are remembered and the
//    key is queued again when done() is called;
//  - addAfter delays a key, keeping the earliest of several delays;
//  - addRateLimited delays it by the rate limiter's backoff; forget resets that backoff.
// Every get() must be paired with done().
class WorkQueue {
 public:
  // registry may be null; otherwise the queue exports mysqlop_workqueue_* metrics labelled name.
  WorkQueue(std::string name, std::unique_ptr<RateLimiter> limiter,
            metrics::Registry* registry = nullptr);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void add(const std::string& key);
  void addAfter(const std::string& key, Duration delay);
  void addRateLimited(const std::string& key);
  void forget(const std::string& key);
  int numRequeues(const std::string& key);

  // Blocks until a key is ready or the queue shuts down (nullopt).
  std::optional<std::string> get();
  void done(const std::string& key);

  // Refuses new keys. get() still hands out the keys already queued (as client-go does) and
  // returns nullopt once the queue is empty; delayed keys not yet due are dropped.
  void shutDown();
  // Like shutDown, but also waits until every key handed out has been marked done (or until
  // shutDown() is called, which abandons the drain, as in client-go).
  void shutDownWithDrain();
  bool shuttingDown() const;

  std::size_t len() const;
  std::size_t waitingLen() const;
  const std::string& name() const { return name_; }

 private:
  struct Waiting {
    Clock::time_point readyAt;
    std::string key;
    bool operator>(const Waiting& o) const { return readyAt > o.readyAt; }
  };

  void addLocked(const std::string& key, Clock::time_point now);
  void promoteDueLocked(Clock::time_point now);
  void updateDepthLocked();

  std::string name_;
  std::unique_ptr<RateLimiter> limiter_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;
  std::set<std::string> processing_;
  std::map<std::string, Clock::time_point> addedAt_;    // for queue latency
  std::map<std::string, Clock::time_point> startedAt_;  // for work duration
  std::priority_queue<Waiting, std::vector<Waiting>, std::greater<>> waiting_;
  std::map<std::string, Clock::time_point> waitingReadyAt_;
  bool shuttingDown_ = false;
  bool drain_ = false;  // shutDownWithDrain is waiting for processing keys

  metrics::Series* depth_ = nullptr;
  metrics::Series* adds_ = nullptr;
  metrics::Series* retries_ = nullptr;
  metrics::Series* queueLatency_ = nullptr;
  metrics::Series* workDuration_ = nullptr;
};

}  // namespace mysqlop::queue
