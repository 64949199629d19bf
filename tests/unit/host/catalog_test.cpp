// The operator's backup-target catalog (ABI 1.2): every created backup target of the configuration,
// with its configured name, library path and config, answered through the caller's handle.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/host/host_api.h"
#include "mysqlop/backup_target.h"
#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {
namespace {

using nlohmann::json;

mysqlop_type_str catalogId() {
  return {MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1, sizeof(MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1) - 1};
}

TEST(HostCatalog, DescribesTheCreatedTargetsOnly) {
  HostFixture h;
  config::PluginEntry file = entry("file", FILE_TARGET_PATH);
  file.configJson = R"({"fsync":false})";
  config::PluginEntry broken = entry("broken", FILE_TARGET_PATH);
  broken.configJson = R"({"fsync":"yes"})";  // create fails: not in the catalog
  h.load({entry("good", fixturePath("good")), file, broken});

  mysqlop_plugin_host* handle = h.manager->find("good")->handle.get();
  const mysqlop_host_v1* host = host::hostTable();
  const auto* catalog = static_cast<const mysqlop_host_backup_target_catalog_v1*>(
      host->host_get_interface_for(handle, catalogId(), 1));
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->struct_size, sizeof(mysqlop_host_backup_target_catalog_v1));

  mysqlop_call_host call(handle);
  mysqlop_type_buffer out{};
  ASSERT_EQ(catalog->describe(&call, &out), mysqlop_status_Ok);
  const json got = json::parse(std::string(out.data.ptr, out.data.len));
  host->release(&call, out.handle);
  EXPECT_TRUE(call.buffers.empty());
  EXPECT_EQ(
      got,
      json({{"targets",
             {{{"name", "file"}, {"path", FILE_TARGET_PATH}, {"config", {{"fsync", false}}}}}}}));

  h.manager->destroyAll();
  ASSERT_EQ(catalog->describe(&call, &out), mysqlop_status_Ok);
  EXPECT_EQ(std::string(out.data.ptr, out.data.len), R"({"targets":[]})");
  host->release(&call, out.handle);
}

}  // namespace
}  // namespace mysqlop::testing
