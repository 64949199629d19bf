// The backup-target catalog (ABI 1.2, mysqlop.host.backup_target_catalog/1) of the standalone host:
// the targets it created, with their library paths and configs, in the JSON the sidecar reads from
// MYSQLOP_BACKUP_TARGETS.
#include "core/host/target_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/host/abi_string.h"
#include "core/host/standalone_host.h"

namespace mysqlop::testing {
namespace {

using nlohmann::json;

mysqlop_type_str sv(std::string_view v) { return {v.data(), v.size()}; }

TEST(TargetCatalog, JsonHasNamePathAndConfigAndMakesPathsAbsolute) {
  const json got = json::parse(
      host::catalogJson({{"s3", "/opt/p/../p/mysqlop_target_s3.so", R"({"partSize":8})"},
                         {"file", "rel/mysqlop_target_file.so", "not json"}}));
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(got, json::parse(R"({"targets":[
      {"name":"s3","path":"/opt/p/mysqlop_target_s3.so","config":{"partSize":8}},
      {"name":"file","path":")" +
                             cwd + R"(/rel/mysqlop_target_file.so","config":{}}]})"));
  EXPECT_EQ(host::catalogJson({}), R"({"targets":[]})");
}

TEST(TargetCatalog, StandaloneHostDescribesItsCreatedTargets) {
  host::StandaloneHost h;
  auto r = h.loadBackupTarget(FILE_TARGET_PATH, R"({"fsync":false})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const mysqlop_host_v1* table = host::StandaloneHost::table();
  const auto* catalog = static_cast<const mysqlop_host_backup_target_catalog_v1*>(
      table->host_get_interface_for((*r)->handle(), sv(MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1), 1));
  ASSERT_NE(catalog, nullptr);
  EXPECT_EQ(catalog->struct_size, sizeof(mysqlop_host_backup_target_catalog_v1));
  EXPECT_EQ(
      table->host_get_interface_for((*r)->handle(), sv(MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1), 2),
      nullptr);

  host::StandaloneCall call(*r);
  mysqlop_type_buffer out{};
  ASSERT_EQ(catalog->describe(call.ptr(), &out), mysqlop_status_Ok);
  ASSERT_NE(out.handle, nullptr);
  const json got = json::parse(host::view(out.data));
  table->release(call.ptr(), out.handle);
  EXPECT_TRUE(call.buffers.empty());
  const std::string path = std::filesystem::absolute(FILE_TARGET_PATH).lexically_normal().string();
  EXPECT_EQ(got, json::parse(R"({"targets":[{"name":"file","path":")" + path +
                             R"(","config":{"fsync":false}}]})"));
  EXPECT_EQ(catalog->describe(nullptr, &out), mysqlop_status_Invalid);
}

}  // namespace
}  // namespace mysqlop::testing
