#include "tests/support/kube/local_api_server.h"

#include <unistd.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/process/child_process.h"
#include "tests/support/wait/poll.h"

namespace mysqlop::testing {

namespace fs = std::filesystem;
using nlohmann::json;

json HttpResult::json() const {
  return nlohmann::json::parse(body, nullptr, false).is_discarded() ? nlohmann::json()
                                                                    : nlohmann::json::parse(body);
}

std::vector<std::string> HttpResult::header(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) {
      out.push_back(v);
    }
  }
  return out;
}

LocalApiServer::LocalApiServer() = default;

LocalApiServer::~LocalApiServer() {
  stop();
  if (ownDir_ && !dataDir_.empty()) {
    std::error_code ec;
    fs::remove_all(dataDir_, ec);
  }
}

std::string LocalApiServer::kubeconfigPath() const { return dataDir_ + "/kubeconfig"; }
std::string LocalApiServer::caFile() const {
  return options_.insecureHttp ? "" : dataDir_ + "/pki/ca.crt";
}
std::string LocalApiServer::logFile() const { return dataDir_ + "/apiserver.log"; }

Result<void> LocalApiServer::start(const Options& options) {
  stop();
  options_ = options;
  if (options_.binary.empty()) {
#ifdef MYSQLOP_BINARY_DIR
    options_.binary = std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator-local";
#else
    options_.binary = "mysql-operator-local";
#endif
  }
  if (!options_.dataDir.empty()) {
    dataDir_ = options_.dataDir;
    ownDir_ = false;
    fs::create_directories(dataDir_);
  } else if (dataDir_.empty() || !ownDir_) {
    std::string tmpl = (fs::temp_directory_path() / "mysqlop-apiserver-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      return fail(Errc::Unavailable, "cannot create a temp directory");
    }
    dataDir_ = tmpl;
    ownDir_ = true;
  }
  port_ = 0;
  return launch();
}

Result<void> LocalApiServer::launch() {
  if (::access(options_.binary.c_str(), X_OK) != 0) {
    return fail(Errc::Unavailable, options_.binary + " is missing: build mysql-operator-local");
  }
  std::vector<std::string> args = {options_.binary, "apiserver",
                                   "--data-dir",    dataDir_,
                                   "--listen",      "127.0.0.1:" + std::to_string(port_)};
  if (options_.insecureHttp) {
    args.push_back("--insecure-http");
  }
  args.insert(args.end(), options_.extraArgs.begin(), options_.extraArgs.end());
  std::string outFile = dataDir_ + "/apiserver.out";
  SpawnSpec spec;
  spec.argv = args;
  spec.stdoutPath = outFile;
  spec.stderrPath = logFile();
  spec.appendStderr = true;  // one log across restarts
  try {
    pid_ = spawnProcess(spec);
  } catch (const std::runtime_error& e) {
    pid_ = -1;
    return fail(Errc::Unavailable, e.what());
  }
  ++launches_;
  // Wait for "listening on URL", or for the process to give up.
  bool listening = false;
  bool exited = false;
  pollUntil(
      [&] {
        std::string out = readFile(outFile);
        auto pos = out.find("listening on ");
        auto nl = pos == std::string::npos ? std::string::npos : out.find('\n', pos);
        if (nl != std::string::npos) {
          url_ = out.substr(pos + 13, nl - pos - 13);
          port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
          listening = true;
        } else {
          exited = waitForExit(pid_, std::chrono::milliseconds(0)).has_value();
        }
        return listening || exited;
      },
      Poll{std::chrono::seconds(60), std::chrono::milliseconds(10)});
  if (exited) {
    pid_ = -1;
    return fail(Errc::Unavailable, "mysql-operator-local exited: " + readFile(logFile()));
  }
  if (!listening) {
    kill();
    return fail(Errc::Timeout, "mysql-operator-local did not start: " + readFile(logFile()));
  }
  std::ifstream tokenFile(dataDir_ + "/token");
  std::getline(tokenFile, token_);
  auto health = request("GET", "/healthz");
  if (!health.ok() || health->status != 200) {
    return fail(Errc::Unavailable, "mysql-operator-local does not answer /healthz");
  }
  return {};
}

