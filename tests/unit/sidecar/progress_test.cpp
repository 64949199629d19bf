// The sidecar's record of /xbackup for GET /xbackup/progress: idle, running, finished, the next
// backup starting afresh; and the data directory's size (the estimate).
#include "sidecar/progress.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace mysqlop::sidecar {
namespace {

using nlohmann::json;

TEST(BackupProgress, IdleRunningFinishedAndAgain) {
  BackupProgress p;
  EXPECT_EQ(json::parse(p.json()), json({{"running", false},
                                         {"bytes", 0},
                                         {"estimateBytes", 0},
                                         {"startedAt", ""},
                                         {"finishedAt", ""},
                                         {"status", ""}}));
  p.start(4096);
  p.add(1000);
  p.add(24);
  json running = json::parse(p.json());
  EXPECT_EQ(running["running"], true);
  EXPECT_EQ(running["bytes"], 1024);
  EXPECT_EQ(running["estimateBytes"], 4096);
  EXPECT_EQ(running["status"], "Running");
  EXPECT_EQ(running["startedAt"].get<std::string>().size(), 20U);  // 2026-12-03T15:00:00Z
  EXPECT_EQ(running["finishedAt"], "");
  p.finish(false);
  json failed = json::parse(p.json());
  EXPECT_EQ(failed["running"], false);
  EXPECT_EQ(failed["bytes"], 1024);  // kept until the next backup
  EXPECT_EQ(failed["status"], "Failed");
  EXPECT_EQ(failed["finishedAt"].get<std::string>().size(), 20U);
  p.start(10);
  json next = json::parse(p.json());
  EXPECT_EQ(next["bytes"], 0);
  EXPECT_EQ(next["estimateBytes"], 10);
  EXPECT_EQ(next["finishedAt"], "");
  p.finish(true);
  EXPECT_EQ(json::parse(p.json())["status"], "Success");
}

TEST(BackupProgress, DirectorySizeCountsRegularFilesRecursively) {
  mysqlop::testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/db");
  std::ofstream(dir.path() + "/ibdata1") << std::string(1000, 'x');
  std::ofstream(dir.path() + "/db/t.ibd") << std::string(24, 'y');
  std::filesystem::create_symlink(dir.path() + "/ibdata1", dir.path() + "/link");
  EXPECT_EQ(directorySize(dir.path()), 1024U);
  EXPECT_EQ(directorySize(dir.path() + "/missing"), 0U);
}

}  // namespace
}  // namespace mysqlop::sidecar
