#include "localcluster/streams/upgrade_dispatcher.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <mutex>
#include <regex>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/auth.h"
#include "localcluster/apiserver/pod_stream_target.h"
#include "localcluster/streams/client_conn.h"
#include "localcluster/streams/exec_session.h"
#include "localcluster/streams/portforward_session.h"
#include "localcluster/streams/stream_request.h"
#include "localcluster/streams/websocket.h"

namespace mysqlop::local::streams {

namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

void send(HTTPServerResponse& resp, int code, const std::string& body,
          const std::string& contentType) {
  resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(code));
  resp.setContentType(contentType);
  resp.setContentLength(static_cast<std::streamsize>(body.size()));
  resp.setKeepAlive(false);
  resp.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

void sendStatus(HTTPServerResponse& resp, const ApiError& e) {
  send(resp, e.code, e.status().dump(), "application/json");
}

// What the kubelet answers itself: plain text, as net/http's http.Error writes it.
void sendText(HTTPServerResponse& resp, int code, const std::string& text) {
  send(resp, code, text + "\n", "text/plain; charset=utf-8");
}

int httpCode(Errc code) {
  switch (code) {
    case Errc::Invalid: return 400;
    case Errc::NotFound: return 404;
    case Errc::Forbidden: return 403;
    case Errc::Unavailable: return 503;
    default: return 500;
  }
}

// Every value of a header, split at commas (several header lines or one comma list).
std::vector<std::string> headerValues(const HTTPServerRequest& req, const std::string& name) {
  std::vector<std::string> out;
  for (auto it = req.find(name); it != req.end() && Poco::icompare(it->first, name) == 0; ++it) {
    std::string v = it->second;
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t comma = v.find(',', start);
      std::string item =
          v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      item.erase(0, item.find_first_not_of(" \t"));
      item.erase(item.find_last_not_of(" \t") + 1);
      if (!item.empty()) {
        out.push_back(item);
      }
      if (comma == std::string::npos) {
        break;
      }
      start = comma + 1;
    }
  }
  return out;
}

bool isUpgrade(const HTTPServerRequest& req) {
  std::string connection = Poco::toLower(req.get("Connection", ""));
  return connection.find("upgrade") != std::string::npos && req.has("Upgrade");
}

// Sends the 101 and takes the connection from the HTTP server.
std::unique_ptr<ClientConn> upgrade(HTTPServerRequest& req, HTTPServerResponse& resp,
                                    const ProtocolChoice& choice) {
  resp.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS);
  if (choice.websocket) {
    resp.set("Upgrade", "websocket");
    resp.set("Sec-WebSocket-Accept", wsAcceptKey(req.get("Sec-WebSocket-Key", "")));
    resp.set("Sec-WebSocket-Protocol", choice.protocol);
  } else {
    resp.set("Upgrade", "SPDY/3.1");
    resp.set("X-Stream-Protocol-Version", choice.protocol);
  }
  resp.set("Connection", "Upgrade");
  resp.send().flush();
  auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(req);
  return makePocoConn(impl.detachSocket());
}

