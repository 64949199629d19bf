#include "sidecar/progress.h"

#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace mysqlop::sidecar {
namespace {

std::string utcNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::uint64_t directorySize(const std::string& dir) {
  namespace fs = std::filesystem;
  std::uint64_t total = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fileEc;
    // symlink_status: a link is not followed (its target is counted where it lives, if inside).
    if (fs::is_regular_file(it->symlink_status(fileEc))) {
      auto size = it->file_size(fileEc);
      if (!fileEc) {
        total += size;
      }
    }
  }
  return total;
}

void BackupProgress::start(std::uint64_t estimateBytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = true;
  bytes_ = 0;
  estimate_ = estimateBytes;
  startedAt_ = utcNow();
  finishedAt_.clear();
  status_ = "Running";
}

void BackupProgress::add(std::uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  bytes_ += bytes;
}

void BackupProgress::finish(bool success) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = false;
  finishedAt_ = utcNow();
  status_ = success ? "Success" : "Failed";
}

std::string BackupProgress::json() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return nlohmann::json{{"running", running_},        {"bytes", bytes_},
                        {"estimateBytes", estimate_}, {"startedAt", startedAt_},
                        {"finishedAt", finishedAt_},  {"status", status_}}
      .dump();
}

}  // namespace mysqlop::sidecar
