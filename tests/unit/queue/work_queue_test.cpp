#include "core/queue/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "core/metrics/registry.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::queue {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<WorkQueue> makeQueue(metrics::Registry* registry = nullptr) {
  return std::make_unique<WorkQueue>("test", std::make_unique<DefaultControllerRateLimiter>(),
                                     registry);
}

TEST(WorkQueue, FifoAndDedupe) {
  auto q = makeQueue();
  q->add("a");
  q->add("b");
  q->add("a");
  q->add("c");
  q->add("b");
  EXPECT_EQ(q->len(), 3u);
  EXPECT_EQ(q->get().value(), "a");
  EXPECT_EQ(q->get().value(), "b");
  EXPECT_EQ(q->get().value(), "c");
  EXPECT_EQ(q->len(), 0u);
}

TEST(WorkQueue, KeyBeingProcessedIsNeverHandedOutTwice) {
  auto q = makeQueue();
  q->add("a");
  ASSERT_EQ(q->get().value(), "a");
  // Re-added while processing: remembered, but not queued until done().
  q->add("a");
  q->add("a");
  EXPECT_EQ(q->len(), 0u);
  q->add("b");
  EXPECT_EQ(q->get().value(), "b");
  q->done("b");
  EXPECT_EQ(q->len(), 0u);
  q->done("a");
  EXPECT_EQ(q->len(), 1u);  // once, however many re-adds
  EXPECT_EQ(q->get().value(), "a");
  q->done("a");
  EXPECT_EQ(q->len(), 0u);
}

TEST(WorkQueue, ConcurrentWorkersNeverShareAKey) {
  auto q = makeQueue();
  std::mutex mu;
  std::set<std::string> inFlight;
  std::atomic<int> overlaps{0};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  workers.reserve(4);
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto k = q->get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!inFlight.insert(*k).second) {
            ++overlaps;
          }
        }
        std::this_thread::yield();
        {
          std::lock_guard<std::mutex> lock(mu);
          inFlight.erase(*k);
        }
        ++processed;
        q->done(*k);
      }
    });
  }
  for (int i = 0; i < 20000; ++i) {
    q->add("k" + std::to_string(i % 7));
  }
  q->shutDownWithDrain();
  q->shutDown();
  for (auto& t : workers) {
    t.join();
  }
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_GE(processed.load(), 7);
}

TEST(WorkQueue, AddAfterOrdersByReadyTimeAndKeepsTheEarliest) {
  auto q = makeQueue();
  q->addAfter("late", 60ms);
  q->addAfter("early", 20ms);
  q->addAfter("never-soon", 1h);
  q->addAfter("never-soon", 40ms);  // an earlier delay replaces the later one
  q->addAfter("early", 1h);         // a later delay does not postpone
  EXPECT_EQ(q->len(), 0u);
  EXPECT_EQ(q->waitingLen(), 3u);
  EXPECT_EQ(q->get().value(), "early");
  EXPECT_EQ(q->get().value(), "never-soon");
  EXPECT_EQ(q->get().value(), "late");
  EXPECT_EQ(q->waitingLen(), 0u);
}

TEST(WorkQueue, AddAfterZeroIsAnAddAndDedupesWithQueued) {
  auto q = makeQueue();
  q->add("a");
  q->addAfter("a", 0ms);
  q->addAfter("a", -5ms);
  EXPECT_EQ(q->len(), 1u);
  EXPECT_EQ(q->waitingLen(), 0u);
  q->addAfter("b", 10ms);
  q->add("b");  // due now; the delayed copy later dedupes or re-adds after done
  EXPECT_EQ(q->get().value(), "a");
  EXPECT_EQ(q->get().value(), "b");
}

TEST(WorkQueue, RateLimitedBackoffAndForget) {
  auto q = makeQueue();
  q->addRateLimited("a");
  q->addRateLimited("a");
  EXPECT_EQ(q->numRequeues("a"), 2);
  EXPECT_EQ(q->waitingLen(), 1u);  // 5 ms and 10 ms: the earliest is kept
  EXPECT_EQ(q->get().value(), "a");
  q->forget("a");
  EXPECT_EQ(q->numRequeues("a"), 0);
  q->done("a");
}

