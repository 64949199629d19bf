// Backup and restore through the whole stack: the real operator (cluster, orchestrator and backup
// plugins, the bundled file target), MariaDB pods on the local cluster, the real sidecar's
// take-backup-to in the backup Job, and a new cluster restored from the object by clone-and-init.
// remoteDeletePolicy: delete removes the object with the sidecar's remove-backup.
// Needs the sidecar's take-backup-to (contracts 3 to 6 of docs/backups.md): skipped, saying so,
// with a sidecar that does not have it yet.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/integration/mysql_cluster/mysql_cluster_env.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json getJson(const MysqlClusterEnv& env, const std::string& kind, const std::string& name) {
  const CommandResult r = env.kubectl().run({"get", kind, name, "-n", kNamespace, "-o", "json"});
  return r.exitCode == 0 ? json::parse(r.out, nullptr, false) : json();
}

std::string conditionStatus(const json& obj, const std::string& type) {
  for (const json& c : obj.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == type) {
      return c.value("status", "");
    }
  }
  return "";
}

TEST(BackupRestoreE2E, ABackupRestoresIntoANewClusterUpToItsGtid) {
  // The pods share the host's /var/tmp (only /tmp is their own): the file target's objects.
  const std::filesystem::path store = "/var/tmp/mysqlop-backup-e2e-" + std::to_string(::getpid());
  std::filesystem::create_directories(store);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() { std::filesystem::remove_all(p); }
  } cleanup{store};

  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("src", 1, "  backupURL: file://" + store.string() + "/\n")),
            "");
  ASSERT_EQ(env.waitReady("src", 180s), "") << env.diagnostics();
  ASSERT_EQ(env.sql("src-mysql-0",
                    "CREATE TABLE app.t (id INT PRIMARY KEY); "
                    "INSERT INTO app.t VALUES (1),(2),(3)")
                .exitCode,
            0);

  ASSERT_EQ(env.apply("apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
                      "metadata: {name: b, namespace: default}\nspec: {clusterName: src}\n"),
            "");
  json backup;
  ASSERT_TRUE(pollUntil(
      [&] {
        backup = getJson(env, "mysqlbackup", "b");
        return backup.value("status", json::object()).value("completed", false);
      },
      Poll{300s, 500ms}))
      << backup.dump() << "\n"
      << env.diagnostics();
  ASSERT_EQ(conditionStatus(backup, "Complete"), "True") << backup.dump();
  const std::string url = backup["spec"].value("backupURL", "");
  EXPECT_EQ(url, "file://" + store.string() + "/b.xbackup.gz");
  EXPECT_TRUE(std::filesystem::exists(store / "b.xbackup.gz"));
  // The backup container's report, through the kubelet's termination message.
  const json& status = backup["status"];
  EXPECT_GT(status.value("storedBytes", 0), 0) << status.dump();
  EXPECT_GT(status.value("sourceBytes", 0), status.value("storedBytes", 0)) << status.dump();
  EXPECT_FALSE(status.value("gtid", "").empty()) << status.dump();

  ASSERT_EQ(env.apply(clusterManifest("dst", 1, "  initBucketURL: " + url + "\n")), "");
  ASSERT_EQ(env.waitReady("dst", 300s), "") << env.diagnostics();
  EXPECT_EQ(env.sql("dst-mysql-0", "SELECT COUNT(*) FROM app.t").out, "3");
  const json sts = getJson(env, "statefulset", "dst-mysql");
  bool targets = false;
  for (const json& c : sts["spec"]["template"]["spec"]["initContainers"]) {
    for (const json& e : c.value("env", json::array())) {
      targets = targets || e.value("name", "") == "MYSQLOP_BACKUP_TARGETS";
    }
  }
  EXPECT_TRUE(targets) << "the restoring init container has no MYSQLOP_BACKUP_TARGETS";

  // remoteDeletePolicy: delete: deleting the backup removes its object (remove-backup).
  ASSERT_EQ(env.apply("apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
                      "metadata: {name: gone, namespace: default}\n"
                      "spec: {clusterName: src, remoteDeletePolicy: delete}\n"),
            "");
  json gone;
  ASSERT_TRUE(pollUntil(
      [&] {
        gone = getJson(env, "mysqlbackup", "gone");
        return gone.value("status", json::object()).value("completed", false);
      },
      Poll{300s, 500ms}))
      << gone.dump() << "\n"
      << env.diagnostics();
  ASSERT_EQ(conditionStatus(gone, "Complete"), "True") << gone.dump();
  ASSERT_TRUE(std::filesystem::exists(store / "gone.xbackup.gz"));
  ASSERT_EQ(env.kubectl().run({"delete", "mysqlbackup", "gone", "-n", kNamespace}).exitCode, 0);
  EXPECT_TRUE(
      pollUntil([&] { return getJson(env, "mysqlbackup", "gone").is_null(); }, Poll{120s, 250ms}));
  EXPECT_FALSE(std::filesystem::exists(store / "gone.xbackup.gz"));
  EXPECT_TRUE(std::filesystem::exists(store / "b.xbackup.gz"));  // retain: kept
}

TEST(BackupRestoreE2E, ABackupToAnUnknownTargetFailsSayingSo) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  env.setBackupConfig("{backoffLimit: 0}");
  env.restartOperator();
  ASSERT_EQ(env.apply(clusterManifest("src", 1)), "");
  ASSERT_EQ(env.waitReady("src", 180s), "") << env.diagnostics();
  ASSERT_EQ(env.apply("apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
                      "metadata: {name: nowhere, namespace: default}\n"
                      "spec: {clusterName: src, backupURL: \"nosuch://bucket/x.xbackup.gz\"}\n"),
            "");
  json backup;
  ASSERT_TRUE(pollUntil(
      [&] {
        backup = getJson(env, "mysqlbackup", "nowhere");
        return backup.value("status", json::object()).value("completed", false);
      },
      Poll{300s, 500ms}))
      << backup.dump() << "\n"
      << env.diagnostics();
  ASSERT_EQ(conditionStatus(backup, "Failed"), "True") << backup.dump();
  // The backup container's reason and message (its termination message), not the Job's.
  std::string reason;
  std::string message;
  for (const json& c : backup["status"]["conditions"]) {
    if (c.value("type", "") == "Failed") {
      reason = c.value("reason", "");
      message = c.value("message", "");
    }
  }
  EXPECT_NE(reason, "BackoffLimitExceeded") << backup.dump();
  EXPECT_FALSE(reason.empty()) << backup.dump();
  EXPECT_NE(message.find("nosuch"), std::string::npos) << message;
}

}  // namespace
}  // namespace mysqlop::testing
