#include "plugins/target_s3/src/s3_client.h"

#include "plugins/target_s3/src/sigv4.h"

namespace mysqlop::targets3 {

S3Client::S3Client(Settings settings, int timeoutSeconds)
    : settings_(std::move(settings)), connection_(timeoutSeconds) {}

S3Client::~S3Client() = default;

std::string S3Client::unreachable(const std::string& what) const {
  return what + ": cannot reach the S3 endpoint " + settings_.endpointText;
}

void S3Client::prepare(Poco::Net::HTTPRequest& request, const std::string& method,
                       const std::string& bucket, const std::string& key,
                       const std::map<std::string, std::string>& query,
                       std::map<std::string, std::string> headers, const std::string& payloadHash) {
  SigningRequest sr;
  sr.method = method;
  std::string host = settings_.host;
  const bool defaultPort = settings_.port == (settings_.https ? 443 : 80);
  if (settings_.pathStyle) {
    sr.path = "/" + bucket + (key.empty() ? "" : "/" + uriEncode(key, true));
  } else {
    host = bucket + "." + host;
    sr.path = "/" + uriEncode(key, true);
  }
  if (!defaultPort) {
    host += ":" + std::to_string(settings_.port);
  }
  sr.query = query;
  headers["host"] = host;
  headers["x-amz-content-sha256"] = payloadHash;
  const std::string date = amzDateNow();
  headers["x-amz-date"] = date;
  if (!settings_.sessionToken.empty()) {
    headers["x-amz-security-token"] = settings_.sessionToken;
  }
  sr.headers = headers;
  sr.payloadHash = payloadHash;
  const std::string q = canonicalQuery(query);
  request.setMethod(method);
  request.setURI(sr.path + (q.empty() ? "" : "?" + q));
  request.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) {
    request.set(k, v);
  }
  request.set("authorization", authorization(sr, settings_.key, date));
}

HttpResult S3Client::send(const std::string& method, const std::string& bucket,
                          const std::string& key, const std::map<std::string, std::string>& query,
                          const std::map<std::string, std::string>& headers, std::string_view body,
                          const std::string& what) {
  // One retry on a connection the server closed while it sat idle in keep-alive; the body is in
  // memory, so sending it again is safe.
  return connection_.withOneRetry(targethttp::RetryOn::NetErrors, unreachable(what), [&] {
    Poco::Net::HTTPRequest request;
    prepare(request, method, bucket, key, query, headers, sha256Hex(body));
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    return connection_.request(settings_.https, settings_.host, settings_.port, request, body);
  });
}

int S3Client::openGet(const std::string& bucket, const std::string& key, std::istream** body,
                      HttpResult* error, const std::string& what) {
  return connection_.withOneRetry(targethttp::RetryOn::Nothing, unreachable(what), [&] {
    Poco::Net::HTTPRequest request;
    prepare(request, "GET", bucket, key, {}, {}, sha256Hex(""));
    *error =
        connection_.request(settings_.https, settings_.host, settings_.port, request, "", body);
    return error->status;
  });
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void throwForStatus(const HttpResult& r, const std::string& what, const Settings& s) {
  const std::string code = xmlValue(r.body, "Code");
  const std::string message = xmlValue(r.body, "Message");
  const std::string named = code.empty() ? std::to_string(r.status) : code;
  if (r.status == 403 || code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
      code == "AccessDenied" || code == "ExpiredToken" || code == "InvalidToken") {
    // The store's own message is left out: some echo the access key id or the string signed.
    const std::string keys =
        code == "AccessDenied" ? "the user of AWS_ACCESS_KEY_ID may not do this"
                               : std::string("check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") +
                                     (s.sessionToken.empty() ? "" : " and AWS_SESSION_TOKEN");
    throw Error(mysqlop_status_Forbidden,
                what + ": the store refused the credentials (" + named + "): " + keys);
  }
  if (code == "NoSuchBucket") {
    throw Error(mysqlop_status_NotFound, what + ": the bucket does not exist (NoSuchBucket)");
  }
  if (r.status == 404) {
    throw Error(mysqlop_status_NotFound, what + ": not found (" + named + ")");
  }
  const std::string detail = message.empty() ? "" : ": " + message;
  if (r.status >= 500 || r.status == 429) {
    throw Error(mysqlop_status_Retry, what + ": the store answered " + std::to_string(r.status) +
                                          " (" + named + ")" + detail);
  }
  throw Error(
      mysqlop_status_InvalidConfig,
      what + ": the store answered " + std::to_string(r.status) + " (" + named + ")" + detail);
}

}  // namespace mysqlop::targets3
