#pragma once

// A MySQL/MariaDB connection for plugins, on MariaDB Connector/C (libmariadb, the library that
// Poco::DataMySQL wraps on Debian). Used directly rather than through Poco 1.11 because Poco's
// connector (a) splits its connection string on ';', so a root password containing ';' cannot be
// used, (b) sets read/write timeouts only after connecting, where they have no effect, and (c)
// copies the full statement text into its exception messages, which would leak a password being
// set. Here every timeout is set before connecting, a password is passed as is, and error messages
// never contain a statement that carries a secret.
//
// Statements are sent with the text protocol, multi-statements disabled. Values are never spliced:
// every `?` in a statement template is replaced by the next Arg, escaped by the client library
// for the connection's character set (mysql_real_escape_string, which honours the server's
// NO_BACKSLASH_ESCAPES mode) and quoted, or rendered as a decimal integer. Identifiers are quoted
// by quoteIdentifier (identifiers.h) before they reach a template.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/common/mysql/result.h"

struct st_mysql;

namespace mysqlop::mysql {

struct Endpoint {
  std::string host;
  std::uint16_t port = 3306;

  // "host:port" ("[::1]:3306" for IPv6 literals).
  std::string str() const;
  bool operator==(const Endpoint& o) const { return host == o.host && port == o.port; }
};

struct Credentials {
  std::string user;
  std::string password;
};

struct Timeouts {
  std::chrono::seconds connect{5};  // bitpoke's DSN uses timeout=5s
  std::chrono::seconds read{30};
  std::chrono::seconds write{30};
};

// One argument of a statement template.
class Arg {
 public:
  // A string value, sent as an escaped, quoted literal.
  static Arg text(std::string_view value) { return Arg(std::string(value), Type::Text); }
  // Like text, and masked in every error message (passwords).
  static Arg secret(std::string_view value) { return Arg(std::string(value), Type::Secret); }
  // A decimal integer.
  static Arg integer(long long value) { return Arg(std::to_string(value), Type::Integer); }

  const std::string& value() const { return value_; }
  bool isSecret() const { return type_ == Type::Secret; }
  bool isInteger() const { return type_ == Type::Integer; }

 private:
  enum class Type { Text, Secret, Integer };
  Arg(std::string v, Type t) : value_(std::move(v)), type_(t) {}
  std::string value_;
  Type type_;
};

using Row = std::vector<std::optional<std::string>>;

struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  bool empty() const { return rows.empty(); }
  // The index of a column by name (exact match), or -1.
  int column(std::string_view name) const;
};

// One authenticated connection. Not thread-safe: one thread at a time (the pool hands each
// connection to one reconcile at a time).
class Connection {
 public:
  // Connects over TCP with the given timeouts, character set utf8mb4, no multi-statements.
  static SqlResult<std::unique_ptr<Connection>> open(const Endpoint& endpoint,
                                                     const Credentials& credentials,
                                                     const Timeouts& timeouts);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a statement that returns no rows (a result set, if any, is discarded).
  SqlResult<void> exec(std::string_view statement, const std::vector<Arg>& args = {});
  // Runs a statement and returns every row (values as text, SQL NULL as nullopt).
  SqlResult<Rows> query(std::string_view statement, const std::vector<Arg>& args = {});
  // The statement as it would be sent, with secrets shown as '***' (for logs and tests).
  SqlResult<std::string> preview(std::string_view statement, const std::vector<Arg>& args);

  // True when the server still answers (mysql_ping); false marks the connection broken.
  bool ping();
  // False after an error that loses the connection; the pool then closes it.
  bool usable() const { return usable_; }

  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& user() const { return user_; }
  // The server's version string, e.g. "10.11.19-MariaDB-0+deb12u1-log".
  const std::string& serverInfo() const { return serverInfo_; }

 private:
  Connection(st_mysql* handle, Endpoint endpoint, std::string user);
  SqlResult<std::string> render(std::string_view statement, const std::vector<Arg>& args,
                                bool maskSecrets);
  SqlError lastError(const std::vector<Arg>& args);
  SqlResult<void> run(std::string_view statement, const std::vector<Arg>& args);

  st_mysql* handle_;
  Endpoint endpoint_;
  std::string user_;
  std::string serverInfo_;
  bool usable_ = true;
};

// Initialises the client library once per process (thread-safe). Connection::open calls it.
void initClientLibrary();

}  // namespace mysqlop::mysql
