// MysqlDatabase end to end: the mysql-operator process with the database plugin, the project's
// local API server, and a real mariadbd as the MysqlCluster's master pod.
#include <gtest/gtest.h>

#include "tests/support/mysql/operator_env.h"

namespace mysqlop::testing {
namespace {

using nlohmann::json;

class DatabaseE2E : public ::testing::Test {
 protected:
  void SetUp() override { env_.start(options()); }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- operator log ----\n" << env_.operatorLog() << std::endl;
    }
  }
  virtual MysqlOperatorEnv::Options options() { return {}; }

  static json database(const std::string& name, const std::string& db,
                       json annotations = json::object(), json clusterRef = {{"name", "c"}}) {
    return {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
            {"kind", "MysqlDatabase"},
            {"metadata", {{"name", name}, {"annotations", annotations}}},
            {"spec", {{"clusterRef", clusterRef}, {"database", db}}}};
  }

  bool databaseExists(const std::string& name) {
    return env_.db().query("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='" +
                           name + "'") == "1\n";
  }

  MysqlOperatorEnv env_;
};

TEST_F(DatabaseE2E, CreatedReadyAndDroppedOnDelete) {
  env_.create("mysqldatabases", database("app", "app_db"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqldatabases", "app")))
      << env_.readyMessage("mysqldatabases", "app");
  EXPECT_TRUE(databaseExists("app_db"));
  json obj = env_.get("mysqldatabases", "app");
  EXPECT_EQ(obj["metadata"]["finalizers"], json({"mysql-operator.presslabs.org/database"}));
  const json& cond = obj["status"]["conditions"][0];
  EXPECT_EQ(cond["reason"], "ProvisionSucceeded");
  EXPECT_EQ(cond["message"], "Database successfully created.");

  env_.remove("mysqldatabases", "app");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!env_.exists("mysqldatabases", "app")));
  EXPECT_FALSE(databaseExists("app_db"));
}

TEST_F(DatabaseE2E, RetainedOnDeleteWithTheAnnotation) {
  env_.create("mysqldatabases",
              database("keep", "kept_db",
                       {{"mysql-operator.presslabs.org/resourceDeletionPolicy", "retain"}}));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqldatabases", "keep")));
  env_.remove("mysqldatabases", "keep");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!env_.exists("mysqldatabases", "keep")));
  EXPECT_TRUE(databaseExists("kept_db"));
}

TEST_F(DatabaseE2E, WaitsForTheClusterToBeReady) {
  env_.setClusterReady(false);
  env_.create("mysqldatabases", database("later", "later_db"));
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(env_.readyMessage("mysqldatabases", "later") == "cluster is not ready"));
  EXPECT_EQ(env_.readyStatus("mysqldatabases", "later"), "False");
  EXPECT_FALSE(databaseExists("later_db"));
  // The cluster turning Ready requeues the database at once (no need to wait for the 30 s
  // requeue; the deadline below is generous either way).
  env_.setClusterReady(true);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqldatabases", "later")));
  EXPECT_TRUE(databaseExists("later_db"));
}

TEST_F(DatabaseE2E, UnreachableClusterIsReportedThenRecovers) {
  env_.db().stop();
  env_.create("mysqldatabases", database("down", "down_db"));
  const std::string cause = "Can't connect to server on '" + env_.db().host() + "'";
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.readyMessage("mysqldatabases", "down").find(cause) !=
                                 std::string::npos))
      << env_.readyMessage("mysqldatabases", "down");
  EXPECT_EQ(env_.readyStatus("mysqldatabases", "down"), "False");
  env_.db().start();
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(within(std::chrono::seconds(120)),
                                        env_.ready("mysqldatabases", "down")));
  EXPECT_TRUE(databaseExists("down_db"));
}

TEST_F(DatabaseE2E, CrossNamespaceIsRefused) {
  env_.create("namespaces",
              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  env_.create("mysqldatabases",
              database("x", "x_db", json::object(), {{"name", "c"}, {"namespace", "e2e"}}),
              "other");
  ASSERT_TRUE(eventually(
      "MysqlDatabase other/x to say cross namespace creation is disabled",
      [&] {
        json obj = env_.get("mysqldatabases", "x", "other");
        return obj.contains("status") && obj["status"]["conditions"][0].value("message", "") ==
                                             "cross namespace database creation is disabled";
      },
      [&] { return env_.get("mysqldatabases", "x", "other").dump(); }));
  EXPECT_FALSE(databaseExists("x_db"));
}

class DatabaseE2ECrossNamespace : public DatabaseE2E {
 protected:
  MysqlOperatorEnv::Options options() override {
    MysqlOperatorEnv::Options o;
    o.extraArgs = {"--allow-cross-namespace-database"};
    return o;
  }
};

TEST_F(DatabaseE2ECrossNamespace, IsAllowedWithTheFlag) {
  env_.create("namespaces",
              {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  env_.create("mysqldatabases",
              database("x", "x_db", json::object(), {{"name", "c"}, {"namespace", "e2e"}}),
              "other");
  ASSERT_TRUE(eventually(
      "MysqlDatabase other/x to be Ready",
      [&] {
        json obj = env_.get("mysqldatabases", "x", "other");
        return obj.contains("status") &&
               obj["status"]["conditions"][0].value("status", "") == "True";
      },
      [&] { return env_.get("mysqldatabases", "x", "other").dump(); }));
  EXPECT_TRUE(databaseExists("x_db"));
}

}  // namespace
}  // namespace mysqlop::testing
