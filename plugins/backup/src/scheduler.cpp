#include "plugins/backup/src/scheduler.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "plugins/backup/src/naming.h"
#include "plugins/backup/src/retention.h"
#include "plugins/backup/src/spec.h"
#include "plugins/common/cron/schedule.h"
#include "plugins/common/kube/events.h"
#include "plugins/common/kube/labels.h"
#include "plugins/common/kube/resources.h"

namespace mysqlop::backup {
namespace {

using mysqlop::Outcome;
using nlohmann::json;

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Outcome wakeAt(std::int64_t unixSeconds) {
  const std::int64_t delay = unixSeconds * 1000 - nowMs();
  return Outcome::requeueAfter(static_cast<std::uint64_t>(std::max<std::int64_t>(delay, 1)));
}

json scheduledBackup(const json& cluster, const std::string& name) {
  const std::string c = text(cluster, {"metadata", "name"});
  json spec = {{"clusterName", c}};
  const std::string policy = text(cluster, {"spec", "backupRemoteDeletePolicy"});
  if (!policy.empty()) {
    spec["remoteDeletePolicy"] = policy;
  }
  return {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
          {"kind", "MysqlBackup"},
          {"metadata",
           {{"name", name},
            {"namespace", text(cluster, {"metadata", "namespace"})},
            {"labels", {{kRecurrentLabel, "true"}, {kClusterLabel, c}}}}},
          {"spec", spec}};
}

}  // namespace

void Scheduler::log(mysqlop_type_log_level level, const std::string& message) const {
  if (log_) {
    log_(level, message);
  }
}

void Scheduler::forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  states_.erase(key);
}

Outcome Scheduler::reconcile(mysqlop::Call& call, std::string_view nsView,
                             std::string_view clusterView) {
  const std::string ns(nsView);
  const std::string name(clusterView);
  const std::string key = ns + "/" + name;
  mysqlop::Reply got = call.get(kube::res::kMysqlCluster, ns, name);
  if (got.notFound()) {
    forget(key);
    return Outcome::done();
  }
  if (!got.ok()) {
    return Outcome::retry("reading MysqlCluster " + key + ": " + got.error);
  }
  const json cluster = json::parse(got.data, nullptr, false);
  const std::string scheduleText = text(cluster, {"spec", "backupSchedule"});
  if (!cluster.is_object() || scheduleText.empty() ||
      !text(cluster, {"metadata", "deletionTimestamp"}).empty()) {
    forget(key);
    return Outcome::done();
  }

  State state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    state = states_[key];
  }
  std::string why;
  const auto schedule = cron::Schedule::parse(scheduleText, &why);
  if (!schedule) {
    // Refused once per text: a new Event when the user writes another bad schedule.
    if (state.refused != scheduleText) {
      // The cluster plugin's text and reason for the same check: with both plugins loaded the
      // two Events are one (same reason and message) and the user reads one cause.
      const std::string message =
          "spec.backupSchedule: \"" + scheduleText + "\" is not a valid schedule: " + why;
      log(mysqlop_log_Warn, "MysqlCluster " + key + ": failed to parse schedule: " + message);
      kube::recordEvent(call, cluster, mysqlop_event_Warning, "InvalidBackupSchedule", message);
    }
    std::lock_guard<std::mutex> lock(mu_);
    states_[key] = State{"", 0, scheduleText};
    return Outcome::done();
  }

  const std::int64_t now = nowMs() / 1000;
  if (state.schedule != scheduleText || state.nextUnix == 0) {
    state = State{scheduleText, schedule->nextUnix(now).value_or(0), ""};
    std::lock_guard<std::mutex> lock(mu_);
    states_[key] = state;
  }
  if (state.nextUnix == 0) {
    log(mysqlop_log_Warn, "MysqlCluster " + key + ": schedule \"" + scheduleText +
                              "\" has no activation within five years");
    return Outcome::done();
  }
  if (now < state.nextUnix) {
    return wakeAt(state.nextUnix);
  }

  // An activation is due.
  mysqlop::Reply listed =
      call.list(kube::res::kMysqlBackup, ns,
                kube::selectorString({{kRecurrentLabel, "true"}, {kClusterLabel, name}}));
  if (!listed.ok()) {
    return Outcome::retry("listing the scheduled MysqlBackups of " + key + ": " + listed.error);
  }
  std::vector<ScheduledBackup> items = scheduledBackups(json::parse(listed.data, nullptr, false));
  if (oneRunning(items)) {
    log(mysqlop_log_Info, "MysqlCluster " + key +
                              ": a scheduled backup is still running, this activation is skipped");
  } else {
    // Named after the activation, so a retried pass creates the same backup (AlreadyExists).
    const std::string backupName = autoBackupName(name, static_cast<std::time_t>(state.nextUnix));
    mysqlop::Reply created =
        call.create(kube::res::kMysqlBackup, scheduledBackup(cluster, backupName).dump());
    if (!created.ok() && created.status != mysqlop_status_AlreadyExists) {
      return Outcome::retry("creating the scheduled MysqlBackup " + ns + "/" + backupName + ": " +
                            created.error);
    }
    if (created.ok()) {
      log(mysqlop_log_Info,
          "MysqlCluster " + key + ": created scheduled MysqlBackup " + backupName);
      items.push_back(
          ScheduledBackup{backupName, static_cast<std::time_t>(now), false, false, false});
    }
  }

  std::string ageError;
  const auto maxAge = retentionAge(cluster, &ageError);
  if (!ageError.empty()) {
    kube::recordEvent(call, cluster, mysqlop_event_Warning, "InvalidBackupRetention", ageError);
  }
  for (const std::string& old : toPrune(items, historyLimit(cluster), maxAge, now)) {
    mysqlop::Reply removed = call.remove(kube::res::kMysqlBackup, ns, old, "Background");
    if (!removed.ok() && !removed.notFound()) {
      log(mysqlop_log_Warn, "MysqlCluster " + key + ": deleting the old scheduled MysqlBackup " +
                                old + ": " + removed.error);
    } else if (removed.ok()) {
      log(mysqlop_log_Info,
          "MysqlCluster " + key + ": deleted the old scheduled MysqlBackup " + old);
    }
  }

  state.nextUnix = schedule->nextUnix(std::max(now, state.nextUnix)).value_or(0);
  {
    std::lock_guard<std::mutex> lock(mu_);
    states_[key] = state;
  }
  return state.nextUnix ? wakeAt(state.nextUnix) : Outcome::done();
}

}  // namespace mysqlop::backup
