#include "plugins/common/mysql/client.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <mutex>

namespace mysqlop::mysql {
namespace {

// MariaDB's "Connection was killed" and the server shutting down: the connection is gone.
constexpr unsigned kErConnectionKilled = 1927;

bool isClientError(unsigned code) { return code >= CR_MIN_ERROR && code <= CR_MAX_ERROR; }

bool losesConnection(unsigned code) {
  return isClientError(code) || code == ER_SERVER_SHUTDOWN || code == kErConnectionKilled;
}

void replaceAll(std::string& s, const std::string& what, const std::string& with) {
  if (what.empty()) {
    return;
  }
  for (std::size_t at = s.find(what); at != std::string::npos;
       at = s.find(what, at + with.size())) {
    s.replace(at, what.size(), with);
  }
}

// A syntax error quotes the statement from the failing token on (" near '...' at line 1"); when
// the statement carries a secret that quote goes.
void dropStatementQuote(std::string& message) {
  std::size_t near = message.find(" near '");
  if (near != std::string::npos) {
    message.erase(near);
  }
}

}  // namespace

void initClientLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

std::string Endpoint::str() const {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

int Rows::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

SqlResult<std::unique_ptr<Connection>> Connection::open(const Endpoint& endpoint,
                                                        const Credentials& credentials,
                                                        const Timeouts& timeouts) {
  const std::string doing = "connecting to " + endpoint.str() + " as " + credentials.user;
  if (credentials.password.find('\0') != std::string::npos) {
    return SqlError{SqlError::Kind::Invalid, 0, doing + ": the password contains a NUL byte"};
  }
  if (credentials.user.find('\0') != std::string::npos) {
    return SqlError{SqlError::Kind::Invalid, 0, doing + ": the user name contains a NUL byte"};
  }
  initClientLibrary();
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) {
    return SqlError{SqlError::Kind::Unreachable, 0, doing + ": out of memory"};
  }
  auto seconds = [](std::chrono::seconds s) {
    return static_cast<unsigned int>(s.count() > 0 ? s.count() : 1);
  };
  unsigned int connectTimeout = seconds(timeouts.connect);
  unsigned int readTimeout = seconds(timeouts.read);
  unsigned int writeTimeout = seconds(timeouts.write);
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  my_bool noLocalInfile = 0;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &readTimeout);
  mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout);
  mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &noLocalInfile);
  mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // No CLIENT_MULTI_STATEMENTS: one statement per call, so nothing can ride along after a ';'.
  if (mysql_real_connect(m, endpoint.host.c_str(), credentials.user.c_str(),
                         credentials.password.c_str(), nullptr, endpoint.port, nullptr,
                         0) == nullptr) {
    const unsigned code = mysql_errno(m);
    std::string message = mysql_error(m);
    mysql_close(m);
    replaceAll(message, credentials.password, "***");
    SqlError::Kind kind = SqlError::Kind::Unreachable;
    if (code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR ||
        code == ER_ACCESS_DENIED_NO_PASSWORD_ERROR) {
      kind = SqlError::Kind::Auth;
    } else if (!isClientError(code)) {
      kind = SqlError::Kind::Server;
    }
    return SqlError{kind, code, doing + ": " + message};
  }
  return std::unique_ptr<Connection>(new Connection(m, endpoint, credentials.user));
}

Connection::Connection(st_mysql* handle, Endpoint endpoint, std::string user)
    : handle_(handle), endpoint_(std::move(endpoint)), user_(std::move(user)) {
  const char* info = mysql_get_server_info(handle_);
  serverInfo_ = info ? info : "";
}

Connection::~Connection() { mysql_close(handle_); }

