#pragma once
// The CRI container log format that `kubectl logs` reads (what containerd and CRI-O write):
// "<RFC 3339 UTC with nanoseconds> <stdout|stderr> <F|P> <text>\n", P for a piece of a line that
// was cut because it grew longer than kMaxLineBytes. Internal to local_node.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace mysqlop::local::node {

constexpr size_t kMaxLineBytes = size_t{16} * 1024;

// "2026-12-02T10:00:00.123456789Z"
std::string criTimestamp(std::chrono::system_clock::time_point t);

// Cuts one stream's bytes into CRI records. Feed it what a read returned; it returns the records
// ready to append (complete lines as F, 16 KiB pieces of longer lines as P). finish() returns
// what is left without a newline, as F.
class CriLineSplitter {
 public:
  explicit CriLineSplitter(std::string stream) : stream_(std::move(stream)) {}
  std::string feed(std::string_view bytes, std::chrono::system_clock::time_point now);
  std::string finish(std::chrono::system_clock::time_point now);

 private:
  std::string record(std::string_view text, char tag, const std::string& stamp) const;
  std::string stream_;
  std::string pending_;  // the start of a line not yet written
};

}  // namespace mysqlop::local::node
