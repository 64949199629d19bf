#pragma once

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/target_gs/src/gs_config.h"
#include "plugins/target_gs/src/token_cache.h"
#include "plugins/target_http/src/http_connection.h"
#include "plugins/target_http/src/text.h"

namespace mysqlop::targetgs {

using targethttp::HttpResult;

// Requests to absolute URLs on keep-alive connections (one per host), with an OAuth2 access
// token taken from tokens (when given) or fetched from the account's token_uri on first use. A
// request answered 401 with a cached token is sent once more with a fresh one. Not thread-safe
// (the cache is).
class GsClient {
 public:
  GsClient(Account account, int timeoutSeconds, TokenCache* tokens = nullptr);
  ~GsClient();

  // what names the operation for messages. Throws mysqlop::Error: Retry when a host cannot be
  // reached; Forbidden when the token endpoint refuses the account.
  HttpResult send(const std::string& method, const std::string& url,
                  std::map<std::string, std::string> headers, std::string_view body,
                  const std::string& what);
  // A GET whose body streams on 200 (valid until the next request); else *error holds it.
  int openGet(const std::string& url, std::istream** body, HttpResult* error,
              const std::string& what);
  const Account& account() const { return account_; }

 private:
  HttpResult raw(const std::string& method, const std::string& url,
                 const std::map<std::string, std::string>& headers, std::string_view body,
                 const std::string& what, std::istream** stream);
  const std::string& token(const std::string& what);
  // After a 401: forgets the token (here and in the cache); true when it came from the cache, so
  // that one retry with a fresh token can tell an expired token from refused credentials.
  bool forgetToken();

  Account account_;
  TokenCache* tokens_;
  std::string cacheKey_;
  std::string token_;
  bool tokenFromCache_ = false;
  targethttp::HttpConnection connection_;
};

// 401/403 Forbidden naming GCS_SERVICE_ACCOUNT_JSON_KEY; 404 NotFound; 5xx/408/429 Retry; other
// 4xx InvalidConfig with the service's message.
[[noreturn]] void throwForStatus(const HttpResult& r, const std::string& what);

// Everything but RFC 3986's unreserved characters percent-encoded ('/' too).
inline std::string percentEncode(std::string_view s) { return targethttp::uriEncode(s, false); }

}  // namespace mysqlop::targetgs
