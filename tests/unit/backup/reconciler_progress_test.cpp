// status.progress through the reconcile: the Job runs → the source pod's sidecar is polled
// (here a loopback server answering as the sidecar's GET /xbackup/progress) and status.progress
// alone is patched, at most once per interval; the Job completes → the termination message's
// numbers and 100 %; it fails → the last progress stays.
#include <gtest/gtest.h>

#include "plugins/backup/src/progress.h"
#include "plugins/backup/src/reconciler.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/time.h"
#include "tests/unit/backup/json_server.h"
#include "tests/unit/cluster/fake_host.h"

namespace mysqlop::backup {
namespace {

using cluster::testing::FakeHost;
using nlohmann::json;

class BackupProgressReconcile : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.put({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
               {"kind", "MysqlCluster"},
               {"metadata", {{"name", "c"}, {"namespace", "ns"}}},
               {"spec", {{"backupURL", "s3://bk"}}},
               {"status",
                {{"nodes",
                  json::array({{{"name", "c-mysql-1.mysql.ns"},
                                {"conditions",
                                 json::array({{{"type", "Master"}, {"status", "False"}},
                                              {{"type", "Replicating"}, {"status", "True"}},
                                              {{"type", "Lagged"}, {"status", "False"}}})}}})}}}});
    host_.put({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
               {"kind", "MysqlBackup"},
               {"metadata", {{"name", "b1"}, {"namespace", "ns"}}},
               {"spec", {{"clusterName", "c"}}}});
    ASSERT_EQ(run().status, mysqlop_status_Ok);  // creates the Job
    json job = stored("Job", "b1-backup");
    job["status"] = {{"startTime", kube::formatTime(std::time(nullptr) - 3)}, {"active", 1}};
    host_.put(job);
  }
  Outcome run() {
    mysqlop::Call call = host_.call();
    return reconciler_.reconcile(call, "ns", "b1");
  }
  json stored(const std::string& kind, const std::string& name) {
    auto o = host_.find(kind, "ns", name);
    return o ? *o : json();
  }
  std::string sidecarSays(std::uint64_t bytes, std::uint64_t estimate, bool running = true) {
    const std::string started = kube::formatTime(std::time(nullptr) - 1);
    server_.answer(200, json{{"running", running},
                             {"bytes", bytes},
                             {"estimateBytes", estimate},
                             {"startedAt", started},
                             {"finishedAt", ""},
                             {"status", running ? "Running" : "Success"}}
                            .dump());
    return started;
  }
  // The progress was polled long enough ago for the next reconcile to poll again.
  void age() {
    json b = stored("MysqlBackup", "b1");
    b["status"]["progress"]["updatedAt"] = kube::formatTime(std::time(nullptr) - 10);
    host_.put(b);
  }

  FakeHost host_;
  testing::JsonServer server_;
  std::vector<std::string> resolved_;  // the pods whose sidecar was asked for
  Reconciler reconciler_{
      [] {
        Options o;
        o.sidecarImage = "operator-sidecar:1";
        return o;
      }(),
      nullptr, nullptr,
      [this](mysqlop::Call&, const std::string& ns, const std::string& cluster,
             const std::string& pod, std::string* host, std::uint16_t* port, std::string* error) {
        resolved_.push_back(ns + "/" + cluster + "/" + pod);
        if (pod == "unreachable") {
          *error = "Pod ns/unreachable has no IP yet";
          return false;
        }
        *host = "127.0.0.1";
        *port = server_.port();
        return true;
      }};
};

