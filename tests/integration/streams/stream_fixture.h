#pragma once
// An API server in this process (HTTPS, as users run it) whose node side is HostPodStreams, a
// pod "streampod" (containers main and side, bound to a node) and a Service "streamsvc" selecting
// it; kubectl runs as a child process against its kubeconfig. One server per test suite.

#include <gtest/gtest.h>
#include <sys/types.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "localcluster/apiserver/http_server.h"
#include "tests/support/kube/host_pod_streams.h"

namespace mysqlop::streams_it {

// Which kubectl and which protocol it uses for exec.
struct Client {
  std::string name;                 // for test names
  std::string binary;               // kubectl
  std::vector<std::string> env;     // e.g. KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false
  std::string execProtocol;         // the 101's protocol header line, as kubectl -v=8 logs it
  std::string portForwardProtocol;  // the same for port-forward
};

std::vector<Client> clients();
inline void PrintTo(const Client& c, std::ostream* os) { *os << c.name; }
std::string kubectl120();

struct Shell {
  int code = -1;
  std::string out;
  std::string err;
};

class StreamServer {
 public:
  static StreamServer& get();  // the shared one: started on first use, stopped at exit
  StreamServer();              // an own one (stopped and removed by the destructor)
  ~StreamServer();
  const std::string& kubeconfig() const { return kubeconfig_; }
  const std::string& dir() const { return dir_; }
  testing::HostPodStreams& streams() { return streams_; }
  std::string url() const { return front_->url(); }
  std::string token() const { return front_->auth().token(); }
  // Stops the server; returns once every session has ended.
  void stopServer() { front_->stop(); }
  // Takes the node side away (nullptr) or gives it back.
  void setPodStreams(bool on) { front_->api().setPodStreams(on ? &streams_ : nullptr); }
  // Creates an object through the API (POST to collectionPath).
  void create(const std::string& collectionPath, const nlohmann::json& object);

 private:
  std::string dir_;
  std::string kubeconfig_;
  testing::HostPodStreams streams_;
  std::unique_ptr<local::HttpFront> front_;
};

// Runs `script` with bash (kubectl as $KUBECTL with the server's kubeconfig and the client's
// environment), at most timeoutSeconds.
Shell runShell(const Client& client, const std::string& script, int timeoutSeconds = 180);

// A command left running (kubectl port-forward); stdout goes to a file.
class Background {
 public:
  Background(const Client& client, const std::string& script,
             StreamServer& server = StreamServer::get());
  ~Background();
  // Polls stdout until it contains `text` (deadline); the output so far.
  bool waitFor(const std::string& text, int timeoutSeconds = 60);
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::string outFile_;
  std::string errFile_;
};

}  // namespace mysqlop::streams_it
