#include "localcluster/node/cri_log.h"

#include <gtest/gtest.h>

namespace mysqlop::local::node {
namespace {

using std::chrono::system_clock;

system_clock::time_point at(int64_t seconds, int64_t nanos) {
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      std::chrono::seconds(seconds) + std::chrono::nanoseconds(nanos)));
}

TEST(CriLog, TimestampIsUtcWithNineDigits) {
  EXPECT_EQ(criTimestamp(at(1796205600, 123456789)), "2026-12-02T10:00:00.123456789Z");
  EXPECT_EQ(criTimestamp(at(0, 0)), "1970-01-01T00:00:00.000000000Z");
}

TEST(CriLog, CompleteLinesPartialPiecesAndTheRestAtEof) {
  const auto t = at(1796205600, 5);
  const std::string stamp = "2026-12-02T10:00:00.000000005Z";
  CriLineSplitter s("stderr");
  EXPECT_EQ(s.feed("a\nb", t), stamp + " stderr F a\n");
  EXPECT_EQ(s.feed("c\n\n", t), stamp + " stderr F bc\n" + stamp + " stderr F \n");
  EXPECT_EQ(s.feed("tail", t), "");
  EXPECT_EQ(s.finish(t), stamp + " stderr F tail\n");
  EXPECT_EQ(s.finish(t), "");
}

TEST(CriLog, LinesLongerThan16KiBAreCut) {
  const auto t = at(0, 0);
  const std::string stamp = "1970-01-01T00:00:00.000000000Z stdout ";
  CriLineSplitter s("stdout");
  // Exactly 16 KiB is one full line; one byte more makes a P piece and a one-byte F.
  EXPECT_EQ(s.feed(std::string(kMaxLineBytes, 'x') + "\n", t),
            stamp + "F " + std::string(kMaxLineBytes, 'x') + "\n");
  EXPECT_EQ(s.feed(std::string(kMaxLineBytes + 1, 'y'), t),
            stamp + "P " + std::string(kMaxLineBytes, 'y') + "\n");
  EXPECT_EQ(s.feed("\n", t), stamp + "F y\n");
}

}  // namespace
}  // namespace mysqlop::local::node