TEST(WorkQueue, ShutdownHandsOutQueuedKeysThenStops) {
  auto q = makeQueue();
  q->add("a");
  q->add("b");
  q->addAfter("later", 1h);
  q->shutDown();
  EXPECT_TRUE(q->shuttingDown());
  q->add("c");  // refused
  q->addAfter("d", 1ms);
  EXPECT_EQ(q->get().value(), "a");
  EXPECT_EQ(q->get().value(), "b");
  EXPECT_FALSE(q->get().has_value());
  EXPECT_FALSE(q->get().has_value());
}

TEST(WorkQueue, ShutdownWakesBlockedGetters) {
  auto q = makeQueue();
  std::atomic<int> ended{0};
  std::vector<std::thread> ts;
  ts.reserve(3);
  for (int i = 0; i < 3; ++i) {
    ts.emplace_back([&] {
      EXPECT_FALSE(q->get().has_value());
      ++ended;
    });
  }
  q->shutDown();
  for (auto& t : ts) {
    t.join();
  }
  EXPECT_EQ(ended.load(), 3);
}

TEST(WorkQueue, ShutDownWithDrainWaitsForDone) {
  auto q = makeQueue();
  q->add("a");
  ASSERT_EQ(q->get().value(), "a");
  std::atomic<bool> returned{false};
  std::thread drainer([&] {
    q->shutDownWithDrain();
    returned = true;
  });
  // Wait until the drainer has shut the queue, then check it is still waiting for "a" (a
  // drainer that returned early would have done so within these 20 ms).
  if (!MYSQLOP_EVENTUALLY(q->shuttingDown())) {
    q->done("a");
    drainer.join();
    FAIL() << "shutDownWithDrain did not shut the queue down";
  }
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(returned.load());
  q->add("b");  // refused while draining
  q->done("a");
  drainer.join();
  EXPECT_TRUE(returned.load());
  EXPECT_FALSE(q->get().has_value());
}

TEST(WorkQueue, ShutDownAbandonsADrain) {
  auto q = makeQueue();
  q->add("a");
  ASSERT_EQ(q->get().value(), "a");
  std::promise<void> drainReturned;
  std::future<void> drained = drainReturned.get_future();
  std::thread drainer([&] {
    q->shutDownWithDrain();
    drainReturned.set_value();
  });
  // shuttingDown() turns true under the lock that the drain then waits on, so from here on the
  // drain can only return when "a" is done or the drain is abandoned.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(q->shuttingDown()));
  EXPECT_EQ(drained.wait_for(0s), std::future_status::timeout)
      << "shutDownWithDrain returned while \"a\" was still processing";
  q->shutDown();
  EXPECT_EQ(drained.wait_for(10s), std::future_status::ready)
      << "shutDown() did not end the drain within 10 s although \"a\" is still processing";
  q->done("a");  // "a" finishes only now; this also frees a drain that was not abandoned
  drainer.join();
  EXPECT_FALSE(q->get().has_value());
}

TEST(WorkQueue, DoneDuringShutdownStillRequeuesDirtyKeys) {
  auto q = makeQueue();
  q->add("a");
  ASSERT_EQ(q->get().value(), "a");
  q->add("a");  // dirty while processing
  q->shutDown();
  q->done("a");
  EXPECT_EQ(q->get().value(), "a");  // the change made before shutdown is not lost
  q->done("a");
  EXPECT_FALSE(q->get().has_value());
}

TEST(WorkQueue, Metrics) {
  metrics::Registry registry;
  auto q = makeQueue(&registry);
  q->add("a");
  q->add("a");
  q->add("b");
  q->addRateLimited("c");
  const std::string text = registry.render();
  EXPECT_NE(text.find("mysqlop_workqueue_adds_total{name=\"test\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("mysqlop_workqueue_depth{name=\"test\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("mysqlop_workqueue_retries_total{name=\"test\"} 1"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace mysqlop::queue
