// The MysqlUser reconcile logic against a real mariadbd; the Kubernetes side is MemoryKube. The
// checks of what an account can do connect as that account with the mariadb command-line client.
#include "plugins/user/src/reconciler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/common/kube/resources.h"
#include "plugins/common/mysql/mysql_object.h"
#include "tests/support/mysql/mariadb_server.h"
#include "tests/support/mysql/memory_kube.h"

namespace mysqlop::user {
namespace {

using mysqlop::kube::res::kMysqlUser;
using nlohmann::json;
using testing::MariaDbServer;
using testing::MemoryKube;

constexpr const char* kPassword = "s3cret-Pa55word";

class UserReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kube_.setSecret("ns", "cluster-secret", {{"ROOT_PASSWORD", db_.rootPassword()}});
    kube_.putCluster("ns", "c", "cluster-secret", true);
    kube_.setMaster("ns", "c", {db_.host(), db_.port()});
    kube_.setSecret("ns", "app-secret", {{"PASSWORD", kPassword}});
    db_.query(
        "CREATE DATABASE app; CREATE TABLE app.t (v INT); INSERT INTO app.t VALUES (1);"
        "CREATE TABLE app.other (v INT); CREATE DATABASE secret; CREATE TABLE secret.s (v INT)");
  }

  std::unique_ptr<Reconciler> makeReconciler(bool crossNs = false) {
    Options o = parseOptions("{}", "{}");
    o.allowCrossNamespace = crossNs;
    o.pool.timeouts.connect = std::chrono::seconds(2);
    // These tests restart the server and reconcile at once: no failure memory.
    o.pool.failFastFor = std::chrono::milliseconds(0);
    return std::make_unique<Reconciler>(
        o, [this](mysqlop_type_log_level, const std::string& m) { logs_.push_back(m); });
  }

  static json baseSpec(const std::string& user = "app") {
    return {{"clusterRef", {{"name", "c"}}},
            {"user", user},
            {"password", {{"name", "app-secret"}, {"key", "PASSWORD"}}},
            {"allowedHosts", {"%"}},
            {"permissions", {{{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"SELECT"}}}}}};
  }

  void putUser(const std::string& name, const json& spec, json annotations = json::object(),
               const std::string& ns = "ns") {
    kube_.put(kMysqlUser,
              {{"metadata", {{"namespace", ns}, {"name", name}, {"annotations", annotations}}},
               {"spec", spec}});
  }

  // Changes the spec of a stored MysqlUser, keeping its metadata and status.
  void editSpec(const std::string& name, const std::function<void(json&)>& edit) {
    json obj = kube_.object(kMysqlUser, "ns", name);
    edit(obj["spec"]);
    kube_.put(kMysqlUser, obj);
  }

  json stored(const std::string& name) { return kube_.object(kMysqlUser, "ns", name); }

  Outcome run(Reconciler& r, const std::string& name, const std::string& ns = "ns") {
    return r.reconcile(kube_, ns, name);
  }

  bool can(const std::string& user, const std::string& password, const std::string& sql) {
    return db_.sqlAs(user, password, sql).ok();
  }

  std::string accounts(const std::string& user) {
    return db_.query("SELECT Host FROM mysql.user WHERE User = " + literal(user) +
                     " ORDER BY Host");
  }

  static std::string literal(const std::string& s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "CONVERT(X'";
    for (unsigned char c : s) {
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
    return out + "' USING utf8mb4)";
  }

  // Counters of the statements that change accounts, to prove a pass in sync writes nothing.
  long long writes() {
    long long n = 0;
    for (const char* s :
         {"Com_create_user", "Com_alter_user", "Com_grant", "Com_revoke", "Com_drop_user"}) {
      n += db_.globalStatus(s);
    }
    return n;
  }

  void expectNoSecretAnywhere(const std::string& secret) {
    for (const auto& l : logs_) {
      EXPECT_EQ(l.find(secret), std::string::npos) << l;
    }
    for (const auto& e : kube_.events()) {
      EXPECT_EQ(e.message.find(secret), std::string::npos) << e.message;
    }
    for (const char* name : {"u", "u2"}) {
      EXPECT_EQ(stored(name).dump().find(secret), std::string::npos);
    }
  }

  MariaDbServer db_;
  MemoryKube kube_;
  std::vector<std::string> logs_;
};

