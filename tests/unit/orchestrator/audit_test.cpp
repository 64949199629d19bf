// The audit store on a real SQLite file (README.md, "Audit and routes"): a recovery's timeline,
// acks, detections, node changes, a reopen (what survives a restart), retention, the refusals
// of the API with their exact messages, and the bad paths at open.
#include "plugins/orchestrator/src/audit.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "plugins/orchestrator/src/audit_parts.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::orchestrator {
namespace {

using mysqlop::testing::TempDir;

std::unique_ptr<AuditStore> openAt(const std::string& path, int retentionDays = 7) {
  auto s = AuditStore::open({path, retentionDays});
  EXPECT_TRUE(s.ok()) << s.error;
  return std::move(s.value);
}

TEST(OrchestratorAudit, RecoveryTimelineSurvivesAReopen) {
  TempDir dir;
  const std::string path = dir.file("audit.db");
  std::int64_t id = 0;
  const UnixMs t0 = nowUnixMs();  // (recent: retention would drop an acknowledged 1970 row)
  {
    auto store = openAt(path);
    auto begun = store->beginRecovery(
        {"ns/c", "DeadMaster", "c-mysql-0.mysql.ns", {"c-mysql-2.mysql.ns"}, t0, t0 + 500});
    ASSERT_TRUE(begun.ok()) << begun.error;
    id = begun.value;
    EXPECT_EQ(id, 1);
    EXPECT_EQ(store->addStep(
                  id, {"wait for the relay log of c-mysql-1", t0 + 500, t0 + 600, kStepOk, ""}),
              "");
    EXPECT_EQ(store->addStep(id, {"set read_only=0 on c-mysql-1", t0 + 600, t0 + 700, kStepFailed,
                                  "Access denied; you need READ_ONLY ADMIN"}),
              "");
    auto running = store->recentRecoveries({});
    ASSERT_TRUE(running.ok()) << running.error;
    ASSERT_EQ(running.value.size(), 1u);
    EXPECT_EQ(running.value[0].result, kRecoveryRunning);
    EXPECT_EQ(running.value[0].endedAt, 0);
    EXPECT_EQ(
        store->endRecovery(id, false, "", {"c-mysql-2.mysql.ns"}, "promotion failed", t0 + 800),
        "");
  }
  // A new store on the same file (the operator restarted) sees all of it.
  auto store = openAt(path);
  auto got = store->recovery(id);
  ASSERT_TRUE(got.ok()) << got.error;
  const Recovery& r = got.value;
  EXPECT_EQ(r.cluster, "ns/c");
  EXPECT_EQ(r.analysis, "DeadMaster");
  EXPECT_EQ(r.failedHost, "c-mysql-0.mysql.ns");
  EXPECT_EQ(r.successorHost, "");
  EXPECT_EQ(r.lostReplicas, std::vector<std::string>{"c-mysql-2.mysql.ns"});
  EXPECT_EQ(r.detectedAt, t0);
  EXPECT_EQ(r.startedAt, t0 + 500);
  EXPECT_EQ(r.endedAt, t0 + 800);
  EXPECT_EQ(r.result, kRecoveryFailure);
  EXPECT_EQ(r.message, "promotion failed");
  EXPECT_EQ(r.uid.size(), 16u);
  EXPECT_FALSE(r.acknowledged);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.steps[0].name, "wait for the relay log of c-mysql-1");
  EXPECT_EQ(r.steps[0].startedAt, t0 + 500);
  EXPECT_EQ(r.steps[0].endedAt, t0 + 600);
  EXPECT_EQ(r.steps[0].result, kStepOk);
  EXPECT_EQ(r.steps[1].result, kStepFailed);
  EXPECT_EQ(r.steps[1].message, "Access denied; you need READ_ONLY ADMIN");

