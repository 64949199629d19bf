// ABI 1.1 keeps 1.0 plugins working: a plugin compiled against the verbatim 1.0 header
// (tests/fixtures/plugins/abi_1_0) loads, reconciles and calls back into the 1.1 host unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/host/host_api.h"
#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {
namespace {

using ::testing::HasSubstr;

TEST(AbiCompat, HostTableIsTheOneOfThisMinor) {
  const mysqlop_host_v1* host = host::hostTable();
  EXPECT_EQ(host->struct_size, sizeof(mysqlop_host_v1));
  EXPECT_EQ(host->abi_major, 1);
  EXPECT_EQ(host->abi_minor, 2);
  EXPECT_TRUE(MYSQLOP_HOST_HAS(host, host_get_interface_for));
  EXPECT_TRUE(MYSQLOP_HOST_HAS(host, find_plugin_interface));
  // A table of the 1.0 size has neither.
  mysqlop_host_v1 old = *host;
  old.struct_size = offsetof(mysqlop_host_v1, host_get_interface_for);
  EXPECT_FALSE(MYSQLOP_HOST_HAS(&old, host_get_interface_for));
  EXPECT_FALSE(MYSQLOP_HOST_HAS(&old, find_plugin_interface));
  EXPECT_TRUE(MYSQLOP_HOST_HAS(&old, host_get_interface));
}

TEST(AbiCompat, PluginBuiltAgainstTheOneDotZeroHeaderLoadsAndWorks) {
  HostFixture h;
  h.load({entry("abi-1-0", fixturePath("abi_1_0"))});
  ASSERT_TRUE(h.manager->ready()) << h.manager->readinessReport();
  const mysqlop_plugin_v1& d = h.manager->find("abi-1-0")->library.descriptor;
  EXPECT_EQ(d.abi_major, 1);
  EXPECT_EQ(d.abi_minor, 0);
  EXPECT_EQ(d.struct_size, host::kMinDescriptorSize);
  EXPECT_THAT(
      h.registry.render(),
      HasSubstr("mysqlop_plugin_info{plugin=\"abi-1-0\",version=\"1.0.0\",kind=\"reconciler\","
                "abi=\"1.0\"} 1\n"));
  std::string error;
  EXPECT_EQ(h.manager->reconcileNow("abi-1-0", "ns1/retry", &error), mysqlop_status_Retry);
  EXPECT_EQ(error, "fixture asked to retry ns1/retry");
  EXPECT_EQ(h.manager->reconcileNow("abi-1-0", "ns1/get", &error), mysqlop_status_Unavailable);
  EXPECT_EQ(error, "get failed: Kubernetes access is not configured in this host");
  EXPECT_EQ(h.manager->reconcileNow("abi-1-0", "ns1/enqueue", &error), mysqlop_status_Ok);
  EXPECT_EQ(h.manager->find("abi-1-0")->queue->len(), 1U);  // ns1/ok, enqueued through the host
  h.manager->startWork();
  h.manager->destroyAll();
}

}  // namespace
}  // namespace mysqlop::testing
