#include "plugins/target_azure/src/azure_client.h"

#include "plugins/target_azure/src/shared_key.h"

namespace mysqlop::targetazure {

namespace {

// The Blob service version the requests speak (azurite 3.37 accepts it, as Azure does).
constexpr const char* kVersion = "2021-08-06";

}  // namespace

AzureClient::AzureClient(Settings settings, int timeoutSeconds)
    : settings_(std::move(settings)), connection_(timeoutSeconds) {}

AzureClient::~AzureClient() = default;

std::string AzureClient::unreachable(const std::string& what) const {
  return what + ": cannot reach " + settings_.host + ":" + std::to_string(settings_.port);
}

std::string AzureClient::prepare(Poco::Net::HTTPRequest& request, const std::string& method,
                                 const std::string& path,
                                 const std::map<std::string, std::string>& query,
                                 std::map<std::string, std::string> headers, std::size_t length) {
  SignedRequest sr;
  sr.method = method;
  sr.account = settings_.account;
  sr.path = settings_.basePath + uriEncode(path, true);
  sr.query = query;
  headers["x-ms-date"] = rfc1123Now();
  headers["x-ms-version"] = kVersion;
  if (method == "PUT" || method == "POST") {
    headers["content-length"] = std::to_string(length);
  }
  sr.headers = headers;
  const std::string auth =
      "SharedKey " + settings_.account + ":" + signature(settings_.key, stringToSign(sr));
  std::string target = sr.path;
  char sep = '?';
  for (const auto& [k, v] : query) {
    target += sep + uriEncode(k, false) + "=" + uriEncode(v, false);
    sep = '&';
  }
  request.setMethod(method);
  request.setURI(target);
  request.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) {
    if (k == "content-length") {
      request.setContentLength(static_cast<std::streamsize>(length));
    } else {
      request.set(k, v);
    }
  }
  request.set("Authorization", auth);
  return target;
}

HttpResult AzureClient::send(const std::string& method, const std::string& path,
                             const std::map<std::string, std::string>& query,
                             const std::map<std::string, std::string>& headers,
                             std::string_view body, const std::string& what) {
  // A kept-alive connection the server closed meanwhile: one fresh try.
  return connection_.withOneRetry(targethttp::RetryOn::AnyError, unreachable(what), [&] {
    Poco::Net::HTTPRequest request;
    prepare(request, method, path, query, headers, body.size());
    return connection_.request(settings_.https, settings_.host, settings_.port, request, body);
  });
}

int AzureClient::openGet(const std::string& path, std::istream** body, HttpResult* error,
                         const std::string& what) {
  return connection_.withOneRetry(targethttp::RetryOn::AnyError, unreachable(what), [&] {
    Poco::Net::HTTPRequest request;
    prepare(request, "GET", path, {}, {}, 0);
    *error =
        connection_.request(settings_.https, settings_.host, settings_.port, request, "", body);
    return error->status;
  });
}

void throwForStatus(const HttpResult& r, const std::string& what) {
  const std::string code = xmlValue(r.body, "Code");
  if (r.status == 403) {
    throw Error(mysqlop_status_Forbidden, what + ": the service refused the credentials" +
                                              (code.empty() ? std::string() : " (" + code + ")") +
                                              ": check AZUREBLOB_ACCOUNT and AZUREBLOB_KEY");
  }
  if (r.status == 404) {
    throw Error(
        mysqlop_status_NotFound,
        what + ": " + (code == "ContainerNotFound" ? "the container does not exist" : "not found"));
  }
  std::string message = xmlValue(r.body, "Message");
  if (const auto nl = message.find('\n'); nl != std::string::npos) {
    message.resize(nl);  // Azure appends RequestId and Time on further lines
  }
  if (!message.empty() && message.back() == '\r') {
    message.pop_back();
  }
  const std::string detail = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                             (message.empty() ? "" : ": " + message);
  if (r.status >= 500 || r.status == 429 || r.status == 408) {
    throw Error(mysqlop_status_Retry, what + ": " + detail);
  }
  throw Error(mysqlop_status_InvalidConfig, what + ": " + detail);
}

}  // namespace mysqlop::targetazure
