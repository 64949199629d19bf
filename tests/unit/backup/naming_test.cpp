// Names of the Jobs and scheduled backups (bitpoke's rules for long names), and the options.
#include "plugins/backup/src/naming.h"

#include <gtest/gtest.h>

#include "mysqlop/plugin.hpp"
#include "plugins/backup/src/options.h"

namespace mysqlop::backup {
namespace {

TEST(BackupNaming, ShortNamesGetASuffix) {
  EXPECT_EQ(backupJobName("nightly"), "nightly-backup");
  EXPECT_EQ(cleanupJobName("nightly"), "nightly-cleanup");
  EXPECT_EQ(operatedSecretName("c"), "c-mysql-operated");
  EXPECT_EQ(statefulSetName("c"), "c-mysql");
}

TEST(BackupNaming, LongNamesAreTruncatedWithAHashAndStayWithin63) {
  const std::string n55(55, 'a');
  const std::string n56(56, 'a');
  EXPECT_EQ(backupJobName(n55), n55 + "-backup");  // 62 characters
  EXPECT_EQ(backupJobName(n56), std::string(44, 'a') + "-" + fnv32aHex(n56) + "-backup");
  EXPECT_EQ(backupJobName(n56).size(), 60U);
  EXPECT_EQ(cleanupJobName(std::string(54, 'a')), std::string(54, 'a') + "-cleanup");
  EXPECT_EQ(cleanupJobName(n55), std::string(44, 'a') + "-" + fnv32aHex(n55) + "-cleanup");
  const std::string n253(253, 'b');
  EXPECT_LE(backupJobName(n253).size(), 63U);
  EXPECT_LE(cleanupJobName(n253).size(), 63U);
  // Two long names with the same prefix get different Jobs.
  EXPECT_NE(backupJobName(std::string(60, 'a') + "x"), backupJobName(std::string(60, 'a') + "y"));
}

TEST(BackupNaming, Fnv32aIsTheStandardOne) {
  EXPECT_EQ(fnv32aHex(""), "811c9dc5");
  EXPECT_EQ(fnv32aHex("a"), "e40c292c");
  EXPECT_EQ(fnv32aHex("foobar"), "bf9cf968");
}

TEST(BackupNaming, AutoBackupNameUsesBitpokesLayoutInUtc) {
  EXPECT_EQ(autoBackupName("c", 1714564805), "c-auto-2024-05-01t12-00-05");
}

TEST(BackupOptions, ReadsTheOperatorSettingsAndItsConfig) {
  Options o = parseOptions(
      R"({"sidecarImage":"sc:1","imagePullPolicy":"Always","imagePullSecret":"reg","debug":true})",
      R"({"backoffLimit":0})");
  EXPECT_EQ(o.sidecarImage, "sc:1");
  EXPECT_EQ(o.imagePullPolicy, "Always");
  EXPECT_EQ(o.imagePullSecret, "reg");
  EXPECT_EQ(o.backoffLimit, 0);
  EXPECT_EQ(parseOptions("", R"({"sidecarImage":"mine:2"})").sidecarImage, "mine:2");
  EXPECT_FALSE(parseOptions("{}", "{}").backoffLimit.has_value());
}

TEST(BackupOptions, BadValuesAreRefusedNamingTheKey) {
  auto message = [](const char* op, const char* cfg) {
    try {
      parseOptions(op, cfg);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("{}", R"({"backoffLimit":-1})"),
            "config.backoffLimit: expected an integer from 0 to 1000");
  EXPECT_EQ(message("{}", R"({"backoffLimit":"6"})"),
            "config.backoffLimit: expected an integer from 0 to 1000");
  EXPECT_EQ(message("{}", R"({"backofLimit":6})"),
            "config.backofLimit: unknown setting (known: backoffLimit, sidecarImage)");
  EXPECT_EQ(message("{}", R"({"sidecarImage":5})"), "config.sidecarImage: expected a string");
  EXPECT_EQ(message("[]", "{}"), "operator settings: expected a JSON object");
  EXPECT_EQ(message("{}", "nope"), "config: expected a JSON object");
}

}  // namespace
}  // namespace mysqlop::backup
