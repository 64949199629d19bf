#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace mysqlop::kube {

// The bearer token of a client. A static token never changes; a token file (in-cluster bound
// service-account tokens, kubeconfig tokenFile) is re-read at most once per period and whenever a
// 401 proves the cached copy stale, as client-go's cachingTokenSource does
// (transport/token_source.go: period 1 minute, ResetTokenOlderThan on 401). Every token read is
// registered with the log redactor. Thread-safe.
class TokenSource {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kDefaultPeriod{60};

  TokenSource() = default;  // no token
  static TokenSource fixed(std::string token);
  static TokenSource file(std::string path, Clock::duration period = kDefaultPeriod);

  TokenSource(TokenSource&& o) noexcept;
  TokenSource& operator=(TokenSource&& o) noexcept;

  // The token to send now ("" = anonymous). A file that cannot be read keeps the last good token.
  std::string token();
  // Called after a 401 to a request that started at `requestStart`: forgets a file token read
  // before that moment, so that the next token() re-reads the file. Returns true if it did.
  bool resetOlderThan(Clock::time_point requestStart);
  bool fromFile() const { return !path_.empty(); }

  // For tests: replaces the clock.
  void setClock(std::function<Clock::time_point()> now) { now_ = std::move(now); }

 private:
  std::mutex mu_;
  std::string token_;
  std::string path_;
  Clock::duration period_ = kDefaultPeriod;
  Clock::time_point readAt_{};
  bool haveRead_ = false;
  std::function<Clock::time_point()> now_ = [] { return Clock::now(); };
};

}  // namespace mysqlop::kube
