// The protocols driven by hand over TLS, for what kubectl does not exercise: WebSocket v4 (kubectl
// 1.30+ offers v5 only), v5's stdin close, ping/pong, a client's bad frames (closed with the
// reason), SPDY session errors (GOAWAY) and the port-forward tunnel's bad frames.

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>

#include <chrono>

#include "localcluster/streams/spdy_frame.h"
#include "localcluster/streams/websocket.h"
#include "tests/integration/streams/stream_fixture.h"

namespace mysqlop::streams_it {
namespace {

using local::streams::SpdyDecoder;
using local::streams::SpdyEncoder;
using local::streams::SpdyFrame;
using local::streams::SpdyHeaderCodec;
using local::streams::SpdyType;
using local::streams::WsDecoder;
using local::streams::wsEncode;
using local::streams::WsMessage;
using local::streams::WsOpcode;

// A TLS connection to the server that sends an upgrade request and then raw bytes.
class RawClient {
 public:
  RawClient(const std::string& pathAndQuery, const std::vector<std::string>& headers) {
    auto& s = StreamServer::get();
    Poco::URI url(s.url());
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                         "", Poco::Net::Context::VERIFY_NONE);
    socket_ =
        Poco::Net::SecureStreamSocket(Poco::Net::SocketAddress(url.getHost(), url.getPort()), ctx);
    socket_.setReceiveTimeout(Poco::Timespan(30, 0));
    std::string req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + url.getHost() +
                      "\r\nAuthorization: Bearer " + s.token() + "\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    req += "\r\n";
    send(req);
    // The response head, byte by byte so that nothing after it is consumed here.
    char c;
    while (head_.find("\r\n\r\n") == std::string::npos && socket_.receiveBytes(&c, 1) == 1) {
      head_.push_back(c);
    }
  }
  const std::string& head() const { return head_; }
  void send(const std::string& bytes) {
    socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  }
  // Next bytes from the server; "" at its end.
  std::string receive() {
    char buf[65536];
    try {
      int n = socket_.receiveBytes(buf, sizeof buf);
      return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    } catch (const Poco::Exception&) {
      return "";
    }
  }

 private:
  Poco::Net::SecureStreamSocket socket_;
  std::string head_;
};

const std::string kRawExec = "/api/v1/namespaces/default/pods/streampod/exec?container=main&";

std::vector<std::string> wsHeaders(const std::string& protocol) {
  return {"Connection: Upgrade", "Upgrade: websocket",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
          "Sec-WebSocket-Protocol: " + protocol};
}

// Reads server messages until a close frame or the end; every message in order.
std::vector<WsMessage> readMessages(RawClient& c) {
  WsDecoder d(false);
  std::vector<WsMessage> out;
  for (;;) {
    for (auto m = d.next(); m.ok() && m.value(); m = d.next()) {
      out.push_back(*m.value());
      if (out.back().opcode == WsOpcode::Close) return out;
    }
    std::string bytes = c.receive();
    if (bytes.empty()) return out;
    d.feed(bytes);
  }
}

std::string binary(char channel, const std::string& data) { return std::string(1, channel) + data; }

TEST(RawStreams, WebSocketV4ExecCarriesStdinStdoutAndTheExitCode) {
  RawClient c(kRawExec + "command=sh&command=-c&command=head%20-c%202;%20exit%202&stdin=1&stdout=1",
              wsHeaders("v4.channel.k8s.io"));
  ASSERT_NE(c.head().find("101 Switching Protocols"), std::string::npos) << c.head();
  EXPECT_NE(c.head().find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  EXPECT_NE(c.head().find("Sec-WebSocket-Protocol: v4.channel.k8s.io"), std::string::npos);
  c.send(wsEncode({true, WsOpcode::Ping, "p1"}, 0x01020304));
  c.send(wsEncode({true, WsOpcode::Binary, binary(0, "hi")}, 0x01020304));
  auto messages = readMessages(c);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0].opcode, WsOpcode::Pong);
  EXPECT_EQ(messages[0].payload, "p1");
  EXPECT_EQ(messages[1].payload, binary(1, "hi"));
  EXPECT_EQ(messages[2].payload,
            binary(3, R"({"details":{"causes":[{"message":"2","reason":"ExitCode"}]},)"
                      R"("message":"command terminated with non-zero exit code: exit status 2",)"
                      R"("metadata":{},"reason":"NonZeroExitCode","status":"Failure"})"));
  EXPECT_EQ(messages[3].opcode, WsOpcode::Close);
  EXPECT_EQ(messages[3].closeCode, 1000);
}