  // The ack, once; and it is kept across a reopen too.
  auto pending = store->unacknowledged("ns/c");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value.size(), 1u);
  EXPECT_EQ(
      store->acknowledge(id, "operator",
                         "Statefulset 'c-mysql' is healthy for more than 600 seconds", t0 + 1000),
      "");
  EXPECT_EQ(store->acknowledge(id, "operator", "again"), "recovery 1 is already acknowledged");
  store.reset();
  store = openAt(path);
  got = store->recovery(id);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got.value.acknowledged);
  EXPECT_EQ(got.value.acknowledgedAt, t0 + 1000);
  EXPECT_EQ(got.value.acknowledgedBy, "operator");
  EXPECT_EQ(got.value.ackComment, "Statefulset 'c-mysql' is healthy for more than 600 seconds");
  EXPECT_TRUE(store->unacknowledged("ns/c").value.empty());
  // Ids are never reused.
  auto next = store->beginRecovery({"ns/c", "DeadMaster", "c-mysql-1.mysql.ns", {}, 0, 0});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value, 2);
}

TEST(OrchestratorAudit, NewestFirstFilteredAndLimited) {
  TempDir dir;
  auto store = openAt(dir.file("audit.db"));
  for (int i = 0; i < 5; ++i) {
    auto b = store->beginRecovery(
        {i % 2 ? "ns/b" : "ns/a", "DeadMaster", "m" + std::to_string(i), {}, 0, 0});
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(store->endRecovery(b.value, true, "s" + std::to_string(i), {}, "ok"), "");
  }
  auto all = store->recentRecoveries({"", 50});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all.value.size(), 5u);
  EXPECT_EQ(all.value[0].id, 5);
  EXPECT_EQ(all.value[4].id, 1);
  EXPECT_EQ(all.value[0].result, kRecoverySuccess);
  EXPECT_EQ(all.value[0].successorHost, "s4");
  auto a = store->recentRecoveries({"ns/a", 2});
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a.value.size(), 2u);
  EXPECT_EQ(a.value[0].id, 5);
  EXPECT_EQ(a.value[1].id, 3);
  EXPECT_TRUE(store->recentRecoveries({"ns/none", 5}).value.empty());
}

TEST(OrchestratorAudit, Refusals) {
  TempDir dir;
  auto store = openAt(dir.file("audit.db"));
  EXPECT_EQ(store->beginRecovery({"", "DeadMaster", "m", {}, 0, 0}).error,
            "a recovery needs a cluster");
  EXPECT_EQ(store->beginRecovery({"ns/c", "", "m", {}, 0, 0}).error,
            "a recovery needs an analysis");
  EXPECT_EQ(store->addStep(7, {"x", 0, 0, kStepOk, ""}), "no recovery 7");
  EXPECT_EQ(store->endRecovery(7, true, "s", {}, ""), "no recovery 7");
  EXPECT_EQ(store->acknowledge(7, "me", ""), "no recovery 7");
  const std::int64_t id = store->beginRecovery({"ns/c", "DeadMaster", "m", {}, 0, 0}).value;
  EXPECT_EQ(store->addStep(id, {"", 0, 0, kStepOk, ""}), "a step needs a name");
  EXPECT_EQ(store->addStep(id, {"x", 0, 0, "done", ""}),
            "a step's result must be ok, failed or skipped (got \"done\")");
  EXPECT_EQ(store->acknowledge(id, "me", ""), "recovery 1 is still running");
  EXPECT_EQ(store->endRecovery(id, true, "s", {}, ""), "");
  EXPECT_EQ(store->endRecovery(id, true, "s", {}, ""), "recovery 1 has already ended");
  EXPECT_EQ(store->addStep(id, {"late", 0, 0, kStepOk, ""}), "recovery 1 has already ended");
  EXPECT_EQ(store->recovery(9).error, "no recovery 9");
  EXPECT_EQ(store->recordDetection({0, "", "DeadMaster", "m", "", 0, 0}).error,
            "a detection needs a cluster");
  EXPECT_EQ(store->recordDetection({0, "ns/c", "", "m", "", 0, 0}).error,
            "a detection needs an analysis");
  EXPECT_EQ(store->recordNodeChange({0, "ns/c", "", "", "master", "", 0}),
            "a node change needs a cluster and a host");
  // Refused writes wrote nothing.
  auto r = store->recovery(id);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value.steps.empty());
}

