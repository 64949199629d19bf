// take-backup-to, remove-backup and the restore of clone-and-init from INIT_BUCKET_URI, with the
// real binary, real mariadbd, mariadb-backup and mbstream, the bundled file target and the s3
// target on a real S3 server (Ceph RGW, the s3_rgw CTest fixture).
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "plugins/target_s3/src/s3_target.h"
#include "tests/integration/sidecar/sidecar_env.h"
#include "tests/support/process/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing::sidecar {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using Env = std::map<std::string, std::string>;

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string fileTargets(const std::string& root) {
  return json{
      {"targets", {{{"name", "file"}, {"path", FILE_TARGET_PATH}, {"config", {{"root", root}}}}}}}
      .dump();
}

// The sidecar's default plugin directory: beside its binary.
std::string pluginDirOf() { return (fs::path(sidecarBinary()).parent_path() / "plugins").string(); }

// The seq_no of a one-domain MariaDB GTID "0-1-42".
long long seqOf(const std::string& gtid) { return std::stoll(gtid.substr(gtid.rfind('-') + 1)); }

class BackupSidecar : public ::testing::Test {
 protected:
  // take-backup-to <source host> <url>; the termination message is read back into *report.
  SidecarRun takeBackup(SourcePod& source, const std::string& url, json* report,
                        const Env& extra = {}, const std::string& targets = "") {
    Env env = {{"BACKUP_USER", "sys_backup"},
               {"BACKUP_PASSWORD", kBackupPassword},
               {"MYSQLOP_BACKUP_TARGETS", targets.empty() ? fileTargets(store_.path()) : targets},
               {"MYSQLOP_TERMINATION_LOG", work_.file("termination-log")}};
    for (const auto& [k, v] : extra) env[k] = v;
    fs::remove(work_.file("termination-log"));
    SidecarRun run =
        runSidecar({"take-backup-to", source.server().host(), url}, env, work_.file("backup.log"));
    std::string text = readFile(work_.file("termination-log"));
    *report = json::parse(text, nullptr, false);
    EXPECT_FALSE(report->is_discarded()) << "termination message: " << text << "\n" << run.output;
    EXPECT_LE(text.size(), 4096u);
    return run;
  }

  // Every file under the store (objects and any temporary file).
  std::vector<std::string> stored() { return listTree(store_.path()); }

  TempDir store_;  // the file target's root
  TempDir work_;
};

// Rows written one per transaction while the backup runs; each row's GTID is recorded so that
// the restore can be checked against the backup's GTID position exactly.
class Writer {
 public:
  explicit Writer(MariaDbServer& server) : server_(server) {
    thread_ = std::thread([this] {
      while (!stop_) {
        auto r = server_.sql(
            "INSERT INTO app.t (v) VALUES ('during-backup'); SELECT LAST_INSERT_ID(), "
            "@@last_gtid");
        if (!r.ok()) continue;
        auto tab = r.out.find('\t');
        std::lock_guard<std::mutex> lock(mu_);
        gtidOf_[std::stoll(r.out.substr(0, tab))] =
            r.out.substr(tab + 1, r.out.find('\n') - tab - 1);
      }
    });
  }
  ~Writer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return gtidOf_.size();
  }
  std::map<long long, std::string> rows() {
    std::lock_guard<std::mutex> lock(mu_);
    return gtidOf_;
  }

 private:
  MariaDbServer& server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<long long, std::string> gtidOf_;
};