Result<void> LocalApiServer::restart() {
  if (dataDir_.empty()) {
    return fail(Errc::Invalid, "restart before start");
  }
  stop();
  return launch();
}

void LocalApiServer::stop() {
  if (pid_ <= 0) {
    return;
  }
  terminateProcess(pid_, std::chrono::seconds(10));
  pid_ = -1;
}

void LocalApiServer::kill() {
  if (pid_ <= 0) {
    return;
  }
  killProcess(pid_);
  pid_ = -1;
}

Result<HttpResult> LocalApiServer::request(
    const std::string& method, const std::string& pathAndQuery, const std::string& body,
    const std::string& contentType, const std::string& token,
    const std::map<std::string, std::string>& headers) const {
  try {
    Poco::URI uri(url_);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (options_.insecureHttp) {
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    } else {
      static Poco::Net::Context::Ptr ctx = [] {
        Poco::Net::initializeSSL();
        return Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE,
                                                              "", Poco::Net::Context::VERIFY_NONE));
      }();
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), ctx);
    }
    session->setTimeout(Poco::Timespan(60, 0));
    Poco::Net::HTTPRequest req(method, pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
    std::string t = token == "\x01" ? token_ : token;
    if (!t.empty()) {
      req.set("Authorization", "Bearer " + t);
    }
    for (const auto& [k, v] : headers) {
      req.set(k, v);
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.setContentType(contentType);
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    std::ostream& os = session->sendRequest(req);
    os << body;
    Poco::Net::HTTPResponse resp;
    std::istream& is = session->receiveResponse(resp);
    HttpResult out;
    out.status = static_cast<int>(resp.getStatus());
    Poco::StreamCopier::copyToString(is, out.body);
    for (const auto& [k, v] : resp) {
      out.headers.emplace(k, v);
    }
    return out;
  } catch (const Poco::Exception& e) {
    return fail(Errc::Unavailable, method + " " + pathAndQuery + ": " + e.displayText());
  }
}

Result<void> LocalApiServer::admin(const std::string& path, const json& body) {
  auto r = request("POST", path, body.dump());
  if (!r.ok()) {
    return r.error();
  }
  if (r->status != 200) {
    return fail(Errc::Internal, path + " answered " + std::to_string(r->status) + ": " + r->body);
  }
  return {};
}

Result<void> LocalApiServer::closeWatches() {
  return admin("/_local/watches/close", json::object());
}
Result<void> LocalApiServer::sendBookmarks() {
  return admin("/_local/watches/bookmark", json::object());
}
Result<void> LocalApiServer::expireNextWatches(int count) {
  return admin("/_local/faults/expire-watches", {{"count", count}});
}
Result<void> LocalApiServer::failNextWrites(int count, int code, const std::string& resource,
                                            const std::string& group) {
  return admin("/_local/faults/fail-writes",
               {{"count", count}, {"code", code}, {"resource", resource}, {"group", group}});
}
Result<void> LocalApiServer::delayResponses(int ms) {
  return admin("/_local/faults/delay", {{"ms", ms}});
}
Result<void> LocalApiServer::clearFaults() { return admin("/_local/faults/clear", json::object()); }
Result<void> LocalApiServer::compactHistory(std::uint64_t rv) {
  return admin("/_local/history/compact", {{"resourceVersion", std::to_string(rv)}});
}
Result<void> LocalApiServer::setTokens(const std::vector<std::string>& tokens, bool keepPrimary) {
  return admin("/_local/auth/tokens", {{"tokens", tokens}, {"keepPrimary", keepPrimary}});
}

Result<json> LocalApiServer::status() const {
  auto r = request("GET", "/_local/status");
  if (!r.ok()) {
    return r.error();
  }
  if (r->status != 200) {
    return fail(Errc::Internal, "/_local/status answered " + std::to_string(r->status));
  }
  return r->json();
}

}  // namespace mysqlop::testing
