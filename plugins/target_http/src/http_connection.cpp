#include "plugins/target_http/src/http_connection.h"

#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/StreamCopier.h>

#include "plugins/target_http/src/text.h"

namespace mysqlop::targethttp {

Poco::Net::Context::Ptr tlsContext() {
  static const Poco::Net::Context::Ptr context = [] {
    Poco::Net::initializeSSL();
    return Poco::Net::Context::Ptr(new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_RELAXED, 9, true));
  }();
  return context;
}

HttpConnection::HttpConnection(int timeoutSeconds) : timeoutSeconds_(timeoutSeconds) {}

HttpConnection::~HttpConnection() = default;

Poco::Net::HTTPClientSession& HttpConnection::session(bool https, const std::string& host,
                                                      unsigned short port) {
  std::string key = (https ? "https://" : "http://") + host + ":" + std::to_string(port);
  if (!session_ || key != sessionKey_) {
    if (https) {
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, tlsContext());
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
    }
    session_->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
    session_->setKeepAlive(true);
    sessionKey_ = std::move(key);
  }
  return *session_;
}

HttpResult HttpConnection::request(bool https, const std::string& host, unsigned short port,
                                   Poco::Net::HTTPRequest& message, std::string_view body,
                                   std::istream** stream) {
  auto& s = session(https, host, port);
  std::ostream& out = s.sendRequest(message);
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
  std::istream& in = s.receiveResponse(response_);
  HttpResult r;
  r.status = static_cast<int>(response_.getStatus());
  for (const auto& [k, v] : response_) {
    r.headers[lower(k)] = v;
  }
  if (stream != nullptr && r.status == 200) {
    *stream = &in;
  } else {
    Poco::StreamCopier::copyToString(in, r.body);
  }
  return r;
}

void HttpConnection::reset() { session_.reset(); }

}  // namespace mysqlop::targethttp
