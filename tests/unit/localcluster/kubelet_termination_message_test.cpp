// The termination message as the kubelet makes it: the file first (4096 bytes), the log tail for
// FallbackToLogsOnError on failure (80 lines, 2048 bytes), partial CRI records joined.
#include "localcluster/kubelet/termination_message.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace mysqlop::local::kubelet {
namespace {

using nlohmann::json;

std::string cri(const std::string& text, const char* tag = "F", const char* stream = "stdout") {
  return std::string("2026-12-03T10:00:00.000000000Z ") + stream + " " + tag + " " + text + "\n";
}

TEST(KubeletTerminationMessage, PathDefaultsToDevTerminationLog) {
  EXPECT_EQ(terminationMessagePath(json::object()), "/dev/termination-log");
  EXPECT_EQ(terminationMessagePath({{"terminationMessagePath", ""}}), "/dev/termination-log");
  EXPECT_EQ(terminationMessagePath({{"terminationMessagePath", "/tmp/msg"}}), "/tmp/msg");
}

TEST(KubeletTerminationMessage, TheFileWinsAndIsCutAt4096Bytes) {
  const json fallback = {{"terminationMessagePolicy", "FallbackToLogsOnError"}};
  EXPECT_EQ(terminationMessage(json::object(), "done", 0, ""), "done");
  EXPECT_EQ(terminationMessage(fallback, "from the file", 3, cri("from the log")), "from the file");
  EXPECT_EQ(terminationMessage(json::object(), std::string(5000, 'x'), 1, "").size(), 4096u);
}

TEST(KubeletTerminationMessage, LogsOnlyForFallbackOnFailure) {
  const json fallback = {{"terminationMessagePolicy", "FallbackToLogsOnError"}};
  const std::string log = cri("starting") + cri("it broke", "F", "stderr");
  EXPECT_EQ(terminationMessage(fallback, "", 2, log), "starting\nit broke\n");
  EXPECT_EQ(terminationMessage(fallback, "", 0, log), "");  // success: no fallback
  EXPECT_EQ(terminationMessage({{"terminationMessagePolicy", "File"}}, "", 2, log), "");
  EXPECT_EQ(terminationMessage(json::object(), "", 2, log), "");  // File is the default
}

TEST(KubeletTerminationMessage, LogTailKeeps80LinesAnd2048Bytes) {
  std::string log;
  for (int i = 0; i < 100; ++i) log += cri("line " + std::to_string(i));
  std::string tail = logTail(log);
  EXPECT_EQ(tail.substr(0, 8), "line 20\n");
  EXPECT_EQ(tail.substr(tail.size() - 8), "line 99\n");
  std::string big;
  for (int i = 0; i < 10; ++i) big += cri(std::string(500, static_cast<char>('a' + i)));
  tail = logTail(big);
  EXPECT_EQ(tail.size(), 2048u);
  EXPECT_EQ(tail.substr(tail.size() - 2), "j\n");
  // Partial records are one line; an empty text is an empty line.
  EXPECT_EQ(logTail(cri("hel", "P") + cri("lo") + "2026-12-03T10:00:00Z stdout F\n" + cri("x")),
            "hello\n\nx\n");
}

TEST(KubeletTerminationMessage, ReadHeadAndTail) {
  testing::TempDir dir;
  const std::string f = dir.write("f", "first line\nsecond line\n");
  EXPECT_EQ(readHead(f, 5), "first");
  EXPECT_EQ(readTail(f, 100), "first line\nsecond line\n");
  EXPECT_EQ(readTail(f, 15), "second line\n");  // the cut record is dropped
  EXPECT_EQ(readHead(dir.file("none"), 10), "");
  EXPECT_EQ(readTail(dir.file("none"), 10), "");
}

}  // namespace
}  // namespace mysqlop::local::kubelet
