#include "plugins/common/mysql/dialect.h"

#include <gtest/gtest.h>

namespace mysqlop::mysql {
namespace {

const Dialect kMaria{ServerVersion{Flavor::MariaDB, 10, 11, 6}};
const Dialect kMaria104{ServerVersion{Flavor::MariaDB, 10, 4, 30}};
const Dialect kMy57{ServerVersion{Flavor::MySQL, 5, 7, 35}};
const Dialect kMy80{ServerVersion{Flavor::MySQL, 8, 0, 20}};

std::string canonical(const Dialect& d, const std::string& written, GrantLevel level) {
  auto c = d.checkPrivilege(Dialect::normalizePrivilege(written), level);
  return c.canonical ? *c.canonical : "error: " + c.error;
}

TEST(MysqlDialect, Limits) {
  EXPECT_EQ(kMaria.maxUserNameChars(), 128u);
  EXPECT_EQ(kMaria104.maxUserNameChars(), 80u);
  EXPECT_EQ(kMy57.maxUserNameChars(), 32u);
  EXPECT_EQ(kMy80.maxUserNameChars(), 32u);
  EXPECT_EQ(kMaria.maxHostChars(), 255u);
  EXPECT_EQ(kMy57.maxHostChars(), 60u);
  EXPECT_EQ(kMy80.maxHostChars(), 255u);
  EXPECT_EQ(Dialect(ServerVersion{Flavor::MySQL, 8, 0, 16}).maxHostChars(), 60u);
  ASSERT_EQ(kMaria.resourceLimitKeys().size(), 4u);
  EXPECT_EQ(kMaria.resourceLimitKeys()[0].key, "MAX_USER_CONNECTIONS");
  EXPECT_EQ(kMaria.resourceLimitKeys()[0].max, 2147483647);
}

TEST(MysqlDialect, NormalizesPrivilegeSpelling) {
  EXPECT_EQ(Dialect::normalizePrivilege("  create \t temporary   tables "),
            "CREATE TEMPORARY TABLES");
  EXPECT_EQ(Dialect::normalizePrivilege("all"), "ALL PRIVILEGES");
  EXPECT_EQ(Dialect::normalizePrivilege("All Privileges"), "ALL PRIVILEGES");
  EXPECT_EQ(Dialect::normalizePrivilege(""), "");
}

TEST(MysqlDialect, PrivilegeCatalogDiffersByFlavor) {
  EXPECT_EQ(canonical(kMaria, "select", GrantLevel::Table), "SELECT");
  EXPECT_EQ(canonical(kMaria, "replication client", GrantLevel::Global), "BINLOG MONITOR");
  EXPECT_EQ(canonical(kMaria104, "replication client", GrantLevel::Global), "REPLICATION CLIENT");
  EXPECT_EQ(canonical(kMy80, "replication client", GrantLevel::Global), "REPLICATION CLIENT");
  EXPECT_EQ(canonical(kMaria, "REPLICA MONITOR", GrantLevel::Global), "SLAVE MONITOR");
  EXPECT_EQ(canonical(kMaria, "delete history", GrantLevel::Schema), "DELETE HISTORY");
  EXPECT_EQ(canonical(kMy80, "BACKUP_ADMIN", GrantLevel::Global), "BACKUP_ADMIN");
  EXPECT_EQ(canonical(kMy80, "DELETE HISTORY", GrantLevel::Schema),
            "error: \"DELETE HISTORY\" is not a MySQL 8.0 privilege");
  EXPECT_EQ(canonical(kMy57, "BACKUP_ADMIN", GrantLevel::Global),
            "error: \"BACKUP_ADMIN\" is not a MySQL 5.7 privilege");
  EXPECT_EQ(canonical(kMaria, "BACKUP_ADMIN", GrantLevel::Global),
            "error: \"BACKUP_ADMIN\" is not a MariaDB 10.11 privilege");
  EXPECT_EQ(canonical(kMaria104, "BINLOG ADMIN", GrantLevel::Global),
            "error: \"BINLOG ADMIN\" is not a MariaDB 10.4 privilege");
  EXPECT_EQ(canonical(kMaria, "SELEKT", GrantLevel::Global),
            "error: \"SELEKT\" is not a MariaDB 10.11 privilege");
  EXPECT_EQ(canonical(kMaria, "SELECT; DROP DATABASE x", GrantLevel::Global),
            "error: \"SELECT; DROP DATABASE X\" is not a MariaDB 10.11 privilege");
  EXPECT_EQ(canonical(kMaria, "", GrantLevel::Global),
            "error: \"\" is not a MariaDB 10.11 privilege");
}

TEST(MysqlDialect, PrivilegeLevels) {
  EXPECT_EQ(canonical(kMaria, "SUPER", GrantLevel::Schema),
            "error: \"SUPER\" can only be granted globally (schema \"*\" and table \"*\")");
  EXPECT_EQ(canonical(kMaria, "EXECUTE", GrantLevel::Table),
            "error: \"EXECUTE\" can only be granted on a schema (table \"*\") or globally (schema "
            "and table \"*\")");
  EXPECT_EQ(canonical(kMaria, "SELECT (a, b)", GrantLevel::Table),
            "error: \"SELECT (A, B)\" grants on columns, which the operator does not manage: "
            "grant on the whole table");
  EXPECT_EQ(canonical(kMaria, "ALL", GrantLevel::Table), "ALL PRIVILEGES");
  EXPECT_EQ(canonical(kMaria, "GRANT OPTION", GrantLevel::Schema), "GRANT OPTION");
}

TEST(MysqlDialect, AllPrivilegesExpansion) {
  EXPECT_EQ(kMaria.allPrivileges(GrantLevel::Schema).size(), 19u);
  EXPECT_EQ(kMaria.allPrivileges(GrantLevel::Table).size(), 13u);
  EXPECT_EQ(kMy80.allPrivileges(GrantLevel::Schema).size(), 18u);
  EXPECT_EQ(kMy80.allPrivileges(GrantLevel::Table).size(), 12u);
  EXPECT_TRUE(kMaria.allPrivileges(GrantLevel::Global).empty());
}

TEST(MysqlDialect, NativePasswordHash) {
  // SELECT PASSWORD('secret') on MariaDB.
  EXPECT_EQ(Dialect::nativePasswordHash("secret"), "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
  EXPECT_EQ(Dialect::nativePasswordHash(""), "*BE1BDEC0AA74B4DCB079943E70528096CCA985F8");
  EXPECT_TRUE(Dialect::canCompareStoredPassword("mysql_native_password"));
  EXPECT_FALSE(Dialect::canCompareStoredPassword("caching_sha2_password"));
}

TEST(MysqlDialect, CharsetAliases) {
  EXPECT_TRUE(Dialect::sameCharsetName("utf8", "utf8mb3"));
  EXPECT_TRUE(Dialect::sameCharsetName("UTF8_general_ci", "utf8mb3_general_ci"));
  EXPECT_TRUE(Dialect::sameCharsetName("utf8mb4", "UTF8MB4"));
  EXPECT_FALSE(Dialect::sameCharsetName("utf8", "utf8mb4"));
}

TEST(MysqlDialect, Statements) {
  EXPECT_EQ(Dialect::createUser(), "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?");
  EXPECT_EQ(Dialect::createUser({"MAX_USER_CONNECTIONS"}),
            "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ? WITH MAX_USER_CONNECTIONS ?");
  EXPECT_EQ(Dialect::alterUserLimits({"MAX_USER_CONNECTIONS", "MAX_QUERIES_PER_HOUR"}),
            "ALTER USER ?@? WITH MAX_USER_CONNECTIONS ? MAX_QUERIES_PER_HOUR ?");
  EXPECT_EQ(kMaria.selectAccounts(2),
            "SELECT Host, plugin, authentication_string, max_user_connections, max_questions, "
            "max_updates, max_connections FROM mysql.user WHERE User = ? AND Host IN (?, ?)");
  EXPECT_EQ(Dialect::grantee("it's", "%"), "'it's'@'%'");
  EXPECT_EQ(Dialect::selectGrants(GrantLevel::Schema, 1),
            "SELECT GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE, IS_GRANTABLE FROM "
            "information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (?)");
  EXPECT_EQ(Dialect::grant({"SELECT", "INSERT"}, {GrantLevel::Schema, "my\\_db", ""}),
            "GRANT SELECT, INSERT ON `my\\_db`.* TO ?@?");
  EXPECT_EQ(Dialect::revoke({"UPDATE"}, {GrantLevel::Table, "a`b", "t"}),
            "REVOKE UPDATE ON `a``b`.`t` FROM ?@?");
  EXPECT_EQ(Dialect::grant({"PROCESS"}, {}), "GRANT PROCESS ON *.* TO ?@?");
  EXPECT_EQ(Dialect::createDatabase("a`b", true, true),
            "CREATE DATABASE IF NOT EXISTS `a``b` CHARACTER SET ? COLLATE ?");
  EXPECT_EQ(Dialect::createDatabase("x", false, false), "CREATE DATABASE IF NOT EXISTS `x`");
  EXPECT_EQ(Dialect::alterDatabase("x", false, true), "ALTER DATABASE `x` COLLATE ?");
  EXPECT_EQ(Dialect::dropDatabase("x"), "DROP DATABASE IF EXISTS `x`");
}

}  // namespace
}  // namespace mysqlop::mysql
