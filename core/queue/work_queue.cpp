#include "core/queue/work_queue.h"

#include "core/metrics/registry.h"

namespace mysqlop::queue {

namespace {

const std::vector<double>& latencyBuckets() {
  // client-go's workqueue buckets: 1 us .. 10 s, exponential by 10.
  static const std::vector<double> kBuckets = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10};
  return kBuckets;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

WorkQueue::WorkQueue(std::string name, std::unique_ptr<RateLimiter> limiter,
                     metrics::Registry* registry)
    : name_(std::move(name)), limiter_(std::move(limiter)) {
  if (registry) {
    depth_ =
        registry->gauge("mysqlop_workqueue_depth", "Current depth of the work queue.", {"name"})
            .series({name_});
    adds_ =
        registry->counter("mysqlop_workqueue_adds_total", "Keys added to the work queue.", {"name"})
            .series({name_});
    retries_ = registry
                   ->counter("mysqlop_workqueue_retries_total",
                             "Keys requeued with rate limiting after a failure.", {"name"})
                   .series({name_});
    queueLatency_ = registry
                        ->histogram("mysqlop_workqueue_queue_duration_seconds",
                                    "Seconds a key waits in the queue before it is processed.",
                                    {"name"}, latencyBuckets())
                        .series({name_});
    workDuration_ =
        registry
            ->histogram("mysqlop_workqueue_work_duration_seconds",
                        "Seconds a key takes to be processed.", {"name"}, latencyBuckets())
            .series({name_});
  }
}

WorkQueue::~WorkQueue() { shutDown(); }

void WorkQueue::addLocked(const std::string& key, Clock::time_point now) {
  if (shuttingDown_ || dirty_.count(key)) {
    return;
  }
  if (adds_) {
    adds_->add(1);
  }
  dirty_.insert(key);
  addedAt_.emplace(key, now);
  if (processing_.count(key)) {
    return;  // queued again by done()
  }
  queue_.push_back(key);
  updateDepthLocked();
  cv_.notify_one();
}

void WorkQueue::updateDepthLocked() {
  if (depth_) {
    depth_->set(static_cast<double>(queue_.size()));
  }
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  addLocked(key, Clock::now());
}

void WorkQueue::addAfter(const std::string& key, Duration delay) {
  if (delay <= Duration::zero()) {
    add(key);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (shuttingDown_) {
    return;
  }
  const auto readyAt = Clock::now() + delay;
  auto it = waitingReadyAt_.find(key);
  if (it != waitingReadyAt_.end() && it->second <= readyAt) {
    return;  // an earlier delay is already pending
  }
  waitingReadyAt_[key] = readyAt;
  waiting_.push(Waiting{readyAt, key});
  cv_.notify_all();  // a sleeping get() may need an earlier wake-up
}

void WorkQueue::addRateLimited(const std::string& key) {
  if (retries_) {
    retries_->add(1);
  }
  addAfter(key, limiter_->when(key));
}

void WorkQueue::forget(const std::string& key) { limiter_->forget(key); }

int WorkQueue::numRequeues(const std::string& key) { return limiter_->numRequeues(key); }

void WorkQueue::promoteDueLocked(Clock::time_point now) {
  while (!waiting_.empty() && waiting_.top().readyAt <= now) {
    Waiting w = waiting_.top();
    waiting_.pop();
    auto it = waitingReadyAt_.find(w.key);
    if (it == waitingReadyAt_.end() || it->second != w.readyAt) {
      continue;  // superseded by an earlier delay of the same key
    }
    waitingReadyAt_.erase(it);
    addLocked(w.key, now);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    const auto now = Clock::now();
    promoteDueLocked(now);
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      updateDepthLocked();
      processing_.insert(key);
      dirty_.erase(key);
      if (auto it = addedAt_.find(key); it != addedAt_.end()) {
        if (queueLatency_) {
          queueLatency_->observe(seconds(now - it->second));
        }
        addedAt_.erase(it);
      }
      startedAt_[key] = now;
      return key;
    }
    if (shuttingDown_) {
      return std::nullopt;
    }
    if (waiting_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, waiting_.top().readyAt);
    }
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (auto it = startedAt_.find(key); it != startedAt_.end()) {
    if (workDuration_) {
      workDuration_->observe(seconds(Clock::now() - it->second));
    }
    startedAt_.erase(it);
  }
  if (dirty_.count(key)) {
    queue_.push_back(key);
    updateDepthLocked();
    cv_.notify_one();
  }
  if (processing_.empty()) {
    drained_.notify_all();
  }
}

void WorkQueue::shutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shuttingDown_ = true;
  drain_ = false;
  cv_.notify_all();
  drained_.notify_all();
}

void WorkQueue::shutDownWithDrain() {
  std::unique_lock<std::mutex> lock(mu_);
  shuttingDown_ = true;
  drain_ = true;
  cv_.notify_all();
  drained_.wait(lock, [this] { return processing_.empty() || !drain_; });
  drain_ = false;
}

bool WorkQueue::shuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shuttingDown_;
}

std::size_t WorkQueue::len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

std::size_t WorkQueue::waitingLen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waitingReadyAt_.size();
}

}  // namespace mysqlop::queue
