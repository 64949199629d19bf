#include "operator_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mysqlop::cluster::it {

namespace fs = std::filesystem;

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
  std::vector<char*> args;
  for (std::string& a : argv) {
    args.push_back(a.data());
  }
  args.push_back(nullptr);
  const std::string logPath = dir_ + "/operator.log";
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(1);
    }
    const int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  pid_ = pid;
}

void OperatorProcess::stop() {
  if (pid_ <= 0) {
    return;
  }
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string OperatorProcess::log() const {
  std::ifstream in(dir_ + "/operator.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace mysqlop::cluster::it
