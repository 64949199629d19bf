#include "localcluster/streams/websocket.h"

#include <gtest/gtest.h>

namespace mysqlop::local::streams {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

WsMessage one(WsDecoder& d) {
  auto m = d.next();
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  EXPECT_TRUE(m.ok() && m.value().has_value());
  return m.ok() && m.value() ? *m.value() : WsMessage{};
}

std::string failure(WsDecoder& d) {
  auto m = d.next();
  EXPECT_FALSE(m.ok());
  return m.ok() ? "" : m.error().message;
}

TEST(WebSocket, AcceptKeyOfRfc6455) {
  EXPECT_EQ(wsAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocket, EncodesTheRfcExamples) {
  EXPECT_EQ(wsEncode({true, WsOpcode::Text, "Hello"}),
            bytes({0x81, 0x05, 'H', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(wsEncode({true, WsOpcode::Text, "Hello"}, 0x37fa213d),
            bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  EXPECT_EQ(wsEncode({true, WsOpcode::Binary, std::string(256, 'x')}).substr(0, 4),
            bytes({0x82, 0x7E, 0x01, 0x00}));
  EXPECT_EQ(wsEncode({true, WsOpcode::Binary, std::string(65536, 'x')}).substr(0, 10),
            bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(WebSocket, DecodesAMaskedFrameFedByteByByte) {
  WsDecoder d;
  std::string wire = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  for (std::size_t i = 0; i + 1 < wire.size(); ++i) {
    d.feed(wire.substr(i, 1));
    auto m = d.next();
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m.value().has_value());
  }
  d.feed(wire.substr(wire.size() - 1));
  WsMessage m = one(d);
  EXPECT_EQ(m.opcode, WsOpcode::Text);
  EXPECT_EQ(m.payload, "Hello");
}

TEST(WebSocket, JoinsFragmentsAndPassesControlFramesBetweenThem) {
  WsDecoder d;
  d.feed(wsEncode({false, WsOpcode::Binary, "\x01He"}, 1));
  d.feed(wsEncode({true, WsOpcode::Ping, "p"}, 2));
  d.feed(wsEncode({false, WsOpcode::Continuation, "l"}, 3));
  d.feed(wsEncode({true, WsOpcode::Continuation, "lo"}, 4));
  WsMessage ping = one(d);
  EXPECT_EQ(ping.opcode, WsOpcode::Ping);
  EXPECT_EQ(ping.payload, "p");
  WsMessage m = one(d);
  EXPECT_EQ(m.opcode, WsOpcode::Binary);
  EXPECT_EQ(m.payload, "\x01Hello");
}

TEST(WebSocket, DecodesLargeMessagesAndClose) {
  WsDecoder d;
  std::string big(70000, 'z');
  d.feed(wsEncode({true, WsOpcode::Binary, big}, 7));
  d.feed(wsEncode({true, WsOpcode::Close, bytes({0x03, 0xE8}) + "bye"}, 9));
  EXPECT_EQ(one(d).payload, big);
  WsMessage c = one(d);
  EXPECT_EQ(c.opcode, WsOpcode::Close);
  EXPECT_EQ(c.closeCode, 1000);
  EXPECT_EQ(c.closeReason, "bye");
}

TEST(WebSocket, RefusesBadFramesWithTheReason) {
  struct Case {
    std::string wire;
    std::string message;
    std::uint16_t code;
  };
  std::vector<Case> cases = {
      {wsEncode({true, WsOpcode::Text, "Hello"}), "client frame is not masked", 1002},
      {bytes({0xC1, 0x80, 0, 0, 0, 0}), "reserved bits set without a negotiated extension", 1002},
      {bytes({0x83, 0x80, 0, 0, 0, 0}), "unknown opcode 3", 1002},
      {wsEncode({false, WsOpcode::Ping, "x"}, 1),
       "control frame fragmented or longer than 125 bytes", 1002},
      {wsEncode({true, WsOpcode::Ping, std::string(126, 'x')}, 1),
       "control frame fragmented or longer than 125 bytes", 1002},
      {wsEncode({true, WsOpcode::Continuation, "x"}, 1),
       "continuation frame without a message to continue", 1002},
      {wsEncode({false, WsOpcode::Binary, "x"}, 1) + wsEncode({true, WsOpcode::Binary, "y"}, 1),
       "new data frame inside a fragmented message", 1002},
      {wsEncode({true, WsOpcode::Close, "x"}, 1), "close frame with a one-byte body", 1002},
      {bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}),
       "frame length has the most significant bit set", 1002},
  };
  for (const auto& c : cases) {
    WsDecoder d;
    d.feed(c.wire);
    EXPECT_EQ(failure(d), c.message);
    EXPECT_EQ(d.failureCode(), c.code) << c.message;
    EXPECT_EQ(failure(d), c.message) << "stays failed";
  }
  WsDecoder small(true, 10);
  small.feed(wsEncode({true, WsOpcode::Binary, std::string(11, 'x')}, 1));
  EXPECT_EQ(failure(small), "message larger than 10 bytes");
  EXPECT_EQ(small.failureCode(), 1009);
}

}  // namespace
}  // namespace mysqlop::local::streams
