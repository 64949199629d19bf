#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPResponse.h>

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/target_s3/src/s3_config.h"

namespace mysqlop::targets3 {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One S3 request sequence on one keep-alive connection (a writer's parts, a reader's object).
// Not thread-safe: a writer or reader owns its client.
class S3Client {
 public:
  S3Client(Settings settings, int timeoutSeconds);
  ~S3Client();

  // A request with the body in memory, the whole response read. what names the operation for
  // messages ("writing s3://b/k"). Throws mysqlop::Error(Retry) when the store cannot be reached.
  HttpResult send(const std::string& method, const std::string& bucket, const std::string& key,
                  const std::map<std::string, std::string>& query,
                  const std::map<std::string, std::string>& headers, std::string_view body,
                  const std::string& what);
  // Starts a GET and returns the response's status; on 200 *body streams the object (valid
  // until the next request on this client), otherwise the error document is in *error.
  int openGet(const std::string& bucket, const std::string& key, std::istream** body,
              HttpResult* error, const std::string& what);

  const Settings& settings() const { return settings_; }

 private:
  void prepare(Poco::Net::HTTPRequest& request, const std::string& method,
               const std::string& bucket, const std::string& key,
               const std::map<std::string, std::string>& query,
               std::map<std::string, std::string> headers, const std::string& payloadHash);
  Poco::Net::HTTPClientSession& session();

  Settings settings_;
  int timeoutSeconds_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  Poco::Net::HTTPResponse response_;
};

// Throws the mysqlop::Error an S3 error answer deserves (README.md, "Errors"): 403 and credential
// codes Forbidden naming the credential keys (never their values), NoSuchBucket and 404 NotFound,
// 5xx/429 Retry, other 4xx InvalidConfig. what: "writing s3://b/k".
[[noreturn]] void throwForStatus(const HttpResult& r, const std::string& what,
                                 const Settings& settings);

// The text of the first <tag>...</tag> in xml, unescaped; empty if absent.
std::string xmlValue(std::string_view xml, std::string_view tag, std::size_t from = 0,
                     std::size_t* end = nullptr);
std::string xmlEscape(std::string_view s);

}  // namespace mysqlop::targets3
