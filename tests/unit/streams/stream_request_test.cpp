#include "localcluster/streams/stream_request.h"

#include <gtest/gtest.h>

namespace mysqlop::local::streams {
namespace {

const std::string kExecServed =
    "this server serves exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io: kubectl 1.30 "
    "and newer) and over SPDY/3.1 (v4.channel.k8s.io: kubectl 1.5 and newer)";

TEST(StreamRequest, WebSocketTakesTheClientsFirstServedProtocol) {
  auto c = negotiateProtocol(StreamKind::Exec, "websocket",
                             {"base64.channel.k8s.io", "v4.channel.k8s.io", "v5.channel.k8s.io"});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c.value().websocket);
  EXPECT_EQ(c.value().protocol, "v4.channel.k8s.io");
  auto pf =
      negotiateProtocol(StreamKind::PortForward, "WebSocket", {"SPDY/3.1+portforward.k8s.io"});
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf.value().protocol, "SPDY/3.1+portforward.k8s.io");
}

TEST(StreamRequest, SpdyTakesTheServersProtocol) {
  auto c = negotiateProtocol(StreamKind::Exec, "SPDY/3.1",
                             {"v4.channel.k8s.io", "v3.channel.k8s.io", "channel.k8s.io"});
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.value().websocket);
  EXPECT_EQ(c.value().protocol, "v4.channel.k8s.io");
}

TEST(StreamRequest, SaysWhatIsServedWhenNothingMatches) {
  auto ws = negotiateProtocol(StreamKind::Exec, "websocket", {"base64.channel.k8s.io"});
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.error().code, Errc::Forbidden);
  EXPECT_EQ(ws.error().message,
            "unable to upgrade: requested protocol(s) are not supported: [base64.channel.k8s.io]; "
            "supports [v5.channel.k8s.io v4.channel.k8s.io]; " +
                kExecServed);
  auto spdy = negotiateProtocol(StreamKind::Exec, "SPDY/3.1", {"channel.k8s.io"});
  ASSERT_FALSE(spdy.ok());
  EXPECT_EQ(spdy.error().message,
            "unable to upgrade: unable to negotiate protocol: client supports [channel.k8s.io], "
            "server accepts [v4.channel.k8s.io]; " +
                kExecServed);
  auto none = negotiateProtocol(StreamKind::PortForward, "SPDY/3.1", {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::Invalid);
  EXPECT_EQ(none.error().message, "unable to upgrade: X-Stream-Protocol-Version is required");
  auto h2 = negotiateProtocol(StreamKind::PortForward, "h2c", {});
  ASSERT_FALSE(h2.ok());
  EXPECT_EQ(h2.error().message,
            "unable to upgrade: unsupported Upgrade \"h2c\"; this server serves port-forward over "
            "SPDY/3.1 (portforward.k8s.io) and over WebSocket tunnelling it "
            "(SPDY/3.1+portforward.k8s.io: kubectl 1.31 and newer)");
}

TEST(StreamRequest, ParsesExecOptions) {
  auto o = parseExecQuery({{"command", "sh"},
                           {"command", "-c"},
                           {"command", "echo"},
                           {"stdin", "true"},
                           {"stdout", "1"},
                           {"stderr", "T"},
                           {"tty", "true"},
                           {"container", "main"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.value().command, (std::vector<std::string>{"sh", "-c", "echo"}));
  EXPECT_TRUE(o.value().stdin);
  EXPECT_TRUE(o.value().stdout);
  EXPECT_FALSE(o.value().stderr) << "a terminal carries stderr";
  EXPECT_TRUE(o.value().tty);
  EXPECT_EQ(o.value().container, "main");
}

TEST(StreamRequest, RefusesExecOptionsWithTheTexts) {
  auto none = parseExecQuery({{"command", "true"}, {"stdout", "false"}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "you must specify at least 1 of stdin, stdout, stderr");
  auto noCommand = parseExecQuery({{"stdout", "true"}});
  ASSERT_FALSE(noCommand.ok());
  EXPECT_EQ(noCommand.error().message, "command is required");
  auto bad = parseExecQuery({{"command", "true"}, {"stdout", "yes"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "strconv.ParseBool: parsing \"yes\": invalid syntax");
}

}  // namespace
}  // namespace mysqlop::local::streams
