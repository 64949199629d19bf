#include "localcluster/kubelet/container_logs.h"

#include <time.h>

#include <algorithm>
#include <cctype>

namespace mysqlop::local::kubelet {

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int* out) {
  if (at + n > s.size()) {
    return false;
  }
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parseRfc3339Nano(std::string_view s) {
  // 2006-01-02T15:04:05[.fraction](Z|+07:00|-07:00)
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  if (!digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, &mon) ||
      s[7] != '-' || !digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, &hour) || s[13] != ':' || !digits(s, 14, 2, &min) || s[16] != ':' ||
      !digits(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return std::nullopt;
  }
  std::size_t i = 19;
  long long nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      if (n < 9) {
        nanos = nanos * 10 + (s[i] - '0');
      }
      ++n;
      ++i;
    }
    if (n == 0) {
      return std::nullopt;
    }
    for (int k = n; k < 9; ++k) {
      nanos *= 10;
    }
  }
  long long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    offset = 0;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(s, i + 1, 2, &oh) || !digits(s, i + 4, 2, &om)) {
      return std::nullopt;
    }
    offset = (s[i] == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
  } else {
    return std::nullopt;
  }
  tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = mon - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = min;
  t.tm_sec = sec;
  const long long epoch = static_cast<long long>(::timegm(&t)) - offset;
  // system_clock counts nanoseconds in 64 bits: years past 2262 (or before 1677) saturate.
  constexpr long long kLimit = 9'200'000'000LL;
  if (epoch >= kLimit || epoch <= -kLimit) {
    return epoch > 0 ? std::chrono::system_clock::time_point::max()
                     : std::chrono::system_clock::time_point::min();
  }
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(epoch) + std::chrono::nanoseconds(nanos)));
}

void CriLogDecoder::record(std::string_view line, std::vector<LogLine>& out) {
  // "<timestamp> <stream> <P|F> <text>"
  const std::size_t a = line.find(' ');
  if (a == std::string_view::npos) {
    return;
  }
  const std::size_t b = line.find(' ', a + 1);
  if (b == std::string_view::npos || b + 2 > line.size()) {
    return;
  }
  const std::string_view stamp = line.substr(0, a);
  const std::string_view stream = line.substr(a + 1, b - a - 1);
  const char tag = line[b + 1];
  if ((tag != 'P' && tag != 'F') || (b + 2 < line.size() && line[b + 2] != ' ')) {
    return;
  }
  const std::string_view text = b + 3 <= line.size() ? line.substr(b + 3) : std::string_view();
  auto time = parseRfc3339Nano(stamp);
  if (!time || (stream != "stdout" && stream != "stderr")) {
    return;
  }
  auto it = pieces_.find(std::string(stream));
  if (it == pieces_.end()) {
    it = pieces_
             .emplace(std::string(stream),
                      LogLine{std::string(stamp), *time, std::string(stream), std::string()})
             .first;
  }
  it->second.text.append(text);
  if (tag == 'F') {
    out.push_back(std::move(it->second));
    pieces_.erase(it);
  }
}

std::vector<LogLine> CriLogDecoder::feed(std::string_view bytes) {
  std::vector<LogLine> out;
  buffer_.append(bytes);
  std::size_t start = 0;
  for (std::size_t nl = buffer_.find('\n'); nl != std::string::npos;
       nl = buffer_.find('\n', start)) {
    record(std::string_view(buffer_).substr(start, nl - start), out);
    start = nl + 1;
  }
  buffer_.erase(0, start);
  return out;
}

std::vector<LogLine> CriLogDecoder::finish() {
  std::vector<LogLine> out;
  for (auto& [stream, line] : pieces_) {
    out.push_back(std::move(line));
  }
  pieces_.clear();
  std::sort(out.begin(), out.end(),
            [](const LogLine& x, const LogLine& y) { return x.time < y.time; });
  return out;
}

std::vector<LogLine> selectLines(std::vector<LogLine> lines, std::optional<std::int64_t> tailLines,
                                 std::optional<std::chrono::system_clock::time_point> since) {
  if (tailLines && static_cast<std::uint64_t>(*tailLines) < lines.size()) {
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(*tailLines));
  }
  if (since) {
    std::erase_if(lines, [&](const LogLine& l) { return l.time < *since; });
  }
  return lines;
}

std::string formatLine(const LogLine& line, bool timestamps) {
  std::string out;
  out.reserve(line.text.size() + line.timestamp.size() + 2);
  if (timestamps) {
    out += line.timestamp;
    out += ' ';
  }
  out += line.text;
  out += '\n';
  return out;
}

std::string_view ByteLimit::take(std::string_view text) {
  if (!left_) {
    return text;
  }
  const auto n = static_cast<std::size_t>(std::max<std::int64_t>(0, *left_));
  text = text.substr(0, std::min(n, text.size()));
  *left_ -= static_cast<std::int64_t>(text.size());
  return text;
}

}  // namespace mysqlop::local::kubelet
