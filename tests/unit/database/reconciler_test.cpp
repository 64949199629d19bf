// The MysqlDatabase reconcile logic against a real mariadbd; the Kubernetes side is MemoryKube.
#include "plugins/database/src/reconciler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/mysql_object.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/mysql/memory_kube.h"

namespace mysqlop::database {
namespace {

using mysqlop::kube::res::kMysqlDatabase;
using testing::MariaDbServer;
using testing::MemoryKube;

class DatabaseReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_.setSecret("ns", "cluster-secret", {{"ROOT_PASSWORD", db_.rootPassword()}});
    kube_.putCluster("ns", "c", "cluster-secret", true);
    kube_.setMaster("ns", "c", {db_.host(), db_.port()});
  }

  std::unique_ptr<Reconciler> makeReconciler(bool crossNs = false) {
    Options o;
    o.allowCrossNamespace = crossNs;
    o.pool.timeouts.connect = std::chrono::seconds(2);
    // These tests restart the server and reconcile at once: no failure memory.
    o.pool.failFastFor = std::chrono::milliseconds(0);
    return std::make_unique<Reconciler>(
        o, [this](mysqlop_type_log_level, const std::string& m) { logs_.push_back(m); });
  }

  void putDatabase(const std::string& name, nlohmann::json spec,
                   nlohmann::json annotations = nlohmann::json::object(),
                   const std::string& ns = "ns") {
    kube_.put(kMysqlDatabase,
              {{"metadata", {{"namespace", ns}, {"name", name}, {"annotations", annotations}}},
               {"spec", spec}});
  }

  nlohmann::json stored(const std::string& name, const std::string& ns = "ns") {
    return kube_.object(kMysqlDatabase, ns, name);
  }

  Outcome run(Reconciler& r, const std::string& name, const std::string& ns = "ns") {
    return r.reconcile(kube_, ns, name);
  }

  bool databaseExists(const std::string& name) {
    return db_.query("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " +
                     hexLiteral(name)) == "1\n";
  }

  static std::string hexLiteral(const std::string& s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "CONVERT(X'";
    for (unsigned char c : s) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
    return out + "' USING utf8mb4)";
  }

  MariaDbServer db_;
  MemoryKube kube_;
  std::vector<std::string> logs_;
};

TEST_F(DatabaseReconcilerTest, CreatesTheDatabaseAddsTheFinalizerAndReportsReady) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "app_db"}});
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_Ok) << o.message;
  EXPECT_EQ(o.requeueAfterMs, 0u);
  EXPECT_TRUE(databaseExists("app_db"));
  nlohmann::json obj = stored("app");
  EXPECT_TRUE(mysql::hasFinalizer(obj, "mysql-operator.presslabs.org/database"));
  const auto& cond = obj["status"]["conditions"][0];
  EXPECT_EQ(cond["type"], "Ready");
  EXPECT_EQ(cond["status"], "True");
  EXPECT_EQ(cond["reason"], "ProvisionSucceeded");
  EXPECT_EQ(cond["message"], "Database successfully created.");
  EXPECT_TRUE(cond.contains("lastTransitionTime"));
  EXPECT_TRUE(cond.contains("lastUpdateTime"));
  auto events = kube_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "Normal");
  EXPECT_EQ(events[0].reason, "ProvisionSucceeded");
  // A second pass changes nothing and records nothing.
  const std::string version = obj["metadata"]["resourceVersion"];
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_EQ(stored("app")["metadata"]["resourceVersion"], version);
  EXPECT_EQ(kube_.events().size(), 1u);
}

TEST_F(DatabaseReconcilerTest, AppliesAndConvergesCharacterSetAndCollation) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}},
                      {"database", "cs"},
                      {"characterSet", "latin1"},
                      {"collation", "latin1_bin"}});
  ASSERT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_EQ(db_.query("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
                      "information_schema.SCHEMATA WHERE SCHEMA_NAME='cs'"),
            "latin1\tlatin1_bin\n");
  nlohmann::json obj = stored("app");
  obj["spec"]["characterSet"] = "utf8mb4";
  obj["spec"]["collation"] = "utf8mb4_unicode_ci";
  kube_.put(kMysqlDatabase, obj);
  ASSERT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_EQ(db_.query("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
                      "information_schema.SCHEMATA WHERE SCHEMA_NAME='cs'"),
            "utf8mb4\tutf8mb4_unicode_ci\n");
}

