// clone-and-init and config-and-serve against real mariadbd servers, mariadb-backup and mbstream:
// a source pod serves its data, a fresh pod clones it and starts on what the sidecar wrote.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "sidecar/clone.h"
#include "sidecar/http.h"
#include "tests/integration/sidecar/sidecar_env.h"
#include "tests/support/process/child_process.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing::sidecar {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using mysqlop::sidecar::base64Encode;
using mysqlop::sidecar::httpGet;

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + base64Encode(user + ":" + password);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// True once the stream has written a file into the clone's data directory. The clone marker is
// written before the request is sent, so it alone does not mean the stream has begun (on a loaded
// machine the source was stopped before it answered, and the clone failed with "no response").
bool streamedFilesArrived(const std::string& dataDir) {
  for (const std::string& f : listTree(dataDir)) {
    if (f != mysqlop::sidecar::kCloneMarker) {
      return true;
    }
  }
  return false;
}

TEST(SidecarClone, ClonesFromAPeerAndTheCloneStartsWithTheDataAndTheUsers) {
  SourcePod source;
  source.startSidecar();
  std::string sourceGtid = source.server().query("SELECT @@gtid_binlog_pos");
  while (!sourceGtid.empty() && sourceGtid.back() == '\n') sourceGtid.pop_back();

  ClonePod pod(1);
  SidecarRun run = pod.cloneAndInit(source.url());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "X-Backup-Status Success")) << run.output;

  // The configuration files.
  EXPECT_EQ(readFile(pod.confDir() + "/conf.d/10-identity.cnf"),
            "[mysqld]\nserver-id=101\nreport-host=c-mysql-1.mysql.ns\n");
  EXPECT_EQ(readFile(pod.confDir() + "/conf.d/10-init-file.cnf"),
            "[mysqld]\ninit-file=" + pod.confDir() + "/conf.d/operator-init.sql\n");
  EXPECT_EQ(readFile(pod.confDir() + "/my.cnf"), readFile(pod.dir() + "/mnt/my.cnf"));
  std::string initFile = readFile(pod.confDir() + "/conf.d/operator-init.sql");
  EXPECT_TRUE(contains(initFile, "REPLACE INTO sys_operator.status VALUES ('backup_gtid_purged','" +
                                     sourceGtid + "');\n"))
      << initFile << "\nsource GTID " << sourceGtid;

  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t"), "1000");
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword,
                      "SELECT @@server_id, @@report_host, @@read_only"),
            "101\tc-mysql-1.mysql.ns\t1");
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword,
                      "SELECT name, value FROM sys_operator.status ORDER BY name"),
            "backup_gtid_purged\t" + sourceGtid + "\nconfigured\t0");
  // Every operated user logs in with the password of the environment (the heartbeat's is in
  // heartbeat.conf), from where its host allows.
  EXPECT_EQ(pod.query("sys_replication", kReplicationPassword, "SELECT CURRENT_USER()"),
            "sys_replication@%");
  EXPECT_EQ(pod.query("orchestrator", "orcpw1", "SELECT CURRENT_USER()"), "orchestrator@%");
  EXPECT_EQ(pod.query("sys_exporter", "exporterpw1", "SELECT CURRENT_USER()"),
            "sys_exporter@127.0.0.1");
  std::string heartbeat = readFile(pod.confDir() + "/heartbeat.conf");
  auto at = heartbeat.find("password=");
  ASSERT_NE(at, std::string::npos) << heartbeat;
  std::string hbPassword = heartbeat.substr(at + 9, heartbeat.find('\n', at) - at - 9);
  EXPECT_EQ(hbPassword.size(), 10u);
  EXPECT_EQ(pod.query("sys_heartbeat", hbPassword, "SELECT CURRENT_USER()"),
            "sys_heartbeat@127.0.0.1");
  // The operator may write under read_only, as SUPER does on MySQL (READ_ONLY ADMIN on MariaDB).
  pod.query("sys_operator", kOperatorPassword,
            "REPLACE INTO sys_operator.status VALUES ('configured','1')");

  // A restart does not clone again: the data is there (lost+found goes in any case).
  pod.stopServer();
  fs::create_directories(pod.dataDir() + "/lost+found");
  SidecarRun again = pod.cloneAndInit("");
  ASSERT_EQ(again.exitCode, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "holds data: no clone")) << again.output;
  EXPECT_FALSE(fs::exists(pod.dataDir() + "/lost+found"));
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t"), "1000");
}

TEST(SidecarClone, FallsBackToTheMasterWhenNoReplicaIsHealthy) {
  SourcePod source;
  source.startSidecar();
  ClonePod pod(2);
  SidecarRun run = pod.cloneAndInit("", {}, source.url());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "clone from " + source.url() + "/xbackup")) << run.output;
  EXPECT_TRUE(fs::exists(pod.dataDir() + "/mysql"));
}

