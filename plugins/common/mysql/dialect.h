#pragma once

// Everything in the SQL of the database and user plugins that differs between MySQL 5.7, MySQL
// 8.0 and MariaDB lives here: name-length limits, the privilege catalogue (names, aliases, the
// levels each may be granted at, what ALL PRIVILEGES expands to), whether a stored password hash
// can be checked client-side, charset aliases, and the text of every statement. Plugins build no
// SQL of their own: they pick a Dialect for the server they talk to and call it.
//
// Statement templates use `?` for values (user, host, password, charset, numbers) that the client
// renders as escaped literals (client.h); identifiers are quoted here with quoteIdentifier.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/mysql/flavor.h"

namespace mysqlop::mysql {

enum class GrantLevel { Global, Schema, Table };

// Where a privilege applies. For Schema, `schema` is the pattern as the grant tables store it
// (schemaGrantPattern for names from a spec); for Table, schema and table are plain names.
struct GrantTarget {
  GrantLevel level = GrantLevel::Global;
  std::string schema;
  std::string table;

  bool operator<(const GrantTarget& o) const;
  bool operator==(const GrantTarget& o) const {
    return level == o.level && schema == o.schema && table == o.table;
  }
  // "*.*", "`db`.*", "`db`.`t`" as in GRANT ... ON <target>.
  std::string sql() const;
};

// An account resource limit (CREATE/ALTER USER ... WITH <key> n) and its mysql.user column.
struct ResourceLimitKey {
  std::string_view key;     // MAX_USER_CONNECTIONS
  std::string_view column;  // max_user_connections
  std::int64_t max;         // largest value the server stores without wrapping
};

class Dialect {
 public:
  explicit Dialect(ServerVersion version);

  const ServerVersion& version() const { return version_; }
  Flavor flavor() const { return version_.flavor; }

  // ---- Limits ----
  std::size_t maxUserNameChars() const;
  std::size_t maxHostChars() const;
  const std::vector<ResourceLimitKey>& resourceLimitKeys() const;

  // ---- Privileges ----
  // Trims, collapses blanks and upper-cases: " create  view" -> "CREATE VIEW"; "ALL" becomes
  // "ALL PRIVILEGES".
  static std::string normalizePrivilege(std::string_view written);
  // The name the server reports for a normalised privilege (aliases resolved: MariaDB's
  // REPLICATION CLIENT is BINLOG MONITOR), or the reason it cannot be granted at this level, as a
  // phrase following the field name.
  struct PrivilegeCheck {
    std::optional<std::string> canonical;
    std::string error;
  };
  PrivilegeCheck checkPrivilege(const std::string& normalized, GrantLevel level) const;
  // Every privilege name this server accepts at a level (as written in a spec, aliases included).
  std::vector<std::string> privilegeNames(GrantLevel level) const;
  // What ALL PRIVILEGES grants at a schema or table level, as information_schema lists it; empty
  // for the global level, whose expansion the operator does not track.
  const std::vector<std::string>& allPrivileges(GrantLevel level) const;

  // ---- Passwords ----
  // True when an account using this authentication plugin stores a hash that can be compared
  // with nativePasswordHash (mysql_native_password); MySQL 8's caching_sha2_password salts it.
  static bool canCompareStoredPassword(std::string_view plugin);
  // mysql_native_password's stored form: "*" + upper-case hex of SHA1(SHA1(password)).
  static std::string nativePasswordHash(std::string_view password);

  // ---- Character sets ----
  // Compares names as the server reports them: "utf8" is "utf8mb3", "utf8_bin" is "utf8mb3_bin".
  static bool sameCharsetName(std::string_view a, std::string_view b);

  // ---- Statements: accounts (args: user, host[, password]) ----
  // CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ? [WITH <key> ? ...]: user, host, password, then
  // one integer per key.
  static std::string createUser(const std::vector<std::string_view>& limitKeys = {});
  static std::string alterUserPassword();  // user, host, password
  static std::string dropUser();           // user, host
  // ALTER USER ?@? WITH <key> ? ...: args user, host, then one integer per key, in order.
  static std::string alterUserLimits(const std::vector<std::string_view>& keys);
  // One row per existing account of user among `hostCount` hosts: Host, plugin,
  // authentication_string, then the resourceLimitKeys() columns in order.
  std::string selectAccounts(std::size_t hostCount) const;
  // 'user'@'host' as information_schema's GRANTEE column writes it (no escaping).
  static std::string grantee(std::string_view user, std::string_view host);
  // Rows GRANTEE, [TABLE_SCHEMA, [TABLE_NAME,]] PRIVILEGE_TYPE, IS_GRANTABLE of `count` grantees.
  static std::string selectGrants(GrantLevel level, std::size_t count);
  // GRANT p1, p2 ON target TO ?@? / REVOKE p1, p2 ON target FROM ?@? (args user, host).
  static std::string grant(const std::vector<std::string>& privileges, const GrantTarget& target);
  static std::string revoke(const std::vector<std::string>& privileges, const GrantTarget& target);

  // ---- Statements: databases ----
  // CREATE DATABASE IF NOT EXISTS `db` [CHARACTER SET ?] [COLLATE ?] (args: the given ones).
  static std::string createDatabase(std::string_view name, bool charset, bool collation);
  static std::string alterDatabase(std::string_view name, bool charset, bool collation);
  static std::string dropDatabase(std::string_view name);
  // DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME of the schema named by the argument.
  static std::string selectSchema();

 private:
  ServerVersion version_;
};

const char* grantLevelName(GrantLevel level);

}  // namespace mysqlop::mysql
