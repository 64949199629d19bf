// The backup and restore cases of issue 14 end to end: the real operator (cluster, orchestrator
// and backup plugins, the bundled file and s3 targets, and the SDK's example dir target built from
// sdk/ alone and configured as a third-party plugin), MariaDB pods on the local cluster, and the
// real sidecar in the backup Jobs and in the restoring init containers.
//
// One local cluster and one 3-node source cluster serve every case (each environment costs tens
// of seconds, and CTest runs each TEST in a process of its own): so the cases are the steps of one
// TEST, each a function whose failed ASSERT ends only that case. The corrupt restore runs while the
// source comes up; the last case grows the source. The S3 store is a Ceph RGW (rgw.sh) bound to the
// cluster's bridge gateway, so the pods reach it. The operator runs the backup Jobs with
// backoffLimit 0: a failed or killed pod fails its backup at once instead of being retried.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "plugins/target_s3/src/s3_target.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSecret = "TESTSECRET";
constexpr const char* kWrongSecret = "wrong-secret-value";
constexpr const char* kBucket = "cases";

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

json getJson(const MysqlClusterEnv& env, const std::string& kind, const std::string& name) {
  const CommandResult r = env.kubectl().run({"get", kind, name, "-n", kNamespace, "-o", "json"});
  return r.exitCode == 0 ? json::parse(r.out, nullptr, false) : json();
}

json condition(const json& obj, const std::string& type) {
  for (const json& c : obj.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == type) {
      return c;
    }
  }
  return json::object();
}

std::string backupManifest(const std::string& name, const std::string& url,
                           const std::string& secret = "") {
  return "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
         "metadata: {name: " +
         name + ", namespace: default}\nspec:\n  clusterName: src\n  backupURL: \"" + url + "\"\n" +
         (secret.empty() ? "" : "  backupSecretName: " + secret + "\n");
}

// Polls until the MysqlBackup is completed (successfully or not); its last state.
json waitCompleted(const MysqlClusterEnv& env, const std::string& name,
                   std::chrono::seconds timeout = 300s) {
  json b;
  pollUntil(
      [&] {
        b = getJson(env, "mysqlbackup", name);
        return b.is_object() && b.value("status", json::object()).value("completed", false);
      },
      Poll{timeout, 500ms});
  return b;
}

// The seq_no of a one-domain MariaDB GTID "0-1-42".
long long seqOf(const std::string& gtid) { return std::stoll(gtid.substr(gtid.rfind('-') + 1)); }