// A backup under write load into url (through targets), restored into a fresh pod 0: the pod has
// every row up to the backup's GTID and none after it, and records backup_gtid_purged.
void backupUnderLoadAndRestore(const std::string& url, const std::string& targets,
                               const Env& credentials,
                               const std::function<SidecarRun(SourcePod&, json*)>& takeBackup) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar();
  Writer writer(source.server());
  ASSERT_TRUE(eventually("the writer commits rows", [&] { return writer.count() >= 20; }));
  json report;
  SidecarRun run = takeBackup(source, &report);
  ASSERT_TRUE(eventually("the writer commits rows after the backup", [&] {
    return !writer.rows().empty() &&
           seqOf(writer.rows().rbegin()->second) > seqOf(report.value("gtid", "0-0-0"));
  }));
  writer.stop();
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_EQ(report["phase"], "Complete") << report.dump();
  EXPECT_EQ(report["url"], url);
  EXPECT_GT(report["sourceBytes"].get<long long>(), report["storedBytes"].get<long long>());
  EXPECT_GT(report["storedBytes"].get<long long>(), 0);
  EXPECT_GE(report["seconds"].get<double>(), 0.0);
  EXPECT_FALSE(report.contains("reason"));
  const std::string gtid = report.value("gtid", "");
  ASSERT_TRUE(gtid.rfind("0-1-", 0) == 0) << report.dump();
  // The writer's rows straddle the backup: some before its GTID, some after.
  std::set<long long> before, after;
  for (const auto& [id, g] : writer.rows()) (seqOf(g) <= seqOf(gtid) ? before : after).insert(id);
  ASSERT_FALSE(before.empty());
  ASSERT_FALSE(after.empty());

  ClonePod pod(0);
  Env env = {{"INIT_BUCKET_URI", url}, {"MYSQLOP_BACKUP_TARGETS", targets}};
  for (const auto& [k, v] : credentials) env[k] = v;
  SidecarRun restore = pod.cloneAndInit("", env);
  ASSERT_EQ(restore.exitCode, 0) << restore.output;
  EXPECT_TRUE(has(restore.output, "restore from " + url + ": ")) << restore.output;
  std::string initFile = readFile(pod.confDir() + "/conf.d/operator-init.sql");
  EXPECT_TRUE(has(initFile, "REPLACE INTO sys_operator.status VALUES ('backup_gtid_purged','" +
                                gtid + "');\nRESET SLAVE ALL;\n"))
      << initFile;
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword,
                      "SELECT value FROM sys_operator.status WHERE name='backup_gtid_purged'"),
            gtid);
  // Exactly the rows committed up to the GTID: the 1000 of the set-up and the writer's before it.
  std::string ids = pod.query("sys_operator", kOperatorPassword,
                              "SELECT GROUP_CONCAT(id ORDER BY id) FROM app.t WHERE id > 1000");
  std::string want;
  for (long long id : before) want += (want.empty() ? "" : ",") + std::to_string(id);
  EXPECT_EQ(ids, want) << "backup GTID " << gtid;
  EXPECT_EQ(
      pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t WHERE id <= 1000"),
      "1000");
}

TEST_F(BackupSidecar, GzipIntoTheFileTargetUnderWritesRestoresEveryRowUpToItsGtid) {
  const std::string url = "file://" + store_.path() + "/c/c-2026-12-03T10:00:00.xbackup.gz";
  backupUnderLoadAndRestore(url, fileTargets(store_.path()), {},
                            [&](SourcePod& s, json* r) { return takeBackup(s, url, r); });
  EXPECT_EQ(stored(), (std::vector<std::string>{"c", "c/c-2026-12-03T10:00:00.xbackup.gz"}));
  std::string head = readFile(store_.path() + "/c/c-2026-12-03T10:00:00.xbackup.gz").substr(0, 2);
  EXPECT_EQ(head, "\x1f\x8b");
}

TEST_F(BackupSidecar, ZstdRoundTrip) {
  SourcePod source;
  source.startSidecar();
  const std::string url = "file://" + store_.path() + "/c.xbackup.zst";
  json report;
  SidecarRun run = takeBackup(source, url, &report);
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_EQ(report["phase"], "Complete");
  EXPECT_EQ(readFile(store_.path() + "/c.xbackup.zst").substr(0, 4), "\x28\xb5\x2f\xfd");
  ClonePod pod(0);
  SidecarRun restore = pod.cloneAndInit(
      "", {{"INIT_BUCKET_URI", url}, {"MYSQLOP_BACKUP_TARGETS", fileTargets(store_.path())}});
  ASSERT_EQ(restore.exitCode, 0) << restore.output;
  pod.startServer();
  EXPECT_EQ(pod.query("sys_operator", kOperatorPassword, "SELECT COUNT(*) FROM app.t"), "1000");
}

