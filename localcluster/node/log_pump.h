#pragma once
// One thread that copies every container's stdout and stderr pipes into its CRI log file, with
// poll() over all of them. Internal to local_node.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mysqlop::local::node {

class LogPump {
 public:
  LogPump();
  ~LogPump();  // drains nothing more: closes every pipe and joins the thread
  LogPump(const LogPump&) = delete;
  LogPump& operator=(const LogPump&) = delete;

  // Takes ownership of the three descriptors (logFd may be -1: output is read and dropped).
  // onClosed runs on the pump's thread once both pipes reached end of file and what they held is
  // written.
  // earlyStderr: bytes of stderr already read by the caller (written first).
  void add(int stdoutFd, int stderrFd, int logFd, std::function<void()> onClosed,
           const std::string& earlyStderr = "");

 private:
  struct Source;
  void run();

  int wakeFd_ = -1;  // eventfd: a new source, or the end
  std::mutex mutex_;
  std::vector<std::shared_ptr<Source>> incoming_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mysqlop::local::node
