#pragma once

// The result type of MySQL I/O in plugins: a value or an SqlError. Plugins cannot use the core's
// Result<T> (they see only sdk/ and plugins/common), so this is its small sibling.

#include <string>
#include <utility>
#include <variant>

namespace mysqlop::mysql {

struct SqlError {
  enum class Kind {
    Unreachable,  // cannot connect, connection lost, timed out
    Auth,         // the server refused the credentials
    Server,       // the server refused a statement (syntax, privilege, unknown object ...)
    Invalid,      // refused before reaching the server (bad argument)
  };
  Kind kind = Kind::Server;
  unsigned code = 0;    // MySQL/MariaDB error number (0 when none)
  std::string message;  // never contains a password nor the text of a statement with one

  // "<message>" prefixed by what was being done: "creating database `x`: <message>".
  std::string describe(const std::string& doing) const { return doing + ": " + message; }
};

template <class T>
class [[nodiscard]] SqlResult {
 public:
  SqlResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  SqlResult(SqlError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const SqlError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, SqlError> v_;
};

template <>
class [[nodiscard]] SqlResult<void> {
 public:
  SqlResult() = default;
  SqlResult(SqlError error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const SqlError& error() const { return error_; }

 private:
  SqlError error_;
  bool ok_ = true;
};

}  // namespace mysqlop::mysql
