#include "tests/integration/streams/stream_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

namespace mysqlop::streams_it {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tempDir(const char* prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  char* made = ::mkdtemp(tmpl.data());
  return made ? std::string(made) : std::string();
}

std::vector<std::string> envFor(const Client& client, const std::string& kubeconfig,
                                const std::string& home) {
  std::vector<std::string> env = {"HOME=" + home, "KUBECONFIG=" + kubeconfig,
                                  "KUBECTL=" + client.binary, "PATH=/usr/bin:/bin"};
  env.insert(env.end(), client.env.begin(), client.env.end());
  return env;
}

pid_t spawn(const Client& client, const std::string& script, const std::string& outFile,
            const std::string& errFile, StreamServer& server = StreamServer::get()) {
  std::vector<std::string> env = envFor(client, server.kubeconfig(), server.dir());
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    FILE* o = std::freopen(outFile.c_str(), "w", stdout);
    FILE* e = std::freopen(errFile.c_str(), "w", stderr);
    (void)o;
    (void)e;
    ::execle("/bin/bash", "bash", "-c", script.c_str(), static_cast<char*>(nullptr), envp.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

std::string kubectl120() {
  return std::string(MYSQLOP_SOURCE_DIR) + "/tools/kubectl-1.20/usr/bin/kubectl";
}

std::vector<Client> clients() {
  const std::string k132 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";
  const std::string ws = "Sec-Websocket-Protocol: ";
  const std::string spdy = "X-Stream-Protocol-Version: ";
  return {{"kubectl132_websocket",
           k132,
           {},
           ws + "v5.channel.k8s.io",
           ws + "SPDY/3.1+portforward.k8s.io"},
          {"kubectl132_spdy",
           k132,
           {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false", "KUBECTL_PORT_FORWARD_WEBSOCKETS=false"},
           spdy + "v4.channel.k8s.io",
           spdy + "portforward.k8s.io"},
          {"kubectl120_spdy",
           kubectl120(),
           {},
           spdy + "v4.channel.k8s.io",
           spdy + "portforward.k8s.io"},
          // The machine's kubectl (Cloud SDK's wrapper picks a version near the server's: 1.30,
          // WebSocket exec, SPDY port-forward).
          {"machine_kubectl",
           "/usr/bin/kubectl",
           {},
           ws + "v5.channel.k8s.io",
           spdy + "portforward.k8s.io"}};
}

namespace {

std::unique_ptr<StreamServer>& sharedServer() {
  static std::unique_ptr<StreamServer> server;
  return server;
}

// Stops the shared server (its sessions end, its directory is removed) after the last test,
// while the process is whole: a static's destructor would run after spdlog's registry is gone,
// and a session still logging then reads freed memory.
class SharedServerStopper : public ::testing::Environment {
 public:
  void TearDown() override { sharedServer().reset(); }
};
[[maybe_unused]] const ::testing::Environment* const kSharedServerStopper =
    ::testing::AddGlobalTestEnvironment(new SharedServerStopper);

}  // namespace

StreamServer& StreamServer::get() {
  if (!sharedServer()) {
    sharedServer() = std::make_unique<StreamServer>();
  }
  return *sharedServer();
}

StreamServer::StreamServer()
    : dir_(tempDir("streams-it-")), front_(std::make_unique<local::HttpFront>()) {
  local::HttpFront::Options options;
  options.dataDir = dir_;
  auto started = front_->start(options);
  if (!started.ok()) {
    ADD_FAILURE() << started.error().message;
    return;
  }
  front_->api().setPodStreams(&streams_);
  kubeconfig_ = dir_ + "/kubeconfig";
  create("/api/v1/namespaces/default/pods",
         {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "streampod"}, {"labels", {{"app", "streams"}}}}},
          {"spec",
           {{"nodeName", "local"},
            {"containers", json::array({{{"name", "main"}, {"image", "busybox"}},
                                        {{"name", "side"}, {"image", "busybox"}}})}}}});
  // kubectl port-forward wants a Running pod (no kubelet here reports it).
  local::ApiRequest status;
  status.method = "PATCH";
  status.path = "/api/v1/namespaces/default/pods/streampod/status";
  status.contentType = "application/merge-patch+json";
  status.body = json{{"status", {{"phase", "Running"}}}}.dump();
  local::ApiResponse answer;
  front_->api().handle(status, answer, nullptr);
  EXPECT_LT(answer.code, 300) << answer.body;
  create("/api/v1/namespaces/default/pods",
         {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "unscheduled"}}},
          {"spec", {{"containers", json::array({{{"name", "main"}, {"image", "busybox"}}})}}}});
}

StreamServer::~StreamServer() {
  front_->stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void StreamServer::create(const std::string& collectionPath, const json& object) {
  local::ApiRequest req;
  req.method = "POST";
  req.path = collectionPath;
  req.body = object.dump();
  req.contentType = "application/json";
  local::ApiResponse resp;
  front_->api().handle(req, resp, nullptr);
  EXPECT_LT(resp.code, 300) << resp.body;
}

Shell runShell(const Client& client, const std::string& script, int timeoutSeconds) {
  auto& server = StreamServer::get();
  std::string outFile = server.dir() + "/shell.out";
  std::string errFile = server.dir() + "/shell.err";
  pid_t pid = spawn(
      client,
      "exec timeout " + std::to_string(timeoutSeconds) + " bash -c '" +
          [&] {
            std::string quoted;
            for (char c : script) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
            return quoted;
          }() +
          "'",
      outFile, errFile);
  int status = 0;
  ::waitpid(pid, &status, 0);
  Shell r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = readAll(outFile);
  r.err = readAll(errFile);
  return r;
}

Background::Background(const Client& client, const std::string& script, StreamServer& server) {
  static int counter = 0;
  ++counter;
  outFile_ = server.dir() + "/bg" + std::to_string(counter) + ".out";
  errFile_ = server.dir() + "/bg" + std::to_string(counter) + ".err";
  pid_ = spawn(client, "exec " + script, outFile_, errFile_, server);
}

Background::~Background() {
  if (pid_ > 0) {
    ::kill(-pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool Background::waitFor(const std::string& text, int timeoutSeconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (out().find(text) != std::string::npos) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return out().find(text) != std::string::npos;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string Background::out() const { return readAll(outFile_); }
std::string Background::err() const { return readAll(errFile_); }

}  // namespace mysqlop::streams_it
