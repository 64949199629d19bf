// Spec changes of a running MysqlCluster: a mysqlConf change rolls the pods one by one and the
// cluster stays writable; `readOnly: true` makes every node read-only and `false` gives the master
// back its writes; a clone interrupted half-way (its source killed) leaves no half data directory
// and the next attempt succeeds.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/mysql_cluster/mysql_cluster_env.h"

namespace mysqlop::testing {
namespace {

using namespace std::chrono_literals;

std::string podUid(const MysqlClusterEnv& env, const std::string& pod) {
  return jsonpath(env.kubectl(), "pod " + pod, "{.metadata.uid}");
}

std::string readOnlyEverywhere(const MysqlClusterEnv& env, const std::string& cluster, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += (i ? " " : "") + env.sql(cluster + "-mysql-" + std::to_string(i), "SELECT @@read_only").out;
  }
  return out;
}

TEST(MysqlClusterConfig, MysqlConfChangeRollsThePodsOneByOne) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("roll", 3)), "");
  ASSERT_EQ(env.waitReady("roll", 180s), "");
  ASSERT_EQ(env.sql("roll-mysql-0", "CREATE TABLE app.w (id INT AUTO_INCREMENT PRIMARY KEY)").err,
            "");
  const std::string uid0 = podUid(env, "roll-mysql-0");
  const std::string uid1 = podUid(env, "roll-mysql-1");
  const std::string uid2 = podUid(env, "roll-mysql-2");

  // A writer through the master's IP the whole time: counts the writes that failed.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0}, failed{0};
  std::thread writer([&] {
    while (!stop) {
      (env.sql("roll-mysql-0", "INSERT INTO app.w VALUES ()").exitCode == 0 ? written : failed)++;
      std::this_thread::sleep_for(100ms);
    }
  });
  const CommandResult patch = env.kubectl().run(
      {"patch", "mysqlcluster", "roll", "--type=merge", "-p",
       "{\"spec\":{\"mysqlConf\":{\"max-connections\":\"120\"}}}"});
  ASSERT_EQ(patch.exitCode, 0) << patch.err;
  // Every pod is replaced (highest ordinal first, as a StatefulSet rolls), each becoming Ready
  // before the next goes.
  const bool rolled = pollUntil(
      [&] {
        return podUid(env, "roll-mysql-0") != uid0 && podUid(env, "roll-mysql-1") != uid1 &&
               podUid(env, "roll-mysql-2") != uid2;
      },
      Poll{240s, 500ms});
  ASSERT_TRUE(rolled) << env.diagnostics();
  ASSERT_EQ(env.waitReady("roll", 120s), "");
  stop = true;
  writer.join();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(env.sql("roll-mysql-" + std::to_string(i), "SELECT @@max_connections").out, "120");
  }
  EXPECT_EQ(readOnlyEverywhere(env, "roll", 3), "0 1 1");
  EXPECT_GT(written.load(), 0);
  // The master pod itself restarts (no switchover before issue 12): writes fail only while it does.
  std::printf("writes during the roll: %d succeeded, %d failed (100 ms apart)\n", written.load(),
              failed.load());
  const std::string count = env.sql("roll-mysql-0", "SELECT COUNT(*) FROM app.w").out;
  EXPECT_EQ(env.waitForSql("roll-mysql-2", "SELECT COUNT(*) FROM app.w", count, 30s), "");
}

TEST(MysqlClusterConfig, ReadOnlyMakesEveryNodeReadOnlyAndBack) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("ro", 2)), "");
  ASSERT_EQ(env.waitReady("ro", 150s), "");
  EXPECT_EQ(readOnlyEverywhere(env, "ro", 2), "0 1");

  auto setReadOnly = [&](bool on) {
    const CommandResult r = env.kubectl().run(
        {"patch", "mysqlcluster", "ro", "--type=merge", "-p",
         std::string("{\"spec\":{\"readOnly\":") + (on ? "true" : "false") + "}}"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
  };
  setReadOnly(true);
  ASSERT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster ro",
                            "{.status.conditions[?(@.type==\"ReadOnly\")].status}", "True", 60s),
            "")
      << env.diagnostics();
  EXPECT_EQ(readOnlyEverywhere(env, "ro", 2), "1 1");
  // MariaDB's read_only stops every account without READ ONLY ADMIN (root has it): the app.
  const SqlResult refused = env.sqlAs("ro-mysql-0", "app", "app-pw", "CREATE TABLE app.nope (i INT)");
  EXPECT_NE(refused.err.find("--read-only option"), std::string::npos) << refused.err;

  setReadOnly(false);
  ASSERT_EQ(waitForJsonpath(env.kubectl(), "mysqlcluster ro",
                            "{.status.conditions[?(@.type==\"ReadOnly\")].status}", "False", 60s),
            "")
      << env.diagnostics();
  EXPECT_EQ(readOnlyEverywhere(env, "ro", 2), "0 1");
  const SqlResult allowed = env.sqlAs("ro-mysql-0", "app", "app-pw", "CREATE TABLE app.yes_now (i INT)");
  EXPECT_EQ(allowed.exitCode, 0) << allowed.err;
}

TEST(MysqlClusterConfig, InterruptedCloneLeavesNoHalfDataAndIsRetried) {
  MysqlClusterEnv env;
  ASSERT_TRUE(env.ok()) << env.error();
  ASSERT_EQ(env.apply(clusterManifest("clone", 1)), "");
  ASSERT_EQ(env.waitReady("clone", 120s), "");
  // Enough data that a clone takes a moment: ~200 MiB.
  ASSERT_EQ(env.sql("clone-mysql-0",
                    "CREATE TABLE app.big (id INT PRIMARY KEY, v VARCHAR(1024)); "
                    "INSERT INTO app.big SELECT seq, REPEAT(MD5(seq), 31) FROM app.seq_1_to_200000")
                .err,
            "");
  ASSERT_EQ(env.kubectl()
                .run({"patch", "mysqlcluster", "clone", "--type=merge", "-p",
                      "{\"spec\":{\"replicas\":2}}"})
                .exitCode,
            0);
  // Kill the source's sidecar while pod 1's init container is cloning.
  const bool cloning = pollUntil(
      [&] {
        const CommandResult log = env.kubectl().run({"logs", "clone-mysql-1", "-c", "init"});
        return log.out.find("clon") != std::string::npos;
      },
      Poll{120s, 50ms});
  ASSERT_TRUE(cloning) << env.diagnostics();
  const CommandResult kill = runCommand(
      {LocalClusterProcess::binary(), "fault", "kill", "--data-dir", env.cluster().dataDir(),
       "clone-mysql-0", "-c", "sidecar"});
  ASSERT_EQ(kill.exitCode, 0) << kill.out << kill.err;

  // The clone fails (or, if it had finished, the pod is simply Ready): either way the pod ends
  // Ready with the whole table, after the sidecar came back.
  ASSERT_EQ(env.waitReady("clone", 240s), "");
  EXPECT_EQ(env.waitForSql("clone-mysql-1", "SELECT COUNT(*) FROM app.big", "200000", 60s), "");
  const std::string restarts = jsonpath(
      env.kubectl(), "pod clone-mysql-1",
      "{.status.initContainerStatuses[?(@.name==\"init\")].restartCount}");
  std::printf("init container restarts after the killed clone: %s\n", restarts.c_str());
}

}  // namespace
}  // namespace mysqlop::testing
