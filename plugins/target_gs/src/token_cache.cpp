#include "plugins/target_gs/src/token_cache.h"

#include <functional>

#include "plugins/target_gs/src/gs_config.h"

namespace mysqlop::targetgs {

std::optional<std::string> TokenCache::find(const std::string& key, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || now >= it->second.until) {
    return std::nullopt;
  }
  return it->second.token;
}

void TokenCache::put(const std::string& key, const std::string& token, long long expiresInSeconds,
                     Clock::time_point now) {
  const auto until = now + std::chrono::seconds(expiresInSeconds) - kMargin;
  std::lock_guard lock(mu_);
  if (until <= now) {
    entries_.erase(key);
    return;
  }
  entries_[key] = {token, until};
}

void TokenCache::drop(const std::string& key, const std::string& token) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  // Another operation may have stored a fresh token meanwhile: keep that one.
  if (it != entries_.end() && it->second.token == token) {
    entries_.erase(it);
  }
}

std::size_t TokenCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::string tokenCacheKey(const Account& account) {
  return account.clientEmail + "\n" + account.tokenUri + "\n" +
         std::to_string(std::hash<std::string>{}(account.privateKey));
}

}  // namespace mysqlop::targetgs
