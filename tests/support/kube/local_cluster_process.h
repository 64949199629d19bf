#pragma once
// Test support for end-to-end tests: runs `mysql-operator-local up` (API server, controllers,
// Service proxy, process kubelet) in a fresh temp data dir on a free loopback port, and takes it
// down again, checking that nothing of it is left on the machine.
//
//   mysqlop::testing::LocalClusterProcess cluster;
//   ASSERT_TRUE(cluster.start().ok());
//   Kubectl k(cluster.kubeconfigPath());
//   ...
//   // the destructor runs `down` and removes the data dir

#include <string>
#include <vector>

#include "core/common/result.h"
#include "tests/support/kube/kubectl.h"

namespace mysqlop::testing {

class LocalClusterProcess {
 public:
  struct Options {
    std::vector<std::string> extraArgs;  // e.g. {"--apply", file}
    std::string dataDir;                 // default: a fresh temp dir, removed by the destructor
  };
  LocalClusterProcess();
  ~LocalClusterProcess();  // down(), then removes a temp data dir it created
  LocalClusterProcess(const LocalClusterProcess&) = delete;
  LocalClusterProcess& operator=(const LocalClusterProcess&) = delete;

  // Starts `up` in the foreground (as a child of the test) and waits for its "listening on" line.
  Result<void> start(const Options& options);
  Result<void> start() { return start(Options{}); }
  // `mysql-operator-local down --data-dir DIR`; its result. Safe to call twice.
  CommandResult down();
  // SIGKILL of `up` (a crash): whatever it made stays until down() or the next start().
  void kill();
  // `mysql-operator-local status --data-dir DIR`.
  CommandResult status() const;

  const std::string& dataDir() const { return dataDir_; }
  std::string kubeconfigPath() const { return dataDir_ + "/kubeconfig"; }
  std::string logFile() const { return dataDir_ + "/test-up.log"; }
  int pid() const { return pid_; }
  // The slot-derived name prefix of everything it makes on the machine ("mol7"), from
  // DIR/node/slot; "" before the first start.
  std::string machinePrefix() const;

  static std::string binary();

 private:
  Options options_;
  std::string dataDir_;
  bool ownDir_ = false;
  int pid_ = -1;
};

// What is left on the machine whose name starts with prefix: network namespaces (`ip netns`),
// links (`ip link`), mounts (/proc/mounts) and processes whose command line mentions dataDir.
// Empty when nothing is left; else one line per leftover.
std::vector<std::string> machineLeftovers(const std::string& prefix, const std::string& dataDir);

}  // namespace mysqlop::testing
