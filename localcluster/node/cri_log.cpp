#include "localcluster/node/cri_log.h"

#include <time.h>

#include <cstdio>

namespace mysqlop::local::node {

std::string criTimestamp(std::chrono::system_clock::time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const time_t seconds = static_cast<time_t>(ns / 1000000000);
  tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<long long>(ns % 1000000000));
  return buf;
}

std::string CriLineSplitter::record(std::string_view text, char tag,
                                    const std::string& stamp) const {
  std::string out;
  out.reserve(stamp.size() + stream_.size() + text.size() + 5);
  out += stamp;
  out += ' ';
  out += stream_;
  out += ' ';
  out += tag;
  out += ' ';
  out += text;
  out += '\n';
  return out;
}

std::string CriLineSplitter::feed(std::string_view bytes,
                                  std::chrono::system_clock::time_point now) {
  const std::string stamp = criTimestamp(now);
  std::string out;
  pending_.append(bytes);
  size_t start = 0;
  for (;;) {
    const size_t newline = pending_.find('\n', start);
    const size_t end = newline == std::string::npos ? pending_.size() : newline;
    if (end - start > kMaxLineBytes) {
      out += record(std::string_view(pending_).substr(start, kMaxLineBytes), 'P', stamp);
      start += kMaxLineBytes;
      continue;
    }
    if (newline == std::string::npos) {
      break;
    }
    out += record(std::string_view(pending_).substr(start, end - start), 'F', stamp);
    start = newline + 1;
  }
  pending_.erase(0, start);
  return out;
}

std::string CriLineSplitter::finish(std::chrono::system_clock::time_point now) {
  if (pending_.empty()) {
    return "";
  }
  std::string out = record(pending_, 'F', criTimestamp(now));
  pending_.clear();
  return out;
}

}  // namespace mysqlop::local::node
