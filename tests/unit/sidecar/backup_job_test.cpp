// take-backup-to's settings (every refusal's exact text) and the termination message's JSON.
#include "sidecar/backup_job.h"

#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

namespace mysqlop::sidecar {
namespace {

EnvLookup jobEnv(std::map<std::string, std::string> env) {
  return [env](const std::string& n) -> std::optional<std::string> {
    auto it = env.find(n);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

std::map<std::string, std::string> good() {
  return {{"BACKUP_USER", "sys_backup"}, {"BACKUP_PASSWORD", "pw"}};
}

std::string settingsError(std::map<std::string, std::string> env,
                          const std::string& url = "s3://b/x.xbackup.gz") {
  auto r = takeBackupSettings(jobEnv(std::move(env)), "c-mysql-1.mysql.ns", url);
  return r ? "" : r.error().message;
}

TEST(SidecarBackupJob, SettingsDefaultsAreBitpokes) {
  auto s = takeBackupSettings(jobEnv(good()), "c-mysql-1.mysql.ns", "s3://b/x.xbackup.gz");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->sourceHost, "c-mysql-1.mysql.ns");
  EXPECT_EQ(s->sourcePort, 8080);
  EXPECT_EQ(s->healthDeadline, std::chrono::seconds(300));
  EXPECT_EQ(s->gzipLevel, 6);
  EXPECT_EQ(s->zstdLevel, 3);
  auto env = good();
  env["MYSQLOP_BACKUP_HEALTH_TIMEOUT"] = "2";
  env["MYSQLOP_BACKUP_HEALTH_INTERVAL_MS"] = "100";
  env["MYSQLOP_BACKUP_COMPRESS_LEVEL"] = "12";
  env["MYSQLOP_SIDECAR_PORT"] = "18080";
  s = takeBackupSettings(jobEnv(env), "h", "file:///b/x.xbackup.zst");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->healthDeadline, std::chrono::seconds(2));
  EXPECT_EQ(s->healthInterval, std::chrono::milliseconds(100));
  EXPECT_EQ(s->sourcePort, 18080);
  EXPECT_EQ(s->gzipLevel, 9);
  EXPECT_EQ(s->zstdLevel, 12);
}

TEST(SidecarBackupJob, SettingsRefusals) {
  EXPECT_EQ(settingsError({}), "BACKUP_USER is not set");
  EXPECT_EQ(settingsError({{"BACKUP_USER", "u"}, {"BACKUP_PASSWORD", ""}}),
            "BACKUP_PASSWORD is not set");
  auto env = good();
  env["MYSQLOP_BACKUP_HEALTH_TIMEOUT"] = "5m";
  EXPECT_EQ(settingsError(env),
            R"(MYSQLOP_BACKUP_HEALTH_TIMEOUT="5m": not a number from 0 to 86400)");
  env = good();
  env["MYSQLOP_SIDECAR_PORT"] = "70000";
  EXPECT_EQ(settingsError(env), R"(MYSQLOP_SIDECAR_PORT="70000": not a number from 1 to 65535)");
  env = good();
  env["BACKUP_COMPRESS_COMMAND"] = "pigz -c";
  EXPECT_EQ(settingsError(env),
            "BACKUP_COMPRESS_COMMAND is set: this sidecar compresses in-process (gzip, or zstd for "
            "a URL ending in .zst) and runs no compression command; unset it");
  EXPECT_EQ(settingsError(good(), "bucket/x.gz"), R"("bucket/x.gz" is not a URL (scheme://...))");
}

TEST(SidecarBackupJob, TheReportIsTheContractsJson) {
  BackupReport r;
  r.complete = true;
  r.url = "s3://b/c.xbackup.gz";
  r.sourceBytes = 1000;
  r.storedBytes = 200;
  r.seconds = 1.23456;
  r.gtid = "0-1-42";
  EXPECT_EQ(reportJson(r),
            R"({"gtid":"0-1-42","phase":"Complete","seconds":1.234,"sourceBytes":1000,)"
            R"("storedBytes":200,"url":"s3://b/c.xbackup.gz"})");
  r.complete = false;
  r.reason = "SourceFailed";
  r.message = "GET http://h:8080/xbackup: X-Backup-Status is Failed";
  auto j = nlohmann::json::parse(reportJson(r));
  EXPECT_EQ(j["phase"], "Failed");
  EXPECT_EQ(j["reason"], "SourceFailed");
  EXPECT_EQ(j["message"], r.message);
  EXPECT_LE(reportJson(r).size(), 4096u);
}

}  // namespace
}  // namespace mysqlop::sidecar
