#include "plugins/backup/src/reconciler.h"

#include <chrono>
#include <ctime>
#include <utility>

#include "plugins/backup/src/http_get.h"
#include "plugins/backup/src/job.h"
#include "plugins/backup/src/naming.h"
#include "plugins/backup/src/progress.h"
#include "plugins/backup/src/source.h"
#include "plugins/backup/src/spec.h"
#include "plugins/backup/src/status.h"
#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/events.h"
#include "plugins/common/kube/labels.h"
#include "plugins/common/kube/owner.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/time.h"

namespace mysqlop::backup {
namespace {

using mysqlop::Outcome;
using nlohmann::json;

std::string keyOf(const json& obj) {
  return text(obj, {"metadata", "namespace"}) + "/" + text(obj, {"metadata", "name"});
}

bool hasFinalizer(const json& obj) {
  if (!obj.contains("metadata") || !obj["metadata"].contains("finalizers")) {
    return false;
  }
  for (const json& f : obj["metadata"]["finalizers"]) {
    if (f.is_string() && f.get<std::string>() == kFinalizer) {
      return true;
    }
  }
  return false;
}

void setFinalizer(json& obj, bool on) {
  json list = json::array();
  if (obj["metadata"].contains("finalizers") && obj["metadata"]["finalizers"].is_array()) {
    for (const json& f : obj["metadata"]["finalizers"]) {
      if (!(f.is_string() && f.get<std::string>() == kFinalizer)) {
        list.push_back(f);
      }
    }
  }
  if (on) {
    list.push_back(kFinalizer);
  }
  obj["metadata"]["finalizers"] = list;
}

// Replaces obj; on success obj becomes the stored object.
mysqlop::Reply updateObject(mysqlop::Call& call, json& obj) {
  mysqlop::Reply r = call.update(kube::res::kMysqlBackup, obj.dump());
  if (r.ok()) {
    json stored = json::parse(r.data, nullptr, false);
    if (stored.is_object()) {
      obj = std::move(stored);
    }
  }
  return r;
}

const char* kindOf(bool failed) { return failed ? "Failed" : "Complete"; }

}  // namespace

Reconciler::Reconciler(Options options, LogFn log, CatalogFn catalog,
                       SidecarEndpointFn sidecarEndpoint)
    : options_(std::move(options)),
      log_(std::move(log)),
      catalog_(std::move(catalog)),
      sidecarEndpoint_(std::move(sidecarEndpoint)),
      scheduler_(log_) {}

void Reconciler::log(mysqlop_type_log_level level, const std::string& message) const {
  if (log_) {
    log_(level, message);
  }
}

Outcome Reconciler::reconcile(mysqlop::Call& call, std::string_view ns, std::string_view name) {
  if (name.substr(0, kSchedulePrefix.size()) == kSchedulePrefix) {
    return scheduler_.reconcile(call, ns, name.substr(kSchedulePrefix.size()));
  }
  const std::string key = std::string(ns) + "/" + std::string(name);
  mysqlop::Reply got = call.get(kube::res::kMysqlBackup, ns, name);
  if (got.notFound()) {
    return Outcome::done();
  }
  if (!got.ok()) {
    return Outcome::retry("reading MysqlBackup " + key + ": " + got.error);
  }
  json backup = json::parse(got.data, nullptr, false);
  if (!backup.is_object() || !backup.contains("metadata")) {
    return Outcome::retry("MysqlBackup " + key + " is not a JSON object");
  }
  return reconcileBackup(call, backup);
}

std::string Reconciler::imageFor(mysqlop::Call& call, const std::string& ns, const json& cluster) {
  json sts;
  if (cluster.is_object()) {
    mysqlop::Reply r =
        call.get(kube::res::kStatefulSet, ns, statefulSetName(text(cluster, {"metadata", "name"})));
    if (r.ok()) {
      sts = json::parse(r.data, nullptr, false);
    }
  }
  return sidecarImage(sts, cluster, options_);
}

Outcome Reconciler::reconcileBackup(mysqlop::Call& call, json& backup) {
  const std::string key = keyOf(backup);
  const std::string ns = text(backup, {"metadata", "namespace"});
  const bool deleting = !text(backup, {"metadata", "deletionTimestamp"}).empty();
  const std::string clusterName = text(backup, {"spec", "clusterName"});
  if (clusterName.empty()) {
    if (deleting && hasFinalizer(backup)) {
      return finalize(call, backup, json());
    }
    // The host records it as a ReconcileFailed Warning Event on the backup.
    return Outcome::invalid("spec.clusterName is empty: the backup has no cluster to back up");
  }

  mysqlop::Reply got = call.get(kube::res::kMysqlCluster, ns, clusterName);
  json cluster;
  if (got.ok()) {
    cluster = json::parse(got.data, nullptr, false);
  } else if (!got.notFound()) {
    return Outcome::retry("reading MysqlCluster " + ns + "/" + clusterName + ": " + got.error);
  }
  if (deleting) {
    return finalize(call, backup, cluster);
  }
  if (!cluster.is_object()) {
    // As bitpoke: only the deletion path runs without the cluster; the backup waits for it.
    const std::string message =
        "cluster not found: mysqlclusters.mysql.presslabs.org \"" + clusterName + "\" not found";
    kube::recordEvent(call, backup, mysqlop_event_Warning, "ClusterNotFound", message);
    return Outcome::retry(message);
  }

  const CompressionChoice compression = compressionOf(cluster);
  const DefaultsResult defaults = applyDefaults(backup, cluster, compression.compression);
  const bool wantFinalizer = remoteDeletePolicy(backup) == "delete" && !hasFinalizer(backup);
  if (wantFinalizer) {
    setFinalizer(backup, true);
  }
  if (defaults.changed || wantFinalizer) {
    mysqlop::Reply saved = updateObject(call, backup);
    if (!saved.ok()) {
      return Outcome::retry("saving the defaults of MysqlBackup " + key + ": " + saved.error);
    }
  }
  if (!defaults.error.empty()) {
    kube::recordEvent(call, backup, mysqlop_event_Warning, "BackupURLMissing",
                      defaults.error + ": neither the MysqlBackup nor MysqlCluster " + ns + "/" +
                          clusterName + " has a backupURL");
    return Outcome::retry(defaults.error);
  }

  const json status =
      backup.contains("status") && backup["status"].is_object() ? backup["status"] : json::object();
  if (status.value("completed", false)) {
    return Outcome::done();  // the Job is never recreated once the backup completed
  }
  const std::string jobName = backupJobName(text(backup, {"metadata", "name"}));
  mysqlop::Reply job = call.get(kube::res::kJob, ns, jobName);
  if (job.notFound()) {
    if (!compression.warning.empty()) {
      kube::recordEvent(call, cluster, mysqlop_event_Warning, "InvalidBackupCompression",
                        compression.warning);
    }
    JobInputs in{backup, cluster, imageFor(call, ns, cluster), catalog_ ? catalog_(call) : ""};
    const std::string source = chooseSourceHost(cluster);
    mysqlop::Reply created = call.create(kube::res::kJob, backupJob(in, source, options_).dump());
    if (!created.ok() && created.status != mysqlop_status_AlreadyExists) {
      kube::recordEvent(call, backup, mysqlop_event_Warning, "BackupJobSyncFailed",
                        "Job " + ns + "/" + jobName + ": " + created.error);
      return Outcome::retry("creating Job " + ns + "/" + jobName + ": " + created.error);
    }
    if (created.ok()) {
      log(mysqlop_log_Info, "MysqlBackup " + key + ": created Job " + jobName + " (source " +
                                source + ", " + text(backup, {"spec", "backupURL"}) + ")");
      kube::recordEvent(call, backup, mysqlop_event_Normal, "BackupJobSyncSuccessfull",
                        "Job " + ns + "/" + jobName + " created successfully");
    }
    return Outcome::done();  // the Job's changes requeue the backup
  }
  if (!job.ok()) {
    return Outcome::retry("reading Job " + ns + "/" + jobName + ": " + job.error);
  }
  const json jobObj = json::parse(job.data, nullptr, false);
  if (!kube::isControlledBy(jobObj, text(backup, {"metadata", "uid"}))) {
    return Outcome::retry("Job " + ns + "/" + jobName +
                          " exists and is not controlled by this MysqlBackup (a Job of an "
                          "earlier MysqlBackup of the same name not yet deleted?)");
  }
  return syncStatus(call, backup, jobObj);
}

Outcome Reconciler::syncStatus(mysqlop::Call& call, json& backup, const json& job) {
  const std::string key = keyOf(backup);
  const std::string ns = text(backup, {"metadata", "namespace"});
  std::optional<TerminationReport> report;
  const bool finished = jobCondition(job, "Complete") || jobCondition(job, "Failed");
  if (finished) {
    mysqlop::Reply pods = call.list(
        kube::res::kPod, ns, kube::selectorString({{"job-name", text(job, {"metadata", "name"})}}));
    if (pods.ok()) {
      const std::string message =
          terminationMessage(json::parse(pods.data, nullptr, false), "backup");
      std::string error;
      if (!message.empty()) {
        report = parseTermination(message, &error);
        if (!report) {
          log(mysqlop_log_Warn, "MysqlBackup " + key + ": " + error);
        }
      }
    } else {
      log(mysqlop_log_Warn, "MysqlBackup " + key + ": listing the pods of its Job: " + pods.error);
    }
  }
  const json before =
      backup.contains("status") && backup["status"].is_object() ? backup["status"] : json::object();
  const std::string now = kube::nowTime();
  json after = statusFromJob(before, job, report, now);
  Outcome outcome = Outcome::done();
  if (finished) {
    // The termination message is the truth now: the progress is finalised (or kept, on failure).
    const json last = before.contains("progress") ? before["progress"] : json();
    const json progress = finishedProgress(last, jobCondition(job, "Complete"), report, now);
    if (!progress.is_null()) {
      after["progress"] = progress;
    }
  } else {
    outcome = pollProgress(call, backup, job, after);
  }
  if (after == before) {
    return outcome;
  }
  // A merge patch of the status fields that changed alone: the spec and metadata stay the
  // user's (there is no status subresource, as in bitpoke), and a progress poll writes
  // status.progress only.
  mysqlop::Reply patched =
      call.patch(kube::res::kMysqlBackup, ns, text(backup, {"metadata", "name"}),
                 mysqlop_patch_Merge, json{{"status", mergePatch(before, after)}}.dump());
  if (!patched.ok()) {
    return Outcome::retry("updating the status of MysqlBackup " + key + ": " + patched.error);
  }
  if (after.value("completed", false) && !before.value("completed", false)) {
    const bool failed = jobCondition(job, "Failed");
    const json* c = nullptr;
    for (const json& cond : after["conditions"]) {
      if (cond.value("type", "") == kindOf(failed)) {
        c = &cond;
      }
    }
    const std::string message = c ? c->value("message", "") : "";
    log(failed ? mysqlop_log_Warn : mysqlop_log_Info,
        "MysqlBackup " + key + (failed ? " failed: " : " completed") + (failed ? message : ""));
    kube::recordEvent(call, backup, failed ? mysqlop_event_Warning : mysqlop_event_Normal,
                      failed ? "BackupFailed" : "BackupCompleted",
                      failed ? message : "backup stored at " + text(backup, {"spec", "backupURL"}));
  }
  return outcome;
}

Outcome Reconciler::pollProgress(mysqlop::Call& call, const json& backup, const json& job,
                                 json& status) {
  if (!sidecarEndpoint_) {
    return Outcome::done();
  }
  const std::time_t now = std::time(nullptr);
  // Each patch of the progress requeues the backup through its watch: this keeps the polls (and
  // the patches) at one per kProgressIntervalMs however often the backup is reconciled.
  const std::uint64_t wait =
      progressWaitMs(status.contains("progress") ? status["progress"] : json(), now);
  if (wait > 0) {
    return Outcome::requeueAfter(wait);
  }
  const std::string key = keyOf(backup);
  const std::string source = sourceHostOfJob(job);
  if (source.empty()) {
    return Outcome::done();  // not a Job of ours: nothing to poll
  }
  std::string host;
  std::uint16_t port = 0;
  std::string error;
  if (!sidecarEndpoint_(call, text(backup, {"metadata", "namespace"}),
                        text(backup, {"spec", "clusterName"}), podOfHost(source), &host, &port,
                        &error)) {
    log(mysqlop_log_Debug, "MysqlBackup " + key + ": no progress from " + source + ": " + error);
    return Outcome::requeueAfter(kProgressIntervalMs);
  }
  const HttpAnswer answer =
      httpGet(host, port, "/xbackup/progress", std::chrono::milliseconds(2000));
  std::optional<SidecarProgress> progress;
  if (answer.status == 200) {
    progress = parseSidecarProgress(answer.body, &error);
  } else {
    // A sidecar older than the route answers 404: the backup runs, without progress.
    error = answer.status ? "HTTP " + std::to_string(answer.status) : answer.error;
  }
  if (!progress) {
    log(mysqlop_log_Debug, "MysqlBackup " + key + ": no progress from " + source + ": " + error);
  } else if (belongsToJob(*progress, job)) {
    status["progress"] = runningProgress(*progress, kube::formatTime(now));
  }
  return Outcome::requeueAfter(kProgressIntervalMs);
}

Outcome Reconciler::finalize(mysqlop::Call& call, json& backup, const json& cluster) {
  if (!hasFinalizer(backup)) {
    return Outcome::done();
  }
  const std::string key = keyOf(backup);
  const std::string ns = text(backup, {"metadata", "namespace"});
  const json status =
      backup.contains("status") && backup["status"].is_object() ? backup["status"] : json::object();
  const bool failed =
      kube::conditionStatus(status.value("conditions", json::array()), "Failed") == "True";
  const std::string url = text(backup, {"spec", "backupURL"});
  std::string skip;  // why no cleanup Job runs
  if (remoteDeletePolicy(backup) != "delete") {
    skip = "remoteDeletePolicy is no longer delete";
  } else if (failed) {
    skip = "the backup failed, nothing was stored";
  } else if (url.empty()) {
    skip = "the backup has no backupURL, nothing was stored";
  }
  if (skip.empty()) {
    const std::string jobName = cleanupJobName(text(backup, {"metadata", "name"}));
    mysqlop::Reply job = call.get(kube::res::kJob, ns, jobName);
    if (job.notFound()) {
      JobInputs in{backup, cluster, imageFor(call, ns, cluster), catalog_ ? catalog_(call) : ""};
      mysqlop::Reply created = call.create(kube::res::kJob, cleanupJob(in, options_).dump());
      if (!created.ok() && created.status != mysqlop_status_AlreadyExists) {
        return Outcome::retry("creating the cleanup Job " + ns + "/" + jobName + ": " +
                              created.error);
      }
      log(mysqlop_log_Info,
          "MysqlBackup " + key + ": created the cleanup Job " + jobName + " for " + url);
      return Outcome::done();
    }
    if (!job.ok()) {
      return Outcome::retry("reading the cleanup Job " + ns + "/" + jobName + ": " + job.error);
    }
    const json jobObj = json::parse(job.data, nullptr, false);
    if (jobCondition(jobObj, "Failed")) {
      // As bitpoke: the finalizer stays (the object may still be stored); the user is told on
      // the cluster, or on the backup when the cluster is gone.
      std::string message = "job failed";
      const json conds = jobObj.contains("status")
                             ? jobObj["status"].value("conditions", json::array())
                             : json::array();
      for (const json& c : conds) {
        if (c.value("type", "") == "Failed" && !c.value("message", "").empty()) {
          message = "job failed: " + c.value("message", "");
        }
      }
      message = "removing " + url + " of MysqlBackup " + key + ": " + message;
      if (!text(status, {"remoteDeletion"}).empty()) {
        return Outcome::done();  // already told
      }
      kube::recordEvent(call, cluster.is_object() ? cluster : backup, mysqlop_event_Warning,
                        "RemoteDeletionFailed", message);
      log(mysqlop_log_Warn, message);
      call.patch(kube::res::kMysqlBackup, ns, text(backup, {"metadata", "name"}),
                 mysqlop_patch_Merge, json{{"status", {{"remoteDeletion", "Failed"}}}}.dump());
      return Outcome::done();
    }
    if (!jobCondition(jobObj, "Complete")) {
      return Outcome::done();  // the Job's changes requeue the backup
    }
    log(mysqlop_log_Info, "MysqlBackup " + key + ": removed " + url);
  } else {
    log(mysqlop_log_Info, "MysqlBackup " + key + ": no remote cleanup: " + skip);
  }
  setFinalizer(backup, false);
  mysqlop::Reply saved = updateObject(call, backup);
  if (!saved.ok() && !saved.notFound()) {
    return Outcome::retry("removing the finalizer of MysqlBackup " + key + ": " + saved.error);
  }
  return Outcome::done();
}

}  // namespace mysqlop::backup
