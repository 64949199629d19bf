// What the API server answers before a stream starts: kube-apiserver's checks and the
// negotiation errors, seen by a plain HTTP client (curl) on the HTTPS port.

#include "tests/integration/streams/stream_fixture.h"

namespace mysqlop::streams_it {
namespace {

struct Answer {
  int code = 0;
  std::string body;
};

// curl with the given headers; the body, then the status code on the last line.
Answer request(const std::string& method, const std::string& pathAndQuery,
               const std::vector<std::string>& headers, bool withToken = true) {
  auto& s = StreamServer::get();
  std::string cmd = "curl -sk --http1.1 -X " + method + " -w '\\n%{http_code}'";
  if (withToken) cmd += " -H 'Authorization: Bearer " + s.token() + "'";
  for (const auto& h : headers) cmd += " -H '" + h + "'";
  cmd += " '" + s.url() + pathAndQuery + "'";
  Shell r = runShell(clients()[0], cmd, 30);
  Answer a;
  auto nl = r.out.rfind('\n');
  if (nl == std::string::npos) return a;
  a.code = std::atoi(r.out.c_str() + nl + 1);
  a.body = r.out.substr(0, nl);
  return a;
}

std::string statusMessage(const Answer& a) {
  auto j = nlohmann::json::parse(a.body, nullptr, false);
  return j.is_object() ? j.value("message", "") : "(not a Status: " + a.body + ")";
}

const std::vector<std::string> kWs = {
    "Connection: Upgrade", "Upgrade: websocket",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"};
const std::string kExec = "/api/v1/namespaces/default/pods/streampod/exec";

std::vector<std::string> ws(const std::string& protocol) {
  auto h = kWs;
  h.push_back("Sec-WebSocket-Protocol: " + protocol);
  return h;
}

TEST(StreamDispatcher, ARequestWithoutUpgradeGetsKubeApiserversAnswer) {
  Answer a = request("POST", kExec + "?command=true&stdout=true&container=main", {});
  EXPECT_EQ(a.code, 400);
  EXPECT_EQ(statusMessage(a), "Upgrade request required");
}

TEST(StreamDispatcher, OnlyGetAndPostAreAllowed) {
  Answer a = request("PUT", kExec + "?command=true&stdout=true&container=main", {});
  EXPECT_EQ(a.code, 405);
  EXPECT_EQ(statusMessage(a), "the server does not allow this method on the requested resource");
}

TEST(StreamDispatcher, AuthenticatesLikeEveryRequest) {
  Answer a = request("GET", kExec + "?command=true&stdout=true", ws("v5.channel.k8s.io"), false);
  EXPECT_EQ(a.code, 401);
  EXPECT_EQ(statusMessage(a), "Unauthorized");
}

TEST(StreamDispatcher, ChecksThePodAndItsContainerFirst) {
  Answer missing =
      request("GET", "/api/v1/namespaces/default/pods/nopod/exec?command=true&stdout=1",
              ws("v5.channel.k8s.io"));
  EXPECT_EQ(missing.code, 404);
  EXPECT_EQ(statusMessage(missing), "pods \"nopod\" not found");
  Answer choose = request("GET", kExec + "?command=true&stdout=1", ws("v5.channel.k8s.io"));
  EXPECT_EQ(choose.code, 400);
  EXPECT_EQ(statusMessage(choose),
            "a container name must be specified for pod streampod, choose one of: [main side]");
  Answer unscheduled = request("POST", "/api/v1/namespaces/default/pods/unscheduled/portforward",
                               {"Connection: Upgrade", "Upgrade: SPDY/3.1",
                                "X-Stream-Protocol-Version: portforward.k8s.io"});
  EXPECT_EQ(unscheduled.code, 400);
  EXPECT_EQ(statusMessage(unscheduled), "pod unscheduled does not have a host assigned");
}

TEST(StreamDispatcher, ExecOptionsGetTheKubeletsTexts) {
  Answer none = request("GET", kExec + "?command=true&container=main", ws("v5.channel.k8s.io"));
  EXPECT_EQ(none.code, 400);
  EXPECT_EQ(none.body, "you must specify at least 1 of stdin, stdout, stderr\n");
  Answer noCommand = request("GET", kExec + "?stdout=true&container=main", ws("v5.channel.k8s.io"));
  EXPECT_EQ(noCommand.code, 400);
  EXPECT_EQ(noCommand.body, "command is required\n");
  Answer notFound = request("GET", kExec + "?command=no-such-command&stdout=1&container=main",
                            ws("v5.channel.k8s.io"));
  EXPECT_EQ(notFound.code, 404);
  EXPECT_EQ(notFound.body, "exec: \"no-such-command\": executable file not found in $PATH\n");
}

TEST(StreamDispatcher, AnUnservedProtocolIsNamedWithWhatIsServed) {
  Answer a = request("GET", kExec + "?command=true&stdout=1&container=main",
                     ws("v3.channel.k8s.io, base64.channel.k8s.io"));
  EXPECT_EQ(a.code, 403);
  EXPECT_EQ(a.body,
            "unable to upgrade: requested protocol(s) are not supported: [v3.channel.k8s.io "
            "base64.channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io]; this server "
            "serves exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io: kubectl 1.30 and "
            "newer) and over SPDY/3.1 (v4.channel.k8s.io: kubectl 1.5 and newer)\n");
  Answer spdy = request(
      "POST", kExec + "?command=true&stdout=1&container=main",
      {"Connection: Upgrade", "Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: v2.channel.k8s.io",
       "X-Stream-Protocol-Version: channel.k8s.io"});
  EXPECT_EQ(spdy.code, 403);
  EXPECT_EQ(spdy.body.rfind("unable to upgrade: unable to negotiate protocol: client supports "
                            "[v2.channel.k8s.io channel.k8s.io], server accepts "
                            "[v4.channel.k8s.io]; this server serves exec over WebSocket",
                            0),
            0u)
      << spdy.body;
  Answer h2 = request("POST", kExec + "?command=true&stdout=1&container=main",
                      {"Connection: Upgrade", "Upgrade: h2c"});
  EXPECT_EQ(h2.code, 400);
  EXPECT_EQ(h2.body.rfind("unable to upgrade: unsupported Upgrade \"h2c\"; this server serves", 0),
            0u)
      << h2.body;
  auto oldVersion = ws("v5.channel.k8s.io");
  oldVersion[3] = "Sec-WebSocket-Version: 8";
  Answer v8 = request("GET", kExec + "?command=true&stdout=1&container=main", oldVersion);
  EXPECT_EQ(v8.code, 400);
  EXPECT_EQ(v8.body, "unable to upgrade: Sec-WebSocket-Version 13 is required\n");
}

TEST(StreamDispatcher, WithoutANodeSideTheAnswerIs503) {
  StreamServer::get().setPodStreams(false);
  Answer a =
      request("GET", kExec + "?command=true&stdout=1&container=main", ws("v5.channel.k8s.io"));
  StreamServer::get().setPodStreams(true);
  EXPECT_EQ(a.code, 503);
  EXPECT_EQ(statusMessage(a), "no kubelet serves pod streams on this control plane");
}

TEST(StreamDispatcher, AttachIsRefusedWithAHint) {
  Answer a = request(
      "POST", "/api/v1/namespaces/default/pods/streampod/attach?container=main&stdout=1",
      {"Connection: Upgrade", "Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: v4.channel.k8s.io"});
  EXPECT_EQ(a.code, 501);
  EXPECT_EQ(statusMessage(a), "attach is not supported by this control plane; use exec");
}

TEST(StreamDispatcher, OtherPodPathsAreServedAsBefore) {
  Answer a = request("GET", "/api/v1/namespaces/default/pods/streampod", {});
  EXPECT_EQ(a.code, 200);
  EXPECT_NE(a.body.find("\"streampod\""), std::string::npos);
}

}  // namespace
}  // namespace mysqlop::streams_it
