#include "plugins/common/mysql/dialect.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

#include "plugins/common/mysql/identifiers.h"

namespace mysqlop::mysql {
namespace {

// Levels a privilege may be granted at.
constexpr unsigned kG = 1;  // *.*
constexpr unsigned kS = 2;  // db.*
constexpr unsigned kT = 4;  // db.table
// Servers that know a privilege.
constexpr unsigned kMy57 = 1;
constexpr unsigned kMy8 = 2;
constexpr unsigned kMaria = 4;     // every supported MariaDB (10.0+)
constexpr unsigned kMaria105 = 8;  // MariaDB 10.5.2+ (split of SUPER)
constexpr unsigned kAll = kMy57 | kMy8 | kMaria | kMaria105;
constexpr unsigned kMy = kMy57 | kMy8;

struct PrivilegeDef {
  std::string_view name;
  unsigned levels;
  unsigned servers;
};

// Static privileges (MySQL 5.7/8.0 manual "Privileges Provided by MySQL", MariaDB "GRANT").
constexpr std::array<PrivilegeDef, 61> kPrivileges = {{
    {"ALL PRIVILEGES", kG | kS | kT, kAll},
    {"ALTER", kG | kS | kT, kAll},
    {"ALTER ROUTINE", kG | kS, kAll},
    {"CREATE", kG | kS | kT, kAll},
    {"CREATE ROUTINE", kG | kS, kAll},
    {"CREATE TABLESPACE", kG, kAll},
    {"CREATE TEMPORARY TABLES", kG | kS, kAll},
    {"CREATE USER", kG, kAll},
    {"CREATE VIEW", kG | kS | kT, kAll},
    {"DELETE", kG | kS | kT, kAll},
    {"DROP", kG | kS | kT, kAll},
    {"EVENT", kG | kS, kAll},
    {"EXECUTE", kG | kS, kAll},
    {"FILE", kG, kAll},
    {"GRANT OPTION", kG | kS | kT, kAll},
    {"INDEX", kG | kS | kT, kAll},
    {"INSERT", kG | kS | kT, kAll},
    {"LOCK TABLES", kG | kS, kAll},
    {"PROCESS", kG, kAll},
    {"REFERENCES", kG | kS | kT, kAll},
    {"RELOAD", kG, kAll},
    {"REPLICATION CLIENT", kG, kMy | kMaria},
    {"REPLICATION SLAVE", kG, kAll},
    {"SELECT", kG | kS | kT, kAll},
    {"SHOW DATABASES", kG, kAll},
    {"SHOW VIEW", kG | kS | kT, kAll},
    {"SHUTDOWN", kG, kAll},
    {"SUPER", kG, kAll},
    {"TRIGGER", kG | kS | kT, kAll},
    {"UPDATE", kG | kS | kT, kAll},
    {"USAGE", kG | kS | kT, kAll},
    // MySQL 8.0: roles and the common dynamic privileges (global only).
    {"CREATE ROLE", kG, kMy8},
    {"DROP ROLE", kG, kMy8},
    {"APPLICATION_PASSWORD_ADMIN", kG, kMy8},
    {"AUDIT_ADMIN", kG, kMy8},
    {"BACKUP_ADMIN", kG, kMy8},
    {"BINLOG_ADMIN", kG, kMy8},
    {"BINLOG_ENCRYPTION_ADMIN", kG, kMy8},
    {"CLONE_ADMIN", kG, kMy8},
    {"CONNECTION_ADMIN", kG, kMy8},
    {"ENCRYPTION_KEY_ADMIN", kG, kMy8},
    {"FLUSH_OPTIMIZER_COSTS", kG, kMy8},
    {"FLUSH_STATUS", kG, kMy8},
    {"FLUSH_TABLES", kG, kMy8},
    {"FLUSH_USER_RESOURCES", kG, kMy8},
    {"GROUP_REPLICATION_ADMIN", kG, kMy8},
    {"INNODB_REDO_LOG_ARCHIVE", kG, kMy8},
    {"PERSIST_RO_VARIABLES_ADMIN", kG, kMy8},
    {"REPLICATION_APPLIER", kG, kMy8},
    {"REPLICATION_SLAVE_ADMIN", kG, kMy8},
    {"RESOURCE_GROUP_ADMIN", kG, kMy8},
    {"RESOURCE_GROUP_USER", kG, kMy8},
    {"ROLE_ADMIN", kG, kMy8},
    {"SERVICE_CONNECTION_ADMIN", kG, kMy8},
    {"SESSION_VARIABLES_ADMIN", kG, kMy8},
    {"SET_USER_ID", kG, kMy8},
    {"SHOW_ROUTINE", kG, kMy8},
    {"SYSTEM_USER", kG, kMy8},
    {"SYSTEM_VARIABLES_ADMIN", kG, kMy8},
    {"TABLE_ENCRYPTION_ADMIN", kG, kMy8},
    {"XA_RECOVER_ADMIN", kG, kMy8},
}};

// MariaDB-only privileges.
constexpr std::array<PrivilegeDef, 11> kMariaPrivileges = {{
    {"DELETE HISTORY", kG | kS | kT, kMaria},
    {"BINLOG ADMIN", kG, kMaria105},
    {"BINLOG MONITOR", kG, kMaria105},
    {"BINLOG REPLAY", kG, kMaria105},
    {"CONNECTION ADMIN", kG, kMaria105},
    {"FEDERATED ADMIN", kG, kMaria105},
    {"READ_ONLY ADMIN", kG, kMaria105},
    {"REPLICATION MASTER ADMIN", kG, kMaria105},
    {"REPLICATION SLAVE ADMIN", kG, kMaria105},
    {"SET USER", kG, kMaria105},
    {"SLAVE MONITOR", kG, kMaria105},
}};

struct Alias {
  std::string_view written;
  std::string_view reported;
};
// MariaDB 10.5+ accepts these names and reports the second one in information_schema.
constexpr std::array<Alias, 3> kMaria105Aliases = {{
    {"REPLICATION CLIENT", "BINLOG MONITOR"},
    {"REPLICA MONITOR", "SLAVE MONITOR"},
    {"REPLICATION REPLICA", "REPLICATION SLAVE"},
}};

const std::vector<std::string>& mysqlSchemaAll() {
  static const std::vector<std::string> v = {
      "SELECT",        "INSERT",     "UPDATE",      "DELETE",    "CREATE",
      "DROP",          "REFERENCES", "INDEX",       "ALTER",     "CREATE TEMPORARY TABLES",
      "LOCK TABLES",   "EXECUTE",    "CREATE VIEW", "SHOW VIEW", "CREATE ROUTINE",
      "ALTER ROUTINE", "EVENT",      "TRIGGER"};
  return v;
}
const std::vector<std::string>& mysqlTableAll() {
  static const std::vector<std::string> v = {"SELECT", "INSERT",      "UPDATE",     "DELETE",
                                             "CREATE", "DROP",        "REFERENCES", "INDEX",
                                             "ALTER",  "CREATE VIEW", "SHOW VIEW",  "TRIGGER"};
  return v;
}
const std::vector<std::string>& mariaSchemaAll() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> all = mysqlSchemaAll();
    all.emplace_back("DELETE HISTORY");
    return all;
  }();
  return v;
}
const std::vector<std::string>& mariaTableAll() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> all = mysqlTableAll();
    all.emplace_back("DELETE HISTORY");
    return all;
  }();
  return v;
}
const std::vector<std::string>& none() {
  static const std::vector<std::string> v;
  return v;
}

