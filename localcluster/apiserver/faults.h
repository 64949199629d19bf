#pragma once

#include <nlohmann/json_fwd.hpp>

#include <mutex>
#include <optional>
#include <string>

namespace mysqlop::local {

// Fault injection for tests (the /_local/faults/... admin paths): 410 on the next watches, 409 or
// 500 on the next writes (optionally of one resource), a delay before every API answer.
class Faults {
 public:
  void expireWatches(int count);
  // code is 409 or 500; resource "" = any; group matches only when resource is set.
  void failWrites(int count, int code, const std::string& group, const std::string& resource);
  void setDelayMs(int ms);
  void clear();

  bool takeWatchExpiry();
  std::optional<int> takeWriteFailure(const std::string& group, const std::string& resource);
  int delayMs() const;
  nlohmann::json describe() const;

 private:
  mutable std::mutex mu_;
  int watchExpiries_ = 0;
  int writeFailures_ = 0;
  int writeCode_ = 500;
  std::string writeGroup_;
  std::string writeResource_;
  int delayMs_ = 0;
};

}  // namespace mysqlop::local