// The source's sidecar killed mid-stream: the backup fails and nothing is left in the store, not
// even a temporary file.
TEST_F(BackupSidecar, ASourceStreamCutMidWayLeavesNoObject) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=2"}});
  const std::string url = "file://" + store_.path() + "/cut.xbackup.gz";
  std::thread killer([&] {
    // Half-way: the backup's temporary object has grown.
    eventually("the upload has started", [&] {
      for (const auto& f : stored())
        if (fs::file_size(store_.path() + "/" + f) > 0) return true;
      return false;
    });
    source.stopSidecar();
  });
  json report;
  SidecarRun run = takeBackup(source, url, &report);
  killer.join();
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_EQ(report["phase"], "Failed");
  EXPECT_EQ(report["reason"], "SourceFailed");
  std::string message = report.value("message", "");
  EXPECT_TRUE(has(message, "GET " + source.url() + "/xbackup: the stream was cut after "))
      << message;
  EXPECT_GT(report["sourceBytes"].get<long long>(), 0);
  EXPECT_TRUE(stored().empty()) << stored().size();
}

// The backup Job's container killed mid-upload (SIGKILL: no abort runs): no object is visible,
// only the file target's hidden temporary file, which no list or read reports.
TEST_F(BackupSidecar, ATakeBackupKilledMidUploadLeavesNoVisibleObject) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=2"}});
  const std::string url = "file://" + store_.path() + "/killed.xbackup.gz";
  SpawnSpec spec;
  spec.argv = {sidecarBinary(), "take-backup-to", source.server().host(), url};
  spec.env = {"BACKUP_USER=sys_backup", std::string("BACKUP_PASSWORD=") + kBackupPassword,
              "MYSQLOP_BACKUP_TARGETS=" + fileTargets(store_.path()),
              "MYSQLOP_TERMINATION_LOG=" + work_.file("termination-log")};
  spec.stdoutPath = spec.stderrPath = work_.file("killed.log");
  pid_t pid = spawnProcess(spec);
  ASSERT_TRUE(eventually(
      "the upload has started",
      [&] {
        for (const auto& f : stored())
          if (fs::file_size(store_.path() + "/" + f) > 0) return true;
        return false;
      },
      [&] { return readFile(work_.file("killed.log")); }));
  killProcess(pid);
  for (const auto& f : stored()) {
    EXPECT_EQ(f.rfind(".killed.xbackup.gz.tmp-", 0), 0u) << f;
  }
  EXPECT_FALSE(fs::exists(store_.path() + "/killed.xbackup.gz"));
  EXPECT_EQ(readFile(work_.file("termination-log")), "");
}

// SIGTERM (the Job deleted): the writer is aborted, so not even the temporary file stays, and
// the report says so.
TEST_F(BackupSidecar, ATakeBackupTerminatedMidUploadAbortsAndReportsIt) {
  SourcePod source({"innodb_data_file_path=ibdata1:32M:autoextend"});
  source.startSidecar({{"XTRABACKUP_EXTRA_ARGS", "--throttle=2"}});
  const std::string url = "file://" + store_.path() + "/terminated.xbackup.gz";
  SpawnSpec spec;
  spec.argv = {sidecarBinary(), "take-backup-to", source.server().host(), url};
  spec.env = {"BACKUP_USER=sys_backup", std::string("BACKUP_PASSWORD=") + kBackupPassword,
              "MYSQLOP_BACKUP_TARGETS=" + fileTargets(store_.path()),
              "MYSQLOP_TERMINATION_LOG=" + work_.file("termination-log")};
  spec.stdoutPath = spec.stderrPath = work_.file("terminated.log");
  pid_t pid = spawnProcess(spec);
  ASSERT_TRUE(eventually(
      "the upload has started",
      [&] {
        for (const auto& f : stored())
          if (fs::file_size(store_.path() + "/" + f) > 0) return true;
        return false;
      },
      [&] { return readFile(work_.file("terminated.log")); }));
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  auto code = waitForExit(pid, 60s);
  ASSERT_TRUE(code.has_value()) << readFile(work_.file("terminated.log"));
  EXPECT_EQ(*code, 1);
  json report = json::parse(readFile(work_.file("termination-log")), nullptr, false);
  EXPECT_EQ(report["phase"], "Failed") << report.dump();
  EXPECT_EQ(report["reason"], "Terminated");
  EXPECT_EQ(report["message"], "terminated by a signal: the upload was aborted");
  EXPECT_TRUE(stored().empty()) << stored().size();
}

