#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/kube/rest_config.h"
#include "core/kube/token_source.h"
#include "core/kube/transport.h"

namespace mysqlop::kube {

// HTTP/1.1 to one API server over Poco Net/NetSSL: keep-alive connections in a small pool, TLS
// verified against the cluster CA (and tls-server-name), the bearer token of the config (re-read
// from its file and refreshed after a 401), Warning headers logged. Thread-safe.
class HttpTransport final : public Transport {
 public:
  struct Options {
    std::size_t maxIdleConnections = 16;
    std::string userAgent = "mysql-operator/0.1.0";
    std::chrono::seconds connectTimeout{10};
  };

  static Result<std::shared_ptr<HttpTransport>> create(const RestConfig& config);
  static Result<std::shared_ptr<HttpTransport>> create(const RestConfig& config, Options options);
  // From a kubeconfig file's current context (what a command-line tool beside a cluster needs).
  static Result<std::shared_ptr<HttpTransport>> fromKubeconfigFile(const std::string& path);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override;
  Result<std::unique_ptr<HttpStream>> stream(const HttpRequest& request,
                                             HttpResponse* head) override;
  const std::string& server() const override { return server_; }
  // TCP connections opened so far (for tests of connection reuse).
  std::uint64_t connectionsOpened() const { return opened_->load(); }
  std::size_t idleConnections() const;

 private:
  class Connection;
  class Stream;
  HttpTransport() = default;

  std::unique_ptr<Connection> acquire(bool* reused);
  void release(std::unique_ptr<Connection> c);
  std::unique_ptr<Connection> connect();
  // Sends the request on a connection; retries once on a fresh connection when a reused one
  // turned out to be dead, and once after a 401 when the token file has a new token.
  Result<std::unique_ptr<Connection>> exchange(const HttpRequest& request, HttpResponse* head,
                                               bool streamBody);
  void logWarnings(const HttpResponse& r) const;

  std::string server_;
  std::string scheme_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string tlsServerName_;
  Options options_;
  struct TlsState;
  std::shared_ptr<TlsState> tls_;
  TokenSource tokens_;
  std::shared_ptr<std::atomic<std::uint64_t>> opened_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace mysqlop::kube