// Every file under dir, relative, sorted.
std::vector<std::string> listTree(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) {
      out.push_back(fs::relative(it->path(), dir).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Rows inserted one per transaction into app.t on the master pod, each with the GTID it
// committed as, so a restore can be checked against a backup's GTID position exactly.
class Writer {
 public:
  // Rows get v = tag, so each writer's rows are told apart from earlier writers'.
  Writer(std::string masterIp, const std::string& tag) : ip_(std::move(masterIp)) {
    thread_ = std::thread([this, tag] {
      while (!stop_) {
        const CommandResult r = runCommand(
            {"/usr/bin/mariadb", "--no-defaults", "--connect-timeout=3", "-h", ip_, "-uroot", "-NB",
             "-e",
             "INSERT INTO app.t (v) VALUES ('" + tag + "'); SELECT LAST_INSERT_ID(), @@last_gtid"},
            {std::string("MYSQL_PWD=") + kRootPassword}, "", 10);
        const auto tab = r.out.find('\t');
        if (r.exitCode != 0 || tab == std::string::npos) {
          continue;
        }
        std::lock_guard<std::mutex> lock(mu_);
        rows_[std::stoll(r.out.substr(0, tab))] = r.out.substr(tab + 1, r.out.find('\n') - tab - 1);
      }
    });
  }
  ~Writer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }
  std::map<long long, std::string> rows() {
    std::lock_guard<std::mutex> lock(mu_);
    return rows_;
  }
  // The seq_no of the newest committed row, 0 before any.
  long long lastSeq() {
    std::lock_guard<std::mutex> lock(mu_);
    return rows_.empty() ? 0 : seqOf(rows_.rbegin()->second);
  }

 private:
  std::string ip_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<long long, std::string> rows_;
};

class BackupCasesE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto t0 = std::chrono::steady_clock::now();
    setUp();
    std::printf("[ set-up   ] local cluster, operator, RGW: %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  static void setUp() {
    store_ = "/var/tmp/mysqlop-backup-cases-" + std::to_string(::getpid());
    rgwDir_ = std::string(MYSQLOP_BINARY_DIR) + "/rgw-backup-cases-" + std::to_string(::getpid());
    fs::create_directories(store_ / "file");
    env_ = new MysqlClusterEnv();
    if (!env_->ok()) {
      setUpError_ = env_->error();
      return;
    }
    env_->setBackupConfig("{backoffLimit: 0}");
    // The third-party target: the SDK example built from a copy of sdk/ alone (the sdk_consumer
    // fixture), configured once in the operator like any plugin.
    env_->addPluginEntry(std::string("{name: example-dir, path: ") + EXAMPLE_DIR_TARGET_PATH +
                         ", config: {root: " + (store_ / "dir").string() + "}}");
    env_->restartOperator();
    // The source comes up while the S3 store starts.
    if (std::string e = env_->apply(clusterManifest("src", 3)); !e.empty()) {
      setUpError_ = e;
      return;
    }
    const std::string gateway = env_->gatewayAddress();
    const CommandResult rgw = runCommand({RGW_SCRIPT, "start", rgwDir_, gateway}, {}, "", 300);
    if (rgw.exitCode != 0) {
      setUpError_ = "rgw.sh start " + rgwDir_ + " " + gateway + ": " + rgw.out + rgw.err;
      return;
    }
    std::ifstream(rgwDir_ + "/endpoint") >> endpoint_;
    // The bucket, made through the s3 target's own client (as the sidecar's tests do).
    const std::vector<std::pair<std::string, std::string>> creds = {
        {"AWS_ACCESS_KEY_ID", "TESTKEY"},
        {"AWS_SECRET_ACCESS_KEY", kSecret},
        {"S3_ENDPOINT", endpoint_}};
    std::vector<mysqlop_type_kv> items;
    for (const auto& [k, v] : creds) {
      items.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    }
    try {
      targets3::S3Target::createBucket({}, Credentials({items.data(), items.size()}), kBucket);
    } catch (const mysqlop::Error& e) {
      setUpError_ = std::string("creating the bucket: ") + e.what();
      return;
    }
    setUpError_ = env_->apply(s3Secret("s3-creds", kSecret) + "---\n" +
                              s3Secret("s3-wrong-creds", kWrongSecret));
  }

  static void TearDownTestSuite() {
    if (!rgwDir_.empty()) {
      runCommand({RGW_SCRIPT, "stop", rgwDir_}, {}, "", 60);
    }
    delete env_;  // the local cluster goes down with it
    env_ = nullptr;
    fs::remove_all(store_);
  }

  void SetUp() override { ASSERT_EQ(setUpError_, "") << "setting up the environment"; }

  static std::string s3Secret(const std::string& name, const std::string& secret) {
    return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name +
           ", namespace: default}\nstringData: {AWS_ACCESS_KEY_ID: TESTKEY, "
           "AWS_SECRET_ACCESS_KEY: " +
           secret + ", S3_ENDPOINT: \"" + endpoint_ + "\"}\n";
  }

  // Everything a user or a log reader sees of a backup: its status, the Events, the operator's
  // log and the Job pod's log; none may hold a secret value.
  static std::string visibleText(const std::string& backup) {
    std::string text = getJson(*env_, "mysqlbackup", backup).dump();
    text += env_->kubectl().run({"get", "events", "-A", "-o", "json"}).out;
    text += env_->operatorProcess().err();
    const std::string pod =
        env_->kubectl()
            .run({"get", "pods", "-n", kNamespace, "-l", "job-name=" + backup + "-backup", "-o",
                  "jsonpath={.items[*].metadata.name}"})
            .out;
    if (!pod.empty()) {
      text += env_->kubectl().run({"logs", "-n", kNamespace, pod}).out;
    }
    return text;
  }

  // The messages of the Events with `reason` on the object named `name`.
  static std::vector<std::string> eventMessages(const std::string& name,
                                                const std::string& reason) {
    std::vector<std::string> out;
    const json list = json::parse(
        env_->kubectl().run({"get", "events", "-n", kNamespace, "-o", "json"}).out, nullptr, false);
    if (!list.is_object()) {
      return out;
    }
    for (const json& e : list.value("items", json::array())) {
      if (e.value("reason", "") == reason &&
          e.value("involvedObject", json::object()).value("name", "") == name) {
        out.push_back(e.value("message", ""));
      }
    }
    return out;
  }

  // A backup of src under write load to the base `url`, restored into the new cluster `restored`
  // (initBucketSecretName `secret`): the restore has every row up to the backup's GTID and none
  // after it.
  static void backupUnderLoadRestores(const std::string& backup, const std::string& url,
                                      const std::string& secret, const std::string& restored);

  // The cases, in the order the TEST runs them.
  static void corruptObjectFailsTheRestore();
  static void underWriteLoadThroughS3AndAnSdkTarget();
  static void wrongBucketAndWrongCredentials();
  static void podKilledMidUpload();

  static inline MysqlClusterEnv* env_ = nullptr;
  static inline fs::path store_;
  static inline std::string rgwDir_;
  static inline std::string endpoint_;
  static inline std::string setUpError_;
};

