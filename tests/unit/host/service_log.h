#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/read_lines.h"
#include "tests/unit/host/host_fixture.h"

namespace mysqlop::testing {

// The order file of the service fixture (tests/fixtures/plugins/service.cpp) and its gate file,
// in a directory of their own that is removed with this object.
class ServiceLog {
 public:
  explicit ServiceLog(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             ("mysqlop-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ServiceLog() { std::filesystem::remove_all(dir_); }
  ServiceLog(const ServiceLog&) = delete;
  ServiceLog& operator=(const ServiceLog&) = delete;

  std::string path(const std::string& plugin) const { return (dir_ / (plugin + ".log")).string(); }
  std::string gate() const { return (dir_ / "gate").string(); }
  void openGate() const { std::ofstream(gate()) << "open\n"; }

  // The config of a service fixture writing to path(plugin); extra is appended inside the object.
  std::string config(const std::string& plugin, const std::string& extra = "") const {
    return R"({"log":")" + path(plugin) + R"(","gate":")" + gate() + "\"" +
           (extra.empty() ? "" : "," + extra) + "}";
  }

  std::vector<std::string> lines(const std::string& plugin) const {
    return readLines(path(plugin));
  }

  // Polls (deadline 10 s) until the plugin's log has a line starting with prefix.
  bool waitFor(const std::string& plugin, const std::string& prefix) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const std::string& line : lines(plugin)) {
        if (line.rfind(prefix, 0) == 0) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

 private:
  std::filesystem::path dir_;
};

// Index of the first line equal to (or, with prefix, starting with) text; -1 when absent.
inline int indexOf(const std::vector<std::string>& lines, const std::string& text,
                   bool prefix = false) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (prefix ? lines[i].rfind(text, 0) == 0 : lines[i] == text) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

inline int countOf(const std::vector<std::string>& lines, const std::string& text) {
  return static_cast<int>(std::count(lines.begin(), lines.end(), text));
}

// Polls (deadline 10 s) until pred holds.
template <class Pred>
bool pollUntil(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace mysqlop::testing