void ignoreSigpipe() {
  // A write to a pipe whose process has gone must fail with EPIPE, not end the server.
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

void serve(ApiServer& api, HTTPServerRequest& req, HTTPServerResponse& resp, const std::string& ns,
           const std::string& name, const std::string& sub, const QueryValues& query) {
  const PodStreamKind kind = sub == "exec"     ? PodStreamKind::Exec
                             : sub == "attach" ? PodStreamKind::Attach
                                               : PodStreamKind::PortForward;
  if (req.getMethod() != "GET" && req.getMethod() != "POST") {
    sendStatus(resp, errMethodNotAllowed());
    return;
  }
  nlohmann::json pod;
  std::string container;
  try {
    pod = podForStream(api.store(), ns, name);
    if (kind != PodStreamKind::PortForward) {
      auto c = query.find("container");
      container = containerForStream(pod, c == query.end() ? "" : c->second);
    }
    podHasNode(pod, kind);
  } catch (const ApiException& e) {
    sendStatus(resp, e.error());
    return;
  }
  if (kind == PodStreamKind::Attach) {
    sendStatus(resp, errGeneric(501, "NotImplemented",
                                "attach is not supported by this control plane; use exec"));
    return;
  }
  if (!isUpgrade(req)) {
    sendStatus(resp, errBadRequest("Upgrade request required"));
    return;
  }
  PodStreams* streams = api.podStreams();
  if (streams == nullptr) {
    sendStatus(resp, errGeneric(503, "ServiceUnavailable",
                                "no kubelet serves pod streams on this control plane"));
    return;
  }
  const StreamKind streamKind =
      kind == PodStreamKind::Exec ? StreamKind::Exec : StreamKind::PortForward;
  const std::string upgradeHeader = req.get("Upgrade", "");
  const bool ws = Poco::icompare(upgradeHeader, "websocket") == 0;
  auto choice = negotiateProtocol(
      streamKind, upgradeHeader,
      headerValues(req, ws ? "Sec-WebSocket-Protocol" : "X-Stream-Protocol-Version"));
  if (!choice.ok()) {
    if (!ws) {
      for (const auto& p : servedSpdyProtocols(streamKind)) {
        resp.add("X-Accepted-Stream-Protocol-Versions", p);
      }
    }
    sendText(resp, httpCode(choice.error().code), choice.error().message);
    return;
  }
  if (ws && req.get("Sec-WebSocket-Version", "") != "13") {
    resp.set("Sec-WebSocket-Version", "13");
    sendText(resp, 400, "unable to upgrade: Sec-WebSocket-Version 13 is required");
    return;
  }
  ignoreSigpipe();
  auto stopping = [&api] { return api.stopping(); };
  const std::string podName = pod["metadata"].value("name", "");
  if (kind == PodStreamKind::Exec) {
    auto options = parseExecQuery(query);
    if (!options.ok()) {
      sendText(resp, 400, options.error().message);
      return;
    }
    options.value().container = container;
    auto process = streams->exec(pod, options.value());
    if (!process.ok()) {
      sendText(resp, httpCode(process.error().code), process.error().message);
      return;
    }
    auto conn = upgrade(req, resp, choice.value());
    const ExecWire wire = !ws                                              ? ExecWire::SpdyV4
                          : choice.value().protocol == "v5.channel.k8s.io" ? ExecWire::WebSocketV5
                                                                           : ExecWire::WebSocketV4;
    auto result = runExec(*conn, wire, std::move(process.value()), options.value(), stopping);
    spdlog::debug("exec {}/{} [{}]: exit {}{}{}", ns, podName, container, result.exitCode,
                  result.clientLeft ? ", client left" : "",
                  result.error.empty() ? "" : ", " + result.error);
    return;
  }
  auto conn = upgrade(req, resp, choice.value());
  PortDialer dial = [streams, &pod](std::uint16_t port) { return streams->connectPort(pod, port); };
  auto result = runPortForward(*conn, ws ? PortForwardWire::WebSocketTunnel : PortForwardWire::Spdy,
                               dial, podName, pod["metadata"].value("uid", ""), stopping);
  spdlog::debug("portforward {}/{}: {} connections{}", ns, podName, result.pairs,
                result.error.empty() ? "" : ", " + result.error);
}

}  // namespace

bool serveStreamRequest(ApiServer& api, TokenAuth& auth, HTTPServerRequest& request,
                        HTTPServerResponse& response) {
  // Cheap test first: every API request passes here.
  const std::string& target = request.getURI();
  if (target.find("/exec") == std::string::npos && target.find("/attach") == std::string::npos &&
      target.find("/portforward") == std::string::npos) {
    return false;
  }
  static const std::regex path(
      R"(^/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach|portforward)$)");
  Poco::URI uri;
  try {
    uri = Poco::URI(request.getURI());
  } catch (const Poco::Exception&) {
    return false;
  }
  std::smatch m;
  const std::string p = uri.getPath();
  if (!std::regex_match(p, m, path)) {
    return false;
  }
  auto user = authenticate(api, auth, request.get("Authorization", ""), false);
  if (!user) {
    sendStatus(response, errUnauthorized());
    return true;
  }
  // kube-apiserver requires create on pods/exec (pods/portforward, pods/attach), whichever HTTP
  // method the upgrade used.
  try {
    ApiRequest as;
    as.user = user;
    as.impersonateUser = request.get("Impersonate-User", "");
    for (auto it = request.find("Impersonate-Group");
         it != request.end() && Poco::icompare(it->first, "Impersonate-Group") == 0; ++it) {
      as.impersonateGroups.push_back(it->second);
    }
    AuthzAttributes a;
    a.verb = "create";
    a.apiVersion = "v1";
    a.resource = "pods";
    a.subresource = m[3].str();
    a.ns = m[1].str();
    a.name = m[2].str();
    api.authorize(api.effectiveUser(as), a);
  } catch (const ApiException& e) {
    sendStatus(response, e.error());
    return true;
  }
  QueryValues query;
  for (const auto& [k, v] : uri.getQueryParameters()) {
    query.emplace(k, v);
  }
  serve(api, request, response, m[1].str(), m[2].str(), m[3].str(), query);
  return true;
}

}  // namespace mysqlop::local::streams
