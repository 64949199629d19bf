// MysqlBackup status.progress end to end: the real operator (backup plugin) polls the real
// sidecar's GET /xbackup/progress in the source MariaDB pod on the local cluster while the backup
// Job's take-backup-to streams from it (throttled by xtrabackupExtraArgs so that it lasts several
// polls): progress > 0 is seen before the backup completes, and the completed backup has 100 %
// with the reported sourceBytes.
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

json backupObject(const MysqlClusterEnv& env, const std::string& name) {
  const CommandResult r =
      env.kubectl().run({"get", "mysqlbackup", name, "-n", kNamespace, "-o", "json"});
  return r.exitCode == 0 ? json::parse(r.out, nullptr, false) : json();
}

TEST(BackupProgressE2E, ARunningBackupShowsProgressBeforeItCompletes) {
  // The pods share the host's /var/tmp (only /tmp is their own): the file target's objects.
  const std::filesystem::path store =
      "/var/tmp/mysqlop-backup-progress-" + std::to_string(::getpid());
  std::filesystem::create_directories(store);
  struct Cleanup {
    std::filesystem::path p;
    ~Cleanup() { std::filesystem::remove_all(p); }
  } cleanup{store};

  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  // --throttle: mariadb-backup copies at most 4 MB a second, so the backup of the data directory
  // (about 100 MB) lasts several 5-second polls.
  ASSERT_EQ(env.apply(clusterManifest("src", 1,
                                      "  backupURL: file://" + store.string() +
                                          "/\n  xtrabackupExtraArgs: [\"--throttle=4\"]\n")),
            "");
  ASSERT_EQ(env.waitReady("src", 180s), "") << env.diagnostics();
  ASSERT_EQ(env.apply("apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
                      "metadata: {name: slow, namespace: default}\nspec: {clusterName: src}\n"),
            "");
  json backup;
  json runningProgress;  // the last progress seen while the backup was not completed
  ASSERT_TRUE(pollUntil(
      [&] {
        backup = backupObject(env, "slow");
        const json status = backup.value("status", json::object());
        if (status.value("completed", false)) {
          return true;
        }
        if (status.contains("progress") && status["progress"].value("bytesStreamed", 0) > 0) {
          runningProgress = status["progress"];
        }
        return false;
      },
      Poll{400s, 500ms}))
      << backup.dump() << "\n"
      << env.diagnostics();
  ASSERT_TRUE(runningProgress.is_object())
      << "no progress was seen before the backup completed: " << backup.dump();
  EXPECT_GT(runningProgress.value("totalBytesEstimate", 0), 0) << runningProgress.dump();
  EXPECT_LE(runningProgress.value("percent", 100), 99) << runningProgress.dump();
  EXPECT_FALSE(runningProgress.value("updatedAt", "").empty()) << runningProgress.dump();

  const json& status = backup["status"];
  bool complete = false;
  for (const json& c : status.value("conditions", json::array())) {
    complete = complete || (c.value("type", "") == "Complete" && c.value("status", "") == "True");
  }
  ASSERT_TRUE(complete) << backup.dump();
  ASSERT_TRUE(status.contains("progress")) << backup.dump();
  EXPECT_EQ(status["progress"].value("percent", 0), 100) << backup.dump();
  EXPECT_EQ(status["progress"]["bytesStreamed"], status["sourceBytes"]) << backup.dump();
  EXPECT_GE(status["progress"].value("bytesStreamed", 0),
            runningProgress.value("bytesStreamed", 0));
}

}  // namespace
}  // namespace mysqlop::testing