TEST(SidecarServe, XbackupRefusesWrongCredentialsWith403) {
  SourcePod source;
  source.startSidecar();
  auto none = [](const char*, size_t) { return true; };
  for (const std::string& auth : {std::string(), basic("sys_backup", "wrong"),
                                  basic("other", kBackupPassword), std::string("Bearer x")}) {
    auto r = httpGet(source.url(), "/xbackup", auth, none, 5s, 30s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 403) << auth;
    EXPECT_TRUE(r->trailers.empty());
  }
  auto health = httpGet(source.url(), "/health", "", none, 5s, 30s);
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

TEST(SidecarServe, XbackupStreamsWithTheSuccessTrailer) {
  SourcePod source;
  source.startSidecar();
  std::uint64_t bytes = 0;
  auto r = httpGet(
      source.url(), "/xbackup", basic("sys_backup", kBackupPassword),
      [&](const char*, size_t n) {
        bytes += n;
        return true;
      },
      5s, 60s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["content-type"], "application/octet-stream");
  EXPECT_EQ(r->headers["transfer-encoding"], "chunked");
  EXPECT_EQ(r->headers["trailer"], "X-Backup-Status, X-Backup-Gtid");
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->trailers["x-backup-status"], "Success") << source.sidecarLog();
  EXPECT_GT(bytes, 1u << 20);
  // The backup's GTID position, from the backup tool's own report (the source is idle: it is
  // the server's binlog position).
  std::string pos = source.server().query("SELECT @@gtid_binlog_pos");
  while (!pos.empty() && pos.back() == '\n') pos.pop_back();
  EXPECT_EQ(r->trailers["x-backup-gtid"], pos);
}

TEST(SidecarServe, AFailedBackupSaysFailedAndTheCloneLeavesNoData) {
  SourcePod source;
  // The backup tool cannot reach the server: it fails after the response has started.
  source.startSidecar({{"MYSQLOP_MYSQL_PORT", "1"}});
  auto r = httpGet(
      source.url(), "/xbackup", basic("sys_backup", kBackupPassword),
      [](const char*, size_t) { return true; }, 5s, 60s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->trailers["x-backup-status"], "Failed");
  EXPECT_EQ(r->trailers.count("x-backup-gtid"), 0u);

  ClonePod pod(1);
  SidecarRun run = pod.cloneAndInit(source.url());
  EXPECT_EQ(run.exitCode, 8) << run.output;
  EXPECT_TRUE(contains(run.output, "mysql-operator-sidecar: clone from " + source.url() +
                                       "/xbackup: X-Backup-Status is Failed; " + pod.dataDir() +
                                       " emptied\n"))
      << run.output;
  EXPECT_TRUE(listTree(pod.dataDir()).empty());
}

// The source's sidecar is killed half-way (the backup is throttled so that there is a half):
// the clone fails with 8, leaves an empty data directory, and the next attempt succeeds.
TEST(SidecarClone, AnInterruptedCloneLeavesNoHalfDataDirAndTheNextAttemptSucceeds) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=2"}});
  ClonePod pod(1);
  auto e = pod.env;
  e["MYSQLOP_REPLICAS_URL"] = source.url();
  e["MYSQLOP_MASTER_URL"] = "http://127.0.0.1:1";
  SpawnSpec spec;
  spec.argv = {sidecarBinary(), "clone-and-init"};
  for (const auto& [k, v] : e) spec.env.push_back(k + "=" + v);
  spec.stdoutPath = spec.stderrPath = pod.dir() + "/interrupted.log";
  pid_t pid = spawnProcess(spec);
  // Half-way: files have arrived in the data directory.
  ASSERT_TRUE(eventually(
      "files arrive in the clone's data directory",
      [&] { return streamedFilesArrived(pod.dataDir()); },
      [&] { return readFile(pod.dir() + "/interrupted.log"); }));
  source.stopSidecar();
  auto code = waitForExit(pid, 120s);
  ASSERT_TRUE(code.has_value());
  std::string out = readFile(pod.dir() + "/interrupted.log");
  EXPECT_EQ(*code, 8) << out;
  EXPECT_TRUE(contains(out, "the stream was cut after")) << out;
  EXPECT_TRUE(contains(out, pod.dataDir() + " emptied")) << out;
  EXPECT_TRUE(listTree(pod.dataDir()).empty()) << listTree(pod.dataDir()).size();

  source.startSidecar();
  SidecarRun run = pod.cloneAndInit(source.url());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t"), "1000");
}

