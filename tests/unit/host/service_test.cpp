// The lifecycle order of the plugin host (core/host/README.md), observed through the service
// fixture's order file: services start before workers take keys, stop after the workers drained
// and exactly once, a failed start is reported by name while the others run, and a plugin is
// destroyed only after its routes are gone and their running handlers returned.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "core/host/host_api.h"
#include "tests/unit/host/service_log.h"

namespace mysqlop::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

int lastIndexWithPrefix(const std::vector<std::string>& lines, const std::string& prefix) {
  int last = -1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) {
      last = static_cast<int>(i);
    }
  }
  return last;
}

TEST(ServiceLifecycle, StartsBeforeWorkersStopsAfterThemAndIsDestroyedLast) {
  ServiceLog log("svc-order");
  HostFixture h;
  h.load({entry("service", fixturePath("service"), log.config("service"))});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  h.manager->find("service")->queue->add("fixtures/early");  // queued before any worker runs
  h.manager->startWork();
  ASSERT_TRUE(log.waitFor("service", "reconcile end fixtures/tick"));
  h.manager->stopWork();
  h.manager->destroyAll();

  const auto lines = log.lines("service");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "create");
  EXPECT_EQ(countOf(lines, "create"), 1);
  EXPECT_EQ(countOf(lines, "start"), 1);
  EXPECT_EQ(countOf(lines, "stop"), 1);
  const int start = indexOf(lines, "start");
  const int stop = indexOf(lines, "stop");
  EXPECT_LT(start, indexOf(lines, "reconcile begin", true));
  EXPECT_LT(indexOf(lines, "reconcile end fixtures/early"), stop);
  EXPECT_LT(lastIndexWithPrefix(lines, "reconcile"), stop);
  ASSERT_GE(stop, 0);
  ASSERT_LT(static_cast<std::size_t>(stop) + 1, lines.size());
  EXPECT_EQ(lines[static_cast<std::size_t>(stop) + 1], "call_begin after stop: refused");
  EXPECT_EQ(lines.back(), "destroy (handlers: 0)");
  EXPECT_EQ(countOf(lines, "destroy (handlers: 0)"), 1);
  // The service's thread wrote through the host with its own call context.
  EXPECT_NE(indexOf(lines,
                    "thread write: Unavailable: Kubernetes access is not configured in "
                    "this host"),
            -1);
  EXPECT_THAT(h.registry.render(), HasSubstr("# TYPE mysqlop_fixture_service_ticks counter\n"));
}

TEST(ServiceLifecycle, CreatedAndStartedInConfigOrderStoppedAndDestroyedInReverse) {
  ServiceLog log("svc-reverse");
  HostFixture h;
  // Both write to one file, each line tagged with the plugin.
  h.load({entry("service", fixturePath("service"), log.config("shared", R"("tag":"a")")),
          entry("service-b", fixturePath("service_b"), log.config("shared", R"("tag":"b")"))});
  h.manager->startWork();
  ASSERT_TRUE(log.waitFor("shared", "a: thread write:"));
  ASSERT_TRUE(log.waitFor("shared", "b: thread write:"));
  h.manager->destroyAll();

  std::vector<std::string> lifecycle;
  for (const std::string& line : log.lines("shared")) {
    const std::string what = line.substr(3);
    if (what == "create" || what == "start" || what == "stop" || what.rfind("destroy", 0) == 0) {
      lifecycle.push_back(line);
    }
  }
  EXPECT_THAT(lifecycle,
              ElementsAre("a: create", "b: create", "a: start", "b: start", "b: stop", "a: stop",
                          "b: destroy (handlers: 0)", "a: destroy (handlers: 0)"));
}

TEST(ServiceLifecycle, EveryServiceStartsBeforeAnyWorkerTakesAKey) {
  ServiceLog log("svc-all-first");
  HostFixture h;
  // "service" is listed first, so a host that started each plugin's workers right after its
  // start would run its workers while "service-b" is still starting.
  h.load({entry("service", fixturePath("service"), log.config("service")),
          entry("service-b", fixturePath("service_b"),
                log.config("service-b", R"("partner":"service","gateStart":true)"))});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  h.manager->find("service")->queue->add("fixtures/early");
  std::thread starter([&] { h.manager->startWork(); });
  ASSERT_TRUE(log.waitFor("service-b", "start"));
  ASSERT_TRUE(log.waitFor("service", "thread write:"));  // "service" has been running a while
  log.openGate();
  starter.join();
  ASSERT_TRUE(log.waitFor("service", "reconcile end fixtures/early"));
  h.manager->stopWork();
  // When service-b's start returned, no reconcile of "service" had run.
  EXPECT_NE(indexOf(log.lines("service-b"), "partner reconciles: 0"), -1);
}

