#include "core/election/leader_elector.h"

#include <unistd.h>

#include <Poco/UUIDGenerator.h>
#include <spdlog/spdlog.h>

#include "core/metrics/registry.h"

namespace mysqlop::election {

Result<void> validate(const LeaderElectionConfig& c) {
  if (c.leaseDuration <= c.renewDeadline) {
    return fail(Errc::Invalid, "leaseDuration must be greater than renewDeadline");
  }
  if (c.renewDeadline <= Duration(static_cast<Duration::rep>(
                             kJitterFactor * static_cast<double>(c.retryPeriod.count())))) {
    return fail(Errc::Invalid, "renewDeadline must be greater than retryPeriod*JitterFactor");
  }
  if (c.leaseDuration.count() < 1) {
    return fail(Errc::Invalid, "leaseDuration must be greater than zero");
  }
  if (c.renewDeadline.count() < 1) {
    return fail(Errc::Invalid, "renewDeadline must be greater than zero");
  }
  if (c.retryPeriod.count() < 1) {
    return fail(Errc::Invalid, "retryPeriod must be greater than zero");
  }
  if (!c.onStartedLeading) {
    return fail(Errc::Invalid, "OnStartedLeading callback must not be nil");
  }
  if (!c.onStoppedLeading) {
    return fail(Errc::Invalid, "OnStoppedLeading callback must not be nil");
  }
  if (!c.lock) {
    return fail(Errc::Invalid, "Lock must not be nil.");
  }
  if (c.lock->identity().empty()) {
    return fail(Errc::Invalid, "Lock identity is empty");
  }
  return {};
}

std::string defaultIdentity() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "mysql-operator");
  }
  return std::string(host) + "_" +
         Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
}

LeaderElector::LeaderElector(LeaderElectionConfig config, metrics::Registry* registry,
                             Clocks clocks)
    : config_(std::move(config)), clocks_(std::move(clocks)) {
  if (registry) {
    leaderGauge_ =
        registry
            ->gauge("mysqlop_leader_election_master_status",
                    "1 while this replica holds the leader-election lease, else 0.", {"name"})
            .series({config_.name.empty() ? config_.lock->describe() : config_.name});
    leaderGauge_->set(0);
  }
}

Result<std::unique_ptr<LeaderElector>> LeaderElector::create(LeaderElectionConfig config,
                                                             metrics::Registry* registry) {
  return create(std::move(config), registry, Clocks{});
}

Result<std::unique_ptr<LeaderElector>> LeaderElector::create(LeaderElectionConfig config,
                                                             metrics::Registry* registry,
                                                             Clocks clocks) {
  if (auto v = validate(config); !v.ok()) {
    return v.error();
  }
  return std::unique_ptr<LeaderElector>(
      new LeaderElector(std::move(config), registry, std::move(clocks)));
}

LeaderElector::~LeaderElector() { stop(); }

bool LeaderElector::isLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_.holderIdentity == config_.lock->identity();
}

std::string LeaderElector::leader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return observed_.holderIdentity;
}

bool LeaderElector::isLeaseValidLocked(SteadyClock::time_point now) const {
  return observedTime_ + std::chrono::seconds(observed_.leaseDurationSeconds) > now;
}

void LeaderElector::setObservedLocked(const LeaseRecord& r) {
  observed_ = r;
  observedTime_ = clocks_.now();
}

void LeaderElector::setLeaderGauge(bool leading) {
  if (leaderGauge_) {
    leaderGauge_->set(leading ? 1 : 0);
  }
}

bool LeaderElector::tryAcquireOrRenew() {
  const std::string now = formatMicroTime(clocks_.wallNow());
  LeaseRecord desired;
  desired.holderIdentity = config_.lock->identity();
  desired.leaseDurationSeconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.leaseDuration).count());
  desired.renewTime = now;
  desired.acquireTime = now;

  // 1. Fast path: the leader renews optimistically over the version it wrote last.
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (observed_.holderIdentity == desired.holderIdentity && isLeaseValidLocked(clocks_.now())) {
      desired.acquireTime = observed_.acquireTime;
      desired.leaseTransitions = observed_.leaseTransitions;
      lock.unlock();
      auto r = config_.lock->update(desired);
      if (r.ok()) {
        std::lock_guard<std::mutex> again(mu_);
        setObservedLocked(desired);
        return true;
      }
      spdlog::warn("leader election: renewing {} optimistically failed: {}; trying the slow path",
                   config_.lock->describe(), r.error().message);
    }
  }

  // 2. Read the lease, or create it.
  auto current = config_.lock->get();
  if (!current.ok()) {
    if (!current.is(Errc::NotFound)) {
      spdlog::error("leader election: reading lease {}: {}", config_.lock->describe(),
                    current.error().message);
      return false;
    }
    auto created = config_.lock->create(desired);
    if (!created.ok()) {
      spdlog::error("leader election: creating lease {}: {}", config_.lock->describe(),
                    created.error().message);
      return false;
    }
    std::lock_guard<std::mutex> lock(mu_);
    setObservedLocked(desired);
    return true;
  }

  // 3. A record we have not seen before restarts the expiry clock, on our own clock.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (*current != observed_) {
      setObservedLocked(*current);
    }
    const bool leading = observed_.holderIdentity == desired.holderIdentity;
    if (!current->holderIdentity.empty() && isLeaseValidLocked(clocks_.now()) && !leading) {
      return false;  // held by someone else and not expired
    }
    // 4. Take over (or renew through the slow path).
    if (leading) {
      desired.acquireTime = current->acquireTime;
      desired.leaseTransitions = current->leaseTransitions;
    } else {
      desired.leaseTransitions = current->leaseTransitions + 1;
    }
  }
  auto updated = config_.lock->update(desired);
  if (!updated.ok()) {
    spdlog::info("leader election: updating lease {}: {}", config_.lock->describe(),
                 updated.error().message);
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  setObservedLocked(desired);
  return true;
}

