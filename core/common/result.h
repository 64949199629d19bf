#pragma once

#include <string>
#include <utility>
#include <variant>

namespace mysqlop {

// Error categories shared by every core component. The Kubernetes client maps Status reasons to
// them; the plugin host maps them to mysqlop_type_status.
enum class Errc {
  Invalid,        // bad input: 400 BadRequest, 422 Invalid
  NotFound,       // 404
  AlreadyExists,  // 409 AlreadyExists
  Conflict,       // 409 Conflict
  Gone,           // 410 Expired / Gone
  Unauthorized,   // 401
  Forbidden,      // 403
  TooManyRequests,
  Timeout,
  Unavailable,  // cannot reach, or the facility does not exist
  Unsupported,  // 405, 406, 415
  Internal,     // 5xx, bugs
};

const char* errcName(Errc code);

struct Failure {
  Errc code = Errc::Internal;
  std::string message;
};

// The result of an operation that can fail: a value or a Failure. Checked at every call site.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Failure failure) : v_(std::move(failure)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Failure& error() const { return std::get<1>(v_); }
  Errc code() const { return error().code; }
  bool is(Errc c) const { return !ok() && error().code == c; }

 private:
  std::variant<T, Failure> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure failure) : failure_(std::move(failure)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Failure& error() const { return failure_; }
  Errc code() const { return failure_.code; }
  bool is(Errc c) const { return !ok_ && failure_.code == c; }

 private:
  Failure failure_;
  bool ok_ = true;
};

inline Failure fail(Errc code, std::string message) { return Failure{code, std::move(message)}; }

}  // namespace mysqlop
