// Schedule tick decisions: skip while one runs, history limit by count, retention by age.
#include "plugins/backup/src/retention.h"

#include <gtest/gtest.h>

namespace mysqlop::backup {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;

constexpr std::time_t kNow = 1714564800;  // 2024-05-01T12:00:00Z

ScheduledBackup made(const std::string& name, std::time_t ago, bool completed = true,
                     bool succeeded = true) {
  return {name, kNow - ago, completed, succeeded, false};
}

TEST(ScheduleTick, ReadsTheListAndSkipsWhileOneRuns) {
  const json list = json::parse(R"([
    {"metadata":{"name":"a","creationTimestamp":"2024-05-01T11:00:00Z"},
     "status":{"completed":true,"conditions":[{"type":"Complete","status":"True"}]}},
    {"metadata":{"name":"b","creationTimestamp":"2024-05-01T11:30:00Z"}},
    {"metadata":{"name":"gone","creationTimestamp":"2024-05-01T10:00:00Z","deletionTimestamp":"2024-05-01T11:59:00Z"}}])");
  std::vector<ScheduledBackup> items = scheduledBackups(list);
  ASSERT_EQ(items.size(), 3U);
  EXPECT_EQ(items[0].created, kNow - 3600);
  EXPECT_TRUE(items[0].succeeded);
  EXPECT_FALSE(items[1].completed);
  EXPECT_TRUE(items[2].deleting);
  EXPECT_TRUE(oneRunning(items));
  items.erase(items.begin() + 1);
  EXPECT_FALSE(oneRunning(items));  // a backup being deleted does not hold the schedule
}

TEST(ScheduleTick, HistoryLimitKeepsTheNewestN) {
  std::vector<ScheduledBackup> items = {made("c-auto-1", 300), made("c-auto-3", 100),
                                        made("c-auto-2", 200), made("c-auto-4", 0, false)};
  EXPECT_EQ(toPrune(items, 2, std::nullopt, kNow),
            (std::vector<std::string>{"c-auto-2", "c-auto-1"}));
  EXPECT_EQ(toPrune(items, 0, std::nullopt, kNow).size(), 4U);
  EXPECT_TRUE(toPrune(items, std::nullopt, std::nullopt, kNow).empty());
  EXPECT_TRUE(toPrune(items, 10, std::nullopt, kNow).empty());
}

TEST(ScheduleTick, RetentionByAgeKeepsTheNewestSuccessfulBackup) {
  std::vector<ScheduledBackup> items = {made("old-ok", 100 * 3600), made("older-ok", 200 * 3600),
                                        made("old-failed", 50 * 3600, true, false),
                                        made("running", 0, false, false)};
  // Every completed backup is older than 24h; the newest successful one stays.
  EXPECT_EQ(toPrune(items, std::nullopt, hours(24), kNow),
            (std::vector<std::string>{"old-failed", "older-ok"}));
  items.push_back(made("fresh", 3600));
  EXPECT_EQ(toPrune(items, std::nullopt, hours(24), kNow),
            (std::vector<std::string>{"old-failed", "old-ok", "older-ok"}));
  // Both rules at once.
  EXPECT_EQ(toPrune(items, 2, hours(150), kNow),
            (std::vector<std::string>{"old-failed", "old-ok", "older-ok"}));
}

TEST(ScheduleTick, BackupsBeingDeletedAreNotDeletedAgain) {
  std::vector<ScheduledBackup> items = {made("a", 10), made("b", 20)};
  items[1].deleting = true;
  EXPECT_TRUE(toPrune(items, 1, std::nullopt, kNow).empty());
}

TEST(ScheduleSettings, RetentionAnnotationAndHistoryLimit) {
  auto withAge = [](const std::string& v) {
    return json{{"metadata", {{"annotations", {{"mysql.presslabs.org/backup-retention-age", v}}}}}};
  };
  std::string error;
  EXPECT_EQ(retentionAge(withAge("720h"), &error), seconds(720 * 3600));
  EXPECT_EQ(retentionAge(withAge("1h30m"), &error), seconds(5400));
  EXPECT_EQ(error, "");
  EXPECT_FALSE(retentionAge(json::object(), &error));
  EXPECT_EQ(error, "");
  EXPECT_FALSE(retentionAge(withAge("30d"), &error));
  EXPECT_EQ(error,
            "annotation mysql.presslabs.org/backup-retention-age: \"30d\" is not a positive "
            "duration such as 720h");
  error.clear();
  EXPECT_FALSE(retentionAge(withAge("-1h"), &error));
  EXPECT_NE(error, "");
  EXPECT_EQ(historyLimit(json{{"spec", {{"backupScheduleJobsHistoryLimit", 3}}}}), 3);
  EXPECT_FALSE(historyLimit(json{{"spec", json::object()}}));
  EXPECT_EQ(parseTime("2024-05-01T12:00:00Z"), kNow);
  EXPECT_EQ(parseTime("garbage"), 0);
}

}  // namespace
}  // namespace mysqlop::backup
