#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/target_azure/src/azure_config.h"
#include "plugins/target_http/src/http_connection.h"
#include "plugins/target_http/src/text.h"

namespace mysqlop::targetazure {

using targethttp::HttpResult;

// Blob REST requests signed with SharedKey on one keep-alive connection. Not thread-safe: a
// writer or reader owns its client.
class AzureClient {
 public:
  AzureClient(Settings settings, int timeoutSeconds);
  ~AzureClient();

  // path: "/container" or "/container/blob" (not encoded). what names the operation for
  // messages. Throws mysqlop::Error(Retry) when the service cannot be reached.
  HttpResult send(const std::string& method, const std::string& path,
                  const std::map<std::string, std::string>& query,
                  const std::map<std::string, std::string>& headers, std::string_view body,
                  const std::string& what);
  // A GET whose body streams on 200 (valid until the next request); else *error holds it all.
  int openGet(const std::string& path, std::istream** body, HttpResult* error,
              const std::string& what);

 private:
  std::string prepare(Poco::Net::HTTPRequest& request, const std::string& method,
                      const std::string& path, const std::map<std::string, std::string>& query,
                      std::map<std::string, std::string> headers, std::size_t length);

  // "<what>: cannot reach <host>:<port>", the start of a connection failure's text.
  std::string unreachable(const std::string& what) const;

  Settings settings_;
  targethttp::HttpConnection connection_;
};

// Throws the mysqlop::Error an error answer deserves: 403 Forbidden naming the credential keys
// (never the service's text: it quotes the string it signed), 404 NotFound, 5xx/429 Retry,
// other 4xx InvalidConfig with the service's code and message.
[[noreturn]] void throwForStatus(const HttpResult& r, const std::string& what);

using targethttp::xmlValue;

}  // namespace mysqlop::targetazure
