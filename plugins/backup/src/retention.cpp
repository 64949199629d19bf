#include "plugins/backup/src/retention.h"

#include <algorithm>

#include "plugins/backup/src/naming.h"
#include "plugins/backup/src/spec.h"
#include "plugins/common/cron/schedule.h"
#include "plugins/common/kube/conditions.h"

namespace mysqlop::backup {

std::time_t parseTime(const std::string& s) {
  std::tm tm{};
  if (s.size() < 19 || !strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) {
    return 0;
  }
  return timegm(&tm);
}

std::vector<ScheduledBackup> scheduledBackups(const nlohmann::json& list) {
  std::vector<ScheduledBackup> out;
  if (!list.is_array()) {
    return out;
  }
  for (const nlohmann::json& b : list) {
    if (!b.is_object()) {
      continue;
    }
    ScheduledBackup s;
    s.name = text(b, {"metadata", "name"});
    s.created = parseTime(text(b, {"metadata", "creationTimestamp"}));
    s.deleting = !text(b, {"metadata", "deletionTimestamp"}).empty();
    const nlohmann::json status =
        b.contains("status") && b["status"].is_object() ? b["status"] : nlohmann::json::object();
    s.completed = status.value("completed", false);
    s.succeeded = kube::conditionStatus(status.value("conditions", nlohmann::json::array()),
                                        "Complete") == "True";
    out.push_back(std::move(s));
  }
  return out;
}

bool oneRunning(const std::vector<ScheduledBackup>& items) {
  return std::any_of(items.begin(), items.end(),
                     [](const ScheduledBackup& b) { return !b.completed && !b.deleting; });
}

std::vector<std::string> toPrune(std::vector<ScheduledBackup> items,
                                 std::optional<std::int64_t> limit,
                                 std::optional<std::chrono::seconds> maxAge, std::time_t now) {
  // Newest first; equal times by name, newest name first (names carry the creation time).
  std::sort(items.begin(), items.end(), [](const ScheduledBackup& a, const ScheduledBackup& b) {
    return a.created != b.created ? a.created > b.created : a.name > b.name;
  });
  std::vector<std::string> out;
  bool keptNewestSuccess = false;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const ScheduledBackup& b = items[i];
    const bool newestSuccess = b.succeeded && !keptNewestSuccess;
    if (b.succeeded) {
      keptNewestSuccess = true;
    }
    if (b.deleting) {
      continue;
    }
    const bool overLimit = limit && static_cast<std::int64_t>(i) >= *limit;
    const bool tooOld = maxAge && b.completed && !newestSuccess && b.created > 0 &&
                        now - b.created > maxAge->count();
    if (overLimit || tooOld) {
      out.push_back(b.name);
    }
  }
  return out;
}

std::optional<std::chrono::seconds> retentionAge(const nlohmann::json& cluster,
                                                 std::string* error) {
  if (!cluster.contains("metadata") || !cluster["metadata"].contains("annotations") ||
      !cluster["metadata"]["annotations"].is_object() ||
      !cluster["metadata"]["annotations"].contains(kRetentionAnnotation)) {
    return std::nullopt;
  }
  const std::string value = text(cluster, {"metadata", "annotations", kRetentionAnnotation});
  const auto nanos = cron::parseGoDuration(value);
  if (!nanos || *nanos <= 0) {
    *error = std::string("annotation ") + kRetentionAnnotation + ": \"" + value +
             "\" is not a positive duration such as 720h";
    return std::nullopt;
  }
  return std::chrono::seconds(*nanos / 1000000000);
}

std::optional<std::int64_t> historyLimit(const nlohmann::json& cluster) {
  if (!cluster.contains("spec") || !cluster["spec"].is_object()) {
    return std::nullopt;
  }
  const nlohmann::json& spec = cluster["spec"];
  if (!spec.contains("backupScheduleJobsHistoryLimit") ||
      !spec["backupScheduleJobsHistoryLimit"].is_number_integer()) {
    return std::nullopt;
  }
  return std::max<std::int64_t>(0, spec["backupScheduleJobsHistoryLimit"].get<std::int64_t>());
}

}  // namespace mysqlop::backup