TEST(ServiceLifecycle, StopWaitsForTheRunningReconcileAndCancelsQueuedKeys) {
  ServiceLog log("svc-drain");
  HostFixture h;
  h.load({entry("service", fixturePath("service"), log.config("service"))});
  host::Plugin& p = *h.manager->find("service");
  h.manager->startWork();
  p.queue->add("fixtures/slow");  // waits for the gate
  ASSERT_TRUE(log.waitFor("service", "reconcile begin fixtures/slow"));
  p.queue->add("fixtures/cancelled");  // queued behind the slow one (one worker)
  std::thread stopper([&] { h.manager->stopWork(); });
  ASSERT_TRUE(pollUntil([&] { return p.queue->shuttingDown(); }));
  log.openGate();
  stopper.join();

  const auto lines = log.lines("service");
  EXPECT_LT(indexOf(lines, "reconcile end fixtures/slow"), indexOf(lines, "stop"));
  EXPECT_EQ(indexOf(lines, "reconcile begin fixtures/cancelled"), -1);
  EXPECT_EQ(countOf(lines, "stop"), 1);
}

TEST(ServiceLifecycle, FailedStartIsReportedByNameAndTheOthersRun) {
  ServiceLog log("svc-fail");
  HostFixture h;
  h.load({entry("service", fixturePath("service"), log.config("service", R"("failStart":true)")),
          entry("service-b", fixturePath("service_b"), log.config("service-b")),
          entry("good", fixturePath("good"))});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  h.manager->startWork();
  EXPECT_FALSE(h.manager->ready());
  EXPECT_EQ(h.manager->readinessReport(),
            "plugin service: start failed (Unavailable): config.failStart: the fixture service "
            "was asked to fail its start\n");
  EXPECT_EQ(h.counter("mysqlop_plugin_start_errors_total", {"service"}), 1);
  EXPECT_TRUE(log.waitFor("service-b", "thread write:"));
  h.manager->find("good")->queue->add("ns/ok");
  EXPECT_TRUE(pollUntil([&] {
    return h.counter("mysqlop_reconcile_total", {"good", "success"}) >= 1;
  }));
  h.manager->destroyAll();

  const auto failed = log.lines("service");
  EXPECT_THAT(failed, ElementsAre("create", "start", "start failed", "destroy (handlers: 0)"));
  const auto other = log.lines("service-b");
  EXPECT_EQ(countOf(other, "stop"), 1);
  EXPECT_EQ(other.back(), "destroy (handlers: 0)");
}

TEST(ServiceLifecycle, StopIsCalledOnceAndWorkIsNotStartedAgain) {
  // As when the lease is lost: the operator stops work, then its shutdown stops it again.
  ServiceLog log("svc-once");
  HostFixture h;
  h.load({entry("service", fixturePath("service"), log.config("service"))});
  h.manager->startWork();
  ASSERT_TRUE(log.waitFor("service", "thread write:"));
  h.manager->stopWork();
  h.manager->stopWork();
  h.manager->startWork();  // a regained lease starts nothing in this process
  h.manager->destroyAll();
  h.manager->destroyAll();

  const auto lines = log.lines("service");
  EXPECT_EQ(countOf(lines, "create"), 1);
  EXPECT_EQ(countOf(lines, "start"), 1);
  EXPECT_EQ(countOf(lines, "stop"), 1);
  EXPECT_EQ(countOf(lines, "destroy (handlers: 0)"), 1);
  EXPECT_EQ(lines.back(), "destroy (handlers: 0)");
}

TEST(ServiceLifecycle, DestroyWaitsUntilARunningRouteHandlerReturned) {
  ServiceLog log("svc-route");
  HostFixture h;
  h.load({entry("service", fixturePath("service"), log.config("service"))});
  auto get = [&](const std::string& path) {
    http::Response r;
    h.router.dispatch({"GET", "/plugins/service" + path, "", "", {}}, r);
    return r;
  };
  ASSERT_EQ(get("/ping").body, "pong\n");
  http::Response order;
  std::thread client([&] { order = get("/order"); });  // blocks on the gate
  ASSERT_TRUE(log.waitFor("service", "http begin"));
  std::thread destroyer([&] { h.manager->destroyAll(); });
  // Removal has begun once the plugin's other route is gone; no new call starts from then on.
  ASSERT_TRUE(pollUntil([&] { return get("/ping").status == 404; }));
  log.openGate();
  client.join();
  destroyer.join();

  EXPECT_EQ(order.status, 200);
  EXPECT_EQ(order.body, "0\n");
  EXPECT_THAT(log.lines("service"),
              ElementsAre("create", "http begin", "http end", "destroy (handlers: 0)"));
}

}  // namespace
}  // namespace mysqlop::testing
