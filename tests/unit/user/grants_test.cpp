#include "plugins/user/src/grants.h"

#include <gtest/gtest.h>

namespace mysqlop::user {
namespace {

using mysql::GrantLevel;
using mysql::GrantTarget;

const mysql::Dialect kMaria{mysql::ServerVersion{mysql::Flavor::MariaDB, 10, 11, 6}};
const mysql::Dialect kMy57{mysql::ServerVersion{mysql::Flavor::MySQL, 5, 7, 35}};

UserSpec spec(std::vector<PermissionSpec> perms, std::string user = "app") {
  UserSpec s;
  s.user = std::move(user);
  s.hosts = {"%"};
  s.permissions = std::move(perms);
  return s;
}

std::string desiredError(const UserSpec& s, const mysql::Dialect& d = kMaria) {
  std::string error;
  EXPECT_FALSE(desiredGrants(s, d, &error).has_value());
  return error;
}

std::vector<std::string> sqls(const std::vector<GrantChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) {
    out.push_back(c.sql());
  }
  return out;
}

TEST(UserGrants, DesiredGrantsPerLevel) {
  std::string error;
  auto g = desiredGrants(spec({{"*", {"*"}, {"process", "REPLICATION CLIENT"}},
                               {"my_db", {"*"}, {"select", "Insert", "USAGE"}},
                               {"my_db", {"t1", "t2"}, {"update", "grant option"}},
                               {"my_db", {"*"}, {"DELETE"}}}),
                         kMaria, &error);
  ASSERT_TRUE(g) << error;
  ASSERT_EQ(g->size(), 4u);
  EXPECT_EQ(g->at(GrantTarget{GrantLevel::Global, "", ""}).privileges,
            (std::set<std::string>{"PROCESS", "BINLOG MONITOR"}));
  // The schema is matched exactly: its _ is escaped as the grant tables store it.
  EXPECT_EQ(g->at(GrantTarget{GrantLevel::Schema, "my\\_db", ""}).privileges,
            (std::set<std::string>{"SELECT", "INSERT", "DELETE"}));
  const LevelGrants& t1 = g->at(GrantTarget{GrantLevel::Table, "my_db", "t1"});
  EXPECT_EQ(t1.privileges, (std::set<std::string>{"UPDATE"}));
  EXPECT_TRUE(t1.grantOption);
}

TEST(UserGrants, ServerDependentErrorsNameTheField) {
  EXPECT_EQ(desiredError(spec({{"db", {"*"}, {"SELECT", "SELEKT"}}})),
            "spec.permissions[0].permissions[1] \"SELEKT\" is not a MariaDB 10.11 privilege");
  EXPECT_EQ(desiredError(spec({{"db", {"*"}, {"SELECT"}}, {"db", {"t"}, {"SUPER"}}})),
            "spec.permissions[1].permissions[0] \"SUPER\" can only be granted globally (schema "
            "\"*\" and table \"*\")");
  EXPECT_EQ(desiredError(spec({{"db", {"*"}, {"SELECT * FROM mysql.user; --"}}})),
            "spec.permissions[0].permissions[0] \"SELECT * FROM MYSQL.USER; --\" is not a MariaDB "
            "10.11 privilege");
  EXPECT_EQ(desiredError(spec({{"db", {"t"}, {"SELECT (password)"}}})),
            "spec.permissions[0].permissions[0] \"SELECT (PASSWORD)\" grants on columns, which the "
            "operator does not manage: grant on the whole table");
  EXPECT_EQ(desiredError(spec({}, std::string(33, 'u')), kMy57),
            "spec.user \"" + std::string(33, 'u') +
                "\" is longer than 32 characters (33) on MySQL 5.7.35");
  UserSpec longHost = spec({});
  longHost.hosts = {"%", std::string(61, 'h')};
  EXPECT_EQ(desiredError(longHost, kMy57),
            "spec.allowedHosts[1] \"" + std::string(61, 'h').substr(0, 64) +
                "\" is longer than 60 characters (61) on MySQL 5.7.35");
}

TEST(UserGrants, ReportedGrantsGroupByGrantee) {
  mysql::Rows global{{"GRANTEE", "PRIVILEGE_TYPE", "IS_GRANTABLE"},
                     {{"'a'@'%'", "USAGE", "NO"}, {"'b'@'%'", "PROCESS", "YES"}}};
  mysql::Rows schema{{"GRANTEE", "TABLE_SCHEMA", "PRIVILEGE_TYPE", "IS_GRANTABLE"},
                     {{"'a'@'%'", "d\\_b", "SELECT", "NO"}, {"'a'@'%'", "d\\_b", "USAGE", "YES"}}};
  mysql::Rows table{{"GRANTEE", "TABLE_SCHEMA", "TABLE_NAME", "PRIVILEGE_TYPE", "IS_GRANTABLE"},
                    {{"'a'@'%'", "d", "t", "UPDATE", "NO"}}};
  auto r = reportedGrants(global, schema, table);
  ASSERT_EQ(r.size(), 2u);
  const Grants& a = r.at("'a'@'%'");
  EXPECT_TRUE(a.at(GrantTarget{GrantLevel::Global, "", ""}).privileges.empty());
  EXPECT_EQ(a.at(GrantTarget{GrantLevel::Schema, "d\\_b", ""}), (LevelGrants{{"SELECT"}, true}));
  EXPECT_EQ(a.at(GrantTarget{GrantLevel::Table, "d", "t"}), (LevelGrants{{"UPDATE"}, false}));
  EXPECT_EQ(r.at("'b'@'%'").at(GrantTarget{GrantLevel::Global, "", ""}),
            (LevelGrants{{"PROCESS"}, true}));
}

TEST(UserGrants, PlanGrantsMissingAndRevokesExtra) {
  const GrantTarget db{GrantLevel::Schema, "db", ""};
  const GrantTarget old{GrantLevel::Table, "db", "old"};
  const GrantTarget global{GrantLevel::Global, "", ""};
  Grants desired{{db, {{"SELECT", "INSERT"}, false}}, {global, {{}, false}}};
  Grants actual{
      {db, {{"SELECT", "DELETE"}, true}}, {old, {{"UPDATE"}, false}}, {global, {{}, false}}};
  EXPECT_EQ(sqls(planGrants(desired, actual, kMaria)),
            (std::vector<std::string>{"REVOKE DELETE, GRANT OPTION ON `db`.* FROM ?@?",
                                      "REVOKE UPDATE ON `db`.`old` FROM ?@?",
                                      "GRANT INSERT ON `db`.* TO ?@?"}));
  EXPECT_TRUE(planGrants(desired, Grants{{db, {{"SELECT", "INSERT"}, false}}}, kMaria).empty());
}

TEST(UserGrants, PlanGrantsAllPrivileges) {
  const GrantTarget db{GrantLevel::Schema, "db", ""};
  Grants desired{{db, {{"ALL PRIVILEGES"}, false}}};
  // Nothing yet: grant ALL.
  EXPECT_EQ(sqls(planGrants(desired, {}, kMaria)),
            (std::vector<std::string>{"GRANT ALL PRIVILEGES ON `db`.* TO ?@?"}));
  // Everything ALL means is there: nothing to do.
  const auto& all = kMaria.allPrivileges(GrantLevel::Schema);
  Grants full{{db, {{all.begin(), all.end()}, false}}};
  EXPECT_TRUE(planGrants(desired, full, kMaria).empty());
  // One was revoked by hand: ALL again.
  Grants partial = full;
  partial[db].privileges.erase("SELECT");
  EXPECT_EQ(sqls(planGrants(desired, partial, kMaria)),
            (std::vector<std::string>{"GRANT ALL PRIVILEGES ON `db`.* TO ?@?"}));
  // ALL globally cannot be checked: it is granted every time (idempotent).
  Grants global{{GrantTarget{}, {{"ALL PRIVILEGES"}, false}}};
  EXPECT_EQ(sqls(planGrants(global, global, kMaria)),
            (std::vector<std::string>{"GRANT ALL PRIVILEGES ON *.* TO ?@?"}));
}

TEST(UserGrants, AllPrivilegesWithGrantOptionAreTwoStatements) {
  const GrantTarget db{GrantLevel::Schema, "db", ""};
  EXPECT_EQ(sqls(planGrants(Grants{{db, {{"ALL PRIVILEGES"}, true}}}, {}, kMaria)),
            (std::vector<std::string>{"GRANT ALL PRIVILEGES ON `db`.* TO ?@?",
                                      "GRANT GRANT OPTION ON `db`.* TO ?@?"}));
}

TEST(UserGrants, GrantOptionAlone) {
  const GrantTarget db{GrantLevel::Schema, "db", ""};
  EXPECT_EQ(sqls(planGrants(Grants{{db, {{}, true}}}, {}, kMaria)),
            (std::vector<std::string>{"GRANT GRANT OPTION ON `db`.* TO ?@?"}));
  EXPECT_EQ(sqls(planGrants({}, Grants{{db, {{}, true}}}, kMaria)),
            (std::vector<std::string>{"REVOKE GRANT OPTION ON `db`.* FROM ?@?"}));
}

}  // namespace
}  // namespace mysqlop::user
