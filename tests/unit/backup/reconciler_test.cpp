// The MysqlBackup reconcile and the schedule ticks over the in-memory host of the cluster tests
// (tests/unit/cluster/fake_host.h): what each pass writes, and the exact messages and Events the
// user sees.
#include "plugins/backup/src/reconciler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "plugins/common/kube/resources.h"
#include "tests/unit/cluster/fake_host.h"

namespace mysqlop::backup {
namespace {

using cluster::testing::FakeHost;
using nlohmann::json;

constexpr const char* kCatalog = R"({"targets":[{"name":"file","path":"/p/t.so","config":{}}]})";

json aCluster(json spec = json::object(), json annotations = json::object()) {
  return {
      {"apiVersion", "mysql.presslabs.org/v1alpha1"},
      {"kind", "MysqlCluster"},
      {"metadata", {{"name", "c"}, {"namespace", "ns"}, {"annotations", annotations}}},
      {"spec", spec},
      {"status",
       {{"nodes", json::array({{{"name", "c-mysql-0.mysql.ns"},
                                {"conditions",
                                 json::array({{{"type", "Master"}, {"status", "True"}}})}}})}}}};
}

json aBackup(json spec) {
  return {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
          {"kind", "MysqlBackup"},
          {"metadata", {{"name", "b1"}, {"namespace", "ns"}}},
          {"spec", spec}};
}

class BackupReconcile : public ::testing::Test {
 protected:
  Outcome run(const std::string& name = "b1") {
    mysqlop::Call call = host_.call();
    return reconciler_.reconcile(call, "ns", name);
  }
  json stored(const std::string& kind, const std::string& name) {
    auto o = host_.find(kind, "ns", name);
    return o ? *o : json();
  }
  void finishJob(const std::string& name, const std::string& type, const std::string& reason,
                 const std::string& message) {
    json job = stored("Job", name);
    job["status"]["conditions"] = json::array(
        {{{"type", type}, {"status", "True"}, {"reason", reason}, {"message", message}}});
    host_.put(job);
  }
  void putJobPod(const std::string& job, const std::string& container,
                 const std::string& terminationMessage) {
    host_.put({{"apiVersion", "v1"},
               {"kind", "Pod"},
               {"metadata",
                {{"name", job + "-x1"}, {"namespace", "ns"}, {"labels", {{"job-name", job}}}}},
               {"status",
                {{"containerStatuses",
                  json::array({{{"name", container},
                                {"state",
                                 {{"terminated",
                                   {{"exitCode", 1},
                                    {"message", terminationMessage},
                                    {"finishedAt", "2024-05-01T12:00:00Z"}}}}}}})}}}});
  }

  FakeHost host_;
  Options options_ = [] {
    Options o;
    o.sidecarImage = "operator-sidecar:1";
    return o;
  }();
  Reconciler reconciler_{options_, nullptr, [](mysqlop::Call&) { return std::string(kCatalog); }};
};

TEST_F(BackupReconcile, DefaultsArePersistedAndTheJobIsCreated) {
  host_.put(aCluster({{"backupURL", "s3://bk/c/"}, {"backupSecretName", "creds"}}));
  host_.put(aBackup({{"clusterName", "c"}}));
  const Outcome o = run();
  EXPECT_EQ(o.status, mysqlop_status_Ok) << o.message;
  const json b = stored("MysqlBackup", "b1");
  EXPECT_EQ(b["spec"]["backupURL"], "s3://bk/c/b1.xbackup.gz");
  EXPECT_EQ(b["spec"]["backupSecretName"], "creds");
  EXPECT_FALSE(b["metadata"].contains("finalizers"));  // retain: no finalizer
  const json job = stored("Job", "b1-backup");
  ASSERT_TRUE(job.is_object());
  const json& c = job["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "operator-sidecar:1");  // no StatefulSet, no spec.sidecarImage
  EXPECT_EQ(c["args"], json({"take-backup-to", "c-mysql-0.mysql.ns", "s3://bk/c/b1.xbackup.gz"}));
  EXPECT_EQ(c["env"][2], json({{"name", "MYSQLOP_BACKUP_TARGETS"}, {"value", kCatalog}}));
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], b["metadata"]["uid"]);
  ASSERT_EQ(host_.events().size(), 1U);
  EXPECT_EQ(host_.events()[0].reason, "BackupJobSyncSuccessfull");
  EXPECT_EQ(host_.events()[0].message, "Job ns/b1-backup created successfully");
}

TEST_F(BackupReconcile, TheStatefulSetsSidecarImageAndZstdFromTheAnnotation) {
  host_.put(
      aCluster({{"backupURL", "gs://bk"}}, {{"mysql.presslabs.org/backup-compression", "zstd"}}));
  host_.put(json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
      "metadata":{"name":"c-mysql","namespace":"ns"},
      "spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"sc:7"}]}}}})"));
  host_.put(aBackup({{"clusterName", "c"}}));
  EXPECT_EQ(run().status, mysqlop_status_Ok);
  const json c = stored("Job", "b1-backup")["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "sc:7");
  EXPECT_EQ(c["args"][2], "gs://bk/b1.xbackup.zst");
}

TEST_F(BackupReconcile, ABadCompressionAnnotationIsAWarningAndGzipIsUsed) {
  host_.put(
      aCluster({{"backupURL", "gs://bk"}}, {{"mysql.presslabs.org/backup-compression", "xz"}}));
  host_.put(aBackup({{"clusterName", "c"}}));
  EXPECT_EQ(run().status, mysqlop_status_Ok);
  EXPECT_EQ(stored("MysqlBackup", "b1")["spec"]["backupURL"], "gs://bk/b1.xbackup.gz");
  const auto warnings = host_.warnings();
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].reason, "InvalidBackupCompression");
  EXPECT_EQ(warnings[0].object, "MysqlCluster ns/c");
  EXPECT_EQ(warnings[0].message,
            "annotation mysql.presslabs.org/backup-compression: \"xz\" is neither gzip nor zstd; "
            "the backup is compressed with gzip");
}

