#pragma once

#include <nlohmann/json.hpp>

#include <exception>
#include <string>
#include <vector>

namespace mysqlop::local {

// A group and a plural resource name, as Kubernetes error messages print them: "pods" for the
// core group, "statefulsets.apps" otherwise.
struct GroupResource {
  std::string group;
  std::string resource;
  std::string str() const { return group.empty() ? resource : resource + "." + group; }
};

// One field problem of a 422 Invalid answer (metav1.StatusCause).
struct FieldError {
  std::string reason;   // FieldValueInvalid, FieldValueRequired, ...
  std::string field;    // "spec.replicas"
  std::string message;  // "Invalid value: -1: must be greater than or equal to 0"
  std::string str() const { return field.empty() ? message : field + ": " + message; }
};

// Builders for the field errors of k8s.io/apimachinery/pkg/util/validation/field.
FieldError fieldInvalid(const std::string& field, const nlohmann::json& value,
                        const std::string& detail);
FieldError fieldRequired(const std::string& field, const std::string& detail = "");
FieldError fieldNotSupported(const std::string& field, const nlohmann::json& value,
                             const std::vector<std::string>& supported);
FieldError fieldForbidden(const std::string& field, const std::string& detail);
FieldError fieldTooLong(const std::string& field, long long max);
FieldError fieldTooMany(const std::string& field, long long actual, long long max);
FieldError fieldDuplicate(const std::string& field, const nlohmann::json& value);
FieldError fieldTypeInvalid(const std::string& field, const nlohmann::json& value,
                            const std::string& detail);
// How field.Invalid prints a value: strings quoted, numbers and booleans bare, null as "null".
std::string printFieldValue(const nlohmann::json& value);

// A failed API call: the HTTP code and the metav1.Status body the real API server sends.
struct ApiError {
  int code = 500;
  std::string reason;
  std::string message;
  nlohmann::json details;  // null when absent
  int retryAfterSeconds = 0;

  nlohmann::json status() const;
};

// Thrown by handler code and caught at the request boundary, where it becomes a Status answer.
class ApiException : public std::exception {
 public:
  explicit ApiException(ApiError error) : error_(std::move(error)) {}
  const char* what() const noexcept override { return error_.message.c_str(); }
  const ApiError& error() const { return error_; }

 private:
  ApiError error_;
};

[[noreturn]] inline void raise(ApiError e) { throw ApiException(std::move(e)); }

// Constructors with the exact messages of k8s.io/apimachinery/pkg/api/errors.
ApiError errNotFound(const GroupResource& gr, const std::string& name);
ApiError errPathNotFound();
ApiError errAlreadyExists(const GroupResource& gr, const std::string& name);
ApiError errConflict(const GroupResource& gr, const std::string& name, const std::string& why);
ApiError errOptimisticLock(const GroupResource& gr, const std::string& name);
ApiError errInvalid(const std::string& kind, const std::string& group, const std::string& name,
                    const std::vector<FieldError>& causes);
ApiError errBadRequest(const std::string& message);
ApiError errMethodNotAllowed();
ApiError errNotAcceptable();
ApiError errUnsupportedMediaType(const std::string& message);
ApiError errExpired(const std::string& message);
ApiError errInternal(const std::string& message);
ApiError errUnauthorized();
ApiError errForbidden(const GroupResource& gr, const std::string& name, const std::string& why);
ApiError errGeneric(int code, const std::string& reason, const std::string& message);
ApiError errTooLargeResourceVersion(unsigned long long requested, unsigned long long current);
ApiError errRequestEntityTooLarge(const std::string& message);

}  // namespace mysqlop::local
