// GET /xbackup/progress of the real sidecar during a real /xbackup of a real mariadbd (throttled
// so it lasts several seconds), read with the backup plugin's own client and parser: idle before,
// running with growing bytes and the data directory's size as the estimate during, finished with
// the bytes take-backup-to reports after. No credentials are sent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "plugins/backup/src/http_get.h"
#include "plugins/backup/src/progress.h"
#include "tests/integration/sidecar/sidecar_env.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing::sidecar {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The sidecar's record, through the plugin's reader; fails the test when it cannot be read.
std::optional<backup::SidecarProgress> progressOf(SourcePod& source) {
  const backup::HttpAnswer a = backup::httpGet(source.server().host(), backup::kSidecarPort,
                                               "/xbackup/progress", std::chrono::seconds(5));
  EXPECT_EQ(a.status, 200) << a.error << a.body;
  std::string error;
  auto p = backup::parseSidecarProgress(a.body, &error);
  EXPECT_TRUE(p) << error << ": " << a.body;
  return p;
}

std::uint64_t sizeOf(const std::string& dir) {
  std::uint64_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

TEST(SidecarProgressRoute, FollowsARealBackup) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=40"}});
  auto idle = progressOf(source);
  ASSERT_TRUE(idle);
  EXPECT_FALSE(idle->running);
  EXPECT_EQ(idle->bytes, 0U);
  EXPECT_EQ(idle->status, "");
  EXPECT_EQ(idle->startedAt, "");
  const std::uint64_t dataSize = sizeOf(source.server().directory() + "/data");

  TempDir store;
  TempDir work;
  const std::string url = "file://" + store.path() + "/p.xbackup.gz";
  SidecarRun run;
  std::thread backupJob([&] {
    run = runSidecar({"take-backup-to", source.server().host(), url},
                     {{"BACKUP_USER", "sys_backup"},
                      {"BACKUP_PASSWORD", kBackupPassword},
                      {"MYSQLOP_BACKUP_TARGETS", json{{"targets",
                                                       {{{"name", "file"},
                                                         {"path", FILE_TARGET_PATH},
                                                         {"config", {{"root", store.path()}}}}}}}
                                                     .dump()},
                      {"MYSQLOP_TERMINATION_LOG", work.file("termination-log")}},
                     work.file("backup.log"));
  });
  // Running: some bytes, not all of them yet; the estimate is the data directory's size.
  std::optional<backup::SidecarProgress> seen;
  const bool running = eventually(
      "the sidecar reports a running backup with bytes",
      [&] {
        seen = progressOf(source);
        return seen && seen->running && seen->bytes > 0;
      },
      [&] { return source.sidecarLog(); });
  std::optional<backup::SidecarProgress> later;
  if (running) {
    EXPECT_EQ(seen->status, "Running");
    EXPECT_TRUE(backup::parseUtcTime(seen->startedAt)) << seen->startedAt;
    // The directory grows a little while the server runs (logs): within 10 %.
    EXPECT_GT(seen->estimateBytes, dataSize * 9 / 10);
    EXPECT_LT(seen->estimateBytes, dataSize * 11 / 10 + (1 << 20));
    const json status = backup::runningProgress(*seen, "now");
    EXPECT_LE(status["percent"].get<int>(), 99);
    EXPECT_TRUE(eventually("the bytes grow", [&] {
      later = progressOf(source);
      return later && (later->bytes > seen->bytes || !later->running);
    }));
  }
  backupJob.join();
  ASSERT_EQ(run.exitCode, 0) << run.output;
  std::ifstream in(work.file("termination-log"));
  const json report = json::parse(in, nullptr, false);
  ASSERT_TRUE(report.is_object());
  auto done = progressOf(source);
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->running);
  EXPECT_EQ(done->status, "Success");
  EXPECT_EQ(done->bytes, report["sourceBytes"].get<std::uint64_t>());
  EXPECT_EQ(done->startedAt, seen->startedAt);
  EXPECT_GE(done->bytes, seen->bytes);
}

}  // namespace
}  // namespace mysqlop::testing::sidecar
