// The CRI log reading of `kubectl logs`: records decoded across reads, P pieces joined, the
// kubelet's tailLines / since / limitBytes and its --timestamps format.
#include <gtest/gtest.h>

#include "localcluster/kubelet/container_logs.h"

namespace mysqlop::local::kubelet {
namespace {

using std::chrono::system_clock;

system_clock::time_point at(const char* s) { return *parseRfc3339Nano(s); }

std::vector<std::string> texts(const std::vector<LogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    out.push_back(l.stream + ":" + l.text);
  }
  return out;
}

TEST(KubeletContainerLogs, ParsesRfc3339WithFractionsAndOffsets) {
  auto t = parseRfc3339Nano("2026-12-02T10:00:00.123456789Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::nanoseconds>(t->time_since_epoch()).count() %
                1000000000,
            123456789);
  EXPECT_EQ(parseRfc3339Nano("2026-12-02T12:00:00+02:00"),
            parseRfc3339Nano("2026-12-02T10:00:00Z"));
  EXPECT_EQ(parseRfc3339Nano("2026-12-02T09:30:00-00:30"),
            parseRfc3339Nano("2026-12-02T10:00:00Z"));
  EXPECT_EQ(parseRfc3339Nano("2026-12-02T10:00:00.5Z"),
            parseRfc3339Nano("2026-12-02T10:00:00.500000000Z"));
  EXPECT_FALSE(parseRfc3339Nano("2026-12-02 10:00:00Z").has_value());
  EXPECT_FALSE(parseRfc3339Nano("2026-12-02T10:00:00").has_value());
  EXPECT_FALSE(parseRfc3339Nano("2026-12-02T10:00:00.Z").has_value());
  EXPECT_FALSE(parseRfc3339Nano("2026-13-02T10:00:00Z").has_value());
  EXPECT_FALSE(parseRfc3339Nano("").has_value());
  // Beyond what 64-bit nanoseconds hold: saturated, so that a far `since` selects nothing.
  EXPECT_EQ(parseRfc3339Nano("2999-01-01T00:00:00Z"), system_clock::time_point::max());
  EXPECT_EQ(parseRfc3339Nano("1000-01-01T00:00:00Z"), system_clock::time_point::min());
}

TEST(KubeletContainerLogs, DecodesRecordsSplitAnywhereAndJoinsPartialPieces) {
  const std::string file =
      "2026-12-02T10:00:00.000000001Z stdout F first\n"
      "2026-12-02T10:00:01.000000000Z stdout P abc\n"
      "2026-12-02T10:00:01.500000000Z stderr F an error\n"
      "2026-12-02T10:00:02.000000000Z stdout P def\n"
      "2026-12-02T10:00:03.000000000Z stdout F ghi\n"
      "2026-12-02T10:00:04.000000000Z stdout F \n";
  // Fed one byte at a time, the result is the same as in one piece.
  CriLogDecoder whole;
  auto all = whole.feed(file);
  CriLogDecoder bytes;
  std::vector<LogLine> byByte;
  for (char c : file) {
    auto more = bytes.feed(std::string_view(&c, 1));
    byByte.insert(byByte.end(), more.begin(), more.end());
  }
  const std::vector<std::string> want = {"stdout:first", "stderr:an error", "stdout:abcdefghi",
                                         "stdout:"};
  EXPECT_EQ(texts(all), want);
  EXPECT_EQ(texts(byByte), want);
  // A joined line carries the time of its first piece.
  EXPECT_EQ(all[2].timestamp, "2026-12-02T10:00:01.000000000Z");
  EXPECT_EQ(all[2].time, at("2026-12-02T10:00:01Z"));
  EXPECT_TRUE(whole.finish().empty());
}

TEST(KubeletContainerLogs, SkipsMalformedRecordsAndFinishesOpenPieces) {
  CriLogDecoder d;
  auto lines = d.feed(
      "garbage\n"
      "2026-12-02T10:00:00Z stdout X bad tag\n"
      "not-a-time stdout F text\n"
      "2026-12-02T10:00:00Z stdin F wrong stream\n"
      "2026-12-02T10:00:00Z stdout F ok\n"
      "2026-12-02T10:00:01Z stdout P cut off\n"
      "2026-12-02T10:00:02Z stdout F no newline yet");
  EXPECT_EQ(texts(lines), std::vector<std::string>{"stdout:ok"});
  // The record without its newline is not used; the P piece is a line of its own at the end.
  EXPECT_EQ(texts(d.finish()), std::vector<std::string>{"stdout:cut off"});
}

std::vector<LogLine> fiveLines() {
  CriLogDecoder d;
  return d.feed(
      "2026-12-02T10:00:01Z stdout F one\n"
      "2026-12-02T10:00:02Z stdout F two\n"
      "2026-12-02T10:00:03Z stderr F three\n"
      "2026-12-02T10:00:04Z stdout F four\n"
      "2026-12-02T10:00:05Z stdout F five\n");
}

TEST(KubeletContainerLogs, TailThenSince) {
  EXPECT_EQ(texts(selectLines(fiveLines(), std::nullopt, std::nullopt)).size(), 5u);
  EXPECT_EQ(texts(selectLines(fiveLines(), 2, std::nullopt)),
            (std::vector<std::string>{"stdout:four", "stdout:five"}));
  EXPECT_TRUE(selectLines(fiveLines(), 0, std::nullopt).empty());
  EXPECT_EQ(selectLines(fiveLines(), 99, std::nullopt).size(), 5u);
  // since keeps lines at or after the time (not before it).
  EXPECT_EQ(texts(selectLines(fiveLines(), std::nullopt, at("2026-12-02T10:00:03Z"))),
            (std::vector<std::string>{"stderr:three", "stdout:four", "stdout:five"}));
  // The tail is taken first, then since filters it (the kubelet's order).
  EXPECT_EQ(texts(selectLines(fiveLines(), 3, at("2026-12-02T10:00:04Z"))),
            (std::vector<std::string>{"stdout:four", "stdout:five"}));
}

TEST(KubeletContainerLogs, FormatsWithAndWithoutTimestamps) {
  auto lines = fiveLines();
  EXPECT_EQ(formatLine(lines[0], false), "one\n");
  EXPECT_EQ(formatLine(lines[0], true), "2026-12-02T10:00:01Z one\n");
}

TEST(KubeletContainerLogs, ByteLimitCutsMidLine) {
  ByteLimit none(std::nullopt);
  EXPECT_EQ(none.take("anything\n"), "anything\n");
  EXPECT_FALSE(none.exhausted());
  ByteLimit limit(6);
  EXPECT_EQ(limit.take("one\n"), "one\n");
  EXPECT_FALSE(limit.exhausted());
  EXPECT_EQ(limit.take("two\n"), "tw");
  EXPECT_TRUE(limit.exhausted());
  EXPECT_EQ(limit.take("three\n"), "");
}

}  // namespace
}  // namespace mysqlop::local::kubelet
