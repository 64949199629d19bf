#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/auth.h"

// Forward-declared so that users of this header do not parse Poco.
namespace Poco {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class ThreadPool;
}  // namespace Poco
namespace Poco::Net {  // NOLINT(readability-identifier-naming): Poco's name, not ours
class HTTPServer;
}  // namespace Poco::Net

namespace mysqlop::local {

// The HTTP(S) front of the API server: Poco HTTPServer (HTTP/1.1 keep-alive, a large thread pool
// so that many watch streams and normal requests run at once), TLS with the generated serving
// certificate, bearer-token authentication, the kubeconfig.
class HttpFront {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string dataDir;
    bool insecureHttp = false;
    int maxThreads = 512;
    // IP addresses and DNS names the serving certificate names beside the listen host, 127.0.0.1,
    // localhost and kubernetes[.default[.svc[.cluster.local]]] (e.g. the kubernetes Service's
    // ClusterIP). A stored certificate without one of them is reissued from the stored CA.
    std::vector<std::string> extraSans;
    ApiServer::Options api;
  };

  HttpFront();
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Opens the store, binds, writes DIR/kubeconfig and starts serving.
  Result<void> start(const Options& options);
  void stop();

  std::uint16_t port() const { return port_; }
  std::string url() const;
  ApiServer& api() { return api_; }
  TokenAuth& auth() { return auth_; }

 private:
  Options options_;
  ApiServer api_;
  TokenAuth auth_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace mysqlop::local
