#include "core/election/leader_elector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/metrics/registry.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::election {
namespace {

using namespace std::chrono_literals;

// The shared state of one Lease, as the API server would hold it: a record and a version.
struct LeaseStore {
  std::mutex mu;
  std::optional<LeaseRecord> record;
  int version = 0;
  int writes = 0;
  bool failAll = false;
};

// A LeaseLock over LeaseStore with the API server's optimistic concurrency (unit tests of the
// decision logic; the integration tests use a real Lease on the local API server).
class MemoryLock final : public LeaseLock {
 public:
  MemoryLock(LeaseStore& s, std::string id) : s_(s), id_(std::move(id)) {}
  Result<LeaseRecord> get() override {
    std::lock_guard<std::mutex> lock(s_.mu);
    if (s_.failAll) {
      return fail(Errc::Unavailable, "server down");
    }
    if (!s_.record) {
      return fail(Errc::NotFound, "leases.coordination.k8s.io \"l\" not found");
    }
    seen_ = s_.version;
    return *s_.record;
  }
  Result<void> create(const LeaseRecord& r) override {
    std::lock_guard<std::mutex> lock(s_.mu);
    if (s_.failAll) {
      return fail(Errc::Unavailable, "server down");
    }
    if (s_.record) {
      return fail(Errc::AlreadyExists, "leases.coordination.k8s.io \"l\" already exists");
    }
    s_.record = r;
    seen_ = ++s_.version;
    ++s_.writes;
    return {};
  }
  Result<void> update(const LeaseRecord& r) override {
    std::lock_guard<std::mutex> lock(s_.mu);
    if (s_.failAll) {
      return fail(Errc::Unavailable, "server down");
    }
    if (seen_ != s_.version) {
      return fail(Errc::Conflict, "the object has been modified");
    }
    s_.record = r;
    seen_ = ++s_.version;
    ++s_.writes;
    return {};
  }
  const std::string& identity() const override { return id_; }
  std::string describe() const override { return "ns/l"; }

