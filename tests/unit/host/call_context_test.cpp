// call_begin / call_end, the call contexts of a plugin's own threads, including their misuse: a
// context is refused once stop (or, without stop, destroy) was called; one begun before stays
// usable until call_end; call_end on a hook's own context is ignored. Nothing crashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/host/host_api.h"
#include "mysqlop/plugin.hpp"
#include "tests/unit/host/service_log.h"

namespace mysqlop::testing {
namespace {

const mysqlop_type_resource kConfigMaps = {
    {"", 0}, {"v1", 2}, {"ConfigMap", 9}, {"configmaps", 10}, 1};

double misuse(HostFixture& h, const std::string& plugin, const std::string& what) {
  auto f =
      h.registry.add(metrics::Kind::Counter, "mysqlop_plugin_misuse_total", "", {"plugin", "what"});
  return f.ok() ? (*f)->value({plugin, what}) : -1;
}

TEST(CallContext, RefusedAfterStopAndAfterDestroy) {
  ServiceLog log("call-after-stop");
  HostFixture h;
  h.load({entry("service", fixturePath("service"), log.config("service"))});
  mysqlop_plugin_host* handle = h.manager->find("service")->handle.get();
  const mysqlop_host_v1* host = host::hostTable();
  h.manager->startWork();
  mysqlop_call_host_ptr running = host->call_begin(handle);
  ASSERT_NE(running, nullptr);
  host->call_end(running);
  h.manager->stopWork();
  // At least the fixture's own try after its stop (its thread may have tried once more while
  // stopping).
  const double afterStop = misuse(h, "service", "call_begin");
  EXPECT_GE(afterStop, 1);
  EXPECT_NE(indexOf(log.lines("service"), "call_begin after stop: refused"), -1);
  EXPECT_EQ(host->call_begin(handle), nullptr);
  EXPECT_EQ(misuse(h, "service", "call_begin"), afterStop + 1);
  h.manager->destroyAll();
  EXPECT_EQ(host->call_begin(handle), nullptr);
  EXPECT_EQ(misuse(h, "service", "call_begin"), afterStop + 2);
  host->call_end(nullptr);
}

TEST(CallContext, ContextBegunBeforeDestroyStaysUsableUntilCallEnd) {
  HostFixture h;
  h.load({entry("good", fixturePath("good"))});
  mysqlop_plugin_host* handle = h.manager->find("good")->handle.get();
  const mysqlop_host_v1* host = host::hostTable();
  mysqlop_call_host_ptr call = host->call_begin(handle);  // a reconciler: open until destroy
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(handle->openCalls.load(), 1);
  h.manager->destroyAll();  // warns that one context is still open
  mysqlop_type_buffer out{};
  EXPECT_EQ(host->get(call, &kConfigMaps, {"ns", 2}, {"cm", 2}, &out), mysqlop_status_Unavailable);
  const mysqlop_type_str why = host->last_error(call);
  EXPECT_EQ(std::string(why.ptr, why.len), "Kubernetes access is not configured in this host");
  host->call_end(call);
  EXPECT_EQ(handle->openCalls.load(), 0);
  EXPECT_EQ(host->call_begin(handle), nullptr);
}

TEST(CallContext, CallEndOnAHookContextIsIgnoredAndCounted) {
  HostFixture h;
  h.load({entry("good", fixturePath("good"))});
  mysqlop_plugin_host* handle = h.manager->find("good")->handle.get();
  mysqlop_call_host hookContext(handle);  // what the host passes to a hook, on its stack
  host::hostTable()->call_end(&hookContext);
  host::hostTable()->call_end(&hookContext);
  EXPECT_EQ(misuse(h, "good", "call_end"), 2);
  EXPECT_EQ(handle->openCalls.load(), 0);
}

TEST(CallContext, SdkOwnedCallWithoutContextAnswersUnavailableWithoutCallingTheHost) {
  HostFixture h;
  h.load({entry("good", fixturePath("good"))});
  mysqlop_plugin_host* handle = h.manager->find("good")->handle.get();
  h.manager->destroyAll();
  mysqlop::OwnedCall call(host::hostTable(), handle);
  EXPECT_FALSE(call.ok());
  const mysqlop::Reply r = call.get(kConfigMaps, "ns", "cm");
  EXPECT_EQ(r.status, mysqlop_status_Unavailable);
  EXPECT_EQ(r.error,
            "no call context: call_begin returned NULL (the plugin is stopping or destroyed)");
  const mysqlop::Reply removed = call.remove(kConfigMaps, "ns", "cm");
  EXPECT_EQ(removed.error, r.error);
  const auto found = call.findPluginInterface("good", "x/1", 1);
  EXPECT_EQ(found.status, mysqlop_status_Unavailable);
  EXPECT_EQ(found.error, r.error);
}

}  // namespace
}  // namespace mysqlop::testing