TEST_F(DatabaseReconcilerTest, UnknownCharacterSetIsAPermanentFailure) {
  auto r = makeReconciler();
  putDatabase("app",
              {{"clusterRef", {{"name", "c"}}}, {"database", "cs"}, {"characterSet", "nope"}});
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  const std::string expected =
      "creating database `cs`: error 1115 (42000): Unknown character set: 'nope'";
  EXPECT_EQ(o.message, expected);
  EXPECT_EQ(mysql::readyMessage(stored("app")), expected);
  EXPECT_FALSE(databaseExists("cs"));
}

TEST_F(DatabaseReconcilerTest, ClusterNotReadyRequeuesEvery30Seconds) {
  kube_.putCluster("ns", "c", "cluster-secret", false);
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "later"}});
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_Ok);
  EXPECT_EQ(o.requeueAfterMs, 30000u);
  nlohmann::json obj = stored("app");
  EXPECT_EQ(mysql::readyStatus(obj), "False");
  EXPECT_EQ(obj["status"]["conditions"][0]["reason"], "ProvisionFailed");
  EXPECT_EQ(mysql::readyMessage(obj), "cluster is not ready");
  EXPECT_FALSE(mysql::hasFinalizer(obj, kFinalizer));
  EXPECT_FALSE(databaseExists("later"));
  kube_.putCluster("ns", "c", "cluster-secret", true);
  EXPECT_EQ(run(*r, "app").requeueAfterMs, 0u);
  EXPECT_TRUE(databaseExists("later"));
  EXPECT_EQ(mysql::readyStatus(stored("app")), "True");
}

TEST_F(DatabaseReconcilerTest, MissingClusterRequeues) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "nowhere"}}}, {"database", "x"}});
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.requeueAfterMs, 30000u);
  EXPECT_EQ(mysql::readyMessage(stored("app")), "MysqlCluster ns/nowhere not found");
}

TEST_F(DatabaseReconcilerTest, CrossNamespaceIsRefusedUnlessAllowed) {
  kube_.setSecret("other", "s", {{"ROOT_PASSWORD", db_.rootPassword()}});
  kube_.putCluster("other", "oc", "s", true);
  kube_.setMaster("other", "oc", {db_.host(), db_.port()});
  putDatabase("app", {{"clusterRef", {{"name", "oc"}, {"namespace", "other"}}}, {"database", "x"}});
  auto refused = makeReconciler(false);
  Outcome o = run(*refused, "app");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message, "cross namespace database creation is disabled");
  EXPECT_EQ(mysql::readyMessage(stored("app")), "cross namespace database creation is disabled");
  EXPECT_FALSE(databaseExists("x"));
  auto allowed = makeReconciler(true);
  EXPECT_EQ(run(*allowed, "app").status, mysqlop_status_Ok);
  EXPECT_TRUE(databaseExists("x"));
}

TEST_F(DatabaseReconcilerTest, DeletionDropsTheDatabaseAndReleasesTheObject) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "gone"}});
  ASSERT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  ASSERT_TRUE(databaseExists("gone"));
  kube_.markDeleted(kMysqlDatabase, "ns", "app");
  ASSERT_TRUE(kube_.exists(kMysqlDatabase, "ns", "app"));  // held by the finalizer
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_FALSE(databaseExists("gone"));
  EXPECT_FALSE(kube_.exists(kMysqlDatabase, "ns", "app"));
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);  // NotFound is done
}

TEST_F(DatabaseReconcilerTest, RetainAnnotationKeepsTheDatabase) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "kept"}},
              {{"mysql-operator.presslabs.org/resourceDeletionPolicy", "retain"}});
  ASSERT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  kube_.markDeleted(kMysqlDatabase, "ns", "app");
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_TRUE(databaseExists("kept"));
  EXPECT_FALSE(kube_.exists(kMysqlDatabase, "ns", "app"));
  auto events = kube_.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().reason, "Retained");
  EXPECT_EQ(events.back().message,
            "database `kept` is kept in MysqlCluster ns/c (resourceDeletionPolicy: retain)");
}

