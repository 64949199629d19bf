#include "core/log/redactor.h"

namespace mysqlop::log {

namespace {

bool longerFirst(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) {
    return a.size() > b.size();
  }
  return a < b;
}

constexpr const char* kMask = "***";

}  // namespace

Redactor::Redactor() : secrets_(&longerFirst) {
  const auto flags = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;
  // key=value, key: value, "key":"value" for keys that name secrets (ROOT_PASSWORD, token,
  // AWS_SECRET_ACCESS_KEY, clientSecret, ...), not keys that merely mention one (secretName,
  // tokenFile). Group 1 keeps the key and separator; the value is masked.
  shapes_.emplace_back(
      R"re(((?:[A-Za-z0-9_]*(?:password|passwd|pwd|token|secret(?:_?access)?(?:_?key)?|access_?key|api_?key|private_?key))"?\s*[:=]\s*"?)([^\s",;&}]+))re",
      flags);
  // SQL: IDENTIFIED BY 'x' / IDENTIFIED BY PASSWORD 'x' / PASSWORD('x').
  shapes_.emplace_back(
      R"(((?:IDENTIFIED\s+BY(?:\s+PASSWORD)?|PASSWORD\s*\()\s*)('(?:[^'\\]|\\.|'')*'))", flags);
  // HTTP authorization headers.
  shapes_.emplace_back(R"(((?:Authorization|Proxy-Authorization)\s*:\s*(?:Bearer|Basic)\s+)(\S+))",
                       flags);
}

void Redactor::addSecret(std::string_view value) {
  if (value.size() < kMinSecretLength) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  secrets_.emplace(value);
}

std::size_t Redactor::secretCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return secrets_.size();
}

std::string Redactor::redact(std::string_view text) const {
  std::string out(text);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& s : secrets_) {
      for (std::size_t at = out.find(s); at != std::string::npos; at = out.find(s, at + 3)) {
        out.replace(at, s.size(), kMask);
      }
    }
  }
  for (const std::regex& re : shapes_) {
    out = std::regex_replace(out, re, std::string("$1") + kMask);
  }
  return out;
}

Redactor& Redactor::global() {
  static Redactor instance;
  return instance;
}

}  // namespace mysqlop::log
