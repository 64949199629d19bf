#include "localcluster/apiserver/query_params.h"

#include <cstdio>
#include <limits>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {

namespace {

bool equalsIgnoringCase(const std::string& a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != b[i]) {
      return false;
    }
  }
  return i == a.size() && b[i] == '\0';
}

}  // namespace

bool parseQueryBool(const std::string& value) {
  return !(value == "0" || equalsIgnoringCase(value, "false"));
}

std::optional<bool> parseGoBool(const std::string& value) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (value == t) {
      return true;
    }
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (value == f) {
      return false;
    }
  }
  return std::nullopt;
}

Result<int64_t> parseGoInt64(const std::string& value) {
  const auto failure = [&](const char* why) {
    return fail(Errc::Invalid, "strconv.ParseInt: parsing " + goQuote(value) + ": " + why);
  };
  std::size_t i = 0;
  bool negative = false;
  if (!value.empty() && (value[0] == '+' || value[0] == '-')) {
    negative = value[0] == '-';
    i = 1;
  }
  if (i == value.size()) {
    return failure("invalid syntax");
  }
  // As Go: digits accumulate into a uint64; a non-digit is a syntax error, unless uint64 already
  // overflowed before it (ParseUint returns the range error at once). The int64 bound comes last.
  uint64_t magnitude = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (; i < value.size(); ++i) {
    const char c = value[i];
    if (c < '0' || c > '9') {
      return failure("invalid syntax");
    }
    const auto digit = static_cast<uint64_t>(c - '0');
    if (magnitude > (kMax - digit) / 10) {
      return failure("value out of range");
    }
    magnitude = magnitude * 10 + digit;
  }
  const uint64_t bound = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > bound) {
    return failure("value out of range");
  }
  if (negative) {
    return magnitude == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min()
                                            : -static_cast<int64_t>(magnitude);
  }
  return static_cast<int64_t>(magnitude);
}

std::optional<bool> queryBool(const ApiRequest& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) {
    return std::nullopt;
  }
  return parseQueryBool(it->second);
}

bool queryFlag(const ApiRequest& req, const std::string& key) {
  return queryBool(req, key).value_or(false);
}

std::optional<int64_t> queryInt64(const ApiRequest& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) {
    return std::nullopt;
  }
  auto parsed = parseGoInt64(it->second);
  if (!parsed.ok()) {
    raise(errBadRequest(parsed.error().message));
  }
  return *parsed;
}

bool queryPretty(const ApiRequest& req) {
  auto it = req.query.find("pretty");
  return it != req.query.end() && parseGoBool(it->second).value_or(false);
}

}  // namespace mysqlop::local
