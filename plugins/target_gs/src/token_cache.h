#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mysqlop::targetgs {

struct Account;

// OAuth2 access tokens by service account, shared by every operation of one target instance: a
// backup, the list and the remove that follow it reuse one token instead of signing a JWT and
// asking the token endpoint each time. A token is kept until a minute before it expires (Google
// issues them for an hour), and dropped at once when the service answers 401 with it. Safe to use
// from several threads (writers and readers run concurrently).
class TokenCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kMargin{60};

  std::optional<std::string> find(const std::string& key, Clock::time_point now) const;
  // expiresInSeconds as the token endpoint answered; a token valid for less than kMargin is not
  // kept.
  void put(const std::string& key, const std::string& token, long long expiresInSeconds,
           Clock::time_point now);
  void drop(const std::string& key, const std::string& token);
  std::size_t size() const;

 private:
  struct Entry {
    std::string token;
    Clock::time_point until;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// The cache key of an account: who it is, where it gets tokens and a hash of its key, so that a
// rotated key in the Secret gets a token of its own.
std::string tokenCacheKey(const Account& account);

}  // namespace mysqlop::targetgs
