#pragma once

// Gather: one thread per node probes it every interval over a connection it keeps, and keeps
// the history the analysis needs (when it last answered, whether it refused, when a replica last
// heard its master). view() is what decide reads; it never blocks on a probe, so a hung node
// (SIGSTOP, partition: a probe that never returns) is seen as silent by the age of its last
// answer, not after a socket timeout.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "plugins/common/mysql/client.h"
#include "plugins/common/mysql/flavor.h"
#include "plugins/common/mysql/replication.h"
#include "plugins/orchestrator/src/analysis.h"

namespace mysqlop::orchestrator {

struct GatherSettings {
  std::chrono::milliseconds interval{1000};
  // A node answers while its last probe succeeded within this window (3 intervals, at least
  // 300 ms: a loaded 2-core machine delays a probe by tens of milliseconds).
  std::chrono::milliseconds answeringWindow{3000};
  mysql::Timeouts timeouts{std::chrono::seconds(1), std::chrono::seconds(2),
                           std::chrono::seconds(2)};
};

// "host:port" -> endpoint; nullopt when the text is not host:port with a port 1..65535.
std::optional<mysql::Endpoint> parseHostPort(const std::string& text);

// The engine's probe: selectEngineProbe and SHOW SLAVE STATUS. Errors name what was read.
mysql::SqlResult<Observation> probeForEngine(mysql::Connection& conn,
                                             const mysql::ReplicationSql& sql);

class NodeProber {
 public:
  // onProbe runs on the prober's thread after every probe (decide wakes up on failures at once).
  NodeProber(std::string id, mysql::Credentials credentials, GatherSettings settings,
             std::function<void(bool ok)> onProbe);
  ~NodeProber();
  NodeProber(const NodeProber&) = delete;
  NodeProber& operator=(const NodeProber&) = delete;

  void start();
  void stop();
  // Probe now, without waiting for the interval (decide asks when the master stops answering,
  // so that the replicas' view of it is fresh).
  void kick();

  const std::string& id() const { return id_; }
  NodeView view() const;
  // The server's flavor, once it has been reached.
  std::optional<mysql::Flavor> flavor() const;

 private:
  void run();
  void probeOnce();

  std::string id_;
  std::optional<mysql::Endpoint> endpoint_;
  mysql::Credentials credentials_;
  GatherSettings settings_;
  std::function<void(bool)> onProbe_;

  std::unique_ptr<mysql::Connection> conn_;  // the prober thread's only
  std::optional<mysql::ReplicationSql> sql_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = true;
  bool kicked_ = false;
  std::thread thread_;
  using Clock = std::chrono::steady_clock;
  Clock::time_point started_;
  std::optional<Clock::time_point> lastSuccess_;
  Clock::time_point lastHeard_;
  std::string heardKey_;
  bool lastOk_ = false;
  bool refused_ = false;
  std::string lastError_;
  Observation seen_;
  std::optional<mysql::Flavor> flavor_;
};

}  // namespace mysqlop::orchestrator