TEST(RawStreams, WebSocketV5ClosesStdinOnTheCloseChannel) {
  RawClient c(kRawExec + "command=cat&stdin=1&stdout=1&stderr=1", wsHeaders("v5.channel.k8s.io"));
  ASSERT_NE(c.head().find("101 Switching Protocols"), std::string::npos) << c.head();
  c.send(wsEncode({false, WsOpcode::Binary, binary(0, "ab")}, 7));
  c.send(wsEncode({true, WsOpcode::Continuation, "c"}, 8));
  c.send(wsEncode({true, WsOpcode::Binary, std::string("\xff\x00", 2)}, 9));
  auto messages = readMessages(c);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].payload, binary(1, "abc"));
  EXPECT_EQ(messages[1].payload, binary(3, R"({"metadata":{},"status":"Success"})"));
  EXPECT_EQ(messages[2].opcode, WsOpcode::Close);
}

TEST(RawStreams, AnUnmaskedClientFrameClosesWithTheReason) {
  RawClient c(kRawExec + "command=cat&stdin=1&stdout=1", wsHeaders("v5.channel.k8s.io"));
  ASSERT_NE(c.head().find("101 Switching Protocols"), std::string::npos) << c.head();
  c.send(wsEncode({true, WsOpcode::Binary, binary(0, "x")}));
  auto messages = readMessages(c);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back().opcode, WsOpcode::Close);
  EXPECT_EQ(messages.back().closeCode, 1002);
  EXPECT_EQ(messages.back().closeReason, "client frame is not masked");
}

std::vector<SpdyFrame> readSpdy(RawClient& c, SpdyDecoder& d, SpdyType until) {
  std::vector<SpdyFrame> out;
  for (;;) {
    for (auto f = d.next(); f.ok() && f.value(); f = d.next()) {
      out.push_back(*f.value());
      if (out.back().type == until) return out;
    }
    std::string bytes = c.receive();
    if (bytes.empty()) return out;
    d.feed(bytes);
  }
}

TEST(RawStreams, ASpdySessionErrorEndsWithGoAway) {
  RawClient c(
      kRawExec + "command=cat&stdin=1&stdout=1",
      {"Connection: Upgrade", "Upgrade: SPDY/3.1", "X-Stream-Protocol-Version: v4.channel.k8s.io"});
  ASSERT_NE(c.head().find("101 Switching Protocols"), std::string::npos) << c.head();
  EXPECT_NE(c.head().find("X-Stream-Protocol-Version: v4.channel.k8s.io"), std::string::npos);
  SpdyHeaderCodec clientCodec;
  SpdyEncoder client(clientCodec);
  c.send(client.synStream(1, {{"streamtype", "error"}}, false));
  c.send(std::string({'\x80', '\x02', '\x00', '\x06', 0, 0, 0, 4, 0, 0, 0, 1}));  // SPDY/2 PING
  SpdyHeaderCodec readCodec;
  SpdyDecoder d(readCodec);
  auto frames = readSpdy(c, d, SpdyType::GoAway);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, SpdyType::SynReply);
  EXPECT_EQ(frames[1].type, SpdyType::GoAway);
  EXPECT_EQ(frames[1].value, 1u) << "PROTOCOL_ERROR";
  EXPECT_EQ(frames[1].lastGoodStreamId, 1u);
}

TEST(RawStreams, TheTunnelCarriesSpdyAndRefusesABadStreamId) {
  RawClient c("/api/v1/namespaces/default/pods/streampod/portforward",
              wsHeaders("SPDY/3.1+portforward.k8s.io"));
  ASSERT_NE(c.head().find("101 Switching Protocols"), std::string::npos) << c.head();
  SpdyHeaderCodec clientCodec;
  SpdyEncoder client(clientCodec);
  std::string frames = client.ping(1) + client.synStream(2, {{"streamtype", "data"}}, false);
  // Split one SPDY byte stream across WebSocket messages at an arbitrary point.
  c.send(wsEncode({true, WsOpcode::Binary, frames.substr(0, 5)}, 1));
  c.send(wsEncode({true, WsOpcode::Binary, frames.substr(5)}, 2));
  WsDecoder ws(false);
  SpdyHeaderCodec readCodec;
  SpdyDecoder d(readCodec);
  std::vector<SpdyFrame> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::string bytes = c.receive();
    if (bytes.empty()) break;
    ws.feed(bytes);
    for (auto m = ws.next(); m.ok() && m.value(); m = ws.next()) {
      d.feed(m.value()->payload);
      for (auto f = d.next(); f.ok() && f.value(); f = d.next()) got.push_back(*f.value());
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, SpdyType::Ping);
  EXPECT_EQ(got[0].value, 1u);
  EXPECT_EQ(got[1].type, SpdyType::RstStream);
  EXPECT_EQ(got[1].streamId, 2u);
  EXPECT_EQ(got[1].value, 1u) << "PROTOCOL_ERROR: clients open odd streams";
}

