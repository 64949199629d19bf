#include "localcluster/apiserver/http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "localcluster/apiserver/request_target.h"
#include "localcluster/apiserver/tls.h"
#include "localcluster/streams/upgrade_dispatcher.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

class PocoWatchStream : public WatchStream {
 public:
  PocoWatchStream(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp)
      : req_(req), resp_(resp) {}

  bool begin(int code) override {
    try {
      resp_.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
      resp_.setContentType(contentType_);
      resp_.setChunkedTransferEncoding(true);
      resp_.set("Cache-Control", "no-cache, private");
      out_ = &resp_.send();
      out_->flush();
      return out_->good();
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  void setContentType(const std::string& type) override { contentType_ = type; }

  bool started() const { return out_ != nullptr; }

  bool send(const std::string& line) override {
    if (!out_) {
      return false;
    }
    try {
      out_->write(line.data(), static_cast<std::streamsize>(line.size()));
      out_->flush();
      return out_->good();
    } catch (const Poco::Exception&) {
      return false;
    }
  }

  bool clientGone() override {
    try {
      auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(req_);
      Poco::Net::StreamSocket& s = impl.socket();
      // A watch client sends nothing more on its connection: readable means closed.
      return s.poll(Poco::Timespan(0),
                    Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
      return true;
    }
  }

 private:
  Poco::Net::HTTPServerRequest& req_;
  Poco::Net::HTTPServerResponse& resp_;
  std::ostream* out_ = nullptr;
  std::string contentType_ = "application/json";
};

bool openPath(const std::string& path) {
  return path == "/version" || path == "/healthz" || path == "/livez" || path == "/readyz" ||
         path.rfind("/healthz/", 0) == 0 || path.rfind("/livez/", 0) == 0 ||
         path.rfind("/readyz/", 0) == 0;
}

void sendJson(Poco::Net::HTTPServerResponse& resp, int code, const std::string& body,
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              const std::string& contentType = "application/json") {
  resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
  resp.setContentType(contentType);
  resp.setContentLength(static_cast<std::streamsize>(body.size()));
  for (const auto& [k, v] : headers) {
    resp.add(k, v);
  }
  resp.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(ApiServer& api, TokenAuth& auth) : api_(api), auth_(auth) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    try {
      serve(request, response);
    } catch (const Poco::Exception& e) {
      spdlog::debug("{} {}: {}", request.getMethod(), request.getURI(), e.displayText());
    } catch (const std::exception& e) {
      spdlog::debug("{} {}: {}", request.getMethod(), request.getURI(), e.what());
    }
  }

 private:
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    // pods/exec, attach, portforward: checked and upgraded before any body is read.
    if (streams::serveStreamRequest(api_, auth_, request, response)) {
      return;
    }
    ApiRequest req;
    req.method = request.getMethod();
    if (auto parsed = parseRequestTarget(request.getURI(), req); !parsed.ok()) {
      sendJson(response, 400, errBadRequest(parsed.error().message).status().dump());
      return;
    }
    req.contentType = request.get("Content-Type", "");
    req.accept = request.get("Accept", "");
    req.userAgent = request.get("User-Agent", "");
    req.authorization = request.get("Authorization", "");
    if (request.getContentLength() > static_cast<std::streamsize>(kMaxRequestBody)) {
      sendJson(response, 413,
               errRequestEntityTooLarge("the request body is too large").status().dump());
      return;
    }
    {
      std::istream& in = request.stream();
      std::string body;
      char buf[16384];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        body.append(buf, static_cast<std::size_t>(in.gcount()));
        if (body.size() > kMaxRequestBody) {
          sendJson(response, 413,
                   errRequestEntityTooLarge("the request body is too large").status().dump());
          return;
        }
      }
      req.body = std::move(body);
    }
    bool admin = req.path.rfind("/_local/", 0) == 0;
    if (!openPath(req.path)) {
      req.user = authenticate(api_, auth_, req.authorization, admin);
      if (!req.user) {
        sendJson(response, 401, errUnauthorized().status().dump());
        return;
      }
    }
    req.impersonateUser = request.get("Impersonate-User", "");
    for (auto it = request.find("Impersonate-Group");
         it != request.end() && Poco::icompare(it->first, "Impersonate-Group") == 0; ++it) {
      req.impersonateGroups.push_back(it->second);
    }
    if (admin && req.path == "/_local/auth/tokens") {
      serveTokens(req, response);
      return;
    }
    PocoWatchStream stream(request, response);
    ApiResponse resp;
    api_.handle(req, resp, &stream);
    if (resp.streamed || stream.started()) {
      return;
    }
    if (req.method == "HEAD") {
      resp.body.clear();
    }
    sendJson(response, resp.code, resp.body, resp.headers, resp.contentType);
  }

