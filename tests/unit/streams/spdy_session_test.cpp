#include "localcluster/streams/spdy_session.h"

#include <gtest/gtest.h>

#include <vector>

namespace mysqlop::local::streams {
namespace {

// The client's side: its own codec, and a decoder for what the session sends back.
class SessionTest : public ::testing::Test {
 protected:
  SessionTest()
      : session_(
            [this](std::string_view b) {
              fromServer_.feed(b);
              return true;
            },
            SpdySession::Handler{
                [this](std::uint32_t id, const SpdyHeaders& h) {
                  events_.push_back("stream " + std::to_string(id) + " " +
                                    spdyHeader(h, "streamtype"));
                },
                [this](std::uint32_t id, std::string_view d) {
                  events_.push_back("data " + std::to_string(id) + " " + std::string(d));
                },
                [this](std::uint32_t id) { events_.push_back("fin " + std::to_string(id)); },
                [this](std::uint32_t id) { events_.push_back("reset " + std::to_string(id)); }}) {}

  std::vector<SpdyFrame> answers() {
    std::vector<SpdyFrame> out;
    for (auto f = fromServer_.next(); f.ok() && f.value(); f = fromServer_.next()) {
      out.push_back(*f.value());
    }
    return out;
  }

  SpdyHeaderCodec clientCodec_;
  SpdyEncoder client_{clientCodec_};
  SpdyHeaderCodec readCodec_;
  SpdyDecoder fromServer_{readCodec_};
  std::vector<std::string> events_;
  SpdySession session_;
};

TEST_F(SessionTest, RepliesToEachStreamAndDeliversDataAndFin) {
  ASSERT_TRUE(session_.feed(client_.synStream(1, {{"streamtype", "stdin"}}, false)));
  ASSERT_TRUE(session_.feed(client_.data(1, "abc", true)));
  auto a = answers();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, SpdyType::SynReply);
  EXPECT_EQ(a[0].streamId, 1u);
  EXPECT_EQ(events_, (std::vector<std::string>{"stream 1 stdin", "data 1 abc", "fin 1"}));
  EXPECT_TRUE(session_.isOpen(1));
  EXPECT_TRUE(session_.finish(1));
  EXPECT_FALSE(session_.isOpen(1)) << "both sides finished: forgotten";
}

TEST_F(SessionTest, EchoesClientPingsAndSplitsLargeData) {
  ASSERT_TRUE(session_.feed(client_.ping(3)));
  ASSERT_TRUE(session_.feed(client_.synStream(1, {{"streamtype", "stdout"}}, false)));
  EXPECT_TRUE(session_.send(1, std::string(150000, 'x'), true));
  auto a = answers();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].type, SpdyType::Ping);
  EXPECT_EQ(a[0].value, 3u);
  EXPECT_EQ(a[2].data.size(), 65536u);
  EXPECT_EQ(a[3].data.size(), 65536u);
  EXPECT_EQ(a[4].data.size(), 150000u - 2 * 65536u);
  EXPECT_TRUE(a[4].fin());
}

TEST_F(SessionTest, ResetsStreamsThatBreakTheRules) {
  ASSERT_TRUE(session_.feed(client_.synStream(2, {}, false)));
  EXPECT_EQ(session_.lastError(), "stream id 2 is not an odd id above the last one (0)");
  ASSERT_TRUE(session_.feed(client_.data(9, "x", false)));
  EXPECT_EQ(session_.lastError(), "data for unknown stream 9");
  ASSERT_TRUE(session_.feed(client_.synStream(1, {}, true)));
  ASSERT_TRUE(session_.feed(client_.data(1, "late", false)));
  EXPECT_EQ(session_.lastError(), "data after FIN on stream 1");
  auto a = answers();
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].type, SpdyType::RstStream);
  EXPECT_EQ(a[0].value, static_cast<std::uint32_t>(SpdyRst::ProtocolError));
  EXPECT_EQ(a[1].value, static_cast<std::uint32_t>(SpdyRst::InvalidStream));
  EXPECT_EQ(a[2].type, SpdyType::SynReply);
  EXPECT_EQ(a[3].value, static_cast<std::uint32_t>(SpdyRst::StreamAlreadyClosed));
}

TEST_F(SessionTest, ASessionErrorSendsGoAwayAndEndsIt) {
  std::string v2 = {'\x80', '\x02', '\x00', '\x06', 0, 0, 0, 4, 0, 0, 0, 1};
  EXPECT_FALSE(session_.feed(v2));
  EXPECT_TRUE(session_.over());
  EXPECT_EQ(session_.lastError(), "unsupported SPDY version 2 (want 3)");
  auto a = answers();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, SpdyType::GoAway);
  EXPECT_EQ(a[0].value, static_cast<std::uint32_t>(SpdyGoAway::ProtocolError));
}

TEST_F(SessionTest, TheClientsResetAndGoAwayEndStreamsAndSession) {
  ASSERT_TRUE(session_.feed(client_.synStream(1, {{"streamtype", "data"}}, false)));
  ASSERT_TRUE(session_.feed(client_.rstStream(1, SpdyRst::Cancel)));
  EXPECT_FALSE(session_.isOpen(1));
  EXPECT_EQ(events_.back(), "reset 1");
  EXPECT_FALSE(session_.feed(client_.goAway(1, SpdyGoAway::Ok)));
  EXPECT_TRUE(session_.over());
}

}  // namespace
}  // namespace mysqlop::local::streams