SqlResult<std::string> Connection::render(std::string_view statement, const std::vector<Arg>& args,
                                          bool maskSecrets) {
  std::string out;
  out.reserve(statement.size() + 16 * args.size());
  std::size_t next = 0;
  for (char c : statement) {
    if (c != '?') {
      out.push_back(c);
      continue;
    }
    if (next >= args.size()) {
      return SqlError{SqlError::Kind::Invalid, 0,
                      "statement has more placeholders than the " + std::to_string(args.size()) +
                          " arguments given"};
    }
    const Arg& arg = args[next++];
    if (arg.isInteger()) {
      out += arg.value();
      continue;
    }
    if (maskSecrets && arg.isSecret()) {
      out += "'***'";
      continue;
    }
    std::string escaped(arg.value().size() * 2 + 1, '\0');
    unsigned long n = mysql_real_escape_string(handle_, escaped.data(), arg.value().data(),
                                               static_cast<unsigned long>(arg.value().size()));
    if (n == static_cast<unsigned long>(-1)) {
      return SqlError{SqlError::Kind::Invalid, 0, "a value cannot be escaped"};
    }
    escaped.resize(n);
    out.push_back('\'');
    out += escaped;
    out.push_back('\'');
  }
  if (next != args.size()) {
    return SqlError{SqlError::Kind::Invalid, 0,
                    "statement has " + std::to_string(next) + " placeholders but " +
                        std::to_string(args.size()) + " arguments were given"};
  }
  return out;
}

SqlResult<std::string> Connection::preview(std::string_view statement,
                                           const std::vector<Arg>& args) {
  return render(statement, args, true);
}

SqlError Connection::lastError(const std::vector<Arg>& args) {
  const unsigned code = mysql_errno(handle_);
  std::string message = mysql_error(handle_);
  bool secret = false;
  for (const Arg& a : args) {
    if (a.isSecret()) {
      secret = true;
      replaceAll(message, a.value(), "***");
    }
  }
  if (secret) {
    dropStatementQuote(message);
  }
  SqlError::Kind kind = SqlError::Kind::Server;
  if (losesConnection(code)) {
    usable_ = false;
    kind = SqlError::Kind::Unreachable;
  }
  const char* state = mysql_sqlstate(handle_);
  return SqlError{
      kind, code,
      "error " + std::to_string(code) + " (" + (state ? state : "HY000") + "): " + message};
}

SqlResult<void> Connection::run(std::string_view statement, const std::vector<Arg>& args) {
  if (!usable_) {
    return SqlError{SqlError::Kind::Unreachable, CR_SERVER_LOST,
                    "the connection to " + endpoint_.str() + " was lost"};
  }
  SqlResult<std::string> sql = render(statement, args, false);
  if (!sql.ok()) {
    return sql.error();
  }
  if (mysql_real_query(handle_, sql->data(), static_cast<unsigned long>(sql->size())) != 0) {
    return lastError(args);
  }
  return {};
}

SqlResult<void> Connection::exec(std::string_view statement, const std::vector<Arg>& args) {
  SqlResult<void> r = run(statement, args);
  if (!r.ok()) {
    return r;
  }
  MYSQL_RES* res = mysql_store_result(handle_);
  if (res != nullptr) {
    mysql_free_result(res);
  } else if (mysql_errno(handle_) != 0) {
    return lastError(args);
  }
  return {};
}

SqlResult<Rows> Connection::query(std::string_view statement, const std::vector<Arg>& args) {
  SqlResult<void> r = run(statement, args);
  if (!r.ok()) {
    return r.error();
  }
  MYSQL_RES* res = mysql_store_result(handle_);
  Rows rows;
  if (res == nullptr) {
    if (mysql_errno(handle_) != 0) {
      return lastError(args);
    }
    return rows;  // a statement without a result set
  }
  const unsigned int fields = mysql_num_fields(res);
  MYSQL_FIELD* meta = mysql_fetch_fields(res);
  for (unsigned int i = 0; i < fields; ++i) {
    rows.columns.emplace_back(meta[i].name, meta[i].name_length);
  }
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    Row out;
    out.reserve(fields);
    for (unsigned int i = 0; i < fields; ++i) {
      if (row[i] == nullptr) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(row[i], lengths[i]));
      }
    }
    rows.rows.push_back(std::move(out));
  }
  mysql_free_result(res);
  return rows;
}

bool Connection::ping() {
  if (!usable_) {
    return false;
  }
  if (mysql_ping(handle_) != 0) {
    usable_ = false;
  }
  return usable_;
}

}  // namespace mysqlop::mysql
