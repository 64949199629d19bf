#include "localcluster/node/mount_points.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "localcluster/node/supervisor.h"
#include "tests/integration/node/node_fixture.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::node::it {
namespace {

namespace fs = std::filesystem;
using MountPointsTest = NodeTest;

TEST_F(MountPointsTest, TheTopMostMissingDirectoryOfTargetsOnTheHost) {
  fs::create_directories(dir_ + "/exists");
  const std::vector<Bind> binds = {
      {"/src", dir_ + "/exists", false},             // exists: nothing to make
      {"/src", dir_ + "/exists/new/deeper", false},  // under an earlier bind: not the host's
      {"/src", dir_ + "/missing/a/b", false},        // made on the host from "missing" on
      {"/src", dir_ + "/missing/a/c", false},        // the same top again
      {"/src", "relative", false},                   // not a path bwrap takes
  };
  EXPECT_EQ(missingMountPoints(binds),
            (std::vector<std::string>{dir_ + "/missing", dir_ + "/missing"}));
}

TEST_F(MountPointsTest, RemovesOnlyTreesOfEmptyDirectoriesAndFiles) {
  fs::create_directories(dir_ + "/m/a/b");
  std::ofstream(dir_ + "/m/a/file");  // a file mount point: empty
  ASSERT_TRUE(removeEmptyTree(dir_ + "/m").ok());
  EXPECT_FALSE(fs::exists(dir_ + "/m"));
  ASSERT_TRUE(removeEmptyTree(dir_ + "/m").ok());  // gone already

  fs::create_directories(dir_ + "/n/a");
  std::ofstream(dir_ + "/n/a/data") << "someone's content";
  auto r = removeEmptyTree(dir_ + "/n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "mount point " + dir_ + "/n was left in place: " + dir_ +
                                   "/n/a/data is not an empty directory or file");
  EXPECT_TRUE(fs::exists(dir_ + "/n/a/data"));
}

// bwrap makes a missing bind target on the host: the spawn records it, cleanUp removes it when
// no other local cluster runs on the machine (a parallel test's may; then the record stays).
TEST_F(MountPointsTest, SpawnRecordsWhatBwrapMakesOnTheHost) {
  const std::string top = "/run/mysqlop-node-test-" + fs::path(dir_).filename().string();
  {
    Supervisor supervisor(*records_, nullptr);
    SpawnSpec spec;
    spec.key = "p/m";
    spec.argv = {"sh", "-c", "echo ready; sleep 1000"};
    spec.env = {"PATH=/usr/bin:/bin"};
    spec.binds = {{dir_, top + "/a/b", true}};
    spec.logPath = dir_ + "/m.log";
    ASSERT_TRUE(supervisor.spawn(spec).ok());
    bool recorded = false;
    for (const auto& r : records_->all()) {
      recorded = recorded || (r.kind == "mountpoint" && r.name == top);
    }
    EXPECT_TRUE(recorded);
    EXPECT_TRUE(fs::is_directory(top + "/a/b"));
    supervisor.stop("p/m", std::chrono::milliseconds(0));
  }
  auto r = cleanUp(*records_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  if (records_->all().empty()) {
    EXPECT_FALSE(fs::exists(top));
  } else {
    EXPECT_TRUE(fs::exists(top));  // kept with its record while another cluster runs
    ASSERT_TRUE(removeEmptyTree(top).ok());
    ASSERT_TRUE(records_->remove("mountpoint", top).ok());
  }
}

}  // namespace
}  // namespace mysqlop::local::node::it