// The source's server dies half-way: the backup fails, the trailer says so, the clone leaves
// nothing, and once the server is back the next attempt succeeds.
TEST(SidecarClone, ASourceServerKilledHalfWayLeavesNoHalfDataDir) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=2"}});
  ClonePod pod(1);
  auto e = pod.env;
  e["MYSQLOP_REPLICAS_URL"] = source.url();
  e["MYSQLOP_MASTER_URL"] = "http://127.0.0.1:1";
  SpawnSpec spec;
  spec.argv = {sidecarBinary(), "clone-and-init"};
  for (const auto& [k, v] : e) spec.env.push_back(k + "=" + v);
  spec.stdoutPath = spec.stderrPath = pod.dir() + "/interrupted.log";
  pid_t pid = spawnProcess(spec);
  ASSERT_TRUE(eventually(
      "files arrive in the clone's data directory",
      [&] { return streamedFilesArrived(pod.dataDir()); },
      [&] { return readFile(pod.dir() + "/interrupted.log"); }));
  source.server().kill();
  auto code = waitForExit(pid, 180s);
  ASSERT_TRUE(code.has_value());
  std::string out = readFile(pod.dir() + "/interrupted.log");
  EXPECT_EQ(*code, 8) << out;
  EXPECT_TRUE(contains(out, "X-Backup-Status is Failed; " + pod.dataDir() + " emptied")) << out;
  EXPECT_TRUE(listTree(pod.dataDir()).empty());

  source.server().start();
  source.stopSidecar();
  source.startSidecar();
  SidecarRun run = pod.cloneAndInit(source.url());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t"), "1000");
}

// bitpoke wraps /xbackup in a semaphore of 1: a second request waits for the first backup to end.
TEST(SidecarServe, OneBackupAtATimeTheSecondWaits) {
  SourcePod source;
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=100"}});
  std::atomic<bool> firstStreaming{false};
  std::string statusA, statusB;
  std::thread a([&] {
    auto r = httpGet(
        source.url(), "/xbackup", basic("sys_backup", kBackupPassword),
        [&](const char*, size_t) {
          firstStreaming = true;
          return true;
        },
        5s, 120s);
    if (r) statusA = r->trailers["x-backup-status"];
  });
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(firstStreaming.load()));
  std::thread b([&] {
    auto r = httpGet(
        source.url(), "/xbackup", basic("sys_backup", kBackupPassword),
        [](const char*, size_t) { return true; }, 5s, 120s);
    if (r) statusB = r->trailers["x-backup-status"];
  });
  a.join();
  b.join();
  EXPECT_EQ(statusA, "Success");
  EXPECT_EQ(statusB, "Success");
  // The log shows the backups one after the other, never overlapping.
  std::string log = source.sidecarLog();
  auto run1 = log.find("xbackup: running");
  auto exit1 = log.find("xbackup: mariadb-backup exited with 0");
  auto run2 = log.find("xbackup: running", run1 + 1);
  auto exit2 = log.find("xbackup: mariadb-backup exited with 0", exit1 + 1);
  ASSERT_NE(exit2, std::string::npos) << log;
  EXPECT_LT(run1, exit1);
  EXPECT_LT(exit1, run2);
  EXPECT_LT(run2, exit2);
}

// Every other way a clone fails: exit 8, the reason, and an empty data directory.
TEST(SidecarClone, EveryCloneFailureSaysWhyAndEmptiesTheDataDir) {
  SourcePod source;
  source.startSidecar();
  const std::string what = "mysql-operator-sidecar: clone from " + source.url() + "/xbackup: ";
  struct Case {
    std::map<std::string, std::string> env;
    std::function<std::string(const ClonePod&)> reason;  // how the last line starts
  };
  const std::vector<Case> cases = {
      {{{"BACKUP_PASSWORD", "wrong"}}, [&](const ClonePod&) { return what + "HTTP 403; "; }},
      {{{"XBSTREAM_EXTRA_ARGS", "--no-such-option"}},
       [&](const ClonePod&) { return what + "mbstream exited with "; }},
      {{{"XTRABACKUP_PREPARE_EXTRA_ARGS", "--no-such-option"}},
       [&](const ClonePod& pod) {
         return "mysql-operator-sidecar: mariadb-backup --no-defaults --prepare --target-dir=" +
                pod.dataDir() + " --no-such-option exited with ";
       }},
  };
  for (const Case& c : cases) {
    ClonePod pod(1);
    SidecarRun run = pod.cloneAndInit(source.url(), c.env);
    EXPECT_EQ(run.exitCode, 8) << run.output;
    auto at = run.output.rfind("mysql-operator-sidecar: ");
    ASSERT_NE(at, std::string::npos) << run.output;
    std::string last = run.output.substr(at);
    std::string want = c.reason(pod);
    EXPECT_EQ(last.substr(0, std::min(last.size(), want.size())), want) << run.output;
    EXPECT_TRUE(contains(last, "; " + pod.dataDir() + " emptied\n")) << run.output;
    EXPECT_TRUE(listTree(pod.dataDir()).empty());
  }
}

