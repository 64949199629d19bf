#pragma once

// Test support for anything that needs a Kubernetes API: starts the project's own local API
// server (build/bin/mysql-operator-local apiserver) in a fresh temp data dir on a free loopback
// port, and wraps its fault-injection admin paths.
//
//   mysqlop::testing::LocalApiServer api;
//   ASSERT_TRUE(api.start().ok());
//   // api.kubeconfigPath(), api.baseUrl(), api.token(), api.caFile()
//   auto r = api.request("GET", "/api/v1/namespaces/default/configmaps");
//   api.restart();              // same data dir and port: objects and resourceVersions survive
//   api.failNextWrites(2, 409); // fault injection
//
// Every call is synchronous; nothing here asserts, so it works from any test framework.

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::testing {

// One HTTP answer of the server.
struct HttpResult {
  int status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names as the server sent them
  // The body parsed as JSON (null if it is not JSON).
  nlohmann::json json() const;
  // Every value of a header (for example "Warning").
  std::vector<std::string> header(const std::string& name) const;
};

class LocalApiServer {
 public:
  struct Options {
    bool insecureHttp = false;           // plain HTTP instead of HTTPS
    std::vector<std::string> extraArgs;  // e.g. {"--history-limit", "50"}
    std::string binary;                  // default: MYSQLOP_BINARY_DIR/bin/mysql-operator-local
    std::string dataDir;                 // default: a fresh temp dir, removed by the destructor
  };

  LocalApiServer();
  ~LocalApiServer();  // stops the server and removes a temp data dir it created
  LocalApiServer(const LocalApiServer&) = delete;
  LocalApiServer& operator=(const LocalApiServer&) = delete;

  // Starts the server and waits until it serves (its "listening on URL" line, then /healthz).
  Result<void> start(const Options& options);
  Result<void> start() { return start(Options{}); }
  // Stops it (SIGTERM, SIGKILL after 10 s) and starts it again on the same data dir and port.
  Result<void> restart();
  // SIGTERM and wait (SIGKILL after 10 s). Safe to call twice.
  void stop();
  // SIGKILL without a clean shutdown (crash tests).
  void kill();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::string& dataDir() const { return dataDir_; }
  std::string kubeconfigPath() const;                  // DIR/kubeconfig
  const std::string& baseUrl() const { return url_; }  // https://127.0.0.1:PORT
  const std::string& token() const { return token_; }  // the bearer token
  std::string caFile() const;                          // DIR/pki/ca.crt ("" with insecureHttp)
  std::string logFile() const;                         // the server's stderr

  // One request with the bearer token (TLS not verified: this is a test helper). `token` "\x01"
  // means token(); "" sends no Authorization header. `headers` are added as given.
  Result<HttpResult> request(const std::string& method, const std::string& pathAndQuery,
                             const std::string& body = "",
                             const std::string& contentType = "application/json",
                             const std::string& token = "\x01",
                             const std::map<std::string, std::string>& headers = {}) const;

  // Fault injection and test hooks (see localcluster/README.md, "Admin paths").
  Result<void> closeWatches();                // ends every open watch stream
  Result<void> sendBookmarks();               // a BOOKMARK now on watches that allow them
  Result<void> expireNextWatches(int count);  // next N watches get an ERROR 410 event
  // Next N writes fail with 409 Conflict or 500; only writes of `resource` (plural) in `group`
  // when resource is not empty.
  Result<void> failNextWrites(int count, int code, const std::string& resource = "",
                              const std::string& group = "");
  Result<void> delayResponses(int ms);  // every API answer waits ms (0 = off)
  Result<void> clearFaults();
  // Drops watch history up to rv (0 = all of it): older watches and lists get 410.
  Result<void> compactHistory(std::uint64_t rv = 0);
  // Replaces the extra accepted bearer tokens; keepPrimary=false makes token() admin-only.
  Result<void> setTokens(const std::vector<std::string>& tokens, bool keepPrimary);
  // {"resourceVersion", "historyFloor", "historySize", "openWatches", "faults"}.
  Result<nlohmann::json> status() const;

 private:
  Result<void> launch();
  Result<void> admin(const std::string& path, const nlohmann::json& body);

  Options options_;
  std::string dataDir_;
  bool ownDir_ = false;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string url_;
  std::string token_;
  int launches_ = 0;
};

}  // namespace mysqlop::testing
