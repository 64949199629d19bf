#include "core/http/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace mysqlop::http {

namespace {

class RouterHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RouterHandler(const Router& router) : router_(router) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    Response out;
    try {
      Request in;
      in.method = req.getMethod();
      const std::string& uri = req.getURI();
      const auto q = uri.find('?');
      in.path = Poco::URI(uri.substr(0, q)).getPath();
      in.query = q == std::string::npos ? "" : uri.substr(q + 1);
      for (const auto& [k, v] : req) {
        in.headers.emplace_back(k, v);
      }
      if (req.hasContentLength() &&
          req.getContentLength64() > static_cast<Poco::Int64>(Server::kMaxBody)) {
        out.status = 413;
        out.body = "request body too large\n";
      } else {
        std::istream& body = req.stream();
        char buf[8192];
        while (body.read(buf, sizeof buf) || body.gcount() > 0) {
          in.body.append(buf, static_cast<std::size_t>(body.gcount()));
          if (in.body.size() > Server::kMaxBody) {
            out.status = 413;
            out.body = "request body too large\n";
            break;
          }
        }
        if (out.status != 413) {
          router_.dispatch(in, out);
        }
      }
    } catch (const std::exception& e) {
      spdlog::error("http: handler for {} failed: {}", req.getURI(), e.what());
      out = Response{500, "text/plain; charset=utf-8", "internal error\n"};
    }
    if (out.status == 413) {
      resp.setKeepAlive(false);  // the unread body makes the connection unusable
    }
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    resp.setContentType(out.contentType);
    resp.setContentLength64(static_cast<Poco::Int64>(out.body.size()));
    resp.send().write(out.body.data(), static_cast<std::streamsize>(out.body.size()));
  }

 private:
  const Router& router_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(const Router& router) : router_(router) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RouterHandler(router_);
  }

 private:
  const Router& router_;
};

}  // namespace

Result<Address> parseAddress(const std::string& text) {
  Address a;
  if (text == "0") {
    a.disabled = true;
    return a;
  }
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return fail(Errc::Invalid, "address \"" + text + "\": expected [host]:port or 0");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string portText = text.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
  if (ec != std::errc() || ptr != portText.data() + portText.size() || port > 65535 ||
      portText.empty()) {
    return fail(Errc::Invalid, "address \"" + text + "\": port must be a number from 0 to 65535");
  }
  a.host = host;
  a.port = static_cast<std::uint16_t>(port);
  return a;
}

Server::Server(const Router& router) : router_(router) {}

Server::~Server() { stop(); }

Result<void> Server::start(const Address& address, int maxThreads) {
  try {
    Poco::Net::SocketAddress sa = address.host.empty()
                                      ? Poco::Net::SocketAddress(address.port)
                                      : Poco::Net::SocketAddress(address.host, address.port);
    // Poco's default bind also sets SO_REUSEPORT, which would let a second process share our
    // port silently; keep SO_REUSEADDR only.
    Poco::Net::ServerSocket socket;
    socket.bind(sa, true, false);
    socket.listen(64);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(maxThreads);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(router_), socket, params);
    server_->start();
    return {};
  } catch (const Poco::Exception& e) {
    return fail(Errc::Unavailable, "cannot listen on " + address.host + ":" +
                                       std::to_string(address.port) + ": " + e.displayText());
  }
}

void Server::stop() {
  if (server_) {
    server_->stopAll(true);
    server_.reset();
  }
}

}  // namespace mysqlop::http
