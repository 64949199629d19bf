#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/target_http/src/http_connection.h"
#include "plugins/target_http/src/text.h"
#include "plugins/target_s3/src/s3_config.h"

namespace mysqlop::targets3 {

using targethttp::HttpResult;

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
  // "<what>: cannot reach the S3 endpoint <endpoint>", the start of a connection failure's text.
  std::string unreachable(const std::string& what) const;

  Settings settings_;
  targethttp::HttpConnection connection_;
};

// Throws the mysqlop::Error an S3 error answer deserves (README.md, "Errors"): 403 and credential
// codes Forbidden naming the credential keys (never their values), NoSuchBucket and 404 NotFound,
// 5xx/429 Retry, other 4xx InvalidConfig. what: "writing s3://b/k".
[[noreturn]] void throwForStatus(const HttpResult& r, const std::string& what,
                                 const Settings& settings);

using targethttp::xmlValue;
std::string xmlEscape(std::string_view s);

}  // namespace mysqlop::targets3
