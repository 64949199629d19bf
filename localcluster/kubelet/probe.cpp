// Probe and hook actions. Messages follow the kubelet's, so that an Unhealthy event reads as it
// would on a real node ("HTTP probe failed with statuscode: 503", "dial tcp ...: connect: ...").
#include "localcluster/kubelet/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Timespan.h>

#include "localcluster/node/supervisor.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

namespace {

int intField(const json& o, const char* key, int fallback) {
  if (o.contains(key) && o[key].is_number_integer()) {
    return o[key].get<int>();
  }
  return fallback;
}

std::string hostPort(const std::string& host, int port) {
  return host + ":" + std::to_string(port);
}

ProbeOutcome execAction(const json& exec, node::Supervisor& supervisor, const std::string& key,
                        std::chrono::milliseconds timeout) {
  std::vector<std::string> argv;
  for (const auto& a : exec.value("command", json::array())) {
    if (a.is_string()) {
      argv.push_back(a.get<std::string>());
    }
  }
  if (argv.empty()) {
    return {false, "exec probe has no command"};
  }
  auto r = supervisor.exec(key, argv, timeout);
  if (!r.ok()) {
    return {false, r.error().message};
  }
  if (r->timedOut) {
    return {false, "command timed out: \"" + argv[0] + "\" timed out after " +
                       std::to_string(timeout.count() / 1000) + "s"};
  }
  if (r->exitCode != 0) {
    std::string out = r->output;
    if (out.empty()) {
      out = "command \"" + argv[0] + "\" exited with " + std::to_string(r->exitCode);
    }
    return {false, out};
  }
  return {true, r->output};
}

ProbeOutcome tcpAction(const json& tcp, const json& container, const std::string& podIp,
                       std::chrono::milliseconds timeout) {
  std::string host = tcp.value("host", podIp);
  int port = resolvePort(tcp.value("port", json()), container);
  std::string target = hostPort(host, port);
  if (port <= 0) {
    return {false, "tcpSocket probe: unknown port " + tcp.value("port", json()).dump()};
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return {false, "dial tcp " + target + ": not an IPv4 address"};
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return {false, std::string("socket: ") + std::strerror(errno)};
  }
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { close(*f); });
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc != 0 && errno != EINPROGRESS) {
    return {false, "dial tcp " + target + ": connect: " + std::strerror(errno)};
  }
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n == 0) {
      return {false, "dial tcp " + target + ": i/o timeout"};
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      return {false, "dial tcp " + target + ": connect: " + std::strerror(err)};
    }
  }
  return {true, ""};
}

ProbeOutcome httpAction(const json& http, const json& container, const std::string& podIp,
                        std::chrono::milliseconds timeout) {
  std::string host = http.value("host", "");
  if (host.empty()) {
    host = podIp;
  }
  int port = resolvePort(http.value("port", json()), container);
  std::string scheme = http.value("scheme", "HTTP");
  std::string path = http.value("path", "/");
  if (path.empty() || path[0] != '/') {
    path = "/" + path;
  }
  std::string url = (scheme == "HTTPS" ? "https://" : "http://") + hostPort(host, port) + path;
  if (port <= 0) {
    return {false, "httpGet probe: unknown port " + http.value("port", json()).dump()};
  }
  try {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (scheme == "HTTPS") {
      // The kubelet does not verify probe certificates either.
      Poco::Net::Context::Ptr context = new Poco::Net::Context(
          Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
      session = std::make_unique<Poco::Net::HTTPSClientSession>(
          host, static_cast<Poco::UInt16>(port), context);
    } else {
      session =
          std::make_unique<Poco::Net::HTTPClientSession>(host, static_cast<Poco::UInt16>(port));
    }
    Poco::Timespan t(static_cast<long>(timeout.count() / 1000),
                     static_cast<long>((timeout.count() % 1000) * 1000));
    session->setTimeout(t);
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("User-Agent", "kube-probe/1.30");
    req.set("Accept", "*/*");
    for (const auto& h : http.value("httpHeaders", json::array())) {
      if (h.value("name", "") == "Host") {
        req.setHost(h.value("value", ""));
      } else {
        req.set(h.value("name", ""), h.value("value", ""));
      }
    }
    session->sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& body = session->receiveResponse(resp);
    std::string text(std::size_t{10} * 1024, '\0');
    body.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(body.gcount()));
    int status = static_cast<int>(resp.getStatus());
    if (status >= 200 && status < 400) {
      return {true, text};
    }
    return {false, "HTTP probe failed with statuscode: " + std::to_string(status)};
  } catch (const Poco::Exception& e) {
    return {false, "Get \"" + url + "\": " + e.displayText()};
  } catch (const std::exception& e) {
    return {false, "Get \"" + url + "\": " + e.what()};
  }
}

}  // namespace

int resolvePort(const json& port, const json& container) {
  if (port.is_number_integer()) {
    return port.get<int>();
  }
  if (!port.is_string()) {
    return 0;
  }
  std::string name = port.get<std::string>();
  for (const auto& p : container.value("ports", json::array())) {
    if (p.value("name", "") == name) {
      return p.value("containerPort", 0);
    }
  }
  if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit) && name.size() < 6) {
    return std::stoi(name);
  }
  return 0;
}

ProbeTiming probeTiming(const json& probe) {
  ProbeTiming t;
  t.initialDelaySeconds = std::max(0, intField(probe, "initialDelaySeconds", 0));
  t.periodSeconds = std::max(1, intField(probe, "periodSeconds", 10));
  t.timeoutSeconds = std::max(1, intField(probe, "timeoutSeconds", 1));
  t.successThreshold = std::max(1, intField(probe, "successThreshold", 1));
  t.failureThreshold = std::max(1, intField(probe, "failureThreshold", 3));
  return t;
}

ProbeOutcome runAction(const json& action, const json& container, node::Supervisor& supervisor,
                       const std::string& key, const std::string& podIp,
                       std::chrono::milliseconds timeout) {
  if (action.contains("exec")) {
    return execAction(action["exec"], supervisor, key, timeout);
  }
  if (action.contains("httpGet")) {
    return httpAction(action["httpGet"], container, podIp, timeout);
  }
  if (action.contains("tcpSocket")) {
    return tcpAction(action["tcpSocket"], container, podIp, timeout);
  }
  if (action.contains("grpc")) {
    return {false, "grpc probes are not supported by the local kubelet"};
  }
  if (action.contains("sleep")) {
    return {true, ""};  // a sleep hook: the caller waits (see pod_worker)
  }
  return {false, "probe has no handler (exec, httpGet or tcpSocket)"};
}

}  // namespace mysqlop::local::kubelet
