#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "localcluster/kubelet/container_plan.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::local::kubelet {
namespace {

namespace fs = std::filesystem;
using mysqlop::testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string link(const std::string& path) {
  std::error_code ec;
  auto target = fs::read_symlink(path, ec);
  return ec ? "" : target.string();
}

int modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<int>(st.st_mode & 07777);
}

// The names in dir, "..<ts>" directories shown as "..TS".
std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > 2 && name[0] == '.' && name[1] == '.' && std::isdigit(name[2])) {
      name = "..TS";
    }
    out.insert(name);
  }
  return out;
}

class WriteAtomically : public ::testing::Test {
 protected:
  std::string vol() const { return tmp_.path() + "/vol"; }
  TempDir tmp_;
};

TEST_F(WriteAtomically, FirstWriteLaysOutTheKubeletsDirectories) {
  auto changed = writeAtomically(
      vol(), {{"my.cnf", "[mysqld]\n", 0644}, {"conf/a", "A", 0600}, {"conf/sub/b", "B", 0400}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(entries(vol()), (std::set<std::string>{"..TS", "..data", "my.cnf", "conf"}));
  const std::string ts = link(vol() + "/..data");
  EXPECT_EQ(ts.rfind("..", 0), 0u);
  EXPECT_EQ(ts.find('/'), std::string::npos);  // relative, inside the volume
  EXPECT_EQ(link(vol() + "/my.cnf"), "..data/my.cnf");
  EXPECT_EQ(link(vol() + "/conf"), "..data/conf");
  EXPECT_EQ(slurp(vol() + "/my.cnf"), "[mysqld]\n");
  EXPECT_EQ(slurp(vol() + "/conf/sub/b"), "B");
  EXPECT_EQ(modeOf(vol() + "/my.cnf"), 0644);
  EXPECT_EQ(modeOf(vol() + "/conf/a"), 0600);
  EXPECT_EQ(modeOf(vol() + "/conf/sub/b"), 0400);
  EXPECT_EQ(modeOf(vol() + "/" + ts), 0755);
}

TEST_F(WriteAtomically, SameContentChangesNothing) {
  const std::vector<ProjectedFile> files{{"a", "1", 0644}, {"d/b", "2", 0644}};
  ASSERT_TRUE(writeAtomically(vol(), files));
  const std::string ts = link(vol() + "/..data");
  auto again = writeAtomically(vol(), files);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(*again);
  EXPECT_EQ(link(vol() + "/..data"), ts);
}

TEST_F(WriteAtomically, NewContentSwapsTheDataLinkAndRemovesTheOldVersion) {
  ASSERT_TRUE(writeAtomically(vol(), {{"a", "1", 0644}, {"gone", "x", 0644}, {"d/b", "2", 0644}}));
  const std::string oldTs = link(vol() + "/..data");
  // A reader that opened a file before the swap keeps its content (the old inode).
  std::ifstream held(vol() + "/a");
  auto changed =
      writeAtomically(vol(), {{"a", "one", 0644}, {"d/b", "2", 0644}, {"new", "n", 0644}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  const std::string newTs = link(vol() + "/..data");
  EXPECT_NE(newTs, oldTs);
  EXPECT_FALSE(fs::exists(vol() + "/" + oldTs));
  EXPECT_EQ(entries(vol()), (std::set<std::string>{"..TS", "..data", "a", "d", "new"}));
  EXPECT_EQ(slurp(vol() + "/a"), "one");
  EXPECT_EQ(slurp(vol() + "/new"), "n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(vol() + "/gone")));
  std::string old;
  std::getline(held, old);
  EXPECT_EQ(old, "1");
}

TEST_F(WriteAtomically, ModeChangeAloneIsAChange) {
  ASSERT_TRUE(writeAtomically(vol(), {{"a", "1", 0644}}));
  auto changed = writeAtomically(vol(), {{"a", "1", 0600}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(modeOf(vol() + "/a"), 0600);
}

TEST_F(WriteAtomically, EmptyPayloadRemovesEverything) {
  ASSERT_TRUE(writeAtomically(vol(), {{"a", "1", 0644}, {"d/b", "2", 0644}}));
  auto changed = writeAtomically(vol(), {});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(entries(vol()), (std::set<std::string>{"..TS", "..data"}));
  auto again = writeAtomically(vol(), {});
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(WriteAtomically, RepairsMissingSymlinksAndCrashLeftovers) {
  ASSERT_TRUE(writeAtomically(vol(), {{"a", "1", 0644}}));
  ASSERT_EQ(::unlink((vol() + "/a").c_str()), 0);
  fs::create_directory(vol() + "/..2020_01_01_00_00_00.stale");  // a crash left it
  ::symlink("..2020_01_01_00_00_00.stale", (vol() + "/..data_tmp").c_str());
  auto changed = writeAtomically(vol(), {{"a", "1", 0644}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(*changed);
  EXPECT_EQ(link(vol() + "/a"), "..data/a");
  EXPECT_FALSE(fs::exists(vol() + "/..2020_01_01_00_00_00.stale"));
}

TEST_F(WriteAtomically, UserFilesAtTheTopAreLeftAlone) {
  fs::create_directories(vol());
  std::ofstream(vol() + "/a") << "mine";
  auto changed = writeAtomically(vol(), {{"a", "1", 0644}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(slurp(vol() + "/a"), "mine");
}

TEST_F(WriteAtomically, DuplicatePathsAfterCleaningKeepTheLast) {
  auto changed = writeAtomically(vol(), {{"d/./a", "first", 0644}, {"d/a", "second", 0644}});
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(slurp(vol() + "/d/a"), "second");
}

std::string invalid(const std::string& path) {
  TempDir tmp;
  auto r = writeAtomically(tmp.path() + "/vol", {{"ok", "1", 0644}, {path, "x", 0644}});
  EXPECT_FALSE(fs::exists(tmp.path() + "/vol/..data")) << "nothing is written: " << path;
  return r ? "written" : r.error().message;
}

TEST(WriteAtomicallyPaths, TraversalAndBadPathsAreRefusedAsTheKubeletDoes) {
  EXPECT_EQ(invalid(""), "invalid path: must not be empty: \"\"");
  EXPECT_EQ(invalid("/etc/passwd"), "invalid path: must be relative path: /etc/passwd");
  EXPECT_EQ(invalid(".."), "invalid path: must not contain '..': ..");
  EXPECT_EQ(invalid("../escape"), "invalid path: must not contain '..': ../escape");
  EXPECT_EQ(invalid("a/../../escape"), "invalid path: must not contain '..': a/../../escape");
  EXPECT_EQ(invalid("a/.."), "invalid path: must not contain '..': a/..");
  EXPECT_EQ(invalid("..data"), "invalid path: must not start with '..': ..data");
  EXPECT_EQ(invalid("..2026_01_01/x"), "invalid path: must not start with '..': ..2026_01_01/x");
  EXPECT_EQ(invalid(std::string(256, 'f')),
            "invalid path: filenames must be less than or equal to 255 characters");
  std::string deep;
  while (deep.size() <= 4096) {
    deep += "abcdefgh/";
  }
  EXPECT_EQ(invalid(deep + "x"), "invalid path: must be less than or equal to 4096 characters");
  // Names that only look alike are fine.
  TempDir tmp;
  auto ok = writeAtomically(tmp.path() + "/vol",
                            {{"a..b", "1", 0644}, {"d/..x", "2", 0644}, {"...", "3", 0644}});
  EXPECT_FALSE(ok) << "'...' starts with '..'";
  EXPECT_EQ(ok.error().message, "invalid path: must not start with '..': ...");
  auto fine = writeAtomically(tmp.path() + "/vol", {{"a..b", "1", 0644}, {"d/..x", "2", 0644}});
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(slurp(tmp.path() + "/vol/d/..x"), "2");
}

TEST(WriteAtomicallyPaths, AFileWhereADirectoryIsNeededFailsCleanly) {
  TempDir tmp;
  auto r = writeAtomically(tmp.path() + "/vol", {{"a", "1", 0644}, {"a/b", "2", 0644}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Unavailable);
  EXPECT_NE(r.error().message.find("/a/b: "), std::string::npos) << r.error().message;
  EXPECT_EQ(entries(tmp.path() + "/vol"), std::set<std::string>{});  // nothing half-written
}

}  // namespace
}  // namespace mysqlop::local::kubelet