TEST_F(BackupSidecar, AFailedTrailerOrWrongBackupCredentialsLeaveNoObject) {
  SourcePod source;
  source.startSidecar({{"MYSQLOP_MYSQL_PORT", "1"}});  // the backup tool cannot reach the server
  const std::string url = "file://" + store_.path() + "/failed.xbackup.gz";
  json report;
  SidecarRun run = takeBackup(source, url, &report);
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_EQ(report["reason"], "SourceFailed");
  EXPECT_EQ(report["message"], "GET " + source.url() + "/xbackup: X-Backup-Status is Failed");
  EXPECT_TRUE(stored().empty());

  run = takeBackup(source, url, &report, {{"BACKUP_PASSWORD", "not-the-password"}});
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_EQ(report["reason"], "SourceFailed");
  EXPECT_EQ(report["message"], "GET " + source.url() + "/xbackup: HTTP 403");
  EXPECT_FALSE(has(run.output, "not-the-password")) << run.output;
  EXPECT_FALSE(has(readFile(work_.file("termination-log")), "not-the-password"));
  EXPECT_TRUE(stored().empty());
}

TEST_F(BackupSidecar, ASourceThatNeverGetsHealthyFailsAfterTheDeadline) {
  SourcePod source;  // no sidecar: /health is refused
  json report;
  SidecarRun run = takeBackup(
      source, "file://" + store_.path() + "/x.xbackup.gz", &report,
      {{"MYSQLOP_BACKUP_HEALTH_TIMEOUT", "1"}, {"MYSQLOP_BACKUP_HEALTH_INTERVAL_MS", "200"}});
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_EQ(report["reason"], "SourceUnavailable");
  EXPECT_EQ(report["message"], source.url() + "/health did not answer 200 within 1 s");
  EXPECT_TRUE(stored().empty());
}