// Garbage at a .xbackup.gz URL: the new cluster's pod 0 cannot restore, and the cluster says so
// in a Warning Event naming the URL and the cause (from the init container's terminated message).
void BackupCasesE2E::corruptObjectFailsTheRestore() {
  const fs::path object = store_ / "file" / "corrupt.xbackup.gz";
  std::ofstream(object) << "garbage, not a backup\n";
  const std::string url = "file://" + object.string();
  ASSERT_EQ(env_->apply(clusterManifest("bad", 1, "  initBucketURL: " + url + "\n")), "");
  const std::string want =
      "restoring from " + url +
      " failed: pod default/bad-mysql-0: the init container exited with code 8: "
      "mysql-operator-sidecar: restore from " +
      url +
      ": the object is neither gzip nor zstd (it starts with 67 61 72 62); /var/lib/mysql "
      "emptied";
  std::vector<std::string> seen;
  EXPECT_TRUE(pollUntil(
      [&] {
        seen = eventMessages("bad", "RestoreFailed");
        return !seen.empty();
      },
      Poll{180s, 500ms}))
      << env_->diagnostics();
  ASSERT_EQ(seen.size(), 1u) << env_->diagnostics();
  EXPECT_EQ(seen[0], want);
  // The Ready condition says why (the status is written after the Event, in the same pass).
  std::string ready;
  EXPECT_TRUE(pollUntil(
      [&] {
        ready = env_->kubectl()
                    .run({"get", "mysqlcluster", "bad", "-n", kNamespace, "-o",
                          "jsonpath={range .status.conditions[?(@.type==\"Ready\")]}{.status} "
                          "{.reason} {.message}{end}"})
                    .out;
        return ready.rfind("False RestoreFailed ", 0) == 0;
      },
      Poll{60s, 500ms}))
      << ready;
  EXPECT_EQ(ready, "False RestoreFailed " + want);
  ASSERT_EQ(env_->kubectl().run({"delete", "mysqlcluster", "bad", "-n", kNamespace}).exitCode, 0);
}