  void serveTokens(const ApiRequest& req, Poco::Net::HTTPServerResponse& response) {
    try {
      json body = json::parse(req.body);
      std::vector<std::string> tokens = body.value("tokens", std::vector<std::string>{});
      auth_.setTokens(tokens, body.value("keepPrimary", true));
      sendJson(response, 200, json{{"tokens", tokens.size()}}.dump());
    } catch (const json::exception& e) {
      sendJson(response, 400, errBadRequest(e.what()).status().dump());
    }
  }

  ApiServer& api_;
  TokenAuth& auth_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(ApiServer& api, TokenAuth& auth) : api_(api), auth_(auth) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(api_, auth_);
  }

 private:
  ApiServer& api_;
  TokenAuth& auth_;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

HttpFront::HttpFront() = default;

HttpFront::~HttpFront() { stop(); }

std::string HttpFront::url() const {
  std::string host =
      options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  return std::string(options_.insecureHttp ? "http" : "https") + "://" + host + ":" +
         std::to_string(port_);
}

Result<void> HttpFront::start(const Options& options) {
  options_ = options;
  options_.api.dataDir = options.dataDir;
  if (options.insecureHttp && options.host != "127.0.0.1" && options.host != "::1" &&
      options.host != "localhost") {
    return fail(Errc::Invalid, "--insecure-http serves loopback only; got " + options.host);
  }
  if (auto r = api_.open(options_.api); !r.ok()) {
    return r;
  }
  if (auto r = auth_.loadOrCreate(options.dataDir); !r.ok()) {
    return r;
  }
  std::string caPem;
  try {
    Poco::Net::SocketAddress addr(options.host, options.port);
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (options.insecureHttp) {
      socket = std::make_unique<Poco::Net::ServerSocket>(addr, 256);
    } else {
      std::vector<std::string> sans = {options.host};
      sans.insert(sans.end(), options.extraSans.begin(), options.extraSans.end());
      auto files = ensureCertificates(options.dataDir, sans);
      if (!files.ok()) {
        return files.error();
      }
      caPem = readFile(files->caCert);
      Poco::Net::initializeSSL();
      Poco::Net::Context::Params params;
      params.privateKeyFile = files->serverKey;
      params.certificateFile = files->serverCert;
      params.verificationMode = Poco::Net::Context::VERIFY_NONE;
      params.cipherList = "HIGH:!aNULL:!MD5:!RC4";
      Poco::Net::Context::Ptr ctx =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
      ctx->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                            Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
      socket = std::make_unique<Poco::Net::SecureServerSocket>(addr, 256, ctx);
    }
    port_ = socket->address().port();
    api_.setServerAddress(options.host + ":" + std::to_string(port_));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(120, 0));
    params->setMaxThreads(options.maxThreads);
    params->setMaxQueued(1024);
    params->setTimeout(Poco::Timespan(60, 0));
    pool_ = std::make_unique<Poco::ThreadPool>(4, options.maxThreads + 4, 60);
    server_ =
        std::make_unique<Poco::Net::HTTPServer>(new Factory(api_, auth_), *pool_, *socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    return fail(Errc::Unavailable, "cannot listen on " + options.host + ":" +
                                       std::to_string(options.port) + ": " + e.displayText());
  }
  std::string kubeconfig = (std::filesystem::path(options.dataDir) / "kubeconfig").string();
  if (auto r = writeKubeconfig(kubeconfig, url(), caPem, auth_.token()); !r.ok()) {
    return r;
  }
  return {};
}

void HttpFront::stop() {
  if (!server_) {
    return;
  }
  api_.shutdown();
  server_->stopAll(true);
  pool_->joinAll();
  server_.reset();
  pool_.reset();
  api_.store().close();
}

}  // namespace mysqlop::local