TEST_F(BackupSidecar, TargetRefusalsAreInvalidConfigNamingTheCause) {
  SourcePod source;
  source.startSidecar();
  json report;
  SidecarRun run = takeBackup(source, "gs://bucket/x.xbackup.gz", &report);
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_EQ(report["reason"], "InvalidConfig");
  EXPECT_EQ(report["message"], R"(no backup target serves "gs://" (served: file))");

  run = takeBackup(source, "file:///x.xbackup.gz", &report, {},
                   R"({"targets":[{"name":"acme","path":"/nonexistent/libacme.so"}]})");
  EXPECT_EQ(run.exitCode, 1);
  std::string m = report.value("message", "");
  EXPECT_TRUE(m.rfind("backup target \"acme\" (" + pluginDirOf() + "/libacme.so): ", 0) == 0) << m;

  // Outside the file target's root: the target's own refusal.
  run = takeBackup(source, "file:///elsewhere/x.xbackup.gz", &report);
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_EQ(report["reason"], "TargetFailed") << report.dump();
  EXPECT_TRUE(report.value("message", "").rfind("backup target file: ", 0) == 0) << report.dump();
}

TEST_F(BackupSidecar, RemoveBackupRemovesAndAnAbsentObjectIsFine) {
  store_.write("c/old.xbackup.gz", "x");
  const std::string url = "file://" + store_.path() + "/c/old.xbackup.gz";
  Env env = {{"MYSQLOP_BACKUP_TARGETS", fileTargets(store_.path())}};
  SidecarRun run = runSidecar({"remove-backup", url}, env, work_.file("rm.log"));
  EXPECT_EQ(run.exitCode, 0) << run.output;
  EXPECT_TRUE(has(run.output, url + " removed")) << run.output;
  EXPECT_FALSE(fs::exists(store_.path() + "/c/old.xbackup.gz"));
  run = runSidecar({"remove-backup", url}, env, work_.file("rm2.log"));
  EXPECT_EQ(run.exitCode, 0) << run.output;
  EXPECT_TRUE(has(run.output, url + " is already absent")) << run.output;
  run = runSidecar({"remove-backup", "file:///elsewhere/x"}, env, work_.file("rm3.log"));
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_TRUE(has(run.output,
                  "mysql-operator-sidecar: removing file:///elsewhere/x: backup target "
                  "file: "))
      << run.output;
  // MYSQLOP_BACKUP_TARGETS unset: every bundled target of the plugin directory beside the binary,
  // with config {} (the file target then takes any path).
  store_.write("c/again.xbackup.gz", "x");
  run = runSidecar({"remove-backup", "file://" + store_.path() + "/c/again.xbackup.gz"}, {},
                   work_.file("rm5.log"));
  EXPECT_EQ(run.exitCode, 0) << run.output;
  EXPECT_FALSE(fs::exists(store_.path() + "/c/again.xbackup.gz"));
  run = runSidecar({"remove-backup"}, env, work_.file("rm4.log"));
  EXPECT_EQ(run.exitCode, 2);
  EXPECT_TRUE(has(run.output, "mysql-operator-sidecar: remove-backup needs 1 argument\n"))
      << run.output;
}

// A bad object: the restore exits 8, names the URL and the cause, and empties the data dir.
TEST_F(BackupSidecar, ACorruptTruncatedOrForeignObjectFailsTheRestore) {
  SourcePod source;
  source.startSidecar();
  const std::string url = "file://" + store_.path() + "/good.xbackup.gz";
  json report;
  ASSERT_EQ(takeBackup(source, url, &report).exitCode, 0);
  std::string good = readFile(store_.path() + "/good.xbackup.gz");
  std::string corrupt = good;
  for (std::size_t i = corrupt.size() / 2; i < corrupt.size() / 2 + 64; ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  store_.write("corrupt.xbackup.gz", corrupt);
  store_.write("truncated.xbackup.gz", good.substr(0, good.size() / 2));
  store_.write("foreign.xbackup.gz", "XBSTCK01 not compressed");

  struct Case {
    std::string object, cause;
  };
  for (const Case& c :
       {Case{"truncated.xbackup.gz",
             "gzip: the data ends before the end of the compressed stream (a truncated object)"},
        Case{"foreign.xbackup.gz",
             "the object is neither gzip nor zstd (it starts with 58 42 53 54)"},
        Case{"missing.xbackup.gz", "backup target file: "}}) {
    ClonePod pod(0);
    const std::string u = "file://" + store_.path() + "/" + c.object;
    SidecarRun run = pod.cloneAndInit(
        "", {{"INIT_BUCKET_URI", u}, {"MYSQLOP_BACKUP_TARGETS", fileTargets(store_.path())}});
    EXPECT_EQ(run.exitCode, 8) << run.output;
    EXPECT_TRUE(has(run.output, "mysql-operator-sidecar: restore from " + u + ": " + c.cause))
        << run.output;
    EXPECT_TRUE(has(run.output, "; " + pod.dataDir() + " emptied\n")) << run.output;
    EXPECT_TRUE(listTree(pod.dataDir()).empty()) << c.object;
  }
  // Flipped bytes: zlib's own diagnosis, whichever it meets first.
  ClonePod pod(0);
  const std::string u = "file://" + store_.path() + "/corrupt.xbackup.gz";
  SidecarRun run = pod.cloneAndInit(
      "", {{"INIT_BUCKET_URI", u}, {"MYSQLOP_BACKUP_TARGETS", fileTargets(store_.path())}});
  EXPECT_EQ(run.exitCode, 8) << run.output;
  EXPECT_TRUE(
      has(run.output, "mysql-operator-sidecar: restore from " + u + ": gzip: ") ||
      has(run.output, "mysql-operator-sidecar: restore from " + u + ": mbstream exited with"))
      << run.output;
  EXPECT_TRUE(listTree(pod.dataDir()).empty());
}

// ------------------------------------------------------------------------------------- s3 (RGW)

class BackupSidecarS3 : public BackupSidecar {
 protected:
  void SetUp() override {
    endpoint_ = readFile(std::string(RGW_DIR) + "/endpoint");
    while (!endpoint_.empty() && endpoint_.back() == '\n') endpoint_.pop_back();
    ASSERT_FALSE(endpoint_.empty())
        << "RGW is not running (" << RGW_DIR
        << "/endpoint is missing: the s3_rgw_start fixture could not start it)";
    std::vector<mysqlop_type_kv> items;
    Env c = creds();
    for (const auto& [k, v] : c) items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    try {
      targets3::S3Target::createBucket({}, Credentials({items.data(), items.size()}), "sidecar");
    } catch (const mysqlop::Error& e) {
      ASSERT_EQ(e.status(), mysqlop_status_AlreadyExists) << e.what();
    }
  }
  Env creds(const std::string& secret = "TESTSECRET") const {
    return {{"AWS_ACCESS_KEY_ID", "TESTKEY"},
            {"AWS_SECRET_ACCESS_KEY", secret},
            {"S3_ENDPOINT", endpoint_}};
  }
  static std::string targets() {
    return json{
        {"targets", {{{"name", "s3"}, {"path", S3_TARGET_PATH}, {"config", json::object()}}}}}
        .dump();
  }
  std::string endpoint_;
};

TEST_F(BackupSidecarS3, GzipIntoS3UnderWritesRestoresEveryRowUpToItsGtid) {
  const std::string url = "s3://sidecar/c/c-under-load.xbackup.gz";
  backupUnderLoadAndRestore(url, targets(), creds(), [&](SourcePod& s, json* r) {
    return takeBackup(s, url, r, creds(), targets());
  });
}

TEST_F(BackupSidecarS3, WrongCredentialsFailTheBackupAndTheRestoreWithTheStoresReason) {
  SourcePod source;
  source.startSidecar();
  const std::string url = "s3://sidecar/c/denied.xbackup.gz";
  json report;
  SidecarRun run = takeBackup(source, url, &report, creds("wrong-secret-value"), targets());
  EXPECT_EQ(run.exitCode, 1) << run.output;
  EXPECT_EQ(report["reason"], "TargetFailed");
  EXPECT_EQ(report["message"],
            "backup target s3: committing s3://sidecar/c/denied.xbackup.gz: the store refused the "
            "credentials (SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY");
  EXPECT_FALSE(has(run.output, "wrong-secret-value"));
  EXPECT_FALSE(has(run.output, "TESTSECRET"));

  ASSERT_EQ(takeBackup(source, url, &report, creds(), targets()).exitCode, 0) << report.dump();
  ClonePod pod(0);
  Env env = creds("wrong-secret-value");
  env["INIT_BUCKET_URI"] = url;
  env["MYSQLOP_BACKUP_TARGETS"] = targets();
  run = pod.cloneAndInit("", env);
  EXPECT_EQ(run.exitCode, 8) << run.output;
  EXPECT_TRUE(
      has(run.output, "mysql-operator-sidecar: restore from " + url + ": backup target s3: "))
      << run.output;
  EXPECT_TRUE(has(run.output,
                  "the store refused the credentials (SignatureDoesNotMatch): check "
                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; " +
                      pod.dataDir() + " emptied\n"))
      << run.output;
  EXPECT_FALSE(has(run.output, "wrong-secret-value"));
  EXPECT_TRUE(listTree(pod.dataDir()).empty());
}

}  // namespace
}  // namespace mysqlop::testing::sidecar
