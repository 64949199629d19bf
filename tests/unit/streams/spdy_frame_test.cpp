#include "localcluster/streams/spdy_frame.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace mysqlop::local::streams {
namespace {

// A client and a server, each with its own contexts, as on a real connection.
struct Ends {
  SpdyHeaderCodec clientCodec;
  SpdyHeaderCodec serverCodec;
  SpdyEncoder client{clientCodec};
  SpdyDecoder server{serverCodec};
};

SpdyFrame decodeOne(SpdyDecoder& d) {
  auto f = d.next();
  EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().message);
  EXPECT_TRUE(f.ok() && f.value().has_value());
  return f.ok() && f.value() ? *f.value() : SpdyFrame{};
}

std::string raw(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(SpdyFrame, DictionaryIsTheSpdy3One) {
  const std::string& d = spdyDictionary();
  EXPECT_EQ(d.size(), 1423u);
  EXPECT_EQ(adler32(1, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size())),
            0xe3c6a7c2u);
}

TEST(SpdyFrame, HeaderBlocksRoundTripWithContextsCarriedOver) {
  Ends e;
  SpdyHeaders first = {{"streamtype", "error"}, {"port", "3306"}, {"requestid", "0"}};
  SpdyHeaders second = {{"streamtype", "data"}, {"port", "3306"}, {"requestid", "0"}};
  e.server.feed(e.client.synStream(1, first, false));
  e.server.feed(e.client.synStream(3, second, true));
  SpdyFrame a = decodeOne(e.server);
  SpdyFrame b = decodeOne(e.server);
  EXPECT_EQ(a.type, SpdyType::SynStream);
  EXPECT_EQ(a.streamId, 1u);
  EXPECT_EQ(a.headers, first);
  EXPECT_FALSE(a.fin());
  EXPECT_EQ(b.streamId, 3u);
  EXPECT_EQ(b.headers, second);
  EXPECT_TRUE(b.fin());
  EXPECT_EQ(spdyHeader(b.headers, "streamtype"), "data");
  EXPECT_EQ(spdyHeader(b.headers, "missing"), "");
}

TEST(SpdyFrame, EncodesAndDecodesEveryFrameWeUse) {
  Ends e;
  e.server.feed(e.client.data(5, "payload", true));
  e.server.feed(e.client.rstStream(5, SpdyRst::Cancel));
  e.server.feed(e.client.ping(7));
  e.server.feed(e.client.goAway(9, SpdyGoAway::InternalError));
  e.server.feed(e.client.windowUpdate(5, 1000));
  e.server.feed(e.client.settings({{7, 65536}}));
  e.server.feed(e.client.synReply(5, {{"a", "b"}}, false));
  SpdyFrame d = decodeOne(e.server);
  EXPECT_EQ(d.type, SpdyType::Data);
  EXPECT_EQ(d.data, "payload");
  EXPECT_TRUE(d.fin());
  SpdyFrame r = decodeOne(e.server);
  EXPECT_EQ(r.type, SpdyType::RstStream);
  EXPECT_EQ(r.value, 5u);
  SpdyFrame p = decodeOne(e.server);
  EXPECT_EQ(p.type, SpdyType::Ping);
  EXPECT_EQ(p.value, 7u);
  SpdyFrame g = decodeOne(e.server);
  EXPECT_EQ(g.type, SpdyType::GoAway);
  EXPECT_EQ(g.lastGoodStreamId, 9u);
  EXPECT_EQ(g.value, 2u);
  SpdyFrame w = decodeOne(e.server);
  EXPECT_EQ(w.type, SpdyType::WindowUpdate);
  EXPECT_EQ(w.value, 1000u);
  EXPECT_EQ(decodeOne(e.server).type, SpdyType::Settings);
  SpdyFrame sr = decodeOne(e.server);
  EXPECT_EQ(sr.type, SpdyType::SynReply);
  EXPECT_EQ(sr.headers, (SpdyHeaders{{"a", "b"}}));
  auto none = e.server.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
}

TEST(SpdyFrame, SkipsUnknownControlFrames) {
  Ends e;
  e.server.feed(raw({0x80, 0x03, 0x00, 0x0A, 0, 0, 0, 2, 1, 2}));  // type 10 (CREDENTIAL)
  e.server.feed(e.client.ping(1));
  EXPECT_EQ(decodeOne(e.server).type, SpdyType::Ping);
}

struct BadCase {
  std::string name;
  std::string wire;
  bool session;
  std::uint32_t status;
  std::string message;
};

TEST(SpdyFrame, RefusesBadFramesWithAReason) {
  SpdyHeaderCodec other;
  SpdyEncoder upper(other);
  std::vector<BadCase> cases = {
      {"version 2", raw({0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1}), true, 1,
       "unsupported SPDY version 2 (want 3)"},
      {"short RST", raw({0x80, 0x03, 0x00, 0x03, 0, 0, 0, 4, 0, 0, 0, 1}), true, 1,
       "invalid control frame: RST_STREAM of 4 bytes"},
      {"data on 0", raw({0, 0, 0, 0, 0, 0, 0, 1, 'x'}), true, 1, "data frame for stream 0"},
      {"garbage block", raw({0x80, 0x03, 0x00, 0x02, 0, 0, 0, 8, 0, 0, 0, 1, 1, 2, 3, 4}), true, 1,
       "header block does not inflate"},
  };
  for (const auto& c : cases) {
    SpdyHeaderCodec codec;
    SpdyDecoder d(codec);
    d.feed(c.wire);
    auto f = d.next();
    ASSERT_FALSE(f.ok()) << c.name;
    EXPECT_EQ(f.error().message, c.message) << c.name;
    EXPECT_EQ(d.error().session, c.session) << c.name;
    EXPECT_EQ(d.error().status, c.status) << c.name;
  }
  SpdyHeaderCodec codec;
  SpdyDecoder limited(codec, 16);
  limited.feed(SpdyEncoder(codec).data(1, std::string(17, 'x'), false));
  auto f = limited.next();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "frame of 17 bytes is over the limit of 16");
}

TEST(SpdyFrame, AnUppercaseOrRepeatedHeaderResetsOnlyItsStream) {
  Ends e;
  e.server.feed(e.client.synStream(1, {{"StreamType", "data"}}, false));
  e.server.feed(e.client.synStream(3, {{"a", "1"}, {"a", "2"}}, false));
  e.server.feed(e.client.synStream(5, {{"streamtype", "data"}}, false));
  auto a = e.server.next();
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "header name \"StreamType\" is not lowercase");
  EXPECT_FALSE(e.server.error().session);
  EXPECT_EQ(e.server.error().streamId, 1u);
  EXPECT_EQ(e.server.error().status, static_cast<std::uint32_t>(SpdyRst::ProtocolError));
  auto b = e.server.next();
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "header \"a\" appears twice");
  EXPECT_EQ(e.server.error().streamId, 3u);
  EXPECT_EQ(decodeOne(e.server).streamId, 5u);  // the compression context stayed in step
}

}  // namespace
}  // namespace mysqlop::local::streams
