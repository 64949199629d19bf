#include "plugins/target_http/src/text.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <utility>

namespace mysqlop::targethttp {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string uriEncode(std::string_view s, bool keepSlash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || (keepSlash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

std::string xmlValue(std::string_view xml, std::string_view tag, std::size_t from,
                     std::size_t* end) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto a = xml.find(open, from);
  const auto b = a == std::string_view::npos ? a : xml.find(close, a + open.size());
  if (b == std::string_view::npos) {
    if (end) {
      *end = std::string_view::npos;
    }
    return "";
  }
  if (end) {
    *end = b + close.size();
  }
  const std::string_view raw = xml.substr(a + open.size(), b - a - open.size());
  static const std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char ch = raw[i];
    if (ch == '&') {
      for (const auto& [name, decoded] : kEntities) {
        if (raw.compare(i, name.size(), name) == 0) {
          ch = decoded;
          i += name.size() - 1;
          break;
        }
      }
    }
    out += ch;
  }
  return out;
}

std::string formatUtcNow(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::int64_t parseUtcMs(const std::string& text, const char* format) {
  std::tm tm{};
  if (!strptime(text.c_str(), format, &tm)) {
    return 0;
  }
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::int64_t parseRfc3339Ms(const std::string& text) {
  return parseUtcMs(text, "%Y-%m-%dT%H:%M:%S");
}

std::int64_t parseRfc1123Ms(const std::string& text) {
  return parseUtcMs(text, "%a, %d %b %Y %H:%M:%S");
}

}  // namespace mysqlop::targethttp