TEST_F(UserReconcilerTest, CreatesTheUserWhoCanDoWhatTheSpecSaysAndNothingElse) {
  auto r = makeReconciler();
  putUser("u", baseSpec());
  Outcome o = run(*r, "u");
  EXPECT_EQ(o.status, mysqlop_status_Ok) << o.message;
  EXPECT_EQ(o.requeueAfterMs, 120000u);  // drift repair every 2 minutes
  json obj = stored("u");
  EXPECT_TRUE(mysql::hasFinalizer(obj, "mysql-operator.presslabs.org/user"));
  EXPECT_EQ(obj["status"]["allowedHosts"], json({"%"}));
  const auto& cond = obj["status"]["conditions"][0];
  EXPECT_EQ(cond["status"], "True");
  EXPECT_EQ(cond["reason"], "ProvisionSucceeded");
  EXPECT_EQ(cond["message"], "The user provisioning has succeeded.");

  EXPECT_TRUE(can("app", kPassword, "SELECT v FROM app.t"));
  EXPECT_FALSE(can("app", kPassword, "INSERT INTO app.t VALUES (2)"));
  EXPECT_FALSE(can("app", kPassword, "SELECT v FROM secret.s"));
  EXPECT_FALSE(can("app", "wrong", "SELECT 1"));
  expectNoSecretAnywhere(kPassword);
}

TEST_F(UserReconcilerTest, APassInSyncWritesNothing) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["permissions"].push_back(
      {{"schema", "app"}, {"tables", {"t"}}, {"permissions", {"UPDATE"}}});
  spec["permissions"].push_back({{"schema", "*"}, {"tables", {"*"}}, {"permissions", {"PROCESS"}}});
  spec["resourceLimits"] = {{"MAX_USER_CONNECTIONS", 5}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  const long long before = writes();
  const std::string version = stored("u")["metadata"]["resourceVersion"];
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(writes(), before);
  EXPECT_EQ(stored("u")["metadata"]["resourceVersion"], version);
}

TEST_F(UserReconcilerTest, PermissionChangesTakeEffectAndRemovedOnesAreRevoked) {
  auto r = makeReconciler();
  putUser("u", baseSpec());
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  ASSERT_FALSE(can("app", kPassword, "INSERT INTO app.t VALUES (2)"));
  // Add INSERT on the schema and UPDATE on one table.
  editSpec("u", [](json& s) {
    s["permissions"] = {
        {{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"SELECT", "INSERT"}}},
        {{"schema", "app"}, {"tables", {"t"}}, {"permissions", {"UPDATE"}}}};
  });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "INSERT INTO app.t VALUES (2)"));
  EXPECT_TRUE(can("app", kPassword, "UPDATE app.t SET v = 3 WHERE v = 2"));
  EXPECT_FALSE(can("app", kPassword, "UPDATE app.other SET v = 3"));
  // Remove INSERT and the table entry: both revoked.
  editSpec("u", [](json& s) {
    s["permissions"] = {{{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"SELECT"}}}};
  });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_FALSE(can("app", kPassword, "INSERT INTO app.t VALUES (4)"));
  EXPECT_FALSE(can("app", kPassword, "UPDATE app.t SET v = 5"));
  EXPECT_TRUE(can("app", kPassword, "SELECT v FROM app.t"));
  EXPECT_EQ(
      db_.query("SHOW GRANTS FOR 'app'@'%'"),
      "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '" +
          db_.query("SELECT authentication_string FROM mysql.user WHERE User='app'").substr(0, 41) +
          "'\nGRANT SELECT ON `app`.* TO `app`@`%`\n");
}

TEST_F(UserReconcilerTest, TheSchemaIsExactNotAPattern) {
  db_.query(
      "CREATE DATABASE my_db; CREATE DATABASE myXdb; CREATE TABLE my_db.t (v INT);"
      "CREATE TABLE myXdb.t (v INT)");
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["permissions"] = {{{"schema", "my_db"}, {"tables", {"*"}}, {"permissions", {"SELECT"}}}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "SELECT * FROM my_db.t"));
  EXPECT_FALSE(can("app", kPassword, "SELECT * FROM myXdb.t"));
  // "%" names a schema called "%", never every schema.
  db_.query("CREATE DATABASE `%`; CREATE TABLE `%`.t (v INT)");
  editSpec("u", [](json& s) {
    s["permissions"] = {{{"schema", "%"}, {"tables", {"*"}}, {"permissions", {"SELECT"}}}};
  });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "SELECT * FROM `%`.t"));
  EXPECT_FALSE(can("app", kPassword, "SELECT * FROM app.t"));
  EXPECT_FALSE(can("app", kPassword, "SELECT * FROM my_db.t"));
}

