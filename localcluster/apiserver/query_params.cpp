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

// Length of the valid UTF-8 sequence at s[i] (0 when invalid), as Go decodes runes.
std::size_t utf8Length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  std::size_t n = 0;
  uint32_t rune = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    rune = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    rune = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    rune = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0u) != 0x80u) {
      return 0;
    }
    rune = (rune << 6) | (byte(i + k) & 0x3Fu);
  }
  const bool overlong = (n == 3 && rune < 0x800) || (n == 4 && rune < 0x10000);
  const bool surrogate = rune >= 0xD800 && rune <= 0xDFFF;
  return overlong || surrogate || rune > 0x10FFFF ? 0 : n;
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

std::string goQuote(const std::string& value) {
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size();) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      // A valid multi-byte rune is printed as it is (Go checks IsPrint; the non-printable ones
      // beyond ASCII are rare enough in a query to be left as they are), an invalid byte as \x.
      if (std::size_t n = utf8Length(value, i); n > 0) {
        out.append(value, i, n);
        i += n;
        continue;
      }
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c >= 0x7F) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
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
