#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace mysqlop::cluster::it {

// The real mysql-operator binary with only the cluster plugin (a plugin directory holding just
// mysqlop_cluster.so), against a kubeconfig. Output goes to <dir>/operator.log.
class OperatorProcess {
 public:
  explicit OperatorProcess(std::string dir) : dir_(std::move(dir)) {}
  ~OperatorProcess() { stop(); }
  OperatorProcess(const OperatorProcess&) = delete;
  OperatorProcess& operator=(const OperatorProcess&) = delete;

  // Throws std::runtime_error when the binary cannot be started.
  void start(const std::string& kubeconfig, const std::vector<std::string>& extraArgs = {});
  // SIGTERM, then SIGKILL after 20 s. Safe to call twice.
  void stop();
  pid_t pid() const { return pid_; }
  std::string log() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace mysqlop::cluster::it
