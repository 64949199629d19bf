// status.progress: the sidecar's answer parsed (every bad input's message), the percent, the
// finalisation from the termination message, the poll interval, the merge patch of the status,
// and the HTTP GET that reads the sidecar (against a loopback server).
#include "plugins/backup/src/progress.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugins/backup/src/http_get.h"
#include "tests/unit/backup/json_server.h"

namespace mysqlop::backup {
namespace {

using nlohmann::json;

std::string parseError(const std::string& text) {
  std::string error;
  EXPECT_FALSE(parseSidecarProgress(text, &error));
  return error;
}

TEST(SidecarProgress, ParsesTheSidecarsAnswer) {
  std::string error;
  const auto p = parseSidecarProgress(
      R"({"running":true,"bytes":1500,"estimateBytes":4000,"startedAt":"2026-12-03T15:00:00Z","finishedAt":"","status":"Running"})",
      &error);
  ASSERT_TRUE(p) << error;
  EXPECT_TRUE(p->running);
  EXPECT_EQ(p->bytes, 1500U);
  EXPECT_EQ(p->estimateBytes, 4000U);
  EXPECT_EQ(p->startedAt, "2026-12-03T15:00:00Z");
  EXPECT_EQ(p->status, "Running");
}

TEST(SidecarProgress, BadAnswersSayWhy) {
  EXPECT_EQ(parseError("404 page not found"), "the sidecar's progress is not a JSON object");
  EXPECT_EQ(parseError("[1]"), "the sidecar's progress is not a JSON object");
  EXPECT_EQ(parseError(R"({"bytes":1,"estimateBytes":1})"),
            "the sidecar's progress has no boolean \"running\"");
  EXPECT_EQ(parseError(R"({"running":true,"bytes":-1,"estimateBytes":1})"),
            "the sidecar's progress: \"bytes\" is not a non-negative integer");
  EXPECT_EQ(parseError(R"({"running":true,"bytes":1})"),
            "the sidecar's progress: \"estimateBytes\" is not a non-negative integer");
  EXPECT_EQ(parseError(R"({"running":true,"bytes":1,"estimateBytes":1,"startedAt":5})"),
            "the sidecar's progress: \"startedAt\" is not a string");
}

TEST(SidecarProgress, Rfc3339Times) {
  EXPECT_EQ(parseUtcTime("1970-01-01T00:01:00Z"), 60);
  EXPECT_EQ(parseUtcTime("2026-12-03T15:00:00.123456Z"), parseUtcTime("2026-12-03T15:00:00Z"));
  EXPECT_FALSE(parseUtcTime(""));
  EXPECT_FALSE(parseUtcTime("2026-12-03T15:00:00+01:00"));
  EXPECT_FALSE(parseUtcTime("2026-13-03T15:00:00Z"));
  EXPECT_FALSE(parseUtcTime("2026-12-03 15:00:00Z"));
}

TEST(SidecarProgress, OnlyABackupStartedAfterTheJobIsTheJobs) {
  const json job = {{"status", {{"startTime", "2026-12-03T15:00:00Z"}}}};
  SidecarProgress p;
  p.running = true;
  p.startedAt = "2026-12-03T15:00:05Z";
  EXPECT_TRUE(belongsToJob(p, job));
  p.startedAt = "2026-12-03T14:59:30Z";  // within the clock skew allowed
  EXPECT_TRUE(belongsToJob(p, job));
  p.startedAt = "2026-12-03T14:58:00Z";  // an earlier backup (a clone, another Job)
  EXPECT_FALSE(belongsToJob(p, job));
  p.startedAt = "";  // the sidecar has served no backup since it started
  EXPECT_FALSE(belongsToJob(p, job));
  // A Job without startTime: the running backup only.
  EXPECT_TRUE(belongsToJob(p, json::object()));
  p.running = false;
  EXPECT_FALSE(belongsToJob(p, json::object()));
}

TEST(SidecarProgress, PercentIsFlooredAndStopsAt99WhileRunning) {
  SidecarProgress p;
  p.running = true;
  p.bytes = 1999;
  p.estimateBytes = 4000;
  p.startedAt = "2026-12-03T15:00:00Z";
  EXPECT_EQ(runningProgress(p, "2026-12-03T15:00:09Z"),
            json({{"bytesStreamed", 1999},
                  {"totalBytesEstimate", 4000},
                  {"percent", 49},
                  {"startedAt", "2026-12-03T15:00:00Z"},
                  {"updatedAt", "2026-12-03T15:00:09Z"}}));
  p.bytes = 4200;  // the stream's framing passes the data directory's size
  EXPECT_EQ(runningProgress(p, "t")["percent"], 99);
  p.estimateBytes = 0;  // unknown: no estimate, no percent
  EXPECT_EQ(
      runningProgress(p, "t"),
      json({{"bytesStreamed", 4200}, {"startedAt", "2026-12-03T15:00:00Z"}, {"updatedAt", "t"}}));
}

TEST(SidecarProgress, FinishedTakesTheReportsNumbers) {
  const json last = {{"bytesStreamed", 3000},
                     {"totalBytesEstimate", 4000},
                     {"percent", 75},
                     {"updatedAt", "2026-12-03T15:00:05Z"}};
  TerminationReport report;
  report.phase = "Complete";
  report.sourceBytes = 4100;
  EXPECT_EQ(finishedProgress(last, true, report, "2026-12-03T15:00:07Z"),
            json({{"bytesStreamed", 4100},
                  {"totalBytesEstimate", 4000},
                  {"percent", 100},
                  {"updatedAt", "2026-12-03T15:00:07Z"}}));
  // No report: the last bytes stay, the percent is 100 (the Job says Complete).
  EXPECT_EQ(finishedProgress(last, true, std::nullopt, "n")["bytesStreamed"], 3000);
  EXPECT_EQ(finishedProgress(last, true, std::nullopt, "n")["percent"], 100);
  // Failed: how far it got.
  EXPECT_EQ(finishedProgress(last, false, std::nullopt, "n"), last);
  // Never shown (a backup faster than a poll): no progress.
  EXPECT_TRUE(finishedProgress(json(), true, report, "n").is_null());
}

TEST(SidecarProgress, PollsAtMostEveryInterval) {
  const std::time_t at = *parseUtcTime("2026-12-03T15:00:00Z");
  const json progress = {{"updatedAt", "2026-12-03T15:00:00Z"}};
  EXPECT_EQ(progressWaitMs(json(), at), 0U);
  EXPECT_EQ(progressWaitMs(json::object(), at), 0U);
  EXPECT_EQ(progressWaitMs(progress, at), kProgressIntervalMs);
  EXPECT_EQ(progressWaitMs(progress, at + 2), kProgressIntervalMs - 2000);
  EXPECT_EQ(progressWaitMs(progress, at + 5), 0U);
  EXPECT_EQ(progressWaitMs(progress, at + 60), 0U);
  EXPECT_EQ(progressWaitMs(progress, at - 30), kProgressIntervalMs);  // another clock, ahead
}

TEST(SidecarProgress, TheSourcePodOfTheJob) {
  EXPECT_EQ(podOfHost("c-mysql-1.mysql.ns"), "c-mysql-1");
  EXPECT_EQ(podOfHost("c-mysql-0"), "c-mysql-0");
  const json job = json::parse(R"({"spec":{"template":{"spec":{"containers":[
      {"name":"other","args":["x","y"]},
      {"name":"backup","args":["take-backup-to","c-mysql-1.mysql.ns","s3://b/x.xbackup.gz"]}]}}}})");
  EXPECT_EQ(sourceHostOfJob(job), "c-mysql-1.mysql.ns");
  EXPECT_EQ(sourceHostOfJob(json::object()), "");
  EXPECT_EQ(
      sourceHostOfJob(json::parse(
          R"({"spec":{"template":{"spec":{"containers":[{"name":"backup","args":["x"]}]}}}})")),
      "");
}