TEST_F(UserReconcilerTest, AllPrivilegesAndGrantOption) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["permissions"] = {
      {{"schema", "app"}, {"tables", {"*"}}, {"permissions", {"ALL", "GRANT OPTION"}}}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "CREATE TABLE app.created (v INT); DROP TABLE app.created"));
  EXPECT_TRUE(can("app", kPassword, "GRANT SELECT ON app.* TO 'root'@'localhost'"));
  const long long before = writes();
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(writes(), before) << ::testing::PrintToString(logs_);  // ALL is recognised as complete
  // A privilege of ALL revoked by hand comes back.
  db_.query("REVOKE DROP ON app.* FROM 'app'@'%'");
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "CREATE TABLE app.c2 (v INT); DROP TABLE app.c2"));
}

TEST_F(UserReconcilerTest, HostsAreAddedAndRemoved) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["allowedHosts"] = {"%", "10.1.2.%"};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(accounts("app"), "%\n10.1.2.%\n");
  EXPECT_EQ(db_.query("SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = "
                      "\"'app'@'10.1.2.%'\""),
            "1\n");
  editSpec("u", [](json& s) { s["allowedHosts"] = {"10.1.2.%", "localhost"}; });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(accounts("app"), "10.1.2.%\nlocalhost\n");
  EXPECT_EQ(stored("u")["status"]["allowedHosts"], json({"10.1.2.%", "localhost"}));
  EXPECT_FALSE(can("app", kPassword, "SELECT 1"));  // we connect from 127.0.0.1: no account
}

TEST_F(UserReconcilerTest, PasswordRotationFromTheSecret) {
  auto r = makeReconciler();
  putUser("u", baseSpec());
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  ASSERT_TRUE(can("app", kPassword, "SELECT 1"));
  const std::string rotated = "rotated-'quote'-\\-pass";
  kube_.setSecret("ns", "app-secret", {{"PASSWORD", rotated}});
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_FALSE(can("app", kPassword, "SELECT 1"));
  EXPECT_TRUE(can("app", rotated, "SELECT 1"));
  expectNoSecretAnywhere(rotated);
  expectNoSecretAnywhere(kPassword);
}

TEST_F(UserReconcilerTest, SecretChangesMapToTheUsersThatUseThem) {
  auto r = makeReconciler();
  putUser("u", baseSpec());
  json other = baseSpec("other");
  other["password"]["name"] = "other-secret";
  putUser("u2", other);
  json secret = {{"metadata", {{"namespace", "ns"}, {"name", "app-secret"}}}};
  auto keys = Reconciler::usersOfSecret(kube_, secret.dump());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], (std::pair<std::string, std::string>{"ns", "u"}));
  secret["metadata"]["name"] = "unrelated";
  EXPECT_TRUE(Reconciler::usersOfSecret(kube_, secret.dump()).empty());
}

TEST_F(UserReconcilerTest, DriftIsRepaired) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["resourceLimits"] = {{"MAX_QUERIES_PER_HOUR", 1000}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  // Dropped by hand: restored.
  db_.query("DROP USER 'app'@'%'");
  ASSERT_FALSE(can("app", kPassword, "SELECT 1"));
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "SELECT v FROM app.t"));
  // Password, limits and privileges altered by hand: restored, and the extra grant revoked.
  db_.query(
      "ALTER USER 'app'@'%' IDENTIFIED BY 'hacked' WITH MAX_QUERIES_PER_HOUR 7;"
      "GRANT ALL ON secret.* TO 'app'@'%'; GRANT SUPER ON *.* TO 'app'@'%';"
      "REVOKE SELECT ON app.* FROM 'app'@'%'");
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_FALSE(can("app", "hacked", "SELECT 1"));
  EXPECT_TRUE(can("app", kPassword, "SELECT v FROM app.t"));
  EXPECT_FALSE(can("app", kPassword, "SELECT v FROM secret.s"));
  EXPECT_EQ(db_.query("SELECT max_questions, Super_priv FROM mysql.user WHERE User='app'"),
            "1000\tN\n");
}

