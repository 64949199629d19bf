// Every refusal of `up`, `down` and `status`, each with its exact one-line message.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"

namespace mysqlop::testing {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mysqlop-up-refusal-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A PATH of one directory holding links to the named host programs only.
std::string pathWith(const TempDir& dir, std::initializer_list<const char*> programs) {
  const std::string bin = dir.path() + "/bin";
  fs::create_directories(bin);
  for (const char* p : programs) {
    for (const char* d : {"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"}) {
      if (fs::exists(std::string(d) + p)) {
        fs::create_symlink(std::string(d) + p, bin + "/" + p);
        break;
      }
    }
  }
  return "PATH=" + bin;
}

CommandResult up(const std::string& dataDir, const std::vector<std::string>& env = {},
                 std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {
      LocalClusterProcess::binary(), "up", "--data-dir", dataDir, "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return runCommand(argv, env, "", 60);
}

TEST(UpRefusals, NotRoot) {
  TempDir dir;
  ::chmod(dir.path().c_str(), 0777);
  CommandResult r = runCommand({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                "--clear-groups", LocalClusterProcess::binary(), "up", "--data-dir",
                                dir.path() + "/d", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "mysql-operator-local: mysql-operator-local up must run as root (uid 0)\n");
}

TEST(UpRefusals, NoBubblewrap) {
  TempDir dir;
  CommandResult r = up(dir.path() + "/d", {pathWith(dir, {"ip", "nsenter"})});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "mysql-operator-local: bwrap not found (install Debian's bubblewrap)\n");
}

TEST(UpRefusals, NoIproute2) {
  TempDir dir;
  CommandResult r = up(dir.path() + "/d", {pathWith(dir, {"bwrap", "nsenter"})});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "mysql-operator-local: ip not found (install Debian's iproute2)\n");
}

TEST(UpRefusals, PodCidrOutsideTheTestRange) {
  TempDir dir;
  CommandResult r = up(dir.path() + "/d", {}, {"--pod-cidr", "10.0.0.0/16"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("10.0.0.0/16"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("198.18.0.0/15"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

TEST(UpRefusals, MissingDataDirAndUnknownFlag) {
  CommandResult r = runCommand({LocalClusterProcess::binary(), "up"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "mysql-operator-local: --data-dir is required");
  r = runCommand({LocalClusterProcess::binary(), "up", "--data-dir", "/tmp/x", "--bogus"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "mysql-operator-local: unknown flag --bogus");
  r = runCommand({LocalClusterProcess::binary(), "up", "--data-dir", "/tmp/x", "--listen", "x"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')), "mysql-operator-local: invalid --listen address x");
}

TEST(UpRefusals, ApplyOfAMissingFile) {
  TempDir dir;
  CommandResult r = up(dir.path() + "/d", {}, {"--apply", dir.path() + "/nothing.yaml"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err,
            "mysql-operator-local: " + dir.path() + "/nothing.yaml: no such file or directory\n");
  // It stopped again and left nothing behind.
  LocalClusterProcess probe;
  EXPECT_EQ(runCommand({LocalClusterProcess::binary(), "status", "--data-dir", dir.path() + "/d"})
                .exitCode,
            1);
}

TEST(UpRefusals, SecondUpOnARunningDataDirAndStatusOfAStoppedOne) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  CommandResult r = up(cluster.dataDir());
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, "mysql-operator-local: a local cluster is already running in " +
                       cluster.dataDir() + " (pid " + std::to_string(cluster.pid()) + ")\n");
  EXPECT_EQ(cluster.down().exitCode, 0);
  CommandResult s = cluster.status();
  EXPECT_EQ(s.exitCode, 1);
  EXPECT_EQ(s.err,
            "mysql-operator-local: no local cluster is running in " + cluster.dataDir() + "\n");
}

}  // namespace
}  // namespace mysqlop::testing
