#pragma once

#include <memory>
#include <string>

#include "core/kube/transport.h"

namespace mysqlop::local {

class ApiServer;

// A kube::Transport that calls ApiServer::handle in this process: no socket, no TLS, no token
// (callers in the process are trusted, as the controllers of kube-controller-manager are by their
// own credentials). The controllers, the kubelet and the Service proxy of the local cluster use
//   kube::Client client(std::make_shared<LocalTransport>(server));
// with core/kube informers on top, exactly as they would use the HTTP API.
//
// A request target is parsed as the HTTP front parses it (request_target.h), and bodies larger
// than kube-apiserver's limit get the same 413. A watch runs ApiServer::handle on a thread of its
// own whose event lines reach the client's HttpStream through a bounded, thread-safe queue (the
// watch blocks when the client lags by kMaxQueuedLines, as it would on a full socket). cancel() on
// the stream ends the server's watch at once; the stream's destructor cancels and joins it. The
// server must outlive every stream: ApiServer::shutdown() ends them (readLine answers false).
class LocalTransport final : public kube::Transport {
 public:
  static constexpr std::size_t kMaxQueuedLines = 4096;

  explicit LocalTransport(ApiServer& server, std::string name = "local://apiserver");
  ~LocalTransport() override;
  LocalTransport(const LocalTransport&) = delete;
  LocalTransport& operator=(const LocalTransport&) = delete;

  Result<kube::HttpResponse> send(const kube::HttpRequest& request) override;
  Result<std::unique_ptr<kube::HttpStream>> stream(const kube::HttpRequest& request,
                                                   kube::HttpResponse* head) override;
  const std::string& server() const override { return name_; }

 private:
  ApiServer& server_;
  std::string name_;
};

}  // namespace mysqlop::local
