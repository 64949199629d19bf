#include "plugins/target_s3/src/s3_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "plugins/target_s3/src/sigv4.h"

namespace mysqlop::targets3 {

namespace {

// One TLS client context for every session: the system's CAs, the server's certificate and name
// verified. Built here rather than by Poco's SSLManager, which wants an application configuration
// that a plugin does not have.
Poco::Net::Context::Ptr tlsContext() {
  static const Poco::Net::Context::Ptr context = [] {
    Poco::Net::initializeSSL();
    return Poco::Net::Context::Ptr(new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true));
  }();
  return context;
}

}  // namespace

S3Client::S3Client(Settings settings, int timeoutSeconds)
    : settings_(std::move(settings)), timeoutSeconds_(timeoutSeconds) {}

S3Client::~S3Client() = default;

Poco::Net::HTTPClientSession& S3Client::session() {
  if (!session_) {
    if (settings_.https) {
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(settings_.host, settings_.port,
                                                                 tlsContext());
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(settings_.host, settings_.port);
    }
    session_->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
    session_->setKeepAlive(true);
  }
  return *session_;
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
  // One retry on a connection the server closed while it sat idle in keep-alive.
  for (int attempt = 0;; ++attempt) {
    try {
      Poco::Net::HTTPRequest request;
      prepare(request, method, bucket, key, query, headers, sha256Hex(body));
      request.setContentLength(static_cast<std::streamsize>(body.size()));
      std::ostream& out = session().sendRequest(request);
      out.write(body.data(), static_cast<std::streamsize>(body.size()));
      Poco::Net::HTTPResponse response;
      std::istream& in = session().receiveResponse(response);
      HttpResult r;
      r.status = static_cast<int>(response.getStatus());
      Poco::StreamCopier::copyToString(in, r.body);
      for (const auto& [k, v] : response) {
        std::string lower = k;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        r.headers[lower] = v;
      }
      return r;
    } catch (const Poco::Exception& e) {
      session_.reset();
      // The body is in memory, so sending it again is safe.
      if (attempt == 0 && dynamic_cast<const Poco::Net::NetException*>(&e) != nullptr) {
        continue;
      }
      throw Error(mysqlop_status_Retry, what + ": cannot reach the S3 endpoint " +
                                            settings_.endpointText + ": " + e.displayText());
    }
  }
}

int S3Client::openGet(const std::string& bucket, const std::string& key, std::istream** body,
                      HttpResult* error, const std::string& what) {
  try {
    Poco::Net::HTTPRequest request;
    prepare(request, "GET", bucket, key, {}, {}, sha256Hex(""));
    session().sendRequest(request);
    response_ = Poco::Net::HTTPResponse();
    std::istream& in = session().receiveResponse(response_);
    const int status = static_cast<int>(response_.getStatus());
    if (status == 200) {
      *body = &in;
    } else {
      error->status = status;
      Poco::StreamCopier::copyToString(in, error->body);
    }
    return status;
  } catch (const Poco::Exception& e) {
    session_.reset();
    throw Error(mysqlop_status_Retry, what + ": cannot reach the S3 endpoint " +
                                          settings_.endpointText + ": " + e.displayText());
  }
}

std::string xmlValue(std::string_view xml, std::string_view tag, std::size_t from,
                     std::size_t* end) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto a = xml.find(open, from);
  if (a == std::string_view::npos) {
    if (end) {
      *end = std::string_view::npos;
    }
    return "";
  }
  const auto b = xml.find(close, a + open.size());
  if (b == std::string_view::npos) {
    if (end) {
      *end = std::string_view::npos;
    }
    return "";
  }
  if (end) {
    *end = b + close.size();
  }
  std::string raw(xml.substr(a + open.size(), b - a - open.size()));
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '&') {
      static const std::pair<const char*, char> kEntities[] = {
          {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      bool done = false;
      for (const auto& [name, ch] : kEntities) {
        if (raw.compare(i, std::strlen(name), name) == 0) {
          out += ch;
          i += std::strlen(name) - 1;
          done = true;
          break;
        }
      }
      if (!done) {
        out += raw[i];
      }
    } else {
      out += raw[i];
    }
  }
  return out;
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