TEST_F(BackupReconcile, AFailedJobMakesFailedWithTheContainersReasonAndMessage) {
  host_.put(aCluster({{"backupURL", "s3://bk"}}));
  host_.put(aBackup({{"clusterName", "c"}}));
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  EXPECT_EQ(run().status, mysqlop_status_Ok);  // the Job runs: nothing to change
  EXPECT_FALSE(stored("MysqlBackup", "b1").contains("status") &&
               stored("MysqlBackup", "b1")["status"].value("completed", false));
  finishJob("b1-backup", "Failed", "BackoffLimitExceeded",
            "Job has reached the specified backoff limit");
  putJobPod(
      "b1-backup", "backup",
      R"({"phase":"Failed","url":"s3://bk/b1.xbackup.gz","reason":"TargetDenied","message":"s3://bk/b1.xbackup.gz: 403 Forbidden"})");
  EXPECT_EQ(run().status, mysqlop_status_Ok);
  const json status = stored("MysqlBackup", "b1")["status"];
  EXPECT_EQ(status["completed"], true);
  EXPECT_EQ(status["conditions"][0]["type"], "Failed");
  EXPECT_EQ(status["conditions"][0]["status"], "True");
  EXPECT_EQ(status["conditions"][0]["reason"], "TargetDenied");
  EXPECT_EQ(status["conditions"][0]["message"], "s3://bk/b1.xbackup.gz: 403 Forbidden");
  const auto warnings = host_.warnings();
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].reason, "BackupFailed");
  EXPECT_EQ(warnings[0].message, "s3://bk/b1.xbackup.gz: 403 Forbidden");
  // Completed: the Job is never recreated, even when it is gone.
  mysqlop::Call call = host_.call();
  call.remove(kube::res::kJob, "ns", "b1-backup");
  EXPECT_EQ(run().status, mysqlop_status_Ok);
  EXPECT_FALSE(host_.find("Job", "ns", "b1-backup"));
}

