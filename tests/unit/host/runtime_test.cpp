// Run-time behaviour of the plugin host: reconcile results follow controller-runtime's semantics,
// failures and exceptions are contained, callbacks without Kubernetes answer Unavailable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/wait/eventually.h"
#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;

class Runtime : public ::testing::Test {
 protected:
  void SetUp() override {
    h.load({entry("good", fixturePath("good")), entry("throws", fixturePath("throws_in_reconcile")),
            entry("sdk-throws", fixturePath("sdk_throws"))});
    ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  }
  host::Plugin& plugin(const std::string& name) { return *h.manager->find(name); }
  double reconciles(const std::string& plugin, const std::string& result) {
    return h.counter("mysqlop_reconcile_total", {plugin, result});
  }

  HostFixture h;
};

TEST_F(Runtime, OkIsSuccessAndForgetsBackoff) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/ok", &error), mysqlop_status_Ok);
  EXPECT_EQ(error, "");
  EXPECT_EQ(reconciles("good", "success"), 1);
  EXPECT_EQ(plugin("good").queue->numRequeues("ns1/ok"), 0);
  EXPECT_EQ(plugin("good").queue->waitingLen(), 0U);
}

TEST_F(Runtime, RequeueAfterSchedulesTheKeyWithoutBackoff) {
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/requeue"), mysqlop_status_Ok);
  EXPECT_EQ(reconciles("good", "requeue_after"), 1);
  EXPECT_EQ(plugin("good").queue->waitingLen(), 1U);
  EXPECT_EQ(plugin("good").queue->numRequeues("ns1/requeue"), 0);
}

TEST_F(Runtime, RetryRequeuesWithGrowingBackoffAndCountsAnError) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/retry", &error), mysqlop_status_Retry);
  EXPECT_EQ(error, "fixture asked to retry ns1/retry");
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/retry"), mysqlop_status_Retry);
  EXPECT_EQ(plugin("good").queue->numRequeues("ns1/retry"), 2);
  EXPECT_EQ(reconciles("good", "error"), 2);
  EXPECT_EQ(h.counter("mysqlop_reconcile_errors_total", {"good"}), 2);
}

TEST_F(Runtime, TerminalIsNotRequeued) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/terminal", &error), mysqlop_status_Terminal);
  EXPECT_EQ(error, "fixture gave up on ns1/terminal");
  EXPECT_EQ(plugin("good").queue->waitingLen(), 0U);
  EXPECT_EQ(h.counter("mysqlop_terminal_reconcile_errors_total", {"good"}), 1);
  EXPECT_EQ(reconciles("good", "terminal"), 1);
}

TEST_F(Runtime, FailureWithoutMessageGetsOneFromTheHost) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/silent", &error), mysqlop_status_Internal);
  EXPECT_EQ(error, "plugin returned Internal without a message");
}

TEST_F(Runtime, KubernetesCallbacksAnswerUnavailableWithoutACluster) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/get", &error), mysqlop_status_Unavailable);
  EXPECT_EQ(error, "get failed: Kubernetes access is not configured in this host");
}

TEST_F(Runtime, ExceptionEscapingARawCPlusPlusPluginIsContained) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("throws", "ns1/w", &error), mysqlop_status_Internal);
  EXPECT_EQ(error, "exception escaped the plugin: widget exploded");
  EXPECT_EQ(h.counter("mysqlop_reconcile_panics_total", {"throws"}), 1);
  EXPECT_EQ(plugin("throws").queue->numRequeues("ns1/w"), 1);
  // The host and the other plugins go on working.
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/ok"), mysqlop_status_Ok);
}

TEST_F(Runtime, SdkTrampolineTurnsExceptionsIntoStatuses) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("sdk-throws", "ns1/w1", &error), mysqlop_status_Internal);
  EXPECT_EQ(error, "widget w1 exploded");
  EXPECT_EQ(h.manager->reconcileNow("sdk-throws", "ns1/conflict", &error), mysqlop_status_Conflict);
  EXPECT_EQ(error, "status of widget changed meanwhile");
  EXPECT_EQ(h.manager->reconcileNow("sdk-throws", "ns1/int", &error), mysqlop_status_Internal);
  EXPECT_EQ(error, "unknown exception (not derived from std::exception)");
  // The trampoline caught them: nothing escaped into the host.
  EXPECT_EQ(h.counter("mysqlop_reconcile_panics_total", {"sdk-throws"}), 0);
}

TEST_F(Runtime, UnknownPluginIsReported) {
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("nope", "ns1/x", &error), mysqlop_status_NotFound);
  EXPECT_EQ(error, "no reconciler plugin named \"nope\" is loaded");
}

TEST_F(Runtime, WorkersProcessKeysThePluginEnqueues) {
  h.manager->startWork();
  plugin("good").queue->add("ns2/enqueue");  // the fixture enqueues ns2/ok from its reconcile
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(reconciles("good", "success") >= 2));
  h.manager->stopWork();
  EXPECT_EQ(reconciles("good", "success"), 2);  // ns2/enqueue and ns2/ok
}

TEST_F(Runtime, RequeuedKeyComesBackThroughTheWorkers) {
  h.manager->startWork();
  plugin("good").queue->add("ns3/requeue");  // requeues itself every 20 ms
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(reconciles("good", "requeue_after") >= 3));
  h.manager->stopWork();
  EXPECT_GE(reconciles("good", "requeue_after"), 3);
}

TEST_F(Runtime, MetricsExposeReconcileTimeAndQueueDepth) {
  EXPECT_EQ(h.manager->reconcileNow("good", "ns1/ok"), mysqlop_status_Ok);
  const std::string text = h.registry.render();
  EXPECT_THAT(text, HasSubstr("# TYPE mysqlop_reconcile_time_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("mysqlop_reconcile_time_seconds_count{plugin=\"good\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("mysqlop_reconcile_total{plugin=\"good\",result=\"success\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE mysqlop_workqueue_depth gauge\n"));
  EXPECT_THAT(text, HasSubstr("mysqlop_reconcile_max_workers{plugin=\"good\"} 1\n"));
}

}  // namespace
}  // namespace mysqlop::testing