TEST_F(UserReconcilerTest, ResourceLimitsAreAppliedAndReset) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["resourceLimits"] = {{"MAX_USER_CONNECTIONS", 1},
                            {"MAX_QUERIES_PER_HOUR", "2k"},
                            {"MAX_UPDATES_PER_HOUR", 30},
                            {"MAX_CONNECTIONS_PER_HOUR", "40"}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(db_.query("SELECT max_user_connections, max_questions, max_updates, max_connections "
                      "FROM mysql.user WHERE User='app'"),
            "1\t2000\t30\t40\n");
  editSpec("u", [](json& s) { s["resourceLimits"] = {{"MAX_UPDATES_PER_HOUR", 9}}; });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(db_.query("SELECT max_user_connections, max_questions, max_updates, max_connections "
                      "FROM mysql.user WHERE User='app'"),
            "0\t0\t9\t0\n");
}

// Lower-case keys (bitpoke passes keys to MySQL as written, where case does not matter) are the
// same limits, and a change of case alone is a pass in sync.
TEST_F(UserReconcilerTest, LowerCaseResourceLimitsReachTheServer) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["resourceLimits"] = {{"max_user_connections", 10}, {"max_queries_per_hour", "3k"}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(db_.query("SELECT max_user_connections, max_questions, max_updates, max_connections "
                      "FROM mysql.user WHERE User='app'"),
            "10\t3000\t0\t0\n");
  editSpec("u", [](json& s) {
    s["resourceLimits"] = {{"MAX_USER_CONNECTIONS", 10}, {"Max_Queries_Per_Hour", 3000}};
  });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(db_.query("SELECT max_user_connections, max_questions FROM mysql.user WHERE "
                      "User='app'"),
            "10\t3000\n");
}

// bitpoke ignores password.optional: a missing key is the same failure with or without it.
TEST_F(UserReconcilerTest, PasswordOptionalDoesNotMakeThePasswordOptional) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["password"]["optional"] = true;
  putUser("u", spec);
  kube_.setSecret("ns", "app-secret", {{"OTHER", "x"}});
  EXPECT_EQ(run(*r, "u").message,
            "reading the password (spec.password, secret ns/app-secret key PASSWORD): secret "
            "ns/app-secret has no key PASSWORD");
  EXPECT_EQ(accounts("app"), "");
  kube_.setSecret("ns", "app-secret", {{"PASSWORD", kPassword}});
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "SELECT 1"));
}

TEST_F(UserReconcilerTest, DeletionDropsEveryAccount) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["allowedHosts"] = {"%", "localhost"};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  kube_.markDeleted(kMysqlUser, "ns", "u");
  EXPECT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(accounts("app"), "");
  EXPECT_FALSE(kube_.exists(kMysqlUser, "ns", "u"));
}

TEST_F(UserReconcilerTest, RetainAnnotationKeepsTheUser) {
  auto r = makeReconciler();
  putUser("u", baseSpec(), {{"mysql-operator.presslabs.org/resourceDeletionPolicy", "retain"}});
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  kube_.markDeleted(kMysqlUser, "ns", "u");
  EXPECT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_FALSE(kube_.exists(kMysqlUser, "ns", "u"));
  EXPECT_TRUE(can("app", kPassword, "SELECT v FROM app.t"));
  EXPECT_EQ(kube_.events().back().message,
            "user \"app\" is kept in MysqlCluster ns/c (resourceDeletionPolicy: retain)");
}

TEST_F(UserReconcilerTest, ClusterNotReadyRequeuesEvery30Seconds) {
  kube_.putCluster("ns", "c", "cluster-secret", false);
  auto r = makeReconciler();
  putUser("u", baseSpec());
  Outcome o = run(*r, "u");
  EXPECT_EQ(o.status, mysqlop_status_Ok);
  EXPECT_EQ(o.requeueAfterMs, 30000u);
  EXPECT_EQ(mysql::readyMessage(stored("u")), "cluster is not ready");
  EXPECT_EQ(accounts("app"), "");
}