TEST_F(BackupReconcile, ACompleteJobCopiesTheReportedSizesAndGtid) {
  host_.put(aCluster({{"backupURL", "s3://bk"}}));
  host_.put(aBackup({{"clusterName", "c"}}));
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  finishJob("b1-backup", "Complete", "", "");
  putJobPod(
      "b1-backup", "backup",
      R"({"phase":"Complete","url":"s3://bk/b1.xbackup.gz","sourceBytes":1000,"storedBytes":300,"seconds":2.5,"gtid":"0-1-42"})");
  EXPECT_EQ(run().status, mysqlop_status_Ok);
  const json status = stored("MysqlBackup", "b1")["status"];
  EXPECT_EQ(status["completed"], true);
  EXPECT_EQ(status["conditions"][0]["type"], "Complete");
  EXPECT_EQ(status["sourceBytes"], 1000);
  EXPECT_EQ(status["storedBytes"], 300);
  EXPECT_EQ(status["durationSeconds"], 2.5);
  EXPECT_EQ(status["gtid"], "0-1-42");
  EXPECT_EQ(host_.events().back().reason, "BackupCompleted");
  EXPECT_EQ(host_.events().back().message, "backup stored at s3://bk/b1.xbackup.gz");
}

TEST_F(BackupReconcile, WrongOrMissingClusterAndNoUrlSayWhy) {
  host_.put(aBackup({{"clusterName", ""}}));
  Outcome o = run();
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message, "spec.clusterName is empty: the backup has no cluster to back up");

  host_.put(aBackup({{"clusterName", "nope"}}));
  o = run();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "cluster not found: mysqlclusters.mysql.presslabs.org \"nope\" not found");
  EXPECT_EQ(host_.warnings().back().reason, "ClusterNotFound");

  host_.put(aCluster());
  host_.put(aBackup({{"clusterName", "c"}}));
  o = run();
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "can't get backupURL");
  EXPECT_EQ(host_.warnings().back().reason, "BackupURLMissing");
  EXPECT_EQ(host_.warnings().back().message,
            "can't get backupURL: neither the MysqlBackup nor MysqlCluster ns/c has a backupURL");
  EXPECT_FALSE(host_.find("Job", "ns", "b1-backup"));
}

TEST_F(BackupReconcile, RemoteDeletePolicyDeleteRunsTheCleanupJobThenReleasesTheObject) {
  host_.put(aCluster({{"backupURL", "s3://bk"}}));
  host_.put(aBackup({{"clusterName", "c"}, {"remoteDeletePolicy", "delete"}}));
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  json b = stored("MysqlBackup", "b1");
  EXPECT_EQ(b["metadata"]["finalizers"],
            json({"backups.mysql.presslabs.org/remote-storage-cleanup"}));
  finishJob("b1-backup", "Complete", "", "");
  ASSERT_EQ(run().status, mysqlop_status_Ok);

  b = stored("MysqlBackup", "b1");
  b["metadata"]["deletionTimestamp"] = "2024-05-01T12:00:00Z";
  host_.put(b);
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  const json job = stored("Job", "b1-cleanup");
  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job["spec"]["template"]["spec"]["containers"][0]["args"],
            json({"remove-backup", "s3://bk/b1.xbackup.gz"}));
  EXPECT_EQ(stored("MysqlBackup", "b1")["metadata"]["finalizers"].size(), 1U);
  finishJob("b1-cleanup", "Complete", "", "");
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  EXPECT_EQ(stored("MysqlBackup", "b1")["metadata"]["finalizers"], json::array());
}

TEST_F(BackupReconcile, AFailedCleanupJobIsRemoteDeletionFailedOnTheClusterOnce) {
  host_.put(aCluster({{"backupURL", "s3://bk"}}));
  host_.put(aBackup({{"clusterName", "c"}, {"remoteDeletePolicy", "delete"}}));
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  finishJob("b1-backup", "Complete", "", "");
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  json b = stored("MysqlBackup", "b1");
  b["metadata"]["deletionTimestamp"] = "2024-05-01T12:00:00Z";
  host_.put(b);
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  finishJob("b1-cleanup", "Failed", "BackoffLimitExceeded",
            "Job has reached the specified backoff limit");
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  const auto warnings = host_.warnings();
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].reason, "RemoteDeletionFailed");
  EXPECT_EQ(warnings[0].object, "MysqlCluster ns/c");
  EXPECT_EQ(warnings[0].message,
            "removing s3://bk/b1.xbackup.gz of MysqlBackup ns/b1: job failed: Job has reached "
            "the specified backoff limit");
  b = stored("MysqlBackup", "b1");
  EXPECT_EQ(b["metadata"]["finalizers"],
            json({"backups.mysql.presslabs.org/remote-storage-cleanup"}));
  EXPECT_EQ(b["status"]["remoteDeletion"], "Failed");
}