 private:
  LeaseStore& s_;
  std::string id_;
  int seen_ = -1;
};

struct FakeClocks {
  LeaderElector::SteadyClock::time_point now{std::chrono::hours(1)};
  LeaderElector::WallClock::time_point wall{std::chrono::hours(24 * 365 * 50)};
  LeaderElector::Clocks clocks() {
    return {[this] { return now; }, [this] { return wall; }};
  }
  void advance(std::chrono::milliseconds d) {
    now += d;
    wall += d;
  }
};

LeaderElectionConfig config(std::shared_ptr<LeaseLock> lock) {
  LeaderElectionConfig c;
  c.lock = std::move(lock);
  c.onStartedLeading = [] {};
  c.onStoppedLeading = [] {};
  c.name = "l";
  return c;
}

std::unique_ptr<LeaderElector> elector(LeaseStore& s, const std::string& id, FakeClocks& clocks,
                                       metrics::Registry* registry = nullptr) {
  auto e =
      LeaderElector::create(config(std::make_shared<MemoryLock>(s, id)), registry, clocks.clocks());
  EXPECT_TRUE(e.ok());
  return std::move(e).value();
}

TEST(LeaderElection, ValidatesLikeClientGo) {
  LeaseStore s;
  auto lock = std::make_shared<MemoryLock>(s, "me");
  auto err = [&](LeaderElectionConfig c) {
    auto r = validate(c);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_TRUE(validate(config(lock)).ok());
  auto c = config(lock);
  c.leaseDuration = 10s;
  EXPECT_EQ(err(c), "leaseDuration must be greater than renewDeadline");
  c = config(lock);
  c.renewDeadline = 2400ms;  // == 1.2 * 2 s
  EXPECT_EQ(err(c), "renewDeadline must be greater than retryPeriod*JitterFactor");
  c.renewDeadline = 2401ms;
  EXPECT_TRUE(validate(c).ok());
  c = config(lock);
  c.retryPeriod = 0ms;
  EXPECT_EQ(err(c), "retryPeriod must be greater than zero");
  c = config(lock);
  c.onStartedLeading = nullptr;
  EXPECT_EQ(err(c), "OnStartedLeading callback must not be nil");
  c = config(lock);
  c.onStoppedLeading = nullptr;
  EXPECT_EQ(err(c), "OnStoppedLeading callback must not be nil");
  c = config(nullptr);
  EXPECT_EQ(err(c), "Lock must not be nil.");
  c = config(std::make_shared<MemoryLock>(s, ""));
  EXPECT_EQ(err(c), "Lock identity is empty");
  EXPECT_FALSE(LeaderElector::create(c).ok());
}

TEST(LeaderElection, DefaultIdentityIsHostUnderscoreUuid) {
  const std::string id = defaultIdentity();
  const auto us = id.rfind('_');
  ASSERT_NE(us, std::string::npos);
  EXPECT_GT(us, 0u);
  EXPECT_EQ(id.size() - us - 1, 36u);  // a UUID
  EXPECT_NE(defaultIdentity(), id);
}

TEST(LeaderElection, CreatesAMissingLease) {
  LeaseStore s;
  FakeClocks clocks;
  auto a = elector(s, "a", clocks);
  EXPECT_FALSE(a->isLeader());
  EXPECT_TRUE(a->tryAcquireOrRenew());
  EXPECT_TRUE(a->isLeader());
  ASSERT_TRUE(s.record);
  EXPECT_EQ(s.record->holderIdentity, "a");
  EXPECT_EQ(s.record->leaseDurationSeconds, 15);
  EXPECT_EQ(s.record->leaseTransitions, 0);
  EXPECT_EQ(s.record->acquireTime, s.record->renewTime);
  EXPECT_EQ(s.record->renewTime, formatMicroTime(clocks.wall));
}

TEST(LeaderElection, RenewKeepsAcquireTimeAndTransitions) {
  LeaseStore s;
  FakeClocks clocks;
  auto a = elector(s, "a", clocks);
  ASSERT_TRUE(a->tryAcquireOrRenew());
  const LeaseRecord first = *s.record;
  clocks.advance(2s);
  ASSERT_TRUE(a->tryAcquireOrRenew());
  EXPECT_EQ(s.record->acquireTime, first.acquireTime);
  EXPECT_NE(s.record->renewTime, first.renewTime);
  EXPECT_EQ(s.record->leaseTransitions, 0);
}

TEST(LeaderElection, FollowerWaitsForExpiryOnItsOwnObservationClock) {
  LeaseStore s;
  FakeClocks clocksA;
  FakeClocks clocksB;
  // B's wall clock is an hour behind: the remote renewTime looks far in the future to B, and B's
  // decision must not depend on it.
  clocksB.wall -= 1h;
  auto a = elector(s, "a", clocksA);
  auto b = elector(s, "b", clocksB);
  ASSERT_TRUE(a->tryAcquireOrRenew());
  EXPECT_FALSE(b->tryAcquireOrRenew());  // first observation at B's t0
  EXPECT_EQ(b->leader(), "a");
  clocksB.advance(14s);
  EXPECT_FALSE(b->tryAcquireOrRenew());  // same record, 14 s < 15 s after B saw it
  clocksB.advance(999ms);
  EXPECT_FALSE(b->tryAcquireOrRenew());
  clocksB.advance(1ms);  // exactly 15 s after the observation: expired
  EXPECT_TRUE(b->tryAcquireOrRenew());
  EXPECT_TRUE(b->isLeader());
  EXPECT_EQ(s.record->holderIdentity, "b");
  EXPECT_EQ(s.record->leaseTransitions, 1);
  EXPECT_EQ(s.record->acquireTime, formatMicroTime(clocksB.wall));
  // A's optimistic renew now conflicts; its slow path sees B's fresh record and backs off.
  clocksA.advance(2s);
  EXPECT_FALSE(a->tryAcquireOrRenew());
  EXPECT_FALSE(a->isLeader());
  EXPECT_EQ(a->leader(), "b");
}

TEST(LeaderElection, StaleRemoteRenewTimeDoesNotExpireALeaseJustObserved) {
  LeaseStore s;
  // The holder's clock is a day behind ours: its renewTime looks long expired to us.
  s.record =
      LeaseRecord{"old", 15, "2000-01-01T00:00:00.000000Z", "2000-01-01T00:00:00.000000Z", 3};
  FakeClocks clocks;
  auto b = elector(s, "b", clocks);
  EXPECT_FALSE(b->tryAcquireOrRenew());
  clocks.advance(10s);
  EXPECT_FALSE(b->tryAcquireOrRenew());
}

TEST(LeaderElection, EveryRenewSeenRestartsTheExpiryClock) {
  LeaseStore s;
  FakeClocks clocksA;
  FakeClocks clocksB;
  auto a = elector(s, "a", clocksA);
  auto b = elector(s, "b", clocksB);
  ASSERT_TRUE(a->tryAcquireOrRenew());
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(b->tryAcquireOrRenew());
    clocksB.advance(10s);  // would expire after 15 s without renews
    clocksA.advance(10s);
    ASSERT_TRUE(a->tryAcquireOrRenew());
  }
  EXPECT_EQ(s.record->holderIdentity, "a");
}

TEST(LeaderElection, ReleasedLeaseIsTakenAtOnce) {
  LeaseStore s;
  FakeClocks clocksA;
  FakeClocks clocksB;
  auto a = elector(s, "a", clocksA);
  auto b = elector(s, "b", clocksB);
  ASSERT_TRUE(a->tryAcquireOrRenew());
  EXPECT_FALSE(b->tryAcquireOrRenew());
  EXPECT_TRUE(a->release());
  EXPECT_FALSE(a->isLeader());
  EXPECT_EQ(s.record->holderIdentity, "");
  EXPECT_EQ(s.record->leaseDurationSeconds, 1);
  EXPECT_EQ(s.record->leaseTransitions, 0);
  EXPECT_TRUE(b->tryAcquireOrRenew());  // no wait: the holder is empty
  EXPECT_EQ(s.record->leaseTransitions, 1);
  EXPECT_TRUE(a->release());  // not leading: nothing to do
  EXPECT_EQ(s.record->holderIdentity, "b");
}

TEST(LeaderElection, ReleaseRetriesOnConflictWhileStillHolder) {
  LeaseStore s;
  FakeClocks clocks;
  auto a = elector(s, "a", clocks);
  ASSERT_TRUE(a->tryAcquireOrRenew());
  {
    // Another write that keeps a as the holder (e.g. an annotation) bumps the version.
    std::lock_guard<std::mutex> lock(s.mu);
    ++s.version;
  }
  EXPECT_TRUE(a->release());
  EXPECT_EQ(s.record->holderIdentity, "");
}

TEST(LeaderElection, ConcurrentCandidatesElectExactlyOne) {
  LeaseStore s;
  FakeClocks clocks;
  auto a = elector(s, "a", clocks);
  auto b = elector(s, "b", clocks);
  // Both read "no lease"; only one create can win.
  const bool ra = a->tryAcquireOrRenew();
  const bool rb = b->tryAcquireOrRenew();
  EXPECT_NE(ra, rb);
  EXPECT_EQ(s.record->holderIdentity, ra ? "a" : "b");
}

TEST(LeaderElection, ServerErrorsNeverGrantLeadership) {
  LeaseStore s;
  s.failAll = true;
  FakeClocks clocks;
  auto a = elector(s, "a", clocks);
  EXPECT_FALSE(a->tryAcquireOrRenew());
  EXPECT_FALSE(a->isLeader());
}

TEST(LeaderElection, LoopLeadsLosesAfterRenewDeadlineAndReportsMetrics) {
  LeaseStore s;
  metrics::Registry registry;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  auto c = config(std::make_shared<MemoryLock>(s, "a"));
  c.leaseDuration = 3s;
  c.renewDeadline = 300ms;
  c.retryPeriod = 20ms;
  c.onStartedLeading = [&] { ++started; };
  c.onStoppedLeading = [&] { ++stopped; };
  auto e = LeaderElector::create(c, &registry);
  ASSERT_TRUE(e.ok());
  (*e)->start();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(started.load() > 0));
  EXPECT_TRUE((*e)->isLeader());
  EXPECT_NE(registry.render().find("mysqlop_leader_election_master_status{name=\"l\"} 1"),
            std::string::npos);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.failAll = true;  // the API server goes away: renews fail until renewDeadline
  }
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(stopped.load() > 0));
  EXPECT_FALSE((*e)->isLeader());
  EXPECT_NE(registry.render().find("mysqlop_leader_election_master_status{name=\"l\"} 0"),
            std::string::npos);
  (*e)->stop();
  EXPECT_EQ(started.load(), 1);
  EXPECT_EQ(stopped.load(), 1);
}

