// The termination message (contract 4) and the status copied from the Job.
#include "plugins/backup/src/status.h"

#include <gtest/gtest.h>

namespace mysqlop::backup {
namespace {

using nlohmann::json;

json jobWith(json conditions) { return {{"status", {{"conditions", std::move(conditions)}}}}; }

TEST(Termination, ParsesTheSidecarsReport) {
  std::string error;
  auto r = parseTermination(
      R"({"phase":"Complete","url":"s3://b/x.xbackup.gz","sourceBytes":1048576,"storedBytes":2048,"seconds":12.5,"gtid":"0-1-42"})",
      &error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->phase, "Complete");
  EXPECT_EQ(r->url, "s3://b/x.xbackup.gz");
  EXPECT_EQ(r->sourceBytes, 1048576U);
  EXPECT_EQ(r->storedBytes, 2048U);
  EXPECT_EQ(r->seconds, 12.5);
  EXPECT_EQ(r->gtid, "0-1-42");
  auto f = parseTermination(
      R"({"phase":"Failed","url":"u","reason":"TargetDenied","message":"s3: 403 Forbidden"})",
      &error);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->reason, "TargetDenied");
  EXPECT_EQ(f->message, "s3: 403 Forbidden");
  EXPECT_FALSE(f->sourceBytes);
}

TEST(Termination, BadReportsSayWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"panic: oops", "termination message is not a JSON object"},
      {"[1]", "termination message is not a JSON object"},
      {R"({"phase":"Running"})",
       "termination message: phase \"Running\" is neither Complete nor Failed"},
      {R"({"url":"u"})", "termination message: phase \"\" is neither Complete nor Failed"},
      {R"({"phase":"Complete","sourceBytes":-1})",
       "termination message: \"sourceBytes\" is not a non-negative integer"},
      {R"({"phase":"Complete","storedBytes":"12"})",
       "termination message: \"storedBytes\" is not a non-negative integer"},
      {R"({"phase":"Complete","seconds":"1"})", "termination message: \"seconds\" is not a number"},
      {R"({"phase":"Failed","message":5})", "termination message: \"message\" is not a string"},
  };
  for (const auto& [text, want] : cases) {
    std::string error;
    EXPECT_FALSE(parseTermination(text, &error)) << text;
    EXPECT_EQ(error, want) << text;
  }
}

TEST(Termination, TheLatestFinishedPodsMessageOfTheContainer) {
  const json pods = json::parse(R"([
    {"status":{"containerStatuses":[{"name":"backup","state":{"terminated":{"message":"first","finishedAt":"2024-05-01T10:00:00Z"}}}]}},
    {"status":{"containerStatuses":[{"name":"backup","state":{"terminated":{"message":"last","finishedAt":"2024-05-01T11:00:00Z"}}}]}},
    {"status":{"containerStatuses":[{"name":"other","state":{"terminated":{"message":"no","finishedAt":"2024-05-01T12:00:00Z"}}}]}},
    {"status":{"containerStatuses":[{"name":"backup","state":{"running":{}}}]}},
    {"status":{}}])");
  EXPECT_EQ(terminationMessage(pods, "backup"), "last");
  EXPECT_EQ(terminationMessage(json::array(), "backup"), "");
}

TEST(BackupStatus, CopiedFromTheJobWithTheReportsFields) {
  const json job = jobWith(json::parse(
      R"([{"type":"Complete","status":"True","reason":"","message":"","lastTransitionTime":"x"}])"));
  TerminationReport r;
  r.phase = "Complete";
  r.sourceBytes = 100;
  r.storedBytes = 40;
  r.seconds = 1.5;
  r.gtid = "0-1-42";
  const json s = statusFromJob(json::object(), job, r, "2024-05-01T12:00:00Z");
  EXPECT_EQ(s["completed"], true);
  EXPECT_EQ(s["sourceBytes"], 100);
  EXPECT_EQ(s["storedBytes"], 40);
  EXPECT_EQ(s["durationSeconds"], 1.5);
  EXPECT_EQ(s["gtid"], "0-1-42");
  ASSERT_EQ(s["conditions"].size(), 1U);
  EXPECT_EQ(s["conditions"][0]["type"], "Complete");
  EXPECT_EQ(s["conditions"][0]["status"], "True");
  EXPECT_EQ(s["conditions"][0]["lastTransitionTime"], "2024-05-01T12:00:00Z");
  // Nothing changes on a second pass.
  EXPECT_EQ(statusFromJob(s, job, r, "2024-05-01T13:00:00Z"), s);
}

TEST(BackupStatus, AFailedJobTakesTheReportsReasonAndMessage) {
  const json job = jobWith(json::parse(
      R"([{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}])"));
  json s = statusFromJob(json::object(), job, std::nullopt, "t");
  EXPECT_EQ(s["completed"], true);
  EXPECT_EQ(s["conditions"][0]["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(s["conditions"][0]["message"], "Job has reached the specified backoff limit");
  TerminationReport r;
  r.phase = "Failed";
  r.reason = "SourceStreamBroken";
  r.message = "the /xbackup stream of c-mysql-1 ended without X-Backup-Status: Success";
  s = statusFromJob(json::object(), job, r, "t");
  EXPECT_EQ(s["conditions"][0]["type"], "Failed");
  EXPECT_EQ(s["conditions"][0]["reason"], "SourceStreamBroken");
  EXPECT_EQ(s["conditions"][0]["message"],
            "the /xbackup stream of c-mysql-1 ended without X-Backup-Status: Success");
}

TEST(BackupStatus, ARunningJobIsNotCompleted) {
  const json s = statusFromJob(json::object(), json::object(), std::nullopt, "t");
  EXPECT_EQ(s["completed"], false);
  EXPECT_EQ(s["conditions"], json::array());
  EXPECT_FALSE(jobCondition(json::object(), "Complete"));
}

}  // namespace
}  // namespace mysqlop::backup