bool LeaderElector::release() {
  const auto deadline = clocks_.now() + config_.renewDeadline;
  for (;;) {
    LeaseRecord released;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (observed_.holderIdentity != config_.lock->identity()) {
        return true;
      }
      released.leaseTransitions = observed_.leaseTransitions;
    }
    const std::string now = formatMicroTime(clocks_.wallNow());
    released.leaseDurationSeconds = 1;
    released.renewTime = now;
    released.acquireTime = now;
    auto r = config_.lock->update(released);
    if (r.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      setObservedLocked(released);
      spdlog::info("leader election: released lease {}", config_.lock->describe());
      setLeaderGauge(false);
      return true;
    }
    if (!r.is(Errc::Conflict) || clocks_.now() >= deadline) {
      spdlog::error("leader election: releasing lease {}: {}", config_.lock->describe(),
                    r.error().message);
      return false;
    }
    // Someone wrote the lease since we did: re-read it; if it is still ours, release again.
    auto current = config_.lock->get();
    if (!current.ok()) {
      spdlog::error("leader election: reading lease {} to release it: {}", config_.lock->describe(),
                    current.error().message);
      return false;
    }
    std::lock_guard<std::mutex> lock(mu_);
    setObservedLocked(*current);
  }
}

bool LeaderElector::sleepFor(Duration d) {
  std::unique_lock<std::mutex> lock(stopMu_);
  return !stopCv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

bool LeaderElector::acquire() {
  spdlog::info("leader election: attempting to acquire lease {} as {}", config_.lock->describe(),
               config_.lock->identity());
  std::uniform_real_distribution<double> jitter(0.0, kJitterFactor);
  while (!stopping_.load()) {
    const bool ok = tryAcquireOrRenew();
    const std::string holder = leader();
    if (holder != reportedLeader_) {
      reportedLeader_ = holder;
      if (!holder.empty()) {
        spdlog::info("leader election: the leader is now {}", holder);
      }
      if (config_.onNewLeader) {
        config_.onNewLeader(holder);
      }
    }
    if (ok) {
      spdlog::info("leader election: acquired lease {}", config_.lock->describe());
      return true;
    }
    const double period = static_cast<double>(config_.retryPeriod.count());
    if (!sleepFor(Duration(static_cast<Duration::rep>(period + period * jitter(rng_))))) {
      break;
    }
  }
  return false;
}

void LeaderElector::renew() {
  while (!stopping_.load()) {
    // Try every retryPeriod until a renew succeeds or renewDeadline passes.
    const auto deadline = clocks_.now() + config_.renewDeadline;
    bool renewed = false;
    while (!stopping_.load()) {
      if (tryAcquireOrRenew()) {
        renewed = true;
        break;
      }
      if (clocks_.now() + config_.retryPeriod > deadline) {
        break;
      }
      sleepFor(config_.retryPeriod);
    }
    if (stopping_.load()) {
      return;
    }
    if (!renewed) {
      spdlog::error("leader election: failed to renew lease {} within {} ms: leadership lost",
                    config_.lock->describe(), config_.renewDeadline.count());
      return;
    }
    if (!sleepFor(config_.retryPeriod)) {
      return;
    }
  }
}

void LeaderElector::run() {
  if (!acquire()) {
    return;
  }
  setLeaderGauge(true);
  // On a thread of its own, as client-go runs it in a goroutine: starting the reconcilers and
  // services may take a while, and renewals must go on meanwhile.
  std::thread started([this] { config_.onStartedLeading(); });
  renew();
  setLeaderGauge(false);
  if (stopping_.load() && config_.releaseOnCancel) {
    release();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (observed_.holderIdentity == config_.lock->identity()) {
      observed_.holderIdentity.clear();  // never report leadership after the loops ended
    }
  }
  config_.onStoppedLeading();
  started.join();
}

void LeaderElector::start() {
  if (thread_.joinable()) {
    return;
  }
  stopping_.store(false);
  thread_ = std::thread([this] { run(); });
}

void LeaderElector::stop() {
  {
    std::lock_guard<std::mutex> lock(stopMu_);
    stopping_.store(true);
  }
  stopCv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) {
    thread_.join();
  }
}

}  // namespace mysqlop::election