TEST(LeaderElection, RenewalsContinueWhileOnStartedLeadingRuns) {
  LeaseStore s;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> writesSeenInCallback{0};
  auto c = config(std::make_shared<MemoryLock>(s, "a"));
  c.retryPeriod = 20ms;
  c.onStartedLeading = [&] {
    // A slow start (plugins connecting to MySQL...): wait until three renewals happened.
    testing::pollUntil(
        [&] {
          std::lock_guard<std::mutex> lock(s.mu);
          writesSeenInCallback = s.writes >= 4 ? s.writes : 0;
          return s.writes >= 4;
        },
        testing::Poll{std::chrono::seconds(60), 1ms});
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
  };
  auto e = LeaderElector::create(c);
  ASSERT_TRUE(e.ok());
  (*e)->start();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(writesSeenInCallback.load() > 0));
  EXPECT_TRUE((*e)->isLeader());
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  (*e)->stop();
  EXPECT_GE(writesSeenInCallback.load(), 4);  // one create, then renewals during the callback
}

TEST(LeaderElection, StopReleasesTheLease) {
  LeaseStore s;
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  auto c = config(std::make_shared<MemoryLock>(s, "a"));
  c.retryPeriod = 20ms;
  c.onStartedLeading = [&] { ++started; };
  c.onStoppedLeading = [&] { ++stopped; };
  auto e = LeaderElector::create(c);
  ASSERT_TRUE(e.ok());
  (*e)->start();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(started.load() > 0));
  (*e)->stop();
  EXPECT_EQ(stopped.load(), 1);
  std::lock_guard<std::mutex> lock(s.mu);
  EXPECT_EQ(s.record->holderIdentity, "");
  EXPECT_EQ(s.record->leaseDurationSeconds, 1);
}