const std::vector<ResourceLimitKey>& limitKeys() {
  // bitpoke's four keys (corev1.ResourceName constants of MysqlUser). Values above these maxima
  // wrap silently on MariaDB (4294967296 per hour is stored as 0), so they are refused.
  static const std::vector<ResourceLimitKey> v = {
      {"MAX_USER_CONNECTIONS", "max_user_connections", 2147483647},
      {"MAX_QUERIES_PER_HOUR", "max_questions", 4294967295},
      {"MAX_UPDATES_PER_HOUR", "max_updates", 4294967295},
      {"MAX_CONNECTIONS_PER_HOUR", "max_connections", 4294967295},
  };
  return v;
}

std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += i == 0 ? "?" : ", ?";
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += out.empty() ? s : ", " + s;
  }
  return out;
}

// "utf8" -> "utf8mb3", "utf8_bin" -> "utf8mb3_bin" (the names servers report since MariaDB 10.6
// and MySQL 8.0.30).
std::string canonicalCharset(std::string_view name) {
  std::string l = asciiLower(name);
  if (l == "utf8") {
    return "utf8mb3";
  }
  if (l.rfind("utf8_", 0) == 0) {
    return "utf8mb3_" + l.substr(5);
  }
  return l;
}

}  // namespace

const char* grantLevelName(GrantLevel level) {
  switch (level) {
    case GrantLevel::Global: return "global";
    case GrantLevel::Schema: return "schema";
    case GrantLevel::Table: return "table";
  }
  return "global";
}

