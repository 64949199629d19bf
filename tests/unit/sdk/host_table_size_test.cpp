// plugin.hpp reads the host table's struct_size before it touches a callback added after 1.0: on a
// host whose table has the 1.0 size, findPluginInterface answers Unsupported and hostInterface uses
// the 1.0 host_get_interface, without calling (or even reading) the appended fields.
#include <gtest/gtest.h>

#include <cstddef>

#include "mysqlop/plugin.hpp"

namespace {

int gOldCalls = 0;
int gNewCalls = 0;
int gFindCalls = 0;
const int kOldTable = 1;
const int kNewTable = 2;

const void* oldGetInterface(mysqlop_type_str, std::uint32_t) {
  ++gOldCalls;
  return &kOldTable;
}
const void* newGetInterface(mysqlop_plugin_host_ptr, mysqlop_type_str, std::uint32_t) {
  ++gNewCalls;
  return &kNewTable;
}
mysqlop_type_status findPlugin(mysqlop_call_host_ptr, mysqlop_type_str, mysqlop_type_str,
                               std::uint32_t, mysqlop_type_plugin_interface* out) {
  ++gFindCalls;
  out->table = &kNewTable;
  return mysqlop_status_Ok;
}

// A host table as a host of the given minor builds it; the 1.1 fields are filled in either case,
// so that only struct_size tells the SDK whether it may use them.
mysqlop_host_v1 table(std::uint16_t minor) {
  mysqlop_host_v1 t{};
  t.struct_size =
      minor == 0 ? static_cast<std::uint32_t>(offsetof(mysqlop_host_v1, host_get_interface_for))
                 : static_cast<std::uint32_t>(sizeof(mysqlop_host_v1));
  t.abi_major = 1;
  t.abi_minor = minor;
  t.host_get_interface = &oldGetInterface;
  t.host_get_interface_for = &newGetInterface;
  t.find_plugin_interface = &findPlugin;
  return t;
}

class SdkHostTable : public ::testing::Test {
 protected:
  void SetUp() override { gOldCalls = gNewCalls = gFindCalls = 0; }
  // Any non-null context: the fake callbacks never look at it.
  mysqlop_call_host_ptr someCall() { return reinterpret_cast<mysqlop_call_host_ptr>(&storage_); }
  int storage_ = 0;
};

TEST_F(SdkHostTable, OnAOneDotZeroHostFindPluginInterfaceIsUnsupported) {
  const mysqlop_host_v1 host = table(0);
  mysqlop::Call call(&host, someCall());
  const auto found = call.findPluginInterface("orchestrator", "mysqlop.orchestrator/1", 1);
  EXPECT_EQ(found.status, mysqlop_status_Unsupported);
  EXPECT_EQ(found.error, "the host speaks ABI 1.0; find_plugin_interface needs 1.1");
  EXPECT_EQ(found.table, nullptr);
  EXPECT_EQ(gFindCalls, 0);
}

TEST_F(SdkHostTable, OnAOneDotZeroHostHostInterfaceUsesTheOneDotZeroCallback) {
  const mysqlop_host_v1 host = table(0);
  mysqlop::Host h(&host, nullptr);
  EXPECT_EQ(h.hostInterface("mysqlop.host.backup_targets/1", 1), &kOldTable);
  EXPECT_EQ(gOldCalls, 1);
  EXPECT_EQ(gNewCalls, 0);
}

TEST_F(SdkHostTable, OnAOneDotOneHostTheNewCallbacksAreUsed) {
  const mysqlop_host_v1 host = table(1);
  mysqlop::Host h(&host, nullptr);
  EXPECT_EQ(h.hostInterface("mysqlop.host.backup_targets/2", 2), &kNewTable);
  EXPECT_EQ(gNewCalls, 1);
  EXPECT_EQ(gOldCalls, 0);
  mysqlop::Call call(&host, someCall());
  const auto found = call.findPluginInterface("orchestrator", "mysqlop.orchestrator/1", 1);
  EXPECT_EQ(found.status, mysqlop_status_Ok);
  EXPECT_EQ(found.table, &kNewTable);
  EXPECT_EQ(gFindCalls, 1);
}

}  // namespace