void BackupCasesE2E::backupUnderLoadRestores(const std::string& backup, const std::string& url,
                                             const std::string& secret,
                                             const std::string& restored) {
  Writer writer(env_->podIp("src-mysql-0"), backup);
  ASSERT_TRUE(pollUntil([&] { return writer.rows().size() >= 20; }, Poll{60s, 100ms}));
  ASSERT_EQ(env_->apply(backupManifest(backup, url, secret)), "");
  const json b = waitCompleted(*env_, backup);
  ASSERT_EQ(condition(b, "Complete").value("status", ""), "True") << b.dump() << "\n"
                                                                  << env_->diagnostics();
  // The base URL became the artefact's, written into the backup's spec.
  const std::string object = b["spec"].value("backupURL", "");
  ASSERT_EQ(object, url + backup + ".xbackup.gz") << b.dump();
  const std::string gtid = b["status"].value("gtid", "");
  ASSERT_EQ(gtid.rfind("0-", 0), 0u) << b.dump();
  // The writer goes on past the backup's position, so rows straddle it.
  ASSERT_TRUE(pollUntil([&] { return writer.lastSeq() > seqOf(gtid) + 5; }, Poll{60s, 100ms}));
  writer.stop();
  std::string before;
  std::size_t after = 0;
  for (const auto& [id, g] : writer.rows()) {
    if (seqOf(g) <= seqOf(gtid)) {
      before += (before.empty() ? "" : ",") + std::to_string(id);
    } else {
      ++after;
    }
  }
  ASSERT_FALSE(before.empty());
  ASSERT_GT(after, 0u);

  ASSERT_EQ(env_->apply(clusterManifest(
                restored, 1,
                "  initBucketURL: \"" + object + "\"\n" +
                    (secret.empty() ? "" : "  initBucketSecretName: " + secret + "\n"))),
            "");
  ASSERT_EQ(env_->waitReady(restored, 300s), "");
  const SqlResult got = env_->sql(restored + "-mysql-0",
                                  "SET SESSION group_concat_max_len = 10000000; "
                                  "SELECT GROUP_CONCAT(id ORDER BY id) FROM app.t "
                                  "WHERE v = '" +
                                      backup + "'");
  EXPECT_EQ(got.out, before) << "backup " << backup << " at GTID " << gtid << ": " << got.err;
  EXPECT_EQ(env_->sql(restored + "-mysql-0", "SELECT COUNT(*) FROM app.t WHERE v = 'set-up'").out,
            "100");
  ASSERT_EQ(env_->kubectl().run({"delete", "mysqlcluster", restored, "-n", kNamespace}).exitCode,
            0);
}

void BackupCasesE2E::underWriteLoadThroughS3AndAnSdkTarget() {
  ASSERT_EQ(env_->waitReady("src", 300s), "");
  const SqlResult created =
      env_->sql("src-mysql-0",
                "USE app; CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(16)); "
                "INSERT INTO t (v) SELECT 'set-up' FROM seq_1_to_100");
  ASSERT_EQ(created.exitCode, 0) << created.err;
  {
    SCOPED_TRACE("s3");
    backupUnderLoadRestores("to-s3", std::string("s3://") + kBucket + "/src/", "s3-creds",
                            "from-s3");
  }
  {
    SCOPED_TRACE("the SDK's example dir target");
    backupUnderLoadRestores("to-dir", "dir://" + (store_ / "dir").string() + "/src/", "",
                            "from-dir");
  }
  // The dir target's object, committed under its root: nothing else (no temporary file).
  EXPECT_EQ(listTree(store_ / "dir"), std::vector<std::string>{"src/to-dir.xbackup.gz"});
}

void BackupCasesE2E::wrongBucketAndWrongCredentials() {
  ASSERT_EQ(env_->waitReady("src", 300s), "");
  ASSERT_EQ(env_->apply(backupManifest("no-bucket", "s3://no-such-bucket/src/", "s3-creds")), "");
  ASSERT_EQ(env_->apply(backupManifest("wrong-creds", std::string("s3://") + kBucket + "/src/",
                                       "s3-wrong-creds")),
            "");
  struct Case {
    std::string backup, message;
  };
  for (const Case& c :
       {Case{"no-bucket",
             "backup target s3: committing s3://no-such-bucket/src/no-bucket.xbackup.gz: the "
             "bucket does not exist (NoSuchBucket)"},
        Case{"wrong-creds",
             "backup target s3: committing s3://cases/src/wrong-creds.xbackup.gz: the store "
             "refused the credentials (SignatureDoesNotMatch): check AWS_ACCESS_KEY_ID and "
             "AWS_SECRET_ACCESS_KEY"}}) {
    SCOPED_TRACE(c.backup);
    const json b = waitCompleted(*env_, c.backup);
    const json failed = condition(b, "Failed");
    ASSERT_EQ(failed.value("status", ""), "True") << b.dump() << "\n" << env_->diagnostics();
    EXPECT_EQ(failed.value("reason", ""), "TargetFailed") << b.dump();
    EXPECT_EQ(failed.value("message", ""), c.message) << b.dump();
    const std::vector<std::string> events = eventMessages(c.backup, "BackupFailed");
    ASSERT_FALSE(events.empty()) << env_->diagnostics();
    EXPECT_TRUE(has(events[0], c.message)) << events[0];
    const std::string seen = visibleText(c.backup);
    // The Job pod's log was read (the sidecar's own line of the failure is in it).
    EXPECT_TRUE(has(seen, "mysql-operator-sidecar: backup failed: ")) << seen;
    EXPECT_FALSE(has(seen, kWrongSecret));
    EXPECT_FALSE(has(seen, kSecret));
  }
}