TEST(OrchestratorAudit, DetectionsAndNodeChanges) {
  TempDir dir;
  auto store = openAt(dir.file("audit.db"));
  auto d = store->recordDetection(
      {0, "ns/c", "UnreachableMaster", "c-mysql-0.mysql.ns", "replicas still see it", 0, 0});
  ASSERT_TRUE(d.ok()) << d.error;
  ASSERT_TRUE(
      store->recordDetection({0, "ns/c", "DeadMaster", "c-mysql-0.mysql.ns", "", 0, 1}).ok());
  auto ds = store->recentDetections("ns/c", 10);
  ASSERT_TRUE(ds.ok()) << ds.error;
  ASSERT_EQ(ds.value.size(), 2u);
  EXPECT_EQ(ds.value[0].analysis, "DeadMaster");
  EXPECT_EQ(ds.value[0].recoveryId, 1);
  EXPECT_EQ(ds.value[1].description, "replicas still see it");
  EXPECT_GT(ds.value[1].at, 0);

  EXPECT_EQ(store->recordNodeChange({0, "ns/c", "h0", "", "master", "", 10}), "");
  EXPECT_EQ(store->recordNodeChange({0, "ns/c", "h0", "master", "unreachable", "refused", 20}), "");
  auto cs = store->recentNodeChanges("", 1);
  ASSERT_TRUE(cs.ok()) << cs.error;
  ASSERT_EQ(cs.value.size(), 1u);
  EXPECT_EQ(cs.value[0].fromState, "master");
  EXPECT_EQ(cs.value[0].toState, "unreachable");
  EXPECT_EQ(cs.value[0].error, "refused");
  EXPECT_EQ(cs.value[0].at, 20);
}

TEST(OrchestratorAudit, RetentionKeepsWhatIsNotAcknowledged) {
  TempDir dir;
  auto store = openAt(dir.file("audit.db"), 1);
  const UnixMs day = 86400 * 1000;
  const UnixMs now = nowUnixMs();
  const std::int64_t acked = store->beginRecovery({"ns/c", "DeadMaster", "m", {}, 1, 1}).value;
  EXPECT_EQ(store->endRecovery(acked, true, "s", {}, "", now - 3 * day), "");
  EXPECT_EQ(store->acknowledge(acked, "me", ""), "");
  const std::int64_t pending = store->beginRecovery({"ns/c", "DeadMaster", "m", {}, 1, 1}).value;
  EXPECT_EQ(store->endRecovery(pending, true, "s", {}, "", now - 3 * day), "");
  const std::int64_t running = store->beginRecovery({"ns/c", "DeadMaster", "m", {}, 1, 1}).value;
  const std::int64_t recent = store->beginRecovery({"ns/c", "DeadMaster", "m", {}, 0, 0}).value;
  EXPECT_EQ(store->endRecovery(recent, true, "s", {}, ""), "");
  EXPECT_EQ(store->acknowledge(recent, "me", ""), "");
  EXPECT_EQ(store->recordNodeChange({0, "ns/c", "h0", "", "master", "", now - 2 * day}), "");
  EXPECT_EQ(store->recordNodeChange({0, "ns/c", "h0", "master", "stopped", "", now}), "");

  EXPECT_EQ(store->purge(now), "");
  std::vector<std::int64_t> ids;
  for (const Recovery& r : store->recentRecoveries({}).value) {
    ids.push_back(r.id);
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{recent, running, pending}));
  EXPECT_EQ(store->recentNodeChanges("ns/c", 10).value.size(), 1u);
}