TEST_F(DatabaseReconcilerTest, DeletionWithTheClusterGoneReleasesTheObject) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "orphan"}});
  ASSERT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  kube_.markDeleted(mysqlop::kube::res::kMysqlCluster, "ns", "c");
  kube_.markDeleted(kMysqlDatabase, "ns", "app");
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_FALSE(kube_.exists(kMysqlDatabase, "ns", "app"));
}

TEST_F(DatabaseReconcilerTest, UnreachableClusterFailsWithTheReasonAndRecovers) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "resilient"}});
  db_.stop();
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  const std::string expected = "connecting to " + db_.host() + ":" + std::to_string(db_.port()) +
                               " as root: Can't connect to server on '" + db_.host() + "' (115)";
  EXPECT_EQ(o.message, expected);
  nlohmann::json obj = stored("app");
  EXPECT_EQ(mysql::readyStatus(obj), "False");
  EXPECT_EQ(mysql::readyMessage(obj), expected);
  auto events = kube_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "Warning");
  EXPECT_EQ(events[0].reason, "ProvisionFailed");
  db_.start();
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_TRUE(databaseExists("resilient"));
  EXPECT_EQ(mysql::readyStatus(stored("app")), "True");
}

TEST_F(DatabaseReconcilerTest, DeletionWaitsForAnUnreachableCluster) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "later_gone"}});
  ASSERT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  kube_.markDeleted(kMysqlDatabase, "ns", "app");
  db_.stop();
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Retry);
  EXPECT_TRUE(kube_.exists(kMysqlDatabase, "ns", "app"));
  db_.start();
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_FALSE(databaseExists("later_gone"));
  EXPECT_FALSE(kube_.exists(kMysqlDatabase, "ns", "app"));
}

TEST_F(DatabaseReconcilerTest, NoMasterEndpointIsReported) {
  kube_.clearMaster("ns", "c");
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "x"}});
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "no master endpoint for MysqlCluster ns/c: no ready pod behind service c-mysql-master");
}

TEST_F(DatabaseReconcilerTest, WrongRootPasswordNeverAppearsAnywhere) {
  const std::string secret = "Wrong-Root-Secret-42";
  kube_.setSecret("ns", "cluster-secret", {{"ROOT_PASSWORD", secret}});
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "x"}});
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message, "connecting to " + db_.host() + ":" + std::to_string(db_.port()) +
                           " as root: Access denied for user 'root'@'127.0.0.1' (using password: "
                           "YES)");
  EXPECT_EQ(stored("app").dump().find(secret), std::string::npos);
  for (const auto& e : kube_.events()) {
    EXPECT_EQ(e.message.find(secret), std::string::npos);
  }
  for (const auto& l : logs_) {
    EXPECT_EQ(l.find(secret), std::string::npos);
  }
}

TEST_F(DatabaseReconcilerTest, MissingRootPasswordIsReported) {
  kube_.setSecret("ns", "cluster-secret", {{"OTHER", "x"}});
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "x"}});
  EXPECT_EQ(run(*r, "app").message, "ROOT_PASSWORD not set in secret ns/cluster-secret");
}

TEST_F(DatabaseReconcilerTest, HostileNamesAreStoredExactly) {
  auto r = makeReconciler();
  const std::vector<std::string> names = {
      "back`tick", "it's",      "dq\"x",    "semi;DROP DATABASE mysql",
      "100%_",     "ünïcødé ✓", "a/b.c\\d", " lead"};
  int i = 0;
  for (const std::string& name : names) {
    const std::string obj = "db" + std::to_string(i++);
    putDatabase(obj, {{"clusterRef", {{"name", "c"}}}, {"database", name}});
    Outcome o = run(*r, obj);
    EXPECT_EQ(o.status, mysqlop_status_Ok) << name << ": " << o.message;
    EXPECT_TRUE(databaseExists(name)) << name;
  }
  EXPECT_EQ(db_.query("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN "
                      "('mysql','information_schema','performance_schema','sys')"),
            "4\n");
  // And dropped exactly: deleting one leaves the others.
  kube_.markDeleted(kMysqlDatabase, "ns", "db0");
  EXPECT_EQ(run(*r, "db0").status, mysqlop_status_Ok);
  EXPECT_FALSE(databaseExists("back`tick"));
  EXPECT_TRUE(databaseExists("it's"));
  EXPECT_TRUE(databaseExists("100%_"));
}