TEST(SidecarProgress, TheStatusPatchHoldsTheChangedFieldsOnly) {
  const json before = {{"completed", false},
                       {"conditions", json::array()},
                       {"gtid", "0-1-5"},
                       {"progress", {{"bytesStreamed", 1}, {"updatedAt", "a"}}}};
  json after = before;
  after["progress"] = {{"bytesStreamed", 2}, {"updatedAt", "b"}};
  EXPECT_EQ(mergePatch(before, after),
            json({{"progress", {{"bytesStreamed", 2}, {"updatedAt", "b"}}}}));
  EXPECT_EQ(mergePatch(before, before), json::object());
  after.erase("gtid");
  EXPECT_EQ(mergePatch(before, after)["gtid"], nullptr);
  EXPECT_EQ(mergePatch(json::object(), {{"completed", false}}), json({{"completed", false}}));
}

TEST(SidecarHttpGet, ReadsTheAnswer) {
  testing::JsonServer server;
  server.answer(200, R"({"running":false})");
  const HttpAnswer a =
      httpGet("127.0.0.1", server.port(), "/xbackup/progress", std::chrono::seconds(5));
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, R"({"running":false})");
  EXPECT_EQ(server.lastPath(), "/xbackup/progress");
  server.answer(404, "404 page not found\n");
  const HttpAnswer b = httpGet("localhost", server.port(), "/x", std::chrono::seconds(5));
  EXPECT_EQ(b.status, 404);
  EXPECT_EQ(b.body, "404 page not found\n");
}

TEST(SidecarHttpGet, NoServerSaysWhy) {
  std::uint16_t port = 0;
  {
    testing::JsonServer gone;  // a port that was just free, and is closed again
    port = gone.port();
  }
  const HttpAnswer a = httpGet("127.0.0.1", port, "/x", std::chrono::seconds(5));
  EXPECT_EQ(a.status, 0);
  EXPECT_EQ(a.error, "connecting to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  const HttpAnswer b = httpGet("no-such-host.invalid", 8080, "/x", std::chrono::seconds(5));
  EXPECT_EQ(b.status, 0);
  EXPECT_EQ(b.error.rfind("cannot resolve no-such-host.invalid: ", 0), 0U) << b.error;
}

TEST(SidecarHttpGet, ASilentServerTimesOut) {
  // Listening but never answering (the kernel completes the connection from the backlog).
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const HttpAnswer a =
      httpGet("127.0.0.1", ntohs(addr.sin_port), "/x", std::chrono::milliseconds(300));
  close(fd);
  EXPECT_EQ(a.status, 0);
  EXPECT_EQ(a.error, "reading from 127.0.0.1: timed out");
}

}  // namespace
}  // namespace mysqlop::backup