// The ack of PendingFailoverAck (README "PendingFailoverAck"): a recovery carries its cluster's
// id and uid (the Lease's); the ack marks every ended row of that uid in that cluster once
// (a takeover may have recorded it twice), never a running row or another cluster's.
TEST(OrchestratorAudit, ClusterIdAndAckByUid) {
  TempDir dir;
  auto store = openAt(dir.file("audit.db"));
  RecoveryBegin b{"ns/c", "DeadMaster", "m", {}, 0, 0};
  b.clusterId = 3;
  b.uid = "00000000000000c3";
  const std::int64_t first = store->beginRecovery(b).value;
  EXPECT_EQ(store->endRecovery(first, true, "s", {}, ""), "");
  const std::int64_t again = store->beginRecovery(b).value;  // recorded again by a takeover
  EXPECT_EQ(store->endRecovery(again, true, "s", {}, ""), "");
  RecoveryBegin other = b;
  other.cluster = "ns/d";
  const std::int64_t elsewhere = store->beginRecovery(other).value;
  EXPECT_EQ(store->endRecovery(elsewhere, true, "s", {}, ""), "");
  RecoveryBegin running = b;
  running.uid = "00000000000000c4";
  running.clusterId = 4;
  const std::int64_t stillRunning = store->beginRecovery(running).value;

  auto marked = store->acknowledgeUid("ns/c", "00000000000000c3", "api", "checked", 1234);
  ASSERT_TRUE(marked.ok()) << marked.error;
  EXPECT_EQ(marked.value, 2);
  EXPECT_EQ(store->acknowledgeUid("ns/c", "00000000000000c3", "api", "again").value, 0);
  EXPECT_EQ(store->acknowledgeUid("ns/c", "00000000000000c4", "auto", "").value, 0);
  for (std::int64_t id : {first, again}) {
    const Recovery r = store->recovery(id).value;
    EXPECT_EQ(r.clusterId, 3);
    EXPECT_EQ(r.uid, "00000000000000c3");
    EXPECT_TRUE(r.acknowledged);
    EXPECT_EQ(r.acknowledgedAt, 1234);
    EXPECT_EQ(r.acknowledgedBy, "api");
    EXPECT_EQ(r.ackComment, "checked");
  }
  EXPECT_FALSE(store->recovery(elsewhere).value.acknowledged);
  EXPECT_FALSE(store->recovery(stillRunning).value.acknowledged);
  EXPECT_EQ(store->recovery(stillRunning).value.clusterId, 4);
  // Without a cluster id (the standalone engine): 0, and a new uid.
  const Recovery plain =
      store->recovery(store->beginRecovery({"c", "DeadMaster", "m", {}, 0, 0}).value).value;
  EXPECT_EQ(plain.clusterId, 0);
  EXPECT_EQ(plain.uid.size(), 16u);
  EXPECT_NE(plain.uid, "00000000000000c3");
}

// A store written by the first schema (no cluster_recovery_id) opens: its rows read with 0, and
// new rows take their cluster id.
TEST(OrchestratorAudit, FirstSchemaIsUpgraded) {
  TempDir dir;
  const std::string path = dir.file("audit.db");
  const std::string v1 =
      "CREATE TABLE meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL); "
      "INSERT INTO meta VALUES('schema_version', 1); "
      "CREATE TABLE recoveries(id INTEGER PRIMARY KEY AUTOINCREMENT, uid TEXT NOT NULL, cluster "
      "TEXT NOT NULL, analysis TEXT NOT NULL, failed_host TEXT NOT NULL, successor_host TEXT NOT "
      "NULL, lost_replicas TEXT NOT NULL, detected_at INTEGER NOT NULL, started_at INTEGER NOT "
      "NULL, ended_at INTEGER NOT NULL, result TEXT NOT NULL, message TEXT NOT NULL, acknowledged "
      "INTEGER NOT NULL, acknowledged_at INTEGER NOT NULL, acknowledged_by TEXT NOT NULL, "
      "ack_comment TEXT NOT NULL); "
      "INSERT INTO recoveries VALUES(NULL, 'u', 'ns/c', 'DeadMaster', 'm', 's', '[]', 1, 1, 0, "
      "'running', '', 0, 0, '', '');";
  ASSERT_EQ(std::system(("/usr/bin/sqlite3 " + path + " \"" + v1 + "\"").c_str()), 0);
  auto store = openAt(path);
  ASSERT_TRUE(store);
  const Recovery old = store->recovery(1).value;
  EXPECT_EQ(old.uid, "u");
  EXPECT_EQ(old.clusterId, 0);
  RecoveryBegin b{"ns/c", "DeadMaster", "m", {}, 0, 0};
  b.clusterId = 9;
  const auto id = store->beginRecovery(b);
  ASSERT_TRUE(id.ok()) << id.error;
  EXPECT_EQ(store->recovery(id.value).value.clusterId, 9);
  store.reset();
  EXPECT_TRUE(openAt(path));  // and it opens again (the column is there now)
}

