#include "core/kube/token_source.h"

#include <spdlog/spdlog.h>

#include "core/kube/rest_config.h"
#include "core/log/redactor.h"

namespace mysqlop::kube {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  std::size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t' || s[b] == '\n' || s[b] == '\r')) {
    ++b;
  }
  return s.substr(b);
}

}  // namespace

TokenSource TokenSource::fixed(std::string token) {
  TokenSource s;
  s.token_ = std::move(token);
  log::Redactor::global().addSecret(s.token_);
  return s;
}

TokenSource TokenSource::file(std::string path, Clock::duration period) {
  TokenSource s;
  s.path_ = std::move(path);
  s.period_ = period;
  return s;
}

TokenSource::TokenSource(TokenSource&& o) noexcept { *this = std::move(o); }

TokenSource& TokenSource::operator=(TokenSource&& o) noexcept {
  if (this != &o) {
    std::scoped_lock lock(mu_, o.mu_);
    token_ = std::move(o.token_);
    path_ = std::move(o.path_);
    period_ = o.period_;
    readAt_ = o.readAt_;
    haveRead_ = o.haveRead_;
    now_ = std::move(o.now_);
  }
  return *this;
}

std::string TokenSource::token() {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty()) {
    return token_;
  }
  const auto now = now_();
  if (haveRead_ && now - readAt_ < period_) {
    return token_;
  }
  auto text = readFile(path_);
  if (!text.ok()) {
    // client-go keeps serving the cached token and logs; a rotated file is usually back soon.
    spdlog::error("reading the bearer token: {}", text.error().message);
    return token_;
  }
  token_ = trimmed(std::move(text).value());
  log::Redactor::global().addSecret(token_);
  readAt_ = now;
  haveRead_ = true;
  return token_;
}

bool TokenSource::resetOlderThan(Clock::time_point requestStart) {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty() || !haveRead_ || readAt_ > requestStart) {
    return false;
  }
  haveRead_ = false;
  return true;
}

}  // namespace mysqlop::kube
