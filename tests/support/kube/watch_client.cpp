#include "tests/support/kube/watch_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

namespace mysqlop::testing {

WatchClient::WatchClient(const LocalApiServer& server) : server_(server) {}

WatchClient::~WatchClient() { close(); }

Result<void> WatchClient::open(const std::string& pathAndQuery) {
  close();
  ended_ = false;
  lines_.clear();
  try {
    Poco::URI uri(server_.baseUrl());
    if (uri.getScheme() == "http") {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    } else {
      static Poco::Net::Context::Ptr ctx = [] {
        Poco::Net::initializeSSL();
        return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE,
                                                              "", Poco::Net::Context::VERIFY_NONE));
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
    } else {
      session_->setTimeout(Poco::Timespan(0));  // blocking reads in the reader thread
      reader_ = std::thread([this] { readLoop(); });
    }
  } catch (const Poco::Exception& e) {
    return fail(Errc::Unavailable, "watch " + pathAndQuery + ": " + e.displayText());
  }
  return {};
}

void WatchClient::readLoop() {
  std::string line;
  while (true) {
    char c;
    bool ok;
    try {
      ok = static_cast<bool>(in_->get(c));
    } catch (const std::exception&) {
      ok = false;
    }
    if (!ok) {
      std::lock_guard lock(mu_);
      ended_ = true;
      cv_.notify_all();
      return;
    }
    if (c != '\n') {
      line += c;
      continue;
    }
    if (!line.empty()) {
      std::lock_guard lock(mu_);
      lines_.push_back(std::move(line));
      cv_.notify_all();
    }
    line.clear();
  }
}

nlohmann::json WatchClient::next(int timeoutMs) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeoutMs),
               [&] { return !lines_.empty() || ended_; });
  if (lines_.empty()) {
    return nullptr;
  }
  std::string line = std::move(lines_.front());
  lines_.pop_front();
  return nlohmann::json::parse(line);
}

bool WatchClient::ended() const {
  std::lock_guard lock(mu_);
  return ended_ && lines_.empty();
}

void WatchClient::close() {
  if (session_) {
    try {
      session_->socket().shutdown();  // unblocks the reader
    } catch (const Poco::Exception&) {
    }
  }
  if (reader_.joinable()) {
    reader_.join();
  }
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
