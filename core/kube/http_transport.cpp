#include "core/kube/http_transport.h"

#include <sys/socket.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketImpl.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <istream>

#include "core/kube/tls_context.h"

namespace mysqlop::kube {

namespace {

using Counter = std::shared_ptr<std::atomic<std::uint64_t>>;

Poco::Timespan span(std::chrono::milliseconds d) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(d.count()) * 1000);
}

class PlainSession final : public Poco::Net::HTTPClientSession {
 public:
  PlainSession(const std::string& host, std::uint16_t port, Counter opened)
      : HTTPClientSession(host, port), opened_(std::move(opened)) {}

 protected:
  void connect(const Poco::Net::SocketAddress& address) override {
    HTTPClientSession::connect(address);
    opened_->fetch_add(1);
  }

 private:
  Counter opened_;
};

// Verifies the server against serverName (tls-server-name, else the host) and sends it as SNI.
class TlsSession final : public Poco::Net::HTTPSClientSession {
 public:
  TlsSession(const std::string& host, std::uint16_t port, Poco::Net::Context::Ptr ctx,
             std::string serverName, Counter opened)
      : HTTPSClientSession(host, port, std::move(ctx)),
        serverName_(std::move(serverName)),
        opened_(std::move(opened)) {
    Poco::Net::SecureStreamSocket(socket()).setPeerHostName(serverName_);
  }

 protected:
  void connect(const Poco::Net::SocketAddress& address) override {
    Poco::Net::SecureStreamSocket(socket()).setPeerHostName(serverName_);
    HTTPSClientSession::connect(address);
    opened_->fetch_add(1);
  }

 private:
  std::string serverName_;
  Counter opened_;
};

bool replayable(const std::string& method) { return method == "GET" || method == "HEAD"; }

}  // namespace

std::string warningHeaderText(const std::string& header) {
  const auto first = header.find('"');
  const auto last = header.rfind('"');
  if (first == std::string::npos || last <= first) {
    return header;
  }
  std::string out;
  for (std::size_t i = first + 1; i < last; ++i) {
    if (header[i] == '\\' && i + 1 < last) {
      ++i;
    }
    out.push_back(header[i]);
  }
  return out;
}

struct HttpTransport::TlsState {
  Poco::Net::Context::Ptr context;
};

class HttpTransport::Connection {
 public:
  explicit Connection(std::unique_ptr<Poco::Net::HTTPClientSession> s) : session(std::move(s)) {}
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  std::istream* body = nullptr;  // the response stream of the last exchange

  // An idle keep-alive connection the server already closed reads as readable (EOF); such a
  // connection must not carry the next request (Go's errServerClosedIdle check).
  bool closedByPeer() {
    try {
      if (!session->connected()) {
        return false;  // Poco reconnects on its own
      }
      return session->socket().poll(
          Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
      return true;
    }
  }

  // Shuts the socket down so that a read blocked in another thread returns.
  void shutdownSocket() {
    try {
      const int fd = session->socket().impl()->sockfd();
      if (fd >= 0) {
        ::shutdown(fd, SHUT_RDWR);
      }
    } catch (...) {
    }
  }
};

class HttpTransport::Stream final : public HttpStream {
 public:
  explicit Stream(std::unique_ptr<Connection> c) : conn_(std::move(c)) {}
  ~Stream() override { cancel(); }

  Result<bool> readLine(std::string* line) override {
    line->clear();
    try {
      std::istream& in = *conn_->body;
      std::getline(in, *line);
      if (in.bad() || cancelled_.load()) {
        return fail(Errc::Unavailable, cancelled_.load() ? "the stream was cancelled"
                                                         : "the connection broke while streaming");
      }
      if (in.eof() && line->empty()) {
        return false;
      }
      return true;
    } catch (const Poco::Exception& e) {
      return fail(Errc::Unavailable, "reading the stream: " + e.displayText());
    } catch (const std::exception& e) {
      return fail(Errc::Unavailable, std::string("reading the stream: ") + e.what());
    }
  }

