// writeInPlace: same inode, no write when unchanged, failures name the path.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "localcluster/proxy/in_place_file.h"

namespace mysqlop::local::names {
namespace {

class InPlaceFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/names-file-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static ino_t inode(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_ino;
  }

  std::string dir_;
};

TEST_F(InPlaceFile, CreatesThenRewritesTheSameInode) {
  std::string p = dir_ + "/hosts";
  auto first = writeInPlace(p, "a long first text\n");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first.value());
  ino_t ino = inode(p);

  // A hard link stands for the bind mount: it pins the inode as a container's mount does.
  std::string pinned = dir_ + "/pinned";
  ASSERT_EQ(::link(p.c_str(), pinned.c_str()), 0);

  auto second = writeInPlace(p, "short\n");
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second.value());
  EXPECT_EQ(inode(p), ino);
  EXPECT_EQ(read(pinned), "short\n");
}

TEST_F(InPlaceFile, UnchangedTextIsNotWritten) {
  std::string p = dir_ + "/hosts";
  ASSERT_TRUE(writeInPlace(p, "x\n").ok());
  auto again = writeInPlace(p, "x\n");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
}

TEST_F(InPlaceFile, FailureNamesThePath) {
  std::string p = dir_ + "/missing/hosts";
  auto r = writeInPlace(p, "x\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot open " + p + ": No such file or directory");
  EXPECT_EQ(r.code(), Errc::Unavailable);
}

}  // namespace
}  // namespace mysqlop::local::names
