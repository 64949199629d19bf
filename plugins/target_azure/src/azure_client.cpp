#include "plugins/target_azure/src/azure_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <sstream>

#include "plugins/target_azure/src/shared_key.h"

namespace mysqlop::targetazure {

namespace {

// The Blob service version the requests speak (azurite 3.37 accepts it, as Azure does).
constexpr const char* kVersion = "2021-08-06";

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

std::string unescape(std::string s) {
  static const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + 1)) {
      s.replace(at, std::char_traits<char>::length(from), to);
    }
  }
  return s;
}

}  // namespace

AzureClient::AzureClient(Settings settings, int timeoutSeconds)
    : settings_(std::move(settings)), timeoutSeconds_(timeoutSeconds) {}

AzureClient::~AzureClient() = default;

Poco::Net::HTTPClientSession& AzureClient::session() {
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
  for (int attempt = 0;; ++attempt) {
    try {
      Poco::Net::HTTPRequest request;
      prepare(request, method, path, query, headers, body.size());
      std::ostream& out = session().sendRequest(request);
      out.write(body.data(), static_cast<std::streamsize>(body.size()));
      Poco::Net::HTTPResponse response;
      std::istream& in = session().receiveResponse(response);
      HttpResult r;
      r.status = static_cast<int>(response.getStatus());
      if (method != "HEAD") {
        std::ostringstream ss;
        Poco::StreamCopier::copyStream(in, ss);
        r.body = ss.str();
      }
      for (const auto& [k, v] : response) {
        r.headers[lower(k)] = v;
      }
      return r;
    } catch (const Poco::Exception& e) {
      session_.reset();
      // A kept-alive connection the server closed meanwhile: one fresh try.
      if (attempt == 0) {
        continue;
      }
      throw Error(mysqlop_status_Retry, what + ": cannot reach " + settings_.host + ":" +
                                            std::to_string(settings_.port) + ": " +
                                            e.displayText());
    }
  }
}

int AzureClient::openGet(const std::string& path, std::istream** body, HttpResult* error,
                         const std::string& what) {
  for (int attempt = 0;; ++attempt) {
    try {
      Poco::Net::HTTPRequest request;
      prepare(request, "GET", path, {}, {}, 0);
      session().sendRequest(request);
      std::istream& in = session().receiveResponse(response_);
      const int status = static_cast<int>(response_.getStatus());
      if (status == 200) {
        *body = &in;
        return status;
      }
      std::ostringstream ss;
      Poco::StreamCopier::copyStream(in, ss);
      error->status = status;
      error->body = ss.str();
      return status;
    } catch (const Poco::Exception& e) {
      session_.reset();
      if (attempt == 0) {
        continue;
      }
      throw Error(mysqlop_status_Retry, what + ": cannot reach " + settings_.host + ":" +
                                            std::to_string(settings_.port) + ": " +
                                            e.displayText());
    }
  }
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

std::string xmlValue(std::string_view xml, std::string_view tag, std::size_t from,
                     std::size_t* end) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto a = xml.find(open, from);
  const auto b = a == std::string_view::npos ? a : xml.find(close, a + open.size());
  if (b == std::string_view::npos) {
    if (end) {
      *end = std::string_view::npos;
    }
    return "";
  }
  if (end) {
    *end = b + close.size();
  }
  return unescape(std::string(xml.substr(a + open.size(), b - a - open.size())));
}

}  // namespace mysqlop::targetazure