TEST_F(BackupProgressReconcile, ARunningJobShowsTheSidecarsProgress) {
  const std::string started = sidecarSays(1000, 4000);
  const Outcome o = run();
  EXPECT_EQ(o.status, mysqlop_status_Ok) << o.message;
  EXPECT_EQ(o.requeueAfterMs, kProgressIntervalMs);
  EXPECT_EQ(resolved_, std::vector<std::string>{"ns/c/c-mysql-1"});  // the Job's source
  EXPECT_EQ(server_.lastPath(), "/xbackup/progress");
  const json status = stored("MysqlBackup", "b1")["status"];
  EXPECT_EQ(status["completed"], false);
  json progress = status["progress"];
  ASSERT_TRUE(progress.is_object()) << status.dump();
  EXPECT_TRUE(parseUtcTime(progress.value("updatedAt", "")));
  progress.erase("updatedAt");
  EXPECT_EQ(progress, json({{"bytesStreamed", 1000},
                            {"totalBytesEstimate", 4000},
                            {"percent", 25},
                            {"startedAt", started}}));

  // Reconciled again at once (its own patch's watch event): no poll, a requeue at the interval.
  sidecarSays(2000, 4000);
  const Outcome again = run();
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_GT(again.requeueAfterMs, 0U);
  EXPECT_LE(again.requeueAfterMs, kProgressIntervalMs);
  EXPECT_EQ(stored("MysqlBackup", "b1")["status"]["progress"]["bytesStreamed"], 1000);

  age();
  EXPECT_EQ(run().requeueAfterMs, kProgressIntervalMs);
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_EQ(stored("MysqlBackup", "b1")["status"]["progress"]["bytesStreamed"], 2000);
  EXPECT_EQ(stored("MysqlBackup", "b1")["status"]["progress"]["percent"], 50);

  // The Job completes: the termination message's numbers, 100 %, no more polls.
  json job = stored("Job", "b1-backup");
  job["status"]["conditions"] = json::array({{{"type", "Complete"}, {"status", "True"}}});
  host_.put(job);
  host_.put(
      {{"apiVersion", "v1"},
       {"kind", "Pod"},
       {"metadata",
        {{"name", "b1-backup-x"}, {"namespace", "ns"}, {"labels", {{"job-name", "b1-backup"}}}}},
       {"status",
        {{"containerStatuses",
          json::array(
              {{{"name", "backup"},
                {"state",
                 {{"terminated",
                   {{"exitCode", 0},
                    {"message",
                     R"({"phase":"Complete","url":"s3://bk/b1.xbackup.gz","sourceBytes":4200,"storedBytes":900,"seconds":3})"},
                    {"finishedAt", "2026-12-03T15:00:00Z"}}}}}}})}}}});
  const Outcome done = run();
  EXPECT_EQ(done.status, mysqlop_status_Ok);
  EXPECT_EQ(done.requeueAfterMs, 0U);
  EXPECT_EQ(server_.requests(), 2);
  const json final = stored("MysqlBackup", "b1")["status"];
  EXPECT_EQ(final["completed"], true);
  EXPECT_EQ(final["sourceBytes"], 4200);
  EXPECT_EQ(final["progress"]["bytesStreamed"], 4200);
  EXPECT_EQ(final["progress"]["totalBytesEstimate"], 4000);
  EXPECT_EQ(final["progress"]["percent"], 100);
}

TEST_F(BackupProgressReconcile, AFailedJobKeepsHowFarItGot) {
  sidecarSays(3000, 4000);
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  const json seen = stored("MysqlBackup", "b1")["status"]["progress"];
  EXPECT_EQ(seen["percent"], 75);
  json job = stored("Job", "b1-backup");
  job["status"]["conditions"] =
      json::array({{{"type", "Failed"}, {"status", "True"}, {"reason", "BackoffLimitExceeded"}}});
  host_.put(job);
  EXPECT_EQ(run().status, mysqlop_status_Ok);
  const json status = stored("MysqlBackup", "b1")["status"];
  EXPECT_EQ(status["completed"], true);
  EXPECT_EQ(status["progress"], seen);
}

TEST_F(BackupProgressReconcile, NoProgressWithoutAnAnswerOrForAnotherBackup) {
  // An older sidecar without the route: the backup runs, without progress, polled again later.
  server_.answer(404, "404 page not found\n");
  Outcome o = run();
  EXPECT_EQ(o.status, mysqlop_status_Ok);
  EXPECT_EQ(o.requeueAfterMs, kProgressIntervalMs);
  EXPECT_FALSE(stored("MysqlBackup", "b1")["status"].contains("progress"));
  // Not JSON.
  server_.answer(200, "OK");
  EXPECT_EQ(run().requeueAfterMs, kProgressIntervalMs);
  EXPECT_FALSE(stored("MysqlBackup", "b1")["status"].contains("progress"));
  // The sidecar's last backup began before the Job: not this backup's (a clone, an older Job).
  server_.answer(200, json{{"running", false},
                           {"bytes", 10},
                           {"estimateBytes", 20},
                           {"startedAt", kube::formatTime(std::time(nullptr) - 3600)}}
                          .dump());
  EXPECT_EQ(run().requeueAfterMs, kProgressIntervalMs);
  EXPECT_FALSE(stored("MysqlBackup", "b1")["status"].contains("progress"));
  EXPECT_EQ(server_.requests(), 3);
  // The pod cannot be resolved: polled again later.
  json job = stored("Job", "b1-backup");
  job["spec"]["template"]["spec"]["containers"][0]["args"][1] = "unreachable.mysql.ns";
  host_.put(job);
  EXPECT_EQ(run().requeueAfterMs, kProgressIntervalMs);
  EXPECT_EQ(resolved_.back(), "ns/c/unreachable");
  EXPECT_EQ(server_.requests(), 3);
}

}  // namespace
}  // namespace mysqlop::backup
