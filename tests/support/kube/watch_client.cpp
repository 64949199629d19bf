#include "tests/support/kube/watch_client.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace mysqlop::testing {

WatchClient::WatchClient(const LocalApiServer& server) : server_(server) {}

WatchClient::~WatchClient() { close(); }

Result<void> WatchClient::open(const std::string& pathAndQuery) {
  close();
  ended_ = false;
  buffer_.clear();
  try {
    Poco::URI uri(server_.baseUrl());
    if (uri.getScheme() == "http") {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    } else {
      static Poco::Net::Context::Ptr ctx = [] {
        Poco::Net::initializeSSL();
        return Poco::Net::Context::Ptr(new Poco::Net::Context(
            Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_NONE));
      }();
      session_ = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
    }
    session_->setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req("GET", pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + server_.token());
    session_->sendRequest(req);
    response_ = std::make_unique<Poco::Net::HTTPResponse>();
    in_ = &session_->receiveResponse(*response_);
    status_ = static_cast<int>(response_->getStatus());
    if (status_ != 200) {
      Poco::StreamCopier::copyToString(*in_, body_);
      ended_ = true;
    }
  } catch (const Poco::Exception& e) {
    return fail(Errc::Unavailable, "watch " + pathAndQuery + ": " + e.displayText());
  }
  return {};
}

nlohmann::json WatchClient::next(int timeoutMs) {
  if (!in_ || ended_) {
    return nullptr;
  }
  session_->socket().setReceiveTimeout(Poco::Timespan(0, timeoutMs * 1000));
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.empty()) {
        continue;
      }
      return nlohmann::json::parse(line);
    }
    char c;
    try {
      if (!in_->get(c)) {
        ended_ = true;
        return nullptr;
      }
    } catch (const Poco::TimeoutException&) {
      in_->clear();
      return nullptr;
    } catch (const Poco::Exception&) {
      ended_ = true;
      return nullptr;
    }
    buffer_ += c;
  }
}

void WatchClient::close() {
  in_ = nullptr;
  response_.reset();
  if (session_) {
    try {
      session_->abort();
    } catch (const Poco::Exception&) {
    }
    session_.reset();
  }
}

}  // namespace mysqlop::testing
