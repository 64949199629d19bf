#pragma once

#include <mutex>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlop::log {

// Removes secrets from text before it is written anywhere (log lines, Event messages).
//
// Two mechanisms, because neither is enough alone:
//  - by value: every secret the process learns (Secret values read for plugins, the orchestrator
//    password, bearer tokens) is registered and replaced by "***" wherever it appears;
//  - by shape: assignments such as password=..., "token":"...", IDENTIFIED BY '...' and
//    Authorization: Bearer ... are masked even when the value was never registered.
// Values shorter than kMinSecretLength are not redacted by value (they would mask ordinary words);
// the shape rules still apply to them.
class Redactor {
 public:
  static constexpr std::size_t kMinSecretLength = 4;

  Redactor();

  void addSecret(std::string_view value);
  std::string redact(std::string_view text) const;
  std::size_t secretCount() const;

  // The process-wide instance used by the log sink and the Event recorder.
  static Redactor& global();

 private:
  mutable std::mutex mu_;
  // Longest first, so that a secret containing another is masked whole.
  std::set<std::string, bool (*)(const std::string&, const std::string&)> secrets_;
  std::vector<std::regex> shapes_;
};

}  // namespace mysqlop::log