  void cancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cancelled_.exchange(true)) {
      conn_->shutdownSocket();
    }
  }

 private:
  std::unique_ptr<Connection> conn_;
  std::mutex mu_;
  std::atomic<bool> cancelled_{false};
};

Result<std::shared_ptr<HttpTransport>> HttpTransport::create(const RestConfig& config) {
  return create(config, Options());
}

Result<std::shared_ptr<HttpTransport>> HttpTransport::create(const RestConfig& config,
                                                             Options options) {
  std::shared_ptr<HttpTransport> t(new HttpTransport());
  t->options_ = std::move(options);
  t->server_ = config.server;
  try {
    Poco::URI uri(config.server);
    t->scheme_ = uri.getScheme();
    t->host_ = uri.getHost();
    t->port_ = uri.getPort();
  } catch (const Poco::Exception& e) {
    return fail(Errc::Invalid, "server \"" + config.server + "\": " + e.displayText());
  }
  if (t->scheme_ != "https" && t->scheme_ != "http") {
    return fail(Errc::Invalid, "server \"" + config.server + "\" must use https:// or http://");
  }
  if (t->host_.empty()) {
    return fail(Errc::Invalid, "server \"" + config.server + "\" has no host");
  }
  t->tlsServerName_ = config.tlsServerName.empty() ? t->host_ : config.tlsServerName;
  if (t->scheme_ == "https") {
    auto ctx = makeClientContext(config);
    if (!ctx.ok()) {
      return fail(ctx.code(),
                  "TLS configuration for " + config.server + ": " + ctx.error().message);
    }
    t->tls_ = std::make_shared<TlsState>(TlsState{*ctx});
  }
  if (!config.token.empty()) {
    t->tokens_ = TokenSource::fixed(config.token);
  } else if (!config.tokenFile.empty()) {
    t->tokens_ = TokenSource::file(config.tokenFile);
  }
  return t;
}

HttpTransport::~HttpTransport() = default;

std::size_t HttpTransport::idleConnections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_.size();
}

std::unique_ptr<HttpTransport::Connection> HttpTransport::connect() {
  std::unique_ptr<Poco::Net::HTTPClientSession> s;
  if (tls_) {
    s = std::make_unique<TlsSession>(host_, port_, tls_->context, tlsServerName_, opened_);
  } else {
    s = std::make_unique<PlainSession>(host_, port_, opened_);
  }
  s->setKeepAlive(true);
  return std::make_unique<Connection>(std::move(s));
}

std::unique_ptr<HttpTransport::Connection> HttpTransport::acquire(bool* reused) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!idle_.empty()) {
      std::unique_ptr<Connection> c = std::move(idle_.back());
      idle_.pop_back();
      if (!c->closedByPeer()) {
        *reused = c->session->connected();
        return c;
      }
    }
  }
  *reused = false;
  return connect();
}

void HttpTransport::release(std::unique_ptr<Connection> c) {
  c->body = nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < options_.maxIdleConnections) {
    idle_.push_back(std::move(c));
  }
}

void HttpTransport::logWarnings(const HttpResponse& r) const {
  for (const std::string& w : r.warnings) {
    spdlog::warn("Kubernetes API warning from {}: {}", server_, w);
  }
}