void BackupCasesE2E::podKilledMidUpload() {
  ASSERT_EQ(env_->waitReady("src", 300s), "");
  // Incompressible rows, enough that the upload lasts seconds: about 120 MiB.
  for (int i = 0; i < 4; ++i) {
    const SqlResult inserted =
        env_->sql("src-mysql-0",
                  "USE app; CREATE TABLE IF NOT EXISTS big (id INT PRIMARY KEY, b BLOB); "
                  "INSERT INTO big SELECT seq, RANDOM_BYTES(1024) FROM seq_" +
                      std::to_string(i * 30000 + 1) + "_to_" + std::to_string((i + 1) * 30000));
    ASSERT_EQ(inserted.exitCode, 0) << inserted.err;
  }
  // Every replica has it, so whichever the backup reads from is large.
  for (const char* pod : {"src-mysql-1", "src-mysql-2"}) {
    ASSERT_EQ(env_->waitForSql(pod, "SELECT COUNT(*) FROM app.big", "120000", 180s), "");
  }
  const fs::path dir = store_ / "file" / "killed";
  const std::string url = "file://" + dir.string() + "/";
  ASSERT_EQ(env_->apply(backupManifest("killed", url)), "");
  // Half-way: the file target's temporary object has grown.
  ASSERT_TRUE(pollUntil(
      [&] {
        for (const std::string& f : listTree(dir)) {
          std::error_code ec;
          if (fs::file_size(dir / f, ec) > (1u << 20)) {
            return true;
          }
        }
        return false;
      },
      Poll{180s, 50ms}))
      << env_->diagnostics();
  const std::string pod = env_->kubectl()
                              .run({"get", "pods", "-n", kNamespace, "-l", "job-name=killed-backup",
                                    "-o", "jsonpath={.items[0].metadata.name}"})
                              .out;
  ASSERT_FALSE(pod.empty());
  const CommandResult kill = runCommand({LocalClusterProcess::binary(), "fault", "kill",
                                         "--data-dir", env_->dataDir(), "-n", kNamespace, pod});
  ASSERT_EQ(kill.exitCode, 0) << kill.out << kill.err;
  const json b = waitCompleted(*env_, "killed");
  const json failed = condition(b, "Failed");
  ASSERT_EQ(failed.value("status", ""), "True") << b.dump();
  // SIGKILL: the container reported nothing, so the Job's own condition (docs/backups.md).
  EXPECT_EQ(failed.value("reason", ""), "BackoffLimitExceeded") << b.dump();
  EXPECT_EQ(failed.value("message", ""), "Job has reached the specified backoff limit");
  EXPECT_FALSE(fs::exists(dir / "killed.xbackup.gz"));
  // At most the target's hidden temporary file, which no read or list of the URL reports.
  for (const std::string& f : listTree(dir)) {
    EXPECT_EQ(f.rfind(".killed.xbackup.gz.tmp-", 0), 0u) << f;
  }
}

// Each case's wall time is printed: what the shared environment saves is visible in the log.
void runCase(const char* what, void (*body)()) {
  SCOPED_TRACE(what);
  const auto t0 = std::chrono::steady_clock::now();
  body();
  std::printf("[ case     ] %s: %.1f s\n", what,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

TEST_F(BackupCasesE2E, IssueFourteensCasesOnOneEnvironment) {
  runCase("a corrupt object fails the restore with an Event naming the URL and the cause",
          &corruptObjectFailsTheRestore);
  runCase("backups under write load restore every row up to their GTID (s3, SDK target)",
          &underWriteLoadThroughS3AndAnSdkTarget);
  runCase("a wrong bucket and wrong credentials fail saying so, without the secret",
          &wrongBucketAndWrongCredentials);
  runCase("the backup pod killed mid-upload leaves no object at the URL", &podKilledMidUpload);
}

}  // namespace
}  // namespace mysqlop::testing