TEST(OrchestratorAudit, ConcurrentWriters) {
  TempDir dir;
  auto store = openAt(dir.file("audit.db"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 25; ++i) {
        auto b = store->beginRecovery({"ns/c" + std::to_string(t), "DeadMaster", "m", {}, 0, 0});
        ASSERT_TRUE(b.ok()) << b.error;
        ASSERT_EQ(store->addStep(b.value, {"step", 0, 0, kStepOk, ""}), "");
        ASSERT_EQ(store->endRecovery(b.value, true, "s", {}, ""), "");
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  auto all = store->recentRecoveries({"", 1000});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value.size(), 100u);
  for (const Recovery& r : all.value) {
    EXPECT_EQ(r.steps.size(), 1u);
  }
}

TEST(OrchestratorAudit, BadPaths) {
  TempDir dir;
  EXPECT_EQ(AuditStore::open({dir.file("missing/audit.db"), 7}).error,
            "cannot open the audit store " + dir.file("missing/audit.db") + ": directory " +
                dir.file("missing") + " does not exist");
  EXPECT_EQ(AuditStore::open({dir.path(), 7}).error,
            "cannot open the audit store " + dir.path() + ": " + dir.path() + " is a directory");
  const std::string file = dir.write("plain", "x");
  EXPECT_EQ(AuditStore::open({file + "/audit.db", 7}).error,
            "cannot open the audit store " + file + "/audit.db: " + file + " is not a directory");
  EXPECT_EQ(AuditStore::open({"", 7}).error, "cannot open the audit store : the path is empty");
  const std::string garbage =
      dir.write("garbage.db", std::string(4096, 'g'));  // not an SQLite database
  EXPECT_EQ(AuditStore::open({garbage, 7}).error,
            "cannot open the audit store " + garbage + ": file is not a database");
}

// The data volume is looked for only in a pod: outside one, a /var/lib/mysql-operator left on the
// machine must not make operator processes share a store.
TEST(OrchestratorAudit, TheDataVolumeIsTheDefaultOnlyInAPod) {
  const char* old = std::getenv("KUBERNETES_SERVICE_HOST");
  const std::string saved = old ? old : "";
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_EQ(defaultDataDir(), "");
  ::setenv("KUBERNETES_SERVICE_HOST", "198.18.128.1", 1);
  EXPECT_EQ(defaultDataDir(), kDataDir);
  if (old != nullptr) {
    ::setenv("KUBERNETES_SERVICE_HOST", saved.c_str(), 1);
  } else {
    ::unsetenv("KUBERNETES_SERVICE_HOST");
  }
  TempDir dir;
  AuditLocation none = auditLocation("", "");
  EXPECT_NE(none.tempDir, "");
  std::filesystem::remove_all(none.tempDir);
}

TEST(OrchestratorAudit, DefaultLocation) {
  TempDir dir;
  // A data volume: the store lives there, and is not temporary.
  AuditLocation inVolume = auditLocation("", dir.path());
  EXPECT_EQ(inVolume.path, dir.path() + "/orchestrator-audit.db");
  EXPECT_EQ(inVolume.tempDir, "");
  // An explicit path is taken as it is.
  EXPECT_EQ(auditLocation("/x/y.db", dir.path()).path, "/x/y.db");
  // No volume: a fresh temporary directory of its own.
  AuditLocation temp = auditLocation("", dir.file("no-volume"));
  EXPECT_NE(temp.tempDir, "");
  EXPECT_EQ(temp.path, temp.tempDir + "/audit.db");
  EXPECT_TRUE(std::filesystem::is_directory(temp.tempDir));
  std::filesystem::remove_all(temp.tempDir);
  // Not even a temporary directory (a read-only sandbox): SQLite in memory, which works.
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.file("no-tmp").c_str(), 1);
  AuditLocation memory = auditLocation("", dir.file("no-volume"));
  if (saved.empty()) {
    ::unsetenv("TMPDIR");
  } else {
    ::setenv("TMPDIR", saved.c_str(), 1);
  }
  EXPECT_EQ(memory.path, ":memory:");
  EXPECT_EQ(memory.tempDir, "");
  auto store = openAt(memory.path);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->beginRecovery({"ns/c", "DeadMaster", "m", {}, 0, 0}).ok());
  EXPECT_EQ(store->recentRecoveries({}).value.size(), 1u);
}

}  // namespace
}  // namespace mysqlop::orchestrator