TEST_F(UserReconcilerTest, UnreachableClusterIsReportedAndRecovers) {
  auto r = makeReconciler();
  putUser("u", baseSpec());
  db_.stop();
  Outcome o = run(*r, "u");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  const std::string cause = "connecting to " + db_.host() + ":" + std::to_string(db_.port()) +
                            " as root: Can't connect to server on '" + db_.host() + "' (115)";
  EXPECT_EQ(o.message, cause);
  EXPECT_EQ(mysql::readyStatus(stored("u")), "False");
  EXPECT_EQ(mysql::readyMessage(stored("u")), "The user provisioning has failed: " + cause);
  db_.start();
  EXPECT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(mysql::readyStatus(stored("u")), "True");
  EXPECT_TRUE(can("app", kPassword, "SELECT 1"));
}

TEST_F(UserReconcilerTest, CrossNamespaceIsRefusedUnlessAllowed) {
  kube_.setSecret("other", "s", {{"ROOT_PASSWORD", db_.rootPassword()}});
  kube_.putCluster("other", "oc", "s", true);
  kube_.setMaster("other", "oc", {db_.host(), db_.port()});
  json spec = baseSpec();
  spec["clusterRef"] = {{"name", "oc"}, {"namespace", "other"}};
  putUser("u", spec);
  auto refused = makeReconciler(false);
  Outcome o = run(*refused, "u");
  EXPECT_EQ(o.status, mysqlop_status_InvalidConfig);
  EXPECT_EQ(o.message, "cross namespace user creation is disabled");
  EXPECT_EQ(mysql::readyMessage(stored("u")),
            "The user provisioning has failed: cross namespace user creation is disabled");
  EXPECT_EQ(accounts("app"), "");
  auto allowed = makeReconciler(true);
  EXPECT_EQ(run(*allowed, "u").status, mysqlop_status_Ok);
  EXPECT_TRUE(can("app", kPassword, "SELECT 1"));
}

TEST_F(UserReconcilerTest, PasswordProblemsAreReported) {
  auto r = makeReconciler();
  putUser("u", baseSpec());
  kube_.setSecret("ns", "app-secret", {{"PASSWORD", ""}});
  Outcome o = run(*r, "u");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(mysql::readyMessage(stored("u")),
            "The user provisioning has failed: the MySQL user's password must not be empty");
  kube_.setSecret("ns", "app-secret", {{"OTHER", "x"}});
  EXPECT_EQ(run(*r, "u").message,
            "reading the password (spec.password, secret ns/app-secret key PASSWORD): secret "
            "ns/app-secret has no key PASSWORD");
  kube_.setSecret("ns", "app-secret", {{"PASSWORD", std::string("nul\0pw", 6)}});
  EXPECT_EQ(run(*r, "u").message,
            "the password (spec.password, secret ns/app-secret key PASSWORD) contains a NUL "
            "character, which MySQL clients cannot send");
  EXPECT_EQ(accounts("app"), "");
}

TEST_F(UserReconcilerTest, HostileUserNamesAndPasswordsAreStoredExactly) {
  auto r = makeReconciler();
  const std::vector<std::string> names = {
      "it's",    "back`tick",          "dq\"x", "semi;DROP USER root", "100%_",
      "ünïcødé", std::string(128, 'L')};
  const std::string password = "p'a\"s`s;--\\ ünï %";
  kube_.setSecret("ns", "app-secret", {{"PASSWORD", password}});
  int i = 0;
  for (const std::string& name : names) {
    const std::string obj = "h" + std::to_string(i++);
    putUser(obj, baseSpec(name));
    Outcome o = run(*r, obj);
    ASSERT_EQ(o.status, mysqlop_status_Ok) << name << ": " << o.message;
    EXPECT_EQ(accounts(name), "%\n") << name;
    EXPECT_TRUE(can(name, password, "SELECT v FROM app.t")) << name;
  }
  // root is untouched.
  EXPECT_TRUE(db_.sql("SELECT 1").ok());
  EXPECT_EQ(db_.query("SELECT COUNT(*) FROM mysql.user WHERE User = 'root'"), "5\n");
}