Result<std::unique_ptr<HttpTransport::Connection>> HttpTransport::exchange(
    const HttpRequest& request, HttpResponse* head, bool streamBody) {
  const std::string what = request.method + " " + server_ + request.target;
  bool retriedStale = false;
  bool retriedAuth = false;
  for (;;) {
    const auto start = TokenSource::Clock::now();
    const std::string token = tokens_.token();
    bool reused = false;
    std::unique_ptr<Connection> conn = acquire(&reused);
    bool responseStarted = false;
    try {
      Poco::Net::HTTPClientSession& s = *conn->session;
      s.setTimeout(span(options_.connectTimeout), span(request.timeout), span(request.timeout));
      Poco::Net::HTTPRequest req(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      req.set("User-Agent", options_.userAgent);
      req.set("Accept", request.accept);
      if (!token.empty()) {
        req.set("Authorization", "Bearer " + token);
      }
      const bool hasBody = !request.body.empty() || request.method == "POST" ||
                           request.method == "PUT" || request.method == "PATCH";
      if (hasBody) {
        req.setContentType(request.contentType.empty() ? "application/json" : request.contentType);
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
      }
      std::ostream& os = s.sendRequest(req);
      if (hasBody) {
        os.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
      }
      Poco::Net::HTTPResponse resp;
      std::istream& in = s.receiveResponse(resp);
      responseStarted = true;
      head->status = static_cast<int>(resp.getStatus());
      head->contentType = resp.getContentType();
      head->warnings.clear();
      for (auto it = resp.find("Warning");
           it != resp.end() && Poco::icompare(it->first, "Warning") == 0; ++it) {
        head->warnings.push_back(warningHeaderText(it->second));
      }
      const bool success = head->status >= 200 && head->status < 300;
      if (streamBody && success) {
        conn->body = &in;
        logWarnings(*head);
        return conn;
      }
      head->body.clear();
      Poco::StreamCopier::copyToString(in, head->body);
      if (resp.hasContentLength() &&
          static_cast<std::streamsize>(head->body.size()) != resp.getContentLength()) {
        return fail(Errc::Unavailable, what + ": the connection closed after " +
                                           std::to_string(head->body.size()) + " of " +
                                           std::to_string(resp.getContentLength()) + " bytes");
      }
      logWarnings(*head);
      if (head->status == 401 && !retriedAuth && tokens_.resetOlderThan(start) &&
          tokens_.token() != token) {
        // The token file was rotated since we read it: try once more with the new token.
        retriedAuth = true;
        if (resp.getKeepAlive()) {
          release(std::move(conn));
        }
        continue;
      }
      if (resp.getKeepAlive()) {
        release(std::move(conn));
        return std::unique_ptr<Connection>();
      }
      return std::unique_ptr<Connection>();
    } catch (const Poco::TimeoutException& e) {
      return fail(Errc::Timeout, what + ": no answer in time (" + e.displayText() + ")");
    } catch (const Poco::Exception& e) {
      // A kept-alive connection may have been closed by the server just as we sent: retry once
      // on a fresh one when nothing was answered and the request can be replayed. Writes are not
      // retried here (the server may have applied them); acquire() already skips connections the
      // server closed while idle.
      if (reused && !responseStarted && !retriedStale && replayable(request.method)) {
        retriedStale = true;
        continue;
      }
      return fail(Errc::Unavailable, what + ": " + e.displayText());
    } catch (const std::exception& e) {
      return fail(Errc::Unavailable, what + ": " + e.what());
    }
  }
}

Result<HttpResponse> HttpTransport::send(const HttpRequest& request) {
  HttpResponse out;
  auto r = exchange(request, &out, false);
  if (!r.ok()) {
    return r.error();
  }
  return out;
}

Result<std::unique_ptr<HttpStream>> HttpTransport::stream(const HttpRequest& request,
                                                          HttpResponse* head) {
  auto r = exchange(request, head, true);
  if (!r.ok()) {
    return r.error();
  }
  if (!*r) {
    return std::unique_ptr<HttpStream>();
  }
  return std::unique_ptr<HttpStream>(std::make_unique<Stream>(std::move(r).value()));
}

Result<std::shared_ptr<HttpTransport>> HttpTransport::fromKubeconfigFile(const std::string& path) {
  auto config = parseKubeconfigFile(path);
  if (!config.ok()) {
    return config.error();
  }
  auto rest = restConfigFromKubeconfig(*config);
  if (!rest.ok()) {
    return rest.error();
  }
  return create(*rest);
}

}  // namespace mysqlop::kube
