#include "core/common/go_quote.h"

#include <cstdint>
#include <cstdio>

namespace mysqlop {

namespace {

// Length of the valid UTF-8 sequence at s[i] (0 when invalid), as Go decodes runes.
std::size_t utf8Length(std::string_view s, std::size_t i) {
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

std::string goQuote(std::string_view value) {
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

}  // namespace mysqlop