TEST(SidecarServe, UnknownPathsAre404) {
  SourcePod source;
  source.startSidecar();
  auto r = httpGet(
      source.url(), "/metrics", "", [](const char*, size_t) { return true; }, 5s, 30s);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 404);
}

// The sidecar itself killed mid-clone (no chance to clean up): the next start finds the marker,
// empties the data directory, even with mysql/ in it, and clones again.
TEST(SidecarClone, ACloneKilledWithTheSidecarIsRedoneAtTheNextStart) {
  SourcePod source;
  source.startSidecar();
  ClonePod pod(1);
  fs::create_directories(pod.dataDir() + "/mysql");
  std::ofstream(pod.dataDir() + "/stale.ibd") << "half";
  std::ofstream(pod.dataDir() + "/.mysqlop-clone-incomplete");
  SidecarRun run = pod.cloneAndInit(source.url());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_TRUE(contains(run.output, pod.dataDir() + " holds an interrupted clone: emptying it"))
      << run.output;
  EXPECT_FALSE(fs::exists(pod.dataDir() + "/stale.ibd"));
  EXPECT_FALSE(fs::exists(pod.dataDir() + "/.mysqlop-clone-incomplete"));
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t"), "1000");
}

TEST(SidecarClone, PodZeroWithNothingToCloneStartsEmpty) {
  ClonePod pod(0);
  SidecarRun run = pod.cloneAndInit("");
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "nothing to clone from and pod 0")) << run.output;
  EXPECT_FALSE(fs::exists(pod.dataDir() + "/mysql"));
  EXPECT_EQ(readFile(pod.confDir() + "/conf.d/10-identity.cnf"),
            "[mysqld]\nserver-id=100\nreport-host=c-mysql-0.mysql.ns\n");
  std::string initFile = readFile(pod.confDir() + "/conf.d/operator-init.sql");
  EXPECT_FALSE(contains(initFile, "backup_gtid_purged")) << initFile;
  // What the image's entrypoint does on an empty data directory, then the server runs the
  // init-file: the operated users exist.
  SpawnSpec install;
  install.argv = {"/usr/bin/mariadb-install-db", "--defaults-file=" + pod.confDir() + "/my.cnf",
                  "--auth-root-authentication-method=normal", "--skip-test-db"};
  install.stdoutPath = install.stderrPath = pod.dir() + "/install.log";
  auto installed = waitForExit(spawnProcess(install), 120s);
  ASSERT_TRUE(installed.has_value());
  ASSERT_EQ(*installed, 0) << readFile(pod.dir() + "/install.log");
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT value FROM sys_operator.status"),
            "0");
}

TEST(SidecarClone, AnotherPodWithNothingToCloneFails) {
  ClonePod pod(2);
  std::string replicas = "http://127.0.0.1:1", master = "http://127.0.0.1:2";
  SidecarRun run = pod.cloneAndInit(replicas, {}, master);
  EXPECT_EQ(run.exitCode, 8);
  EXPECT_EQ(run.output,
            "mysql-operator-sidecar: nothing to clone from: neither http://127.0.0.1:1 "
            "nor http://127.0.0.1:2 is healthy, and only pod 0 may start empty\n");
  EXPECT_FALSE(fs::exists(pod.confDir() + "/my.cnf"));
}

// The restore itself is tested in tests/integration/backup_sidecar; here, the branch is taken
// for pod 0 only when no peer or master is healthy, and a scheme nobody serves fails with 8.
TEST(SidecarClone, PodZeroWithABucketRestoresThroughATargetAndNoTargetIsAnError) {
  ClonePod pod(0);
  SidecarRun run = pod.cloneAndInit("http://127.0.0.1:1",
                                    {{"INIT_BUCKET_URI", "s3://bucket/backup.xbackup.gz"},
                                     {"MYSQLOP_BACKUP_TARGETS", R"({"targets":[]})"}},
                                    "http://127.0.0.1:2");
  EXPECT_EQ(run.exitCode, 8);
  EXPECT_TRUE(
      contains(run.output, "restoring " + pod.dataDir() + " from s3://bucket/backup.xbackup.gz\n"))
      << run.output;
  EXPECT_TRUE(contains(run.output,
                       "\nmysql-operator-sidecar: restore from s3://bucket/backup.xbackup.gz: no "
                       "backup target serves \"s3://\" (served: none); " +
                           pod.dataDir() + " emptied\n"))
      << run.output;
  EXPECT_TRUE(listTree(pod.dataDir()).empty());
}

}  // namespace
}  // namespace mysqlop::testing::sidecar
