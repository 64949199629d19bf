#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "localcluster/node/network.h"
#include "tests/integration/node/node_fixture.h"

namespace mysqlop::local::node::it {
namespace {

// PATH is replaced by a directory holding links to some of the programs.
class PrerequisitesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = ::getenv("PATH");
    dir_ = makeTempDir();
  }
  void TearDown() override {
    ::setenv("PATH", saved_.c_str(), 1);
    std::filesystem::remove_all(dir_);
  }
  void provide(const std::string& program) {
    const std::string path = findProgram(program, saved_);
    ASSERT_FALSE(path.empty()) << program;
    std::filesystem::create_symlink(path, dir_ + "/" + program);
  }
  std::string saved_;
  std::string dir_;
};

TEST_F(PrerequisitesTest, NamesTheFirstMissingProgram) {
  ASSERT_EQ(::geteuid(), 0u) << "these tests run as root, as the local cluster does";
  EXPECT_EQ(missingPrerequisite(), "");
  ::setenv("PATH", dir_.c_str(), 1);
  EXPECT_EQ(missingPrerequisite(), "bwrap not found (install Debian's bubblewrap)");
  provide("bwrap");
  EXPECT_EQ(missingPrerequisite(), "ip not found (install Debian's iproute2)");
  provide("ip");
  EXPECT_EQ(missingPrerequisite(), "nsenter not found (install util-linux)");
  provide("nsenter");
  EXPECT_EQ(missingPrerequisite(), "");
}

}  // namespace
}  // namespace mysqlop::local::node::it
