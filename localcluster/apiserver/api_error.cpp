#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

using nlohmann::json;

std::string printFieldValue(const json& value) {
  if (value.is_string()) {
    return value.dump();
  }
  if (value.is_null()) {
    return "null";
  }
  return value.dump();
}

FieldError fieldInvalid(const std::string& field, const json& value, const std::string& detail) {
  std::string msg = "Invalid value: " + printFieldValue(value);
  if (!detail.empty()) {
    msg += ": " + detail;
  }
  return {"FieldValueInvalid", field, msg};
}

FieldError fieldRequired(const std::string& field, const std::string& detail) {
  std::string msg = "Required value";
  if (!detail.empty()) {
    msg += ": " + detail;
  }
  return {"FieldValueRequired", field, msg};
}

FieldError fieldNotSupported(const std::string& field, const json& value,
                             const std::vector<std::string>& supported) {
  std::string msg = "Unsupported value: " + printFieldValue(value);
  if (!supported.empty()) {
    msg += ": supported values: ";
    for (std::size_t i = 0; i < supported.size(); ++i) {
      msg += (i ? ", " : "") + supported[i];
    }
  }
  return {"FieldValueNotSupported", field, msg};
}

FieldError fieldForbidden(const std::string& field, const std::string& detail) {
  return {"FieldValueForbidden", field, "Forbidden: " + detail};
}

FieldError fieldTooLong(const std::string& field, long long max) {
  return {"FieldValueTooLong", field, "Too long: may not be longer than " + std::to_string(max)};
}

FieldError fieldTooMany(const std::string& field, long long actual, long long max) {
  return {"FieldValueTooMany", field,
          "Too many: " + std::to_string(actual) + ": must have at most " + std::to_string(max) +
              " items"};
}

FieldError fieldDuplicate(const std::string& field, const json& value) {
  return {"FieldValueDuplicate", field, "Duplicate value: " + printFieldValue(value)};
}

FieldError fieldTypeInvalid(const std::string& field, const json& value,
                            const std::string& detail) {
  return {"FieldValueTypeInvalid", field,
          "Invalid value: " + printFieldValue(value) + ": " + detail};
}

json ApiError::status() const {
  json s = {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
            {"status", "Failure"}, {"message", message}, {"reason", reason},
            {"code", code}};
  if (!details.is_null()) {
    s["details"] = details;
  }
  if (reason.empty()) {
    s.erase("reason");
  }
  return s;
}

namespace {

json grDetails(const GroupResource& gr, const std::string& name) {
  json d = json::object();
  if (!name.empty()) {
    d["name"] = name;
  }
  if (!gr.group.empty()) {
    d["group"] = gr.group;
  }
  d["kind"] = gr.resource;
  return d;
}

}  // namespace

ApiError errNotFound(const GroupResource& gr, const std::string& name) {
  return {404, "NotFound", gr.str() + " \"" + name + "\" not found", grDetails(gr, name), 0};
}

ApiError errPathNotFound() {
  return {404, "NotFound", "the server could not find the requested resource", json::object(), 0};
}

ApiError errAlreadyExists(const GroupResource& gr, const std::string& name) {
  return {409, "AlreadyExists", gr.str() + " \"" + name + "\" already exists", grDetails(gr, name),
          0};
}

ApiError errConflict(const GroupResource& gr, const std::string& name, const std::string& why) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + gr.str() + " \"" + name + "\": " + why,
          grDetails(gr, name), 0};
}

ApiError errOptimisticLock(const GroupResource& gr, const std::string& name) {
  return errConflict(gr, name,
                     "the object has been modified; please apply your changes to the latest "
                     "version and try again");
}

ApiError errInvalid(const std::string& kind, const std::string& group, const std::string& name,
                    const std::vector<FieldError>& causes) {
  std::string qualified = group.empty() ? kind : kind + "." + group;
  std::string msg = qualified + " \"" + name + "\" is invalid: ";
  if (causes.size() == 1) {
    msg += causes[0].str();
  } else {
    msg += "[";
    for (std::size_t i = 0; i < causes.size(); ++i) {
      msg += (i ? ", " : "") + causes[i].str();
    }
    msg += "]";
  }
  json d = json::object();
  d["name"] = name;
  if (!group.empty()) {
    d["group"] = group;
  }
  d["kind"] = kind;
  json arr = json::array();
  for (const auto& c : causes) {
    arr.push_back({{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
  }
  d["causes"] = arr;
  return {422, "Invalid", msg, d, 0};
}

ApiError errBadRequest(const std::string& message) {
  return {400, "BadRequest", message, json(), 0};
}

ApiError errMethodNotAllowed() {
  return {405, "MethodNotAllowed",
          "the server does not allow this method on the requested resource", json::object(), 0};
}

ApiError errNotAcceptable() {
  return {406, "NotAcceptable",
          "only the following media types are accepted: application/json, application/yaml, "
          "application/json;stream=watch",
          json(), 0};
}

ApiError errUnsupportedMediaType(const std::string& message) {
  return {415, "UnsupportedMediaType", message, json(), 0};
}

ApiError errExpired(const std::string& message) { return {410, "Expired", message, json(), 0}; }

ApiError errInternal(const std::string& message) {
  json d = {{"causes", json::array({{{"message", message}}})}};
  return {500, "InternalError", "Internal error occurred: " + message, d, 0};
}

ApiError errUnauthorized() { return {401, "Unauthorized", "Unauthorized", json(), 0}; }

ApiError errForbidden(const GroupResource& gr, const std::string& name, const std::string& why) {
  return {403, "Forbidden", gr.str() + " \"" + name + "\" is forbidden: " + why,
          grDetails(gr, name), 0};
}

ApiError errGeneric(int code, const std::string& reason, const std::string& message) {
  return {code, reason, message, json(), 0};
}

ApiError errTooLargeResourceVersion(unsigned long long requested, unsigned long long current) {
  json d = {{"causes", json::array({{{"reason", "ResourceVersionTooLarge"},
                                     {"message", "Too large resource version"}}})},
            {"retryAfterSeconds", 1}};
  return {504, "Timeout",
          "Timeout: Too large resource version: " + std::to_string(requested) +
              ", current: " + std::to_string(current),
          d, 1};
}

ApiError errRequestEntityTooLarge(const std::string& message) {
  return {413, "RequestEntityTooLarge", message, json(), 0};
}

}  // namespace mysqlop::local
