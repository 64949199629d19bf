#include "localcluster/apiserver/faults.h"

#include <nlohmann/json.hpp>

namespace mysqlop::local {

void Faults::expireWatches(int count) {
  std::lock_guard lock(mu_);
  watchExpiries_ = count;
}

void Faults::failWrites(int count, int code, const std::string& group,
                        const std::string& resource) {
  std::lock_guard lock(mu_);
  writeFailures_ = count;
  writeCode_ = code;
  writeGroup_ = group;
  writeResource_ = resource;
}

void Faults::setDelayMs(int ms) {
  std::lock_guard lock(mu_);
  delayMs_ = ms;
}

void Faults::clear() {
  std::lock_guard lock(mu_);
  watchExpiries_ = 0;
  writeFailures_ = 0;
  delayMs_ = 0;
}

bool Faults::takeWatchExpiry() {
  std::lock_guard lock(mu_);
  if (watchExpiries_ <= 0) {
    return false;
  }
  --watchExpiries_;
  return true;
}

std::optional<int> Faults::takeWriteFailure(const std::string& group, const std::string& resource) {
  std::lock_guard lock(mu_);
  if (writeFailures_ <= 0) {
    return std::nullopt;
  }
  if (!writeResource_.empty() && (writeResource_ != resource || writeGroup_ != group)) {
    return std::nullopt;
  }
  --writeFailures_;
  return writeCode_;
}

int Faults::delayMs() const {
  std::lock_guard lock(mu_);
  return delayMs_;
}

nlohmann::json Faults::describe() const {
  std::lock_guard lock(mu_);
  return {{"expireWatches", watchExpiries_},
          {"failWrites",
           {{"count", writeFailures_},
            {"code", writeCode_},
            {"group", writeGroup_},
            {"resource", writeResource_}}},
          {"delayMs", delayMs_}};
}

}  // namespace mysqlop::local
