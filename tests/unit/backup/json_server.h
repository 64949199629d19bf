#pragma once

// A one-route HTTP server on 127.0.0.1 for the tests of the plugin's progress poll: it answers
// every GET with the status and body it is given (as the sidecar's /xbackup/progress does:
// Content-Length, Connection: close) and counts the requests. The real route is tested against
// the real sidecar in tests/integration/backup_sidecar.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace mysqlop::backup::testing {

class JsonServer {
 public:
  JsonServer();
  ~JsonServer();
  JsonServer(const JsonServer&) = delete;
  JsonServer& operator=(const JsonServer&) = delete;

  std::uint16_t port() const { return port_; }
  void answer(int status, std::string body);
  int requests() const { return requests_.load(); }
  std::string lastPath() const;

 private:
  void run();

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  int status_ = 200;
  std::string body_;
  std::string lastPath_;
  std::thread thread_;
};

}  // namespace mysqlop::backup::testing
