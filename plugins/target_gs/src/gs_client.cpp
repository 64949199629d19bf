#include "plugins/target_gs/src/gs_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "plugins/target_gs/src/jwt.h"

namespace mysqlop::targetgs {

namespace {

constexpr const char* kScope = "https://www.googleapis.com/auth/devstorage.read_write";

Poco::Net::Context::Ptr tlsContext() {
  static const Poco::Net::Context::Ptr context = [] {
    Poco::Net::initializeSSL();
    return Poco::Net::Context::Ptr(new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true));
  }();
  return context;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string percentEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

GsClient::GsClient(Account account, int timeoutSeconds, TokenCache* tokens)
    : account_(std::move(account)),
      timeoutSeconds_(timeoutSeconds),
      tokens_(tokens),
      cacheKey_(tokens != nullptr ? tokenCacheKey(account_) : std::string()) {}

GsClient::~GsClient() = default;

Poco::Net::HTTPClientSession& GsClient::session(const std::string& scheme, const std::string& host,
                                                unsigned short port) {
  const std::string key = scheme + "://" + host + ":" + std::to_string(port);
  if (!session_ || key != sessionKey_) {
    if (scheme == "https") {
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, tlsContext());
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    }
    session_->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
    session_->setKeepAlive(true);
    sessionKey_ = key;
  }
  return *session_;
}

HttpResult GsClient::raw(const std::string& method, const std::string& url,
                         const std::map<std::string, std::string>& headers, std::string_view body,
                         const std::string& what, std::istream** stream) {
  const Poco::URI uri(url);
  for (int attempt = 0;; ++attempt) {
    try {
      auto& s = session(uri.getScheme(), uri.getHost(), uri.getPort());
      Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(),
                                     Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [k, v] : headers) {
        request.set(k, v);
      }
      if (method == "PUT" || method == "POST") {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
      }
      std::ostream& out = s.sendRequest(request);
      out.write(body.data(), static_cast<std::streamsize>(body.size()));
      std::istream& in = s.receiveResponse(response_);
      HttpResult r;
      r.status = static_cast<int>(response_.getStatus());
      for (const auto& [k, v] : response_) {
        r.headers[lower(k)] = v;
      }
      if (stream && r.status == 200) {
        *stream = &in;
        return r;
      }
      std::ostringstream ss;
      Poco::StreamCopier::copyStream(in, ss);
      r.body = ss.str();
      return r;
    } catch (const Poco::Exception& e) {
      session_.reset();
      if (attempt == 0) {
        continue;  // a kept-alive connection the server closed meanwhile: one fresh try
      }
      throw Error(mysqlop_status_Retry, what + ": cannot reach " + uri.getHost() + ":" +
                                            std::to_string(uri.getPort()) + ": " + e.displayText());
    }
  }
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