TEST(LeaderElection, StopWhileFollowingNeverLeads) {
  LeaseStore s;
  s.record = LeaseRecord{"other", 15, "", "", 0};
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::vector<std::string> leaders;
  auto c = config(std::make_shared<MemoryLock>(s, "a"));
  c.retryPeriod = 20ms;
  c.onStartedLeading = [&] { ++started; };
  c.onStoppedLeading = [&] { ++stopped; };
  c.onNewLeader = [&](const std::string& id) { leaders.push_back(id); };
  auto e = LeaderElector::create(c);
  ASSERT_TRUE(e.ok());
  (*e)->start();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!(*e)->leader().empty()));
  (*e)->stop();
  EXPECT_EQ(started.load(), 0);
  EXPECT_EQ(stopped.load(), 0);
  ASSERT_EQ(leaders.size(), 1u);
  EXPECT_EQ(leaders[0], "other");
  EXPECT_EQ(s.record->holderIdentity, "other");
}

TEST(LeaderElection, MicroTimeFormat) {
  const auto t =
      std::chrono::system_clock::time_point(std::chrono::microseconds(1714564990123456LL));
  EXPECT_EQ(formatMicroTime(t), "2024-05-01T12:03:10.123456Z");
  EXPECT_EQ(formatMicroTime(std::chrono::system_clock::time_point{}),
            "1970-01-01T00:00:00.000000Z");
}

}  // namespace
}  // namespace mysqlop::election
