// MysqlUser end to end: the mysql-operator process with the user plugin, the project's local API
// server, and a real mariadbd as the MysqlCluster's master pod. What an account can do is checked
// by connecting as it with the mariadb command-line client.
#include <gtest/gtest.h>

#include "tests/support/mysql/operator_env.h"

namespace mysqlop::testing {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "first-Pa55word";

class UserE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    MysqlOperatorEnv::Options o;
    // Drift is repaired on this period; short, so that the test does not wait 2 minutes.
    o.userConfig = {{"requeueAfterSeconds", 2}};
    o.metrics = true;
    env_.start(o);
    env_.db().query(
        "CREATE DATABASE app; CREATE TABLE app.t (v INT); INSERT INTO app.t VALUES (1);"
        "CREATE DATABASE secret; CREATE TABLE secret.s (v INT)");
    env_.putSecret("app-secret", {{"PASSWORD", kPassword}});
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- operator log ----\n" << env_.operatorLog() << std::endl;
    }
  }

  static json user(const std::string& name, json annotations = json::object()) {
    return {
        {"apiVersion", "mysql.presslabs.org/v1alpha1"},
        {"kind", "MysqlUser"},
        {"metadata", {{"name", name}, {"annotations", annotations}}},
        {"spec",
         {{"clusterRef", {{"name", "c"}}},
          {"user", "app"},
          {"password", {{"name", "app-secret"}, {"key", "PASSWORD"}}},
          {"allowedHosts", {"%"}},
          {"permissions", {{{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"SELECT"}}}}}}}};
  }

  bool can(const std::string& password, const std::string& sql) {
    return env_.db().sqlAs("app", password, sql).ok();
  }

  MysqlOperatorEnv env_;
};

TEST_F(UserE2E, ProvisionChangePermissionsRotateAndDelete) {
  env_.create("mysqlusers", user("u"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqlusers", "u")))
      << env_.readyMessage("mysqlusers", "u");
  json obj = env_.get("mysqlusers", "u");
  EXPECT_EQ(obj["metadata"]["finalizers"], json({"mysql-operator.presslabs.org/user"}));
  EXPECT_EQ(obj["status"]["allowedHosts"], json({"%"}));
  EXPECT_EQ(obj["status"]["conditions"][0]["message"], "The user provisioning has succeeded.");
  EXPECT_TRUE(can(kPassword, "SELECT v FROM app.t"));
  EXPECT_FALSE(can(kPassword, "INSERT INTO app.t VALUES (2)"));
  EXPECT_FALSE(can(kPassword, "SELECT v FROM secret.s"));

  // New permissions take effect; a permission removed is revoked.
  env_.mergePatch(
      "mysqlusers", "u",
      {{"spec",
        {{"permissions", {{{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"INSERT"}}}}}}}});
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(can(kPassword, "INSERT INTO app.t VALUES (2)")));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!can(kPassword, "SELECT v FROM app.t")));

  // Rotating the password in the Secret: the old one stops working, the new one works.
  const std::string rotated = "second-Pa55word";
  env_.putSecret("app-secret", {{"PASSWORD", rotated}});
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(can(rotated, "SELECT 1")));
  EXPECT_FALSE(can(kPassword, "SELECT 1"));

  // Deleting the MysqlUser drops the account.
  env_.remove("mysqlusers", "u");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!env_.exists("mysqlusers", "u")));
  EXPECT_EQ(env_.db().query("SELECT COUNT(*) FROM mysql.user WHERE User='app'"), "0\n");
  EXPECT_FALSE(can(rotated, "SELECT 1"));
  // One MySQL connection served every reconcile above (the pool's metrics).
  const std::string metrics = env_.metrics();
  EXPECT_NE(metrics.find("mysqlop_user_mysql_connections_opened_total 1\n"), std::string::npos)
      << metrics;
  // No password in the operator's log.
  const std::string log = env_.operatorLog();
  EXPECT_EQ(log.find(kPassword), std::string::npos);
  EXPECT_EQ(log.find(rotated), std::string::npos);
}

TEST_F(UserE2E, AUserDroppedOrAlteredByHandIsRestored) {
  env_.create("mysqlusers", user("u"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqlusers", "u")));
  env_.db().query("DROP USER 'app'@'%'");
  ASSERT_FALSE(can(kPassword, "SELECT 1"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(can(kPassword, "SELECT v FROM app.t")));
  env_.db().query(
      "ALTER USER 'app'@'%' IDENTIFIED BY 'by-hand'; GRANT ALL ON secret.* TO "
      "'app'@'%'");
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(can(kPassword, "SELECT 1") && !can(kPassword, "SELECT v FROM secret.s")));
  EXPECT_FALSE(can("by-hand", "SELECT 1"));
}

TEST_F(UserE2E, RetainedOnDeleteWithTheAnnotation) {
  env_.create("mysqlusers",
              user("kept", {{"mysql-operator.presslabs.org/resourceDeletionPolicy", "retain"}}));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqlusers", "kept")));
  env_.remove("mysqlusers", "kept");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!env_.exists("mysqlusers", "kept")));
  EXPECT_TRUE(can(kPassword, "SELECT v FROM app.t"));
}

