#include "core/host/backup_targets.h"

#include <gtest/gtest.h>

#include <array>

namespace mysqlop::testing {
namespace {

const std::array<mysqlop_type_str, 2> kS3Gs = {{{"s3", 2}, {"gs", 2}}};
const std::array<mysqlop_type_str, 1> kS3 = {{{"s3", 2}}};

mysqlop_backup_target_v1 table(const mysqlop_type_str* schemes, std::size_t n) {
  mysqlop_backup_target_v1 t{};
  t.struct_size = sizeof t;
  t.schemes = schemes;
  t.scheme_count = n;
  return t;
}

mysqlop_instance_plugin_ptr instance(int i) {
  static int slots[4];
  return reinterpret_cast<mysqlop_instance_plugin_ptr>(&slots[i]);
}

TEST(BackupTargets, FindsEverySchemeOfATarget) {
  host::BackupTargets targets;
  const auto t = table(kS3Gs.data(), kS3Gs.size());
  std::string error;
  ASSERT_TRUE(targets.add("cloud", &t, instance(0), &error));
  const mysqlop_backup_target_v1* found = nullptr;
  mysqlop_instance_plugin_ptr inst = nullptr;
  EXPECT_EQ(targets.find("gs", &found, &inst), mysqlop_status_Ok);
  EXPECT_EQ(found, &t);
  EXPECT_EQ(inst, instance(0));
  EXPECT_EQ(targets.find("s3")->plugin, "cloud");
  EXPECT_EQ(targets.find("azure", &found, &inst), mysqlop_status_NotFound);
  EXPECT_EQ(targets.schemes(), (std::vector<std::string>{"gs", "s3"}));
}

TEST(BackupTargets, TheFirstTargetOfASchemeKeepsItAndTheClashIsNamed) {
  host::BackupTargets targets;
  const auto first = table(kS3.data(), kS3.size());
  const auto second = table(kS3Gs.data(), kS3Gs.size());
  std::string error;
  ASSERT_TRUE(targets.add("s3", &first, instance(0), &error));
  EXPECT_FALSE(targets.add("cloud", &second, instance(1), &error));
  EXPECT_EQ(error, "scheme \"s3\" of plugin \"cloud\" is already served by plugin \"s3\"");
  EXPECT_EQ(targets.find("s3")->plugin, "s3");
  EXPECT_EQ(targets.find("gs")->plugin, "cloud");  // its other schemes are served
}

TEST(BackupTargets, RemovedTargetsAreNotFound) {
  host::BackupTargets targets;
  const auto t = table(kS3Gs.data(), kS3Gs.size());
  std::string error;
  ASSERT_TRUE(targets.add("cloud", &t, instance(0), &error));
  targets.remove(instance(0));
  EXPECT_FALSE(targets.find("s3"));
  EXPECT_FALSE(targets.find("gs"));
  EXPECT_TRUE(targets.schemes().empty());
}

}  // namespace
}  // namespace mysqlop::testing
