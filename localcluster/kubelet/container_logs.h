#pragma once
// What `kubectl logs` reads from the CRI log files the supervisor writes (node/cri_log.h): the
// records decoded and partial (P) pieces joined into lines, the kubelet's selection (tailLines,
// since, limitBytes) and its output format (--timestamps). Pure: no files, no clock.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlop::local::kubelet {

// One line a container wrote, its P pieces joined: the time of its first piece, as written.
struct LogLine {
  std::string timestamp;  // "2026-12-02T10:00:00.123456789Z" (RFC 3339, nanoseconds)
  std::chrono::system_clock::time_point time;
  std::string stream;  // "stdout" | "stderr"
  std::string text;    // without the newline
};

// Parses an RFC 3339 time with optional fraction (up to nanoseconds) and "Z" or "+hh:mm";
// nullopt when it does not parse.
std::optional<std::chrono::system_clock::time_point> parseRfc3339Nano(std::string_view s);

// Turns the bytes of a CRI log file, fed in any pieces, into lines. A record is used once its
// newline arrived; a malformed record is skipped (as the kubelet skips what it cannot parse).
class CriLogDecoder {
 public:
  std::vector<LogLine> feed(std::string_view bytes);
  // The pieces of lines never finished (the file ended after a P record), as lines.
  std::vector<LogLine> finish();

 private:
  void record(std::string_view line, std::vector<LogLine>& out);
  std::string buffer_;                     // a record whose newline has not arrived
  std::map<std::string, LogLine> pieces_;  // stream -> the line its P records started
};

// The last tailLines lines of `lines` (all when unset), then those not before `since`.
std::vector<LogLine> selectLines(std::vector<LogLine> lines, std::optional<std::int64_t> tailLines,
                                 std::optional<std::chrono::system_clock::time_point> since);

// A line as `kubectl logs` shows it: "<timestamp> " first with --timestamps, a newline last.
std::string formatLine(const LogLine& line, bool timestamps);

// Counts what was sent against limitBytes: the output stops, mid-line if need be, at the limit.
class ByteLimit {
 public:
  explicit ByteLimit(std::optional<std::int64_t> limit) : left_(limit) {}
  // What of `text` may still be sent (all of it without a limit).
  std::string_view take(std::string_view text);
  bool exhausted() const { return left_.has_value() && *left_ <= 0; }

 private:
  std::optional<std::int64_t> left_;
};

}  // namespace mysqlop::local::kubelet