TEST_F(UserReconcilerTest, HostileSpecsThatCannotBeStoredAreRefusedNamingTheField) {
  auto r = makeReconciler();
  struct Case {
    std::function<void(json&)> edit;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](json& s) { s["user"] = std::string("a\0b", 3); },
       "spec.user \"a\\x00b\" contains a NUL character"},
      {[](json& s) { s["user"] = std::string(129, 'L'); },
       "spec.user \"" + std::string(64, 'L') + "...\" is longer than 128 characters (129)"},
      {[](json& s) { s["user"] = "emoji\xF0\x9F\x98\x80"; },
       "spec.user \"emoji\xF0\x9F\x98\x80\" contains a character outside the Basic Multilingual "
       "Plane (such as an emoji), which MySQL names cannot hold"},
      {[](json& s) { s["user"] = "root"; },
       "spec.user \"root\" is reserved for the server or the operator and cannot be managed by a "
       "MysqlUser"},
      {[](json& s) { s["allowedHosts"] = {"%' OR '1'='1"}; },
       "spec.allowedHosts[0] \"%' OR '1'='1\" contains \"'\" (a host may hold letters, digits and "
       ". - _ % : / only)"},
      {[](json& s) { s["permissions"][0]["permissions"] = {"SELECT, DROP"}; },
       "spec.permissions[0].permissions[0] \"SELECT, DROP\" is not a MariaDB 10.11 privilege"},
      {[](json& s) { s["permissions"][0]["schema"] = "x`; DROP DATABASE mysql; -- "; },
       "spec.permissions[0].schema \"x`; DROP DATABASE mysql; -- \" ends with a space, which "
       "MySQL does not allow"},
      {[](json& s) { s["permissions"][0]["tables"] = {"t\n"}; },
       "spec.permissions[0].tables[0] \"t\\x0a\" contains a control character"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string obj = "bad" + std::to_string(i++);
    json spec = baseSpec("victim");
    c.edit(spec);
    putUser(obj, spec);
    Outcome o = run(*r, obj);
    EXPECT_EQ(o.status, mysqlop_status_InvalidConfig) << c.error;
    EXPECT_EQ(o.message, c.error);
    EXPECT_EQ(mysql::readyMessage(stored(obj)), "The user provisioning has failed: " + c.error);
  }
  EXPECT_EQ(db_.query("SELECT COUNT(*) FROM mysql.user WHERE User NOT IN ('root', "
                      "'mariadb.sys')"),
            "0\n");
}

TEST_F(UserReconcilerTest, HostileSchemaAndTableNamesAreGrantedExactly) {
  db_.query("CREATE DATABASE `we'ird``db`; CREATE TABLE `we'ird``db`.`ta;ble` (v INT)");
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["permissions"] = {
      {{"schema", "we'ird`db"}, {"tables", {"ta;ble"}}, {"permissions", {"SELECT"}}}};
  putUser("u", spec);
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok) << run(*r, "u").message;
  EXPECT_TRUE(can("app", kPassword, "SELECT v FROM `we'ird``db`.`ta;ble`"));
  EXPECT_FALSE(can("app", kPassword, "SELECT v FROM app.t"));
}

TEST_F(UserReconcilerTest, AFailedPassRemembersTheAccountsItCreated) {
  auto r = makeReconciler();
  json spec = baseSpec();
  spec["allowedHosts"] = {"%", "10.9.9.9"};
  // A table that does not exist cannot be granted on (without CREATE): the pass fails after the
  // accounts were created.
  spec["permissions"] = {{{"schema", "app"}, {"tables", {"missing"}}, {"permissions", {"SELECT"}}}};
  putUser("u", spec);
  Outcome o = run(*r, "u");
  EXPECT_EQ(o.status, mysqlop_status_Retry);
  EXPECT_EQ(o.message,
            "granting SELECT ON `app`.`missing` TO 'app'@'%': error 1146 (42S02): Table "
            "'app.missing' doesn't exist");
  EXPECT_EQ(stored("u")["status"]["allowedHosts"], json({"%", "10.9.9.9"}));
  // The spec drops the second host and the bad table: the account is dropped.
  editSpec("u", [](json& s) {
    s["allowedHosts"] = {"%"};
    s["permissions"] = {{{"schema", "app"}, {"tables", {"t"}}, {"permissions", {"SELECT"}}}};
  });
  ASSERT_EQ(run(*r, "u").status, mysqlop_status_Ok);
  EXPECT_EQ(accounts("app"), "%\n");
}

TEST_F(UserReconcilerTest, TheRequeuePeriodIsConfigurable) {
  Options o = parseOptions("{}", R"({"requeueAfterSeconds":7})");
  Reconciler r(o, nullptr);
  putUser("u", baseSpec());
  EXPECT_EQ(r.reconcile(kube_, "ns", "u").requeueAfterMs, 7000u);
}

}  // namespace
}  // namespace mysqlop::user
