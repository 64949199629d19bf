#pragma once

// Validation and quoting of what MysqlDatabase and MysqlUser specs name in SQL: schemas, tables,
// user names and hosts. Checks return std::nullopt when the value is acceptable, else the reason
// as a phrase that follows the field name ("spec.database" + " " + reason), so that conditions
// name the field: `spec.database ends with a space, which MySQL does not allow`.
//
// Policy: a value MySQL can store exactly is stored exactly (quotes, backticks, ';', '%', any BMP
// Unicode); a value it cannot (NUL, invalid UTF-8, characters outside the Basic Multilingual
// Plane, over-long names, trailing spaces in identifiers) is refused before any SQL is sent.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::mysql {

// Schema and table names: 64 characters in MySQL 5.7/8.0 and MariaDB.
inline constexpr std::size_t kMaxIdentifierChars = 64;

// The number of characters (code points) of valid UTF-8, or nullopt when it is not valid UTF-8.
std::optional<std::size_t> utf8Length(std::string_view s);

// A schema or table name (used in backticks).
std::optional<std::string> checkIdentifier(std::string_view name);
// A database a MysqlDatabase may create and drop: an identifier that is not a system schema
// (mysql, information_schema, performance_schema, sys, sys_operator).
std::optional<std::string> checkDatabaseName(std::string_view name);
// A user name of at most maxChars characters (the flavor's limit, see Dialect).
std::optional<std::string> checkUserName(std::string_view name, std::size_t maxChars);
// A host pattern of at most maxChars characters: letters, digits and . - _ % : / only (names,
// IPv4/IPv6 addresses, netmasks and the % and _ wildcards).
std::optional<std::string> checkHost(std::string_view host, std::size_t maxChars);
// A character set or collation name: [A-Za-z0-9_], 1..64 characters.
std::optional<std::string> checkCharsetName(std::string_view name);

// `s` with ASCII letters in lower case (names of schemas, charsets, collations compare so).
std::string asciiLower(std::string_view s);

// `name` with backticks doubled: the one quoting of identifiers in generated SQL.
std::string quoteIdentifier(std::string_view name);
// A schema name as a GRANT ... ON <schema>.* pattern that matches exactly that schema: the
// wildcards _ and % and the escape character \ are escaped with a backslash.
std::string schemaGrantPattern(std::string_view schema);

// A value for a message: quoted, at most 64 characters, control characters shown as \xNN.
std::string shown(std::string_view value);

}  // namespace mysqlop::mysql