TEST_F(DatabaseReconcilerTest, HostileNamesThatCannotBeStoredAreRefusedNamingTheField) {
  auto r = makeReconciler();
  struct Case {
    std::string database;
    std::string message;
  };
  const std::vector<Case> cases = {
      {std::string("nul\0byte", 8), "spec.database \"nul\\x00byte\" contains a NUL character"},
      {std::string(65, 'L'),
       "spec.database \"" + std::string(64, 'L') + "...\" is longer than 64 characters (65)"},
      {"trailing ", "spec.database \"trailing \" ends with a space, which MySQL does not allow"},
      {"emoji\xF0\x9F\x98\x80",
       "spec.database \"emoji\xF0\x9F\x98\x80\" contains a character outside the Basic "
       "Multilingual Plane (such as an emoji), which MySQL names cannot hold"},
      {"mysql",
       "spec.database \"mysql\" names the system schema mysql, which the operator never creates "
       "or drops"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string obj = "bad" + std::to_string(i++);
    putDatabase(obj, {{"clusterRef", {{"name", "c"}}}, {"database", c.database}});
    Outcome o = run(*r, obj);
    EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
    EXPECT_EQ(o.message, c.message);
    EXPECT_EQ(mysql::readyMessage(stored(obj)), c.message);
    EXPECT_FALSE(mysql::hasFinalizer(stored(obj), kFinalizer));
  }
  EXPECT_EQ(db_.query("SELECT COUNT(*) FROM information_schema.SCHEMATA"), "4\n");
}

TEST_F(DatabaseReconcilerTest, ASystemSchemaIsNeverDroppedEvenWithAFinalizer) {
  auto r = makeReconciler();
  kube_.put(kMysqlDatabase,
            {{"metadata",
              {{"namespace", "ns"}, {"name", "evil"}, {"finalizers", {std::string(kFinalizer)}}}},
             {"spec", {{"clusterRef", {{"name", "c"}}}, {"database", "mysql"}}}});
  kube_.markDeleted(kMysqlDatabase, "ns", "evil");
  EXPECT_EQ(run(*r, "evil").status, mysqlop_status_Ok);
  EXPECT_FALSE(kube_.exists(kMysqlDatabase, "ns", "evil"));
  EXPECT_TRUE(databaseExists("mysql"));
  EXPECT_EQ(kube_.events().back().message,
            "the database is not dropped: spec.database \"mysql\" names the system schema mysql, "
            "which the operator never creates or drops");
}

TEST_F(DatabaseReconcilerTest, ConflictsAreRetried) {
  auto r = makeReconciler();
  putDatabase("app", {{"clusterRef", {{"name", "c"}}}, {"database", "conflicted"}});
  kube_.conflictNext(1);
  Outcome o = run(*r, "app");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "adding the finalizer to MysqlDatabase ns/app: the object has been modified "
            "(injected)");
  EXPECT_EQ(run(*r, "app").status, mysqlop_status_Ok);
  EXPECT_EQ(mysql::readyStatus(stored("app")), "True");
}

TEST_F(DatabaseReconcilerTest, ConnectionsAreReusedAcrossReconciles) {
  auto r = makeReconciler();
  const long long before = db_.globalStatus("Connections");
  for (int i = 0; i < 10; ++i) {
    putDatabase("d" + std::to_string(i),
                {{"clusterRef", {{"name", "c"}}}, {"database", "reuse" + std::to_string(i)}});
    ASSERT_EQ(run(*r, "d" + std::to_string(i)).status, mysqlop_status_Ok);
  }
  // One pooled connection for ten reconciles, plus the status query itself.
  EXPECT_EQ(db_.globalStatus("Connections") - before, 2);
  EXPECT_EQ(r->pool().stats().opened, 1u);
}

}  // namespace
}  // namespace mysqlop::database