bool GrantTarget::operator<(const GrantTarget& o) const {
  return std::tie(level, schema, table) < std::tie(o.level, o.schema, o.table);
}

std::string GrantTarget::sql() const {
  switch (level) {
    case GrantLevel::Global: return "*.*";
    case GrantLevel::Schema: return quoteIdentifier(schema) + ".*";
    case GrantLevel::Table: return quoteIdentifier(schema) + "." + quoteIdentifier(table);
  }
  return "*.*";
}

Dialect::Dialect(ServerVersion version) : version_(version) {}

std::size_t Dialect::maxUserNameChars() const {
  if (version_.flavor == Flavor::MariaDB) {
    return version_.atLeast(10, 6) ? 128 : 80;
  }
  return 32;
}

std::size_t Dialect::maxHostChars() const {
  if (version_.flavor == Flavor::MariaDB) {
    return version_.atLeast(10, 6) ? 255 : 60;
  }
  return version_.atLeast(8, 0, 17) ? 255 : 60;
}

const std::vector<ResourceLimitKey>& Dialect::resourceLimitKeys() const { return limitKeys(); }

std::string Dialect::normalizePrivilege(std::string_view written) {
  std::string out;
  bool blank = false;
  for (char c : written) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      blank = !out.empty();
      continue;
    }
    if (blank) {
      out.push_back(' ');
      blank = false;
    }
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (out == "ALL") {
    return "ALL PRIVILEGES";
  }
  return out;
}

Dialect::PrivilegeCheck Dialect::checkPrivilege(const std::string& normalized,
                                                GrantLevel level) const {
  const bool maria = version_.flavor == Flavor::MariaDB;
  const bool maria105 = maria && version_.atLeast(10, 5, 2);
  unsigned server = kMy57;
  if (maria) {
    server = maria105 ? kMaria105 : kMaria;
  } else if (version_.major >= 8) {
    server = kMy8;
  }
  std::string name = normalized;
  if (name.find('(') != std::string::npos) {
    return {std::nullopt, shown(normalized) +
                              " grants on columns, which the operator does not manage: grant "
                              "on the whole table"};
  }
  if (maria105) {
    for (const Alias& a : kMaria105Aliases) {
      if (name == a.written) {
        name = a.reported;
      }
    }
  }
  const PrivilegeDef* def = nullptr;
  for (const PrivilegeDef& d : kPrivileges) {
    if (d.name == name) {
      def = &d;
    }
  }
  for (const PrivilegeDef& d : kMariaPrivileges) {
    if (d.name == name) {
      def = &d;
    }
  }
  // kMaria105 servers know everything kMaria ones do.
  const unsigned known = maria105 ? (kMaria | kMaria105) : server;
  if (def == nullptr || (def->servers & known) == 0) {
    return {std::nullopt, shown(normalized) + " is not a " + flavorName(version_.flavor) + " " +
                              std::to_string(version_.major) + "." +
                              std::to_string(version_.minor) + " privilege"};
  }
  const unsigned bit = level == GrantLevel::Global ? kG : level == GrantLevel::Schema ? kS : kT;
  if ((def->levels & bit) == 0) {
    std::string where = (def->levels & kS) != 0
                            ? "on a schema (table \"*\") or globally (schema and table \"*\")"
                            : "globally (schema \"*\" and table \"*\")";
    return {std::nullopt, shown(normalized) + " can only be granted " + where};
  }
  return {name, {}};
}

std::vector<std::string> Dialect::privilegeNames(GrantLevel level) const {
  std::vector<std::string> out;
  auto consider = [&](std::string_view name) {
    if (checkPrivilege(std::string(name), level).canonical) {
      out.emplace_back(name);
    }
  };
  for (const PrivilegeDef& d : kPrivileges) {
    consider(d.name);
  }
  for (const PrivilegeDef& d : kMariaPrivileges) {
    consider(d.name);
  }
  for (const Alias& a : kMaria105Aliases) {
    if (std::find(out.begin(), out.end(), a.written) == out.end()) {
      consider(a.written);
    }
  }
  return out;
}

const std::vector<std::string>& Dialect::allPrivileges(GrantLevel level) const {
  const bool maria = version_.flavor == Flavor::MariaDB && version_.atLeast(10, 3, 4);
  switch (level) {
    case GrantLevel::Schema: return maria ? mariaSchemaAll() : mysqlSchemaAll();
    case GrantLevel::Table: return maria ? mariaTableAll() : mysqlTableAll();
    case GrantLevel::Global: return none();
  }
  return none();
}