// SPDY frames of a port-forward session, unwrapped from the tunnel's WebSocket messages.
class Tunnel {
 public:
  Tunnel()
      : client_("/api/v1/namespaces/default/pods/streampod/portforward",
                wsHeaders("SPDY/3.1+portforward.k8s.io")) {}
  const std::string& head() const { return client_.head(); }
  void send(const std::string& spdyBytes) {
    client_.send(wsEncode({true, WsOpcode::Binary, spdyBytes}, 0x0a0b0c0d));
  }
  SpdyEncoder& encoder() { return encoder_; }
  // Frames until `count` arrived or the server closed.
  std::vector<SpdyFrame> frames(std::size_t count) {
    std::vector<SpdyFrame> got;
    while (got.size() < count) {
      for (auto f = spdy_.next(); f.ok() && f.value(); f = spdy_.next()) got.push_back(*f.value());
      if (got.size() >= count) break;
      std::string bytes = client_.receive();
      if (bytes.empty()) break;
      ws_.feed(bytes);
      for (auto m = ws_.next(); m.ok() && m.value(); m = ws_.next()) spdy_.feed(m.value()->payload);
    }
    return got;
  }

 private:
  RawClient client_;
  SpdyHeaderCodec encodeCodec_;
  SpdyEncoder encoder_{encodeCodec_};
  WsDecoder ws_{false};
  SpdyHeaderCodec decodeCodec_;
  SpdyDecoder spdy_{decodeCodec_};
};

TEST(RawStreams, PortForwardRefusesAnUnknownStreamType) {
  Tunnel t;
  ASSERT_NE(t.head().find("101 Switching Protocols"), std::string::npos) << t.head();
  t.send(t.encoder().synStream(1, {{"streamtype", "bogus"}, {"port", "80"}}, false));
  auto f = t.frames(2);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].type, SpdyType::SynReply);
  EXPECT_EQ(f[1].type, SpdyType::RstStream);
  EXPECT_EQ(f[1].value, 1u) << "PROTOCOL_ERROR";
}

TEST(RawStreams, PortForwardReportsABadPortOnTheErrorStream) {
  Tunnel t;
  ASSERT_NE(t.head().find("101 Switching Protocols"), std::string::npos) << t.head();
  t.send(t.encoder().synStream(1, {{"streamtype", "error"}, {"port", "http"}, {"requestid", "0"}},
                               false));
  t.send(t.encoder().synStream(3, {{"streamtype", "data"}, {"port", "http"}, {"requestid", "0"}},
                               false));
  // SYN_REPLY 1, SYN_REPLY 3, the message on 1 with FIN, FIN on 3.
  auto f = t.frames(4);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[2].type, SpdyType::Data);
  EXPECT_EQ(f[2].streamId, 1u);
  EXPECT_EQ(f[2].data, "invalid port http");
  EXPECT_TRUE(f[2].fin());
  EXPECT_EQ(f[3].streamId, 3u);
  EXPECT_TRUE(f[3].fin());
}

TEST(RawStreams, PortForwardPairsStreamsWithoutRequestIdByTheirIds) {
  // Clients before requestid: the data stream's id is its error stream's plus 2. A refused dial
  // shows that the pair was formed.
  Tunnel t;
  ASSERT_NE(t.head().find("101 Switching Protocols"), std::string::npos) << t.head();
  t.send(t.encoder().synStream(5, {{"streamtype", "error"}, {"port", "1"}}, false));
  t.send(t.encoder().synStream(7, {{"streamtype", "data"}, {"port", "1"}}, false));
  auto f = t.frames(4);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[2].streamId, 5u);
  EXPECT_EQ(f[2].data.rfind("error forwarding port 1 to pod streampod, uid ", 0), 0u) << f[2].data;
  EXPECT_NE(f[2].data.find(": dial tcp4 127.0.0.1:1: connect: Connection refused"),
            std::string::npos)
      << f[2].data;
}

}  // namespace
}  // namespace mysqlop::streams_it
