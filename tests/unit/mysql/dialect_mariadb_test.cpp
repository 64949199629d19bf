// The Dialect's privilege catalogue and statements, checked against a real MariaDB: what the
// catalogue accepts the server accepts, at the same levels, under the names it reports.
#include <gtest/gtest.h>

#include <set>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/dialect.h"
#include "tests/support/mysql/mariadb_server.h"

namespace mysqlop::mysql {
namespace {

class MysqlDialectMariaDb : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = Connection::open({db_.host(), db_.port()}, {"root", db_.rootPassword()}, {});
    ASSERT_TRUE(c.ok()) << c.error().message;
    conn_ = std::move(c).value();
    auto v = parseServerInfo(conn_->serverInfo());
    ASSERT_TRUE(v.ok()) << v.error;
    dialect_ = std::make_unique<Dialect>(*v.version);
    ASSERT_TRUE(conn_->exec("CREATE DATABASE d").ok());
    ASSERT_TRUE(conn_->exec("CREATE TABLE d.t (a INT)").ok());
    ASSERT_TRUE(
        conn_->exec(Dialect::createUser(), {Arg::text("probe"), Arg::text("%"), Arg::secret("pw")})
            .ok());
  }

  // The privileges information_schema lists for probe@% at a level.
  std::set<std::string> reported(GrantLevel level) {
    auto rows =
        conn_->query(Dialect::selectGrants(level, 1), {Arg::text(Dialect::grantee("probe", "%"))});
    EXPECT_TRUE(rows.ok()) << rows.error().message;
    std::set<std::string> out;
    const int col = rows->column("PRIVILEGE_TYPE");
    for (const Row& r : rows->rows) {
      out.insert(*r[static_cast<std::size_t>(col)]);
    }
    return out;
  }

  testing::MariaDbServer db_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Dialect> dialect_;
};

TEST_F(MysqlDialectMariaDb, EveryCataloguedPrivilegeGrantsAndIsReportedCanonically) {
  const std::vector<GrantTarget> targets = {
      {GrantLevel::Global, "", ""}, {GrantLevel::Schema, "d", ""}, {GrantLevel::Table, "d", "t"}};
  const std::vector<Arg> who = {Arg::text("probe"), Arg::text("%")};
  for (const GrantTarget& target : targets) {
    for (const std::string& name : dialect_->privilegeNames(target.level)) {
      auto check = dialect_->checkPrivilege(name, target.level);
      ASSERT_TRUE(check.canonical) << name;
      auto g = conn_->exec(Dialect::grant({name}, target), who);
      ASSERT_TRUE(g.ok()) << name << " on " << target.sql() << ": " << g.error().message;
      if (name == "USAGE" || name == "GRANT OPTION" || name == "ALL PRIVILEGES") {
        continue;
      }
      EXPECT_EQ(reported(target.level).count(*check.canonical), 1u)
          << name << " on " << target.sql() << " reported as " << *check.canonical;
      auto r = conn_->exec(Dialect::revoke({name}, target), who);
      ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
    }
  }
}

TEST_F(MysqlDialectMariaDb, PrivilegesRefusedAtALevelAreRefusedByTheServerToo) {
  const std::vector<Arg> who = {Arg::text("probe"), Arg::text("%")};
  for (const std::string& name : dialect_->privilegeNames(GrantLevel::Global)) {
    if (dialect_->checkPrivilege(name, GrantLevel::Schema).canonical) {
      continue;
    }
    auto g = conn_->exec(Dialect::grant({name}, {GrantLevel::Schema, "d", ""}), who);
    EXPECT_FALSE(g.ok()) << name << " was accepted on a schema";
  }
}

TEST_F(MysqlDialectMariaDb, AllPrivilegesExpandsAsTheDialectSays) {
  const std::vector<Arg> who = {Arg::text("probe"), Arg::text("%")};
  for (const GrantTarget& target :
       {GrantTarget{GrantLevel::Schema, "d", ""}, GrantTarget{GrantLevel::Table, "d", "t"}}) {
    ASSERT_TRUE(conn_->exec(Dialect::grant({"ALL PRIVILEGES"}, target), who).ok());
    const auto& all = dialect_->allPrivileges(target.level);
    EXPECT_EQ(reported(target.level), std::set<std::string>(all.begin(), all.end()))
        << target.sql();
    ASSERT_TRUE(conn_->exec(Dialect::revoke({"ALL PRIVILEGES"}, target), who).ok());
  }
}

TEST_F(MysqlDialectMariaDb, NativePasswordHashMatchesTheStoredOne) {
  for (const std::string& pw :
       {std::string("secret"), std::string("ünï 'q' \\ ;"), std::string(200, 'p')}) {
    ASSERT_TRUE(conn_
                    ->exec(Dialect::alterUserPassword(),
                           {Arg::text("probe"), Arg::text("%"), Arg::secret(pw)})
                    .ok());
    auto rows = conn_->query(dialect_->selectAccounts(1), {Arg::text("probe"), Arg::text("%")});
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(rows->rows.size(), 1u);
    const Row& r = rows->rows[0];
    EXPECT_EQ(*r[1], "mysql_native_password");
    EXPECT_EQ(*r[2], Dialect::nativePasswordHash(pw));
  }
}

TEST_F(MysqlDialectMariaDb, SchemaStatementsAndCharsets) {
  ASSERT_TRUE(
      conn_->exec(Dialect::createDatabase("we`ird", true, false), {Arg::text("utf8")}).ok());
  auto rows = conn_->query(Dialect::selectSchema(), {Arg::text("we`ird")});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_TRUE(Dialect::sameCharsetName(*rows->rows[0][0], "utf8"));
  ASSERT_TRUE(
      conn_->exec(Dialect::alterDatabase("we`ird", false, true), {Arg::text("utf8mb4_bin")}).ok());
  rows = conn_->query(Dialect::selectSchema(), {Arg::text("we`ird")});
  EXPECT_EQ(*rows->rows[0][1], "utf8mb4_bin");
  ASSERT_TRUE(conn_->exec(Dialect::dropDatabase("we`ird")).ok());
  ASSERT_TRUE(conn_->exec(Dialect::dropDatabase("we`ird")).ok());  // IF EXISTS
}

}  // namespace
}  // namespace mysqlop::mysql