bool Dialect::canCompareStoredPassword(std::string_view plugin) {
  return plugin == "mysql_native_password" || plugin.empty();
}

std::string Dialect::nativePasswordHash(std::string_view password) {
  unsigned char first[EVP_MAX_MD_SIZE];
  unsigned char second[EVP_MAX_MD_SIZE];
  unsigned int len1 = 0;
  unsigned int len2 = 0;
  EVP_Digest(password.data(), password.size(), first, &len1, EVP_sha1(), nullptr);
  EVP_Digest(first, len1, second, &len2, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "*";
  for (unsigned int i = 0; i < len2; ++i) {
    out.push_back(kHex[second[i] >> 4]);
    out.push_back(kHex[second[i] & 0xF]);
  }
  return out;
}

bool Dialect::sameCharsetName(std::string_view a, std::string_view b) {
  return canonicalCharset(a) == canonicalCharset(b);
}

std::string Dialect::createUser(const std::vector<std::string_view>& limitKeys) {
  std::string out = "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?";
  if (!limitKeys.empty()) {
    out += " WITH";
    for (std::string_view k : limitKeys) {
      out += " " + std::string(k) + " ?";
    }
  }
  return out;
}

std::string Dialect::alterUserPassword() { return "ALTER USER ?@? IDENTIFIED BY ?"; }

std::string Dialect::dropUser() { return "DROP USER IF EXISTS ?@?"; }

std::string Dialect::alterUserLimits(const std::vector<std::string_view>& keys) {
  std::string out = "ALTER USER ?@? WITH";
  for (std::string_view k : keys) {
    out += " " + std::string(k) + " ?";
  }
  return out;
}

std::string Dialect::selectAccounts(std::size_t hostCount) const {
  std::string out = "SELECT Host, plugin, authentication_string";
  for (const ResourceLimitKey& k : resourceLimitKeys()) {
    out += ", " + std::string(k.column);
  }
  return out + " FROM mysql.user WHERE User = ? AND Host IN (" + placeholders(hostCount) + ")";
}

std::string Dialect::grantee(std::string_view user, std::string_view host) {
  return "'" + std::string(user) + "'@'" + std::string(host) + "'";
}

std::string Dialect::selectGrants(GrantLevel level, std::size_t count) {
  switch (level) {
    case GrantLevel::Global:
      return "SELECT GRANTEE, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.USER_PRIVILEGES "
             "WHERE GRANTEE IN (" +
             placeholders(count) + ")";
    case GrantLevel::Schema:
      return "SELECT GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE, IS_GRANTABLE FROM "
             "information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (" +
             placeholders(count) + ")";
    case GrantLevel::Table:
      return "SELECT GRANTEE, TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE, IS_GRANTABLE FROM "
             "information_schema.TABLE_PRIVILEGES WHERE GRANTEE IN (" +
             placeholders(count) + ")";
  }
  return {};
}

std::string Dialect::grant(const std::vector<std::string>& privileges, const GrantTarget& target) {
  return "GRANT " + join(privileges) + " ON " + target.sql() + " TO ?@?";
}

std::string Dialect::revoke(const std::vector<std::string>& privileges, const GrantTarget& target) {
  return "REVOKE " + join(privileges) + " ON " + target.sql() + " FROM ?@?";
}

std::string Dialect::createDatabase(std::string_view name, bool charset, bool collation) {
  std::string out = "CREATE DATABASE IF NOT EXISTS " + quoteIdentifier(name);
  if (charset) {
    out += " CHARACTER SET ?";
  }
  if (collation) {
    out += " COLLATE ?";
  }
  return out;
}

std::string Dialect::alterDatabase(std::string_view name, bool charset, bool collation) {
  std::string out = "ALTER DATABASE " + quoteIdentifier(name);
  if (charset) {
    out += " CHARACTER SET ?";
  }
  if (collation) {
    out += " COLLATE ?";
  }
  return out;
}

std::string Dialect::dropDatabase(std::string_view name) {
  return "DROP DATABASE IF EXISTS " + quoteIdentifier(name);
}

std::string Dialect::selectSchema() {
  return "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
         "information_schema.SCHEMATA WHERE SCHEMA_NAME = ?";
}

}  // namespace mysqlop::mysql