TEST_F(BackupReconcile, AFailedBackupIsReleasedWithoutACleanupJob) {
  host_.put(aCluster({{"backupURL", "s3://bk"}}));
  host_.put(aBackup({{"clusterName", "c"}, {"remoteDeletePolicy", "delete"}}));
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  finishJob("b1-backup", "Failed", "BackoffLimitExceeded", "x");
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  json b = stored("MysqlBackup", "b1");
  b["metadata"]["deletionTimestamp"] = "2024-05-01T12:00:00Z";
  host_.put(b);
  ASSERT_EQ(run().status, mysqlop_status_Ok);
  EXPECT_FALSE(host_.find("Job", "ns", "b1-cleanup"));
  EXPECT_EQ(stored("MysqlBackup", "b1")["metadata"]["finalizers"], json::array());
}

// Polls the schedule key until pred holds (an activation every second), or 10 s pass.
template <class Pred>
bool tickUntil(Reconciler& r, FakeHost& h, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    mysqlop::Call call = h.call();
    const Outcome o = r.reconcile(call, "ns", "schedule:c");
    EXPECT_EQ(o.status, mysqlop_status_Ok) << o.message;
    if (pred()) {
      return true;
    }
    EXPECT_LE(o.requeueAfterMs, 1000U);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::max<std::uint64_t>(o.requeueAfterMs, 50)));
  }
  return false;
}

TEST_F(BackupReconcile, ScheduleCreatesBackupsSkipsWhileOneRunsAndKeepsTheHistoryLimit) {
  host_.put(aCluster({{"backupURL", "s3://bk"},
                      {"backupSchedule", "* * * * * *"},
                      {"backupRemoteDeletePolicy", "delete"},
                      {"backupScheduleJobsHistoryLimit", 1}}));
  auto scheduled = [&] {
    std::vector<json> out;
    mysqlop::Call call = host_.call();
    for (const json& b :
         json::parse(call.list(kube::res::kMysqlBackup, "ns", "cluster=c,recurrent=true").data)) {
      out.push_back(b);
    }
    return out;
  };
  ASSERT_TRUE(tickUntil(reconciler_, host_, [&] { return scheduled().size() == 1; }));
  const json first = scheduled()[0];
  const std::string firstName = first["metadata"]["name"];
  EXPECT_EQ(firstName.rfind("c-auto-", 0), 0U) << firstName;
  EXPECT_EQ(first["spec"], json({{"clusterName", "c"}, {"remoteDeletePolicy", "delete"}}));
  // Not completed: the activations of the next two seconds create nothing.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2100);
  ASSERT_TRUE(
      tickUntil(reconciler_, host_, [&] { return std::chrono::steady_clock::now() > until; }));
  EXPECT_EQ(scheduled().size(), 1U);
  // Completed: the next activation creates a second one and the limit of 1 deletes the first.
  json done = first;
  done["status"] = {{"completed", true},
                    {"conditions", json::array({{{"type", "Complete"}, {"status", "True"}}})}};
  host_.put(done);
  ASSERT_TRUE(tickUntil(reconciler_, host_, [&] {
    auto now = scheduled();
    return now.size() == 1 && now[0]["metadata"]["name"] != firstName;
  }));
}

TEST_F(BackupReconcile, ABadScheduleIsOneWarningNamingTheCause) {
  host_.put(aCluster({{"backupSchedule", "0 61 * * * *"}}));
  mysqlop::Call call = host_.call();
  EXPECT_EQ(reconciler_.reconcile(call, "ns", "schedule:c").status, mysqlop_status_Ok);
  EXPECT_EQ(reconciler_.reconcile(call, "ns", "schedule:c").requeueAfterMs, 0U);
  const auto warnings = host_.warnings();
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_EQ(warnings[0].reason, "InvalidBackupSchedule");
  EXPECT_EQ(warnings[0].object, "MysqlCluster ns/c");
  EXPECT_EQ(warnings[0].message,
            "spec.backupSchedule: \"0 61 * * * *\" is not a valid schedule: minute field \"61\": "
            "out of range 0-59");
}

TEST_F(BackupReconcile, ATimeZonedScheduleWaitsForItsNextActivation) {
  host_.put(aCluster({{"backupSchedule", "CRON_TZ=Europe/Paris 0 0 0 * * *"}}));
  mysqlop::Call call = host_.call();
  const Outcome o = reconciler_.reconcile(call, "ns", "schedule:c");
  EXPECT_EQ(o.status, mysqlop_status_Ok);
  EXPECT_GT(o.requeueAfterMs, 0U);
  EXPECT_LE(o.requeueAfterMs, 24U * 3600 * 1000);
  EXPECT_TRUE(host_.warnings().empty());
}

}  // namespace
}  // namespace mysqlop::backup
