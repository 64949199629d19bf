#include "plugins/common/mysql/identifiers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace mysqlop::mysql {
namespace {

constexpr std::array<std::string_view, 5> kSystemSchemas = {
    "mysql", "information_schema", "performance_schema", "sys", "sys_operator"};
constexpr std::size_t kMaxShownChars = 64;

// Decodes one UTF-8 sequence at s[at]; returns its length and sets cp, or 0 when invalid.
std::size_t decodeUtf8(std::string_view s, std::size_t at, std::uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[at]);
  std::size_t len = 0;
  std::uint32_t value = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    value = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    value = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    value = b0 & 0x07u;
    min = 0x10000;
  } else {
    return 0;
  }
  if (at + len > s.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[at + i]);
    if ((b & 0xC0) != 0x80) {
      return 0;
    }
    value = (value << 6) | (b & 0x3Fu);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;  // overlong, out of range or a surrogate
  }
  *cp = value;
  return len;
}

struct Scan {
  bool valid = true;
  std::size_t chars = 0;
  bool nul = false;
  bool control = false;
  bool supplementary = false;
};

Scan scan(std::string_view s) {
  Scan r;
  for (std::size_t at = 0; at < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = decodeUtf8(s, at, &cp);
    if (n == 0) {
      r.valid = false;
      return r;
    }
    r.nul = r.nul || cp == 0;
    r.control = r.control || cp < 0x20 || cp == 0x7F;
    r.supplementary = r.supplementary || cp > 0xFFFF;
    ++r.chars;
    at += n;
  }
  return r;
}

// The checks every name shares; `what` is "characters" limit wording.
std::optional<std::string> checkText(std::string_view value, std::size_t maxChars,
                                     bool allowControl) {
  if (value.empty()) {
    return "is empty";
  }
  Scan s = scan(value);
  if (!s.valid) {
    return "is not valid UTF-8";
  }
  if (s.nul) {
    return "contains a NUL character";
  }
  if (s.control && !allowControl) {
    return "contains a control character";
  }
  if (s.supplementary) {
    return "contains a character outside the Basic Multilingual Plane (such as an emoji), which "
           "MySQL names cannot hold";
  }
  if (s.chars > maxChars) {
    return "is longer than " + std::to_string(maxChars) + " characters (" +
           std::to_string(s.chars) + ")";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> utf8Length(std::string_view s) {
  Scan r = scan(s);
  if (!r.valid) {
    return std::nullopt;
  }
  return r.chars;
}

std::optional<std::string> checkIdentifier(std::string_view name) {
  if (auto e = checkText(name, kMaxIdentifierChars, false)) {
    return e;
  }
  if (name.back() == ' ') {
    return std::string("ends with a space, which MySQL does not allow");
  }
  return std::nullopt;
}

std::optional<std::string> checkDatabaseName(std::string_view name) {
  if (auto e = checkIdentifier(name)) {
    return e;
  }
  const std::string l = asciiLower(name);
  for (std::string_view system : kSystemSchemas) {
    if (l == system) {
      return "names the system schema " + std::string(system) +
             ", which the operator never creates or drops";
    }
  }
  return std::nullopt;
}

std::optional<std::string> checkUserName(std::string_view name, std::size_t maxChars) {
  return checkText(name, maxChars, false);
}

std::optional<std::string> checkHost(std::string_view host, std::size_t maxChars) {
  if (host.empty()) {
    return std::string("is empty");
  }
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = std::isalnum(u) != 0 || c == '.' || c == '-' || c == '_' || c == '%' ||
                    c == ':' || c == '/';
    if (!ok || u >= 0x80) {
      std::string what = (u < 0x20 || u >= 0x7F) ? "a character that is not printable ASCII"
                                                 : "\"" + std::string(1, c) + "\"";
      return "contains " + what + " (a host may hold letters, digits and . - _ % : / only)";
    }
  }
  if (host.size() > maxChars) {
    return "is longer than " + std::to_string(maxChars) + " characters (" +
           std::to_string(host.size()) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> checkCharsetName(std::string_view name) {
  if (name.empty()) {
    return std::string("is empty");
  }
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') {
      return std::string("may hold letters, digits and _ only");
    }
  }
  if (name.size() > kMaxIdentifierChars) {
    return "is longer than " + std::to_string(kMaxIdentifierChars) + " characters";
  }
  return std::nullopt;
}

std::string asciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string quoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') {
      out.push_back('`');
    }
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

std::string schemaGrantPattern(std::string_view schema) {
  std::string out;
  for (char c : schema) {
    if (c == '_' || c == '%' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

std::string shown(std::string_view value) {
  std::string out = "\"";
  std::size_t chars = 0;
  for (std::size_t at = 0; at < value.size();) {
    if (chars == kMaxShownChars) {
      out += "...";
      break;
    }
    std::uint32_t cp = 0;
    std::size_t n = decodeUtf8(value, at, &cp);
    if (n == 0 || cp < 0x20 || cp == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto b = static_cast<unsigned char>(value[at]);
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
      at += 1;
    } else {
      if (cp == '"' || cp == '\\') {
        out.push_back('\\');
      }
      out.append(value.substr(at, n));
      at += n;
    }
    ++chars;
  }
  out += "\"";
  return out;
}

}  // namespace mysqlop::mysql
