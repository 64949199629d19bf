#pragma once

// The decisions of a schedule tick, as pure functions: skip while a scheduled backup runs, and
// which scheduled backups to delete (bitpoke's history limit by count, and retention by age).

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mysqlop::backup {

struct ScheduledBackup {
  std::string name;
  std::time_t created = 0;  // metadata.creationTimestamp
  bool completed = false;   // status.completed
  bool succeeded = false;   // Complete=True
  bool deleting = false;    // metadata.deletionTimestamp set
};

// The MysqlBackups of a list (a JSON array) as the tick sees them.
std::vector<ScheduledBackup> scheduledBackups(const nlohmann::json& list);

// True when one of them is not completed and not being deleted (the tick then creates nothing).
bool oneRunning(const std::vector<ScheduledBackup>& items);

// The names to delete, oldest last: with a history limit N, every backup after the newest N (by
// creation time, as bitpoke); with a maximum age, every completed backup created before now - age,
// except the newest successful one (retention never leaves a cluster without a backup). Backups
// already being deleted are skipped.
std::vector<std::string> toPrune(std::vector<ScheduledBackup> items,
                                 std::optional<std::int64_t> historyLimit,
                                 std::optional<std::chrono::seconds> maxAge, std::time_t now);

// The cluster's retention annotation (mysql.presslabs.org/backup-retention-age, a Go duration
// such as "720h"): nullopt when absent; *error says why a present value is refused.
std::optional<std::chrono::seconds> retentionAge(const nlohmann::json& cluster, std::string* error);

// spec.backupScheduleJobsHistoryLimit (nullopt when absent or null).
std::optional<std::int64_t> historyLimit(const nlohmann::json& cluster);

// RFC 3339 (as the API server writes metadata times) to Unix seconds; 0 when unreadable.
std::time_t parseTime(const std::string& rfc3339);

}  // namespace mysqlop::backup
