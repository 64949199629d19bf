#include "core/kube/status.h"

#include <nlohmann/json.hpp>

namespace mysqlop::kube {

namespace {

constexpr std::string_view kTooLargeText = "Too large resource version";

// Keeps a non-Status body readable in one log line: printable ASCII only, at most 200 bytes.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 200)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  if (body.size() > 200) {
    out += "...";
  }
  return out;
}

}  // namespace

Errc errcForStatus(int httpCode, std::string_view reason) {
  struct ReasonErrc {
    std::string_view reason;
    Errc code;
  };
  static constexpr ReasonErrc kReasons[] = {
      {"NotFound", Errc::NotFound},
      {"AlreadyExists", Errc::AlreadyExists},
      {"Conflict", Errc::Conflict},
      {"Invalid", Errc::Invalid},
      {"BadRequest", Errc::Invalid},
      {"Unauthorized", Errc::Unauthorized},
      {"Forbidden", Errc::Forbidden},
      {"Gone", Errc::Gone},
      {"Expired", Errc::Gone},
      {"TooManyRequests", Errc::TooManyRequests},
      {"Timeout", Errc::Timeout},
      {"ServerTimeout", Errc::Timeout},
      {"MethodNotAllowed", Errc::Unsupported},
      {"NotAcceptable", Errc::Unsupported},
      {"UnsupportedMediaType", Errc::Unsupported},
      {"RequestEntityTooLarge", Errc::Unsupported},
      {"ServiceUnavailable", Errc::Unavailable},
      {"InternalError", Errc::Internal},
  };
  for (const ReasonErrc& r : kReasons) {
    if (r.reason == reason) {
      return r.code;
    }
  }
  switch (httpCode) {
    case 400:
    case 422: return Errc::Invalid;
    case 401: return Errc::Unauthorized;
    case 403: return Errc::Forbidden;
    case 404: return Errc::NotFound;
    case 405:
    case 406:
    case 413:
    case 415: return Errc::Unsupported;
    case 409: return Errc::Conflict;
    case 410: return Errc::Gone;
    case 429: return Errc::TooManyRequests;
    case 503: return Errc::Unavailable;
    case 504: return Errc::Timeout;
    default: break;
  }
  return Errc::Internal;
}

Failure ApiError::toFailure() const { return Failure{errcForStatus(code, reason), message}; }

ApiError parseApiError(int httpCode, std::string_view body) {
  ApiError e;
  e.code = httpCode;
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.value("kind", "") == "Status") {
    e.reason = j.value("reason", "");
    e.message = j.value("message", "");
    if (const auto d = j.find("details"); d != j.end() && d->is_object()) {
      e.retryAfterSeconds = d->value("retryAfterSeconds", 0);
      if (const auto cs = d->find("causes"); cs != d->end() && cs->is_array()) {
        for (const auto& c : *cs) {
          if (c.is_object()) {
            e.causes.push_back(
                {c.value("reason", ""), c.value("message", ""), c.value("field", "")});
          }
        }
      }
    }
    if (!e.message.empty()) {
      return e;
    }
    e.message = "the server responded with HTTP " + std::to_string(httpCode) +
                (e.reason.empty() ? std::string() : " (" + e.reason + ")") + " and no message";
    return e;
  }
  e.message = "the server responded with HTTP " + std::to_string(httpCode);
  if (const std::string text = excerpt(body); !text.empty()) {
    e.message += ": " + text;
  }
  return e;
}

bool isTooLargeResourceVersion(const ApiError& e) {
  for (const auto& c : e.causes) {
    if (c.reason == "ResourceVersionTooLarge") {
      return true;
    }
  }
  // kube-apiserver's message is "Timeout: Too large resource version: X, current: Y".
  return e.code == 504 && e.message.find(kTooLargeText) != std::string::npos;
}

bool isTooLargeResourceVersion(const Failure& f) {
  return f.code == Errc::Timeout && f.message.find(kTooLargeText) != std::string::npos;
}

}  // namespace mysqlop::kube
