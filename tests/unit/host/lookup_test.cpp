// ABI 1.1 lookups: a plugin finds another plugin's interface (find_plugin_interface) with one
// exact answer per case of core/host/README.md, and host features by id through its own handle
// (host_get_interface_for).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/host/host_api.h"
#include "mysqlop/backup_target.h"
#include "tests/unit/host/service_log.h"

namespace mysqlop::testing {
namespace {

constexpr std::string_view kRecorder = "fixtures.mysqlop.recorder/1";

struct RecorderTable {
  std::uint32_t structSize;
  std::uint64_t (*reconciles)(mysqlop_instance_plugin_ptr instance);
};

mysqlop_type_str s(std::string_view v) { return {v.data(), v.size()}; }

class Lookup : public ::testing::Test {
 protected:
  void SetUp() override {
    auto off = entry("off", fixturePath("service_b"), log_.config("off"));
    off.enabled = false;
    h_.load({entry("service", fixturePath("service"), log_.config("service")), off,
             entry("create_fails", fixturePath("create_fails")),
             entry("good", fixturePath("good"))});
  }

  // find_plugin_interface as the plugin "good" calls it.
  mysqlop_type_status find(const std::string& name, std::uint32_t minVersion = 1,
                           std::string_view id = kRecorder) {
    mysqlop_call_host call(h_.manager->find("good")->handle.get());
    found_ = mysqlop_type_plugin_interface{};
    found_.struct_size = sizeof found_;
    const mysqlop_type_status st =
        host::hostTable()->find_plugin_interface(&call, s(name), s(id), minVersion, &found_);
    const mysqlop_type_str why = host::hostTable()->last_error(&call);
    error_.assign(why.ptr, why.len);
    return st;
  }

  ServiceLog log_{"lookup"};
  HostFixture h_;
  mysqlop_type_plugin_interface found_{};
  std::string error_;
};

TEST_F(Lookup, FindsTheInterfaceOfACreatedPluginAndItsInstance) {
  ASSERT_EQ(find("service"), mysqlop_status_Ok) << error_;
  EXPECT_EQ(error_, "");
  EXPECT_EQ(found_.instance, h_.manager->find("service")->instance);
  const auto* table = static_cast<const RecorderTable*>(found_.table);
  EXPECT_EQ(table->structSize, sizeof(RecorderTable));
  EXPECT_EQ(table->reconciles(found_.instance), 0U);
  EXPECT_EQ(h_.manager->reconcileNow("service", "fixtures/one"), mysqlop_status_Ok);
  EXPECT_EQ(table->reconciles(found_.instance), 1U);
}

TEST_F(Lookup, EachRefusalHasItsStatusAndMessage) {
  EXPECT_EQ(find("service", 2), mysqlop_status_Unsupported);
  EXPECT_EQ(error_,
            "plugin \"service\" has no interface \"fixtures.mysqlop.recorder/1\" of version >= 2");
  EXPECT_EQ(find("good"), mysqlop_status_Unsupported);  // no get_interface at all
  EXPECT_EQ(error_,
            "plugin \"good\" has no interface \"fixtures.mysqlop.recorder/1\" of version >= 1");
  EXPECT_EQ(find("off"), mysqlop_status_Unavailable);
  EXPECT_EQ(error_, "plugin \"off\" is disabled in the configuration");
  EXPECT_EQ(find("create_fails"), mysqlop_status_Unavailable);
  EXPECT_EQ(error_, "plugin \"create_fails\" was not created: create_failed");
  EXPECT_EQ(find("nope"), mysqlop_status_NotFound);
  EXPECT_EQ(error_, "no plugin named \"nope\" is configured");
  h_.manager->destroyAll();
  EXPECT_EQ(find("service"), mysqlop_status_Unavailable);
  EXPECT_EQ(error_, "plugin \"service\" is destroyed");
}

TEST_F(Lookup, OutStructTooSmallIsInvalid) {
  mysqlop_call_host call(h_.manager->find("good")->handle.get());
  mysqlop_type_plugin_interface out{};
  out.struct_size = 4;
  EXPECT_EQ(host::hostTable()->find_plugin_interface(&call, s("service"), s(kRecorder), 1, &out),
            mysqlop_status_Invalid);
  const mysqlop_type_str why = host::hostTable()->last_error(&call);
  EXPECT_EQ(std::string(why.ptr, why.len),
            "find_plugin_interface: out is NULL or its struct_size is too small");
}

TEST(LookupDuringCreate, EarlierPluginIsFoundAndLaterOneIsNotCreatedYet) {
  ServiceLog log("lookup-create");
  HostFixture h;
  h.load(
      {entry("service", fixturePath("service"), log.config("service", R"("partner":"service-b")")),
       entry("service-b", fixturePath("service_b"),
             log.config("service-b", R"("partner":"service")"))});
  EXPECT_EQ(log.lines("service").at(1),
            "lookup service-b: Unavailable: plugin \"service-b\" is not created yet (it is listed "
            "after \"service\")");
  EXPECT_EQ(log.lines("service-b").at(1), "lookup service: Ok");
  h.manager->startWork();
  EXPECT_TRUE(log.waitFor("service-b", "partner reconciles: "));
  h.manager->destroyAll();
}

TEST(HostInterfaces, FoundThroughThePluginHandleWithoutTheGlobal) {
  HostFixture h;
  h.load({entry("good", fixturePath("good"))});
  mysqlop_plugin_host* handle = h.manager->find("good")->handle.get();
  const mysqlop_host_v1* host = host::hostTable();
  ASSERT_TRUE(MYSQLOP_HOST_HAS(host, host_get_interface_for));
  const auto* v2 = static_cast<const mysqlop_host_backup_targets_v2*>(
      host->host_get_interface_for(handle, s(MYSQLOP_HOST_BACKUP_TARGETS_V2), 2));
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v2->struct_size, sizeof(mysqlop_host_backup_targets_v2));
  const mysqlop_backup_target_v1* table = nullptr;
  mysqlop_instance_plugin_ptr instance = nullptr;
  EXPECT_EQ(v2->find(handle, s("s3"), &table, &instance), mysqlop_status_NotFound);
  EXPECT_EQ(host->host_get_interface_for(handle, s(MYSQLOP_HOST_BACKUP_TARGETS_V2), 3), nullptr);
  EXPECT_EQ(host->host_get_interface_for(handle, s("mysqlop.host.nothing/1"), 1), nullptr);
  EXPECT_EQ(host->host_get_interface_for(nullptr, s(MYSQLOP_HOST_BACKUP_TARGETS_V2), 2), nullptr);
  // The 1.0 entry point answers from the same registry.
  EXPECT_EQ(host->host_get_interface(s(MYSQLOP_HOST_BACKUP_TARGETS_V1), 1),
            host->host_get_interface_for(handle, s(MYSQLOP_HOST_BACKUP_TARGETS_V1), 1));
}

}  // namespace
}  // namespace mysqlop::testing
