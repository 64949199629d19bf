#pragma once

// Backup schedules (bitpoke's mysqlbackupcron): one work-queue key per MysqlCluster with a
// backupSchedule, requeued at its next activation. The next activation lives in memory, as in
// bitpoke's in-process cron: after a restart the first one is computed again from the clock.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::backup {

class Scheduler {
 public:
  using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;
  explicit Scheduler(LogFn log) : log_(std::move(log)) {}

  // One pass for the cluster ns/cluster: creates the scheduled backup when an activation is due
  // (skipped while one is running), prunes by history limit and age, and asks to be requeued at
  // the next activation.
  mysqlop::Outcome reconcile(mysqlop::Call& call, std::string_view ns, std::string_view cluster);

 private:
  struct State {
    std::string schedule;       // the text the activation was computed from
    std::int64_t nextUnix = 0;  // the next activation (Unix seconds)
    std::string refused;        // the schedule last refused (its Event is recorded once)
  };
  void forget(const std::string& key);
  void log(mysqlop_type_log_level level, const std::string& message) const;

  LogFn log_;
  std::mutex mu_;
  std::map<std::string, State> states_;  // by "ns/cluster"
};

}  // namespace mysqlop::backup
