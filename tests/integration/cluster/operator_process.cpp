#include "operator_process.h"

#include <chrono>
#include <filesystem>

#include "tests/support/process/child_process.h"

namespace mysqlop::cluster::it {

namespace fs = std::filesystem;
using mysqlop::testing::readFile;
using mysqlop::testing::spawnProcess;
using mysqlop::testing::SpawnSpec;
using mysqlop::testing::terminateProcess;

void OperatorProcess::start(const std::string& kubeconfig, const std::vector<std::string>& extra) {
  const fs::path plugins = fs::path(dir_) / "plugins";
  fs::create_directories(plugins);
  const fs::path link = plugins / "mysqlop_cluster.so";
  if (!fs::exists(link)) {
    fs::create_symlink(fs::path(MYSQLOP_BINARY_DIR) / "bin/plugins/mysqlop_cluster.so", link);
  }
  std::vector<std::string> argv = {std::string(MYSQLOP_BINARY_DIR) + "/bin/mysql-operator",
                                   "--kubeconfig=" + kubeconfig,
                                   "--plugin-dir=" + plugins.string(),
                                   "--leader-election=false",
                                   "--metrics-addr=127.0.0.1:0",
                                   "--healthz-addr=0",
                                   "--sidecar-image=sidecar57:test",
                                   "--sidecar-mysql8-image=sidecar80:test",
                                   "--orchestrator-topology-user=orc",
                                   "--orchestrator-topology-password=orc-secret-pw"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  SpawnSpec spec;
  spec.argv = argv;
  spec.stdoutPath = spec.stderrPath = dir_ + "/operator.log";
  spec.appendStdout = spec.appendStderr = true;
  pid_ = spawnProcess(spec);
}

void OperatorProcess::stop() {
  if (pid_ <= 0) {
    return;
  }
  terminateProcess(pid_, std::chrono::seconds(20));
  pid_ = -1;
}

std::string OperatorProcess::log() const { return readFile(dir_ + "/operator.log"); }

}  // namespace mysqlop::cluster::it
