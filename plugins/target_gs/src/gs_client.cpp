#include "plugins/target_gs/src/gs_client.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/URI.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "plugins/target_gs/src/jwt.h"

namespace mysqlop::targetgs {

namespace {

constexpr const char* kScope = "https://www.googleapis.com/auth/devstorage.read_write";

}  // namespace

GsClient::GsClient(Account account, int timeoutSeconds, TokenCache* tokens)
    : account_(std::move(account)),
      tokens_(tokens),
      cacheKey_(tokens != nullptr ? tokenCacheKey(account_) : std::string()),
      connection_(timeoutSeconds) {}

GsClient::~GsClient() = default;

HttpResult GsClient::raw(const std::string& method, const std::string& url,
                         const std::map<std::string, std::string>& headers, std::string_view body,
                         const std::string& what, std::istream** stream) {
  const Poco::URI uri(url);
  // A kept-alive connection the server closed meanwhile: one fresh try.
  return connection_.withOneRetry(
      targethttp::RetryOn::AnyError,
      what + ": cannot reach " + uri.getHost() + ":" + std::to_string(uri.getPort()), [&] {
        Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [k, v] : headers) {
          request.set(k, v);
        }
        if (method == "PUT" || method == "POST") {
          request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        return connection_.request(uri.getScheme() == "https", uri.getHost(), uri.getPort(),
                                   request, body, stream);
      });
}

const std::string& GsClient::token(const std::string& what) {
  if (!token_.empty()) {
    return token_;
  }
  if (tokens_ != nullptr) {
    if (auto cached = tokens_->find(cacheKey_, TokenCache::Clock::now())) {
      token_ = *cached;
      tokenFromCache_ = true;
      return token_;
    }
  }
  const auto requested = TokenCache::Clock::now();
  const std::string jwt =
      assertion(account_.clientEmail, kScope, account_.tokenUri,
                static_cast<std::int64_t>(std::time(nullptr)), account_.privateKey);
  const std::string form =
      "grant_type=" + percentEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
      "&assertion=" + jwt;
  const HttpResult r =
      raw("POST", account_.tokenUri, {{"Content-Type", "application/x-www-form-urlencoded"}}, form,
          what + " (token)", nullptr);
  if (r.status == 400 || r.status == 401 || r.status == 403) {
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    const std::string code = j.is_object() ? j.value("error", "") : "";
    throw Error(mysqlop_status_Forbidden, what +
                                              ": the token endpoint refused the service account" +
                                              (code.empty() ? std::string() : " (" + code + ")") +
                                              ": check GCS_SERVICE_ACCOUNT_JSON_KEY");
  }
  if (r.status != 200) {
    throw Error(r.status >= 500 ? mysqlop_status_Retry : mysqlop_status_InvalidConfig,
                what + ": the token endpoint answered HTTP " + std::to_string(r.status));
  }
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
    throw Error(mysqlop_status_Retry, what + ": the token endpoint's answer has no access_token");
  }
  token_ = j["access_token"].get<std::string>();
  tokenFromCache_ = false;
  if (tokens_ != nullptr) {
    const auto expiresIn = j.value("expires_in", nlohmann::json(3600));
    tokens_->put(cacheKey_, token_, expiresIn.is_number_integer() ? expiresIn.get<long long>() : 0,
                 requested);
  }
  return token_;
}

bool GsClient::forgetToken() {
  if (tokens_ != nullptr) {
    tokens_->drop(cacheKey_, token_);
  }
  token_.clear();
  const bool wasCached = tokenFromCache_;
  tokenFromCache_ = false;
  return wasCached;
}

HttpResult GsClient::send(const std::string& method, const std::string& url,
                          std::map<std::string, std::string> headers, std::string_view body,
                          const std::string& what) {
  headers["Authorization"] = "Bearer " + token(what);
  HttpResult r = raw(method, url, headers, body, what, nullptr);
  if (r.status == 401 && forgetToken()) {
    headers["Authorization"] = "Bearer " + token(what);
    r = raw(method, url, headers, body, what, nullptr);
  }
  return r;
}

int GsClient::openGet(const std::string& url, std::istream** body, HttpResult* error,
                      const std::string& what) {
  *error = raw("GET", url, {{"Authorization", "Bearer " + token(what)}}, "", what, body);
  if (error->status == 401 && forgetToken()) {
    *error = raw("GET", url, {{"Authorization", "Bearer " + token(what)}}, "", what, body);
  }
  return error->status;
}

void throwForStatus(const HttpResult& r, const std::string& what) {
  if (r.status == 401 || r.status == 403) {
    throw Error(mysqlop_status_Forbidden, what + ": the service refused the credentials (HTTP " +
                                              std::to_string(r.status) +
                                              "): check GCS_SERVICE_ACCOUNT_JSON_KEY");
  }
  if (r.status == 404) {
    throw Error(mysqlop_status_NotFound, what + ": not found");
  }
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  std::string message;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    message = j["error"].value("message", "");
  }
  const std::string detail =
      "HTTP " + std::to_string(r.status) + (message.empty() ? "" : ": " + message);
  if (r.status >= 500 || r.status == 429 || r.status == 408) {
    throw Error(mysqlop_status_Retry, what + ": " + detail);
  }
  throw Error(mysqlop_status_InvalidConfig, what + ": " + detail);
}

}  // namespace mysqlop::targetgs
