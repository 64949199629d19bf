#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "plugins/common/mysql/client.h"

namespace mysqlop::testing {

// A client that keeps writing through a failover or a switchover, as an application does: it
// inserts ids 1, 2, ... every ~5 ms into whichever of the nodes is writable (read_only=0), and on
// an error looks for the writable node again. It keeps the ids the server acknowledged, so a test
// can require every one of them on the new master, and the longest gap between two acknowledged
// writes (what a client sees of a refused window, reconnects included).
class AckedWriter {
 public:
  struct Options {
    std::string user = "app";
    std::string password = "app-pw";
    std::string insert = "INSERT INTO app.w VALUES (?)";  // one integer parameter: the id
  };

  // The nodes to try, asked again each time the writer looks for the writable one (pods get new
  // addresses when they are recreated).
  using Nodes = std::function<std::vector<mysql::Endpoint>()>;

  explicit AckedWriter(std::vector<mysql::Endpoint> nodes) : AckedWriter(std::move(nodes), {}) {}
  AckedWriter(std::vector<mysql::Endpoint> nodes, Options options);
  AckedWriter(Nodes nodes, Options options);
  ~AckedWriter() { stop(); }
  AckedWriter(const AckedWriter&) = delete;
  AckedWriter& operator=(const AckedWriter&) = delete;

  void stop();
  std::set<long long> acked() const;
  // The longest gap since the writer started, or since the last takeGapMs.
  double longestGapMs() const;
  // The longest gap since the last call (or the start); resets it.
  double takeGapMs();

 private:
  std::unique_ptr<mysql::Connection> findWritable() const;
  void run();

  const Nodes nodes_;
  const Options options_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::set<long long> acked_;
  double gapMs_ = 0;
  std::thread thread_;
};

}  // namespace mysqlop::testing