TEST_F(UserE2E, UnreachableClusterIsReportedThenRecovers) {
  env_.create("mysqlusers", user("u"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqlusers", "u")));
  env_.db().stop();
  const std::string cause = "Can't connect to server on '" + env_.db().host() + "'";
  // The periodic requeue notices the server is gone.
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(env_.readyMessage("mysqlusers", "u").find(cause) != std::string::npos))
      << env_.readyMessage("mysqlusers", "u");
  EXPECT_EQ(env_.readyStatus("mysqlusers", "u"), "False");
  env_.db().start();
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY_WITHIN(within(std::chrono::seconds(120)), env_.ready("mysqlusers", "u")));
  EXPECT_TRUE(can(kPassword, "SELECT v FROM app.t"));
}

// A bitpoke manifest with lower-case resourceLimits keys and password.optional: our CRD keeps
// both (it used to prune them silently, leaving the user without limits) and the limits reach
// MariaDB under their own names.
TEST_F(UserE2E, BitpokeSpellingsOfLimitsAndPasswordReachTheServer) {
  json u = user("limited");
  u["spec"]["password"]["optional"] = true;
  u["spec"]["resourceLimits"] = {{"max_user_connections", 10}, {"max_queries_per_hour", "2k"}};
  env_.create("mysqlusers", u);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqlusers", "limited")))
      << env_.readyMessage("mysqlusers", "limited");
  json obj = env_.get("mysqlusers", "limited");
  EXPECT_EQ(obj["spec"]["password"]["optional"], true);
  EXPECT_EQ(obj["spec"]["resourceLimits"],
            json({{"max_user_connections", 10}, {"max_queries_per_hour", "2k"}}));
  EXPECT_EQ(env_.db().query("SELECT max_user_connections, max_questions FROM mysql.user WHERE "
                            "User='app'"),
            "10\t2000\n");
  EXPECT_TRUE(can(kPassword, "SELECT v FROM app.t"));
}

TEST_F(UserE2E, InvalidSpecsAreReportedOnTheObject) {
  json bad = user("bad");
  bad["spec"]["user"] = "root";
  env_.create("mysqlusers", bad);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      env_.readyMessage("mysqlusers", "bad") ==
      "The user provisioning has failed: spec.user \"root\" is reserved for the server or "
      "the operator and cannot be managed by a MysqlUser"))
      << env_.readyMessage("mysqlusers", "bad");
  json worse = user("worse");
  worse["spec"]["permissions"][0]["permissions"] = {"SELECT; DROP DATABASE mysql"};
  env_.create("mysqlusers", worse);
  ASSERT_TRUE(eventually(
      "MysqlUser worse to refuse its privilege",
      [&] {
        return env_.readyMessage("mysqlusers", "worse") ==
               "The user provisioning has failed: spec.permissions[0].permissions[0] \"SELECT; "
               "DROP DATABASE MYSQL\" is not a MariaDB 10.11 privilege";
      },
      [&] { return env_.readyMessage("mysqlusers", "worse"); }));
  EXPECT_EQ(env_.db().query("SELECT COUNT(*) FROM mysql.user WHERE User='app'"), "0\n");
}

// With the default 2-minute requeue, a rotation seen well before that can only come from the
// Secret watch (kWatches + mapWatched).
class UserE2EDefaultRequeue : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.start({});
    env_.db().query("CREATE DATABASE app");
    env_.putSecret("app-secret", {{"PASSWORD", kPassword}});
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- operator log ----\n" << env_.operatorLog() << std::endl;
    }
  }
  MysqlOperatorEnv env_;
};

TEST_F(UserE2EDefaultRequeue, PasswordRotationComesFromTheSecretWatch) {
  json u = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
            {"kind", "MysqlUser"},
            {"metadata", {{"name", "u"}}},
            {"spec",
             {{"clusterRef", {{"name", "c"}}},
              {"user", "app"},
              {"password", {{"name", "app-secret"}, {"key", "PASSWORD"}}},
              {"allowedHosts", {"%"}}}}};
  env_.create("mysqlusers", u);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(env_.ready("mysqlusers", "u")));
  env_.putSecret("app-secret", {{"PASSWORD", "rotated-by-watch"}});
  // The deadline is a failure bound shorter than the 120 s requeue, so only the watch can meet it.
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY_WITHIN(within(std::chrono::seconds(60)),
                                env_.db().sqlAs("app", "rotated-by-watch", "SELECT 1").ok()));
  EXPECT_FALSE(env_.db().sqlAs("app", kPassword, "SELECT 1").ok());
}

}  // namespace
}  // namespace mysqlop::testing
