// The Job sync (README.md, "Job"): count the pods, decide whether the Job is finished, and
// otherwise bring the number of active pods to what completions and parallelism want.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/informer.h"
#include "localcluster/controllers/job_controller.h"
#include "localcluster/controllers/resources.h"

namespace mysqlop::local::controllers {

namespace {
const char* kCompletionsReached = "CompletionsReached";
const char* kCompletionsMessage = "Reached expected number of succeeded pods";
const char* kBackoffLimitExceeded = "BackoffLimitExceeded";
const char* kBackoffMessage = "Job has reached the specified backoff limit";
const char* kDeadlineExceeded = "DeadlineExceeded";
const char* kDeadlineMessage = "Job was active longer than specified deadline";
}  // namespace

Result<void> JobController::syncJob(const std::string& key) {
  auto cached = jobs_->store().get(key);
  if (!cached) {
    expectations_.forget(key);
    std::lock_guard<std::mutex> lock(mu_);
    failures_.erase(key);
    return {};
  }
  json job = parseObject(cached);
  if (isTerminating(job)) {
    // Being deleted (Foreground waits for the pods): nothing runs or counts any more, and no
    // tracking finalizer may hold a pod back.
    for (const auto& o :
         pods_->store().byControllerOwner(cached->namespaceName, "Job", cached->name)) {
      const json pod = parseObject(o);
      if (hasTrackingFinalizer(pod)) {
        auto released = removeTrackingFinalizer(pod);
        if (!released.ok()) {
          return released;
        }
      }
    }
    return {};
  }
  if (!job.contains("status") || !job["status"].is_object()) {
    job["status"] = json::object();
  }
  const json& spec = job["spec"];
  const json oldStatus = job["status"];
  if (hasTrueCondition(oldStatus, "Complete") || hasTrueCondition(oldStatus, "Failed")) {
    return finishedJob(key, job);
  }
  const auto [keyNs, jobName] = splitKey(key);
  const std::string ns = keyNs;  // a named copy: lambdas below capture it
  const std::string uid = metaString(job, "uid");
  const bool settled = expectations_.satisfied(
      key, [&](const std::string& e) { return expectationPending(pods_->store(), ns, e); });
  if (!settled) {
    enqueueAfter(key, std::chrono::seconds(1));
    return {};
  }

  std::vector<json> owned;
  for (const auto& o : pods_->store().byControllerOwner(ns, "Job", jobName)) {
    if (o->controller && o->controller->uid == uid) {
      owned.push_back(parseObject(o));
    }
  }
  json status = oldStatus;
  const bool suspend = spec.value("suspend", false);
  JobPods pods = trackJobPods(status, owned, suspend);
  std::vector<json>& active = pods.active;
  const json& uncounted = status["uncountedTerminatedPods"];
  // Decisions count the pods recorded but not yet settled too.
  const std::int64_t succeeded =
      intField(status, "succeeded", 0) +
      static_cast<std::int64_t>(uncounted.value("succeeded", json::array()).size());
  const std::int64_t failed =
      intField(status, "failed", 0) +
      static_cast<std::int64_t>(uncounted.value("failed", json::array()).size());

  auto now = std::chrono::system_clock::now();
  if (suspend && !hasTrueCondition(oldStatus, "FailureTarget") &&
      !hasTrueCondition(oldStatus, "SuccessCriteriaMet")) {
    return suspendJob(key, job, oldStatus, status, pods);
  }
  bool resumed = false;
  if (hasTrueCondition(oldStatus, "Suspended")) {
    // Resumed: the clock of activeDeadlineSeconds starts again.
    setCondition(status, "Suspended", "False", "JobResumed", "Job resumed");
    status.erase("startTime");
    resumed = true;
  }
  if (str(status, "startTime").empty()) {
    status["startTime"] = rfc3339(now);
  }
  const auto startTime = parseRfc3339(str(status, "startTime")).value_or(now);

  const bool onFailure = str(spec["template"]["spec"], "restartPolicy") == "OnFailure";
  const std::int64_t backoffLimit = intField(spec, "backoffLimit", 6);
  const bool hasCompletions = spec.contains("completions") && spec["completions"].is_number();
  const std::int64_t completions = hasCompletions ? spec["completions"].get<std::int64_t>() : 0;
  const std::int64_t parallelism = intField(spec, "parallelism", 1);

  bool backoffExceeded = failed > backoffLimit;
  if (onFailure && !backoffExceeded) {
    backoffExceeded = backoffLimit == 0 ? pods.restarts > 0 : pods.restarts >= backoffLimit;
  }
  std::optional<SystemTime> deadline;
  if (spec.contains("activeDeadlineSeconds") && spec["activeDeadlineSeconds"].is_number_integer()) {
    deadline = startTime + std::chrono::seconds(spec["activeDeadlineSeconds"].get<std::int64_t>());
  }
  const bool pastDeadline = deadline && *deadline <= now;
  const bool complete =
      hasCompletions ? succeeded >= completions : (succeeded > 0 && active.empty());

  const char* failReason = nullptr;
  if (hasTrueCondition(oldStatus, "FailureTarget")) {
    for (const auto& c : oldStatus["conditions"]) {
      if (str(c, "type") == "FailureTarget") {
        failReason =
            str(c, "reason") == kDeadlineExceeded ? kDeadlineExceeded : kBackoffLimitExceeded;
      }
    }
  } else if (!hasTrueCondition(oldStatus, "SuccessCriteriaMet") && backoffExceeded) {
    failReason = kBackoffLimitExceeded;
  } else if (!hasTrueCondition(oldStatus, "SuccessCriteriaMet") && pastDeadline) {
    failReason = kDeadlineExceeded;
  }
  const char* failMessage = failReason == nullptr             ? nullptr
                            : failReason == kDeadlineExceeded ? kDeadlineMessage
                                                              : kBackoffMessage;
  const bool finishing =
      failReason != nullptr || (complete && !hasTrueCondition(oldStatus, "FailureTarget"));
  bool finishedNow = false;
  std::vector<json> toDelete;

  if (finishing) {
    toDelete = active;  // a finished Job keeps no running pods
    if (failReason != nullptr) {
      setCondition(status, "FailureTarget", "True", failReason, failMessage);
    } else {
      setCondition(status, "SuccessCriteriaMet", "True", kCompletionsReached, kCompletionsMessage);
    }
    // The final condition waits until every pod is stopped and counted.
    if (active.empty() && pods.terminating == 0 && pods.toRelease.empty()) {
      if (failReason != nullptr) {
        setCondition(status, "Failed", "True", failReason, failMessage);
      } else {
        setCondition(status, "Complete", "True", kCompletionsReached, kCompletionsMessage);
        status["completionTime"] = nowRfc3339();
      }
      finishedNow = true;
    }
  }

  status["active"] = finishing ? 0 : static_cast<std::int64_t>(active.size());
  status["ready"] = finishing ? 0 : pods.ready;
  status["terminating"] = pods.terminating;
  if (status != oldStatus) {
    // Written before any finalizer is removed: a pod is never released before it is recorded.
    job["status"] = status;
    auto written = client_.updateStatus(res::kJobs, job);
    if (!written.ok()) {
      return written.error();
    }
    job = std::move(*written);
    if (resumed) {
      recordEvent(events_, res::kJobs, job, "Normal", "Resumed", "Job resumed");
    }
    if (finishedNow && failReason != nullptr) {
      recordEvent(events_, res::kJobs, job, "Warning", failReason, failMessage);
    } else if (finishedNow) {
      recordEvent(events_, res::kJobs, job, "Normal", "Completed", "Job completed");
    }
  }
  for (const auto& pod : pods.toRelease) {
    auto released = removeTrackingFinalizer(pod);
    if (!released.ok()) {
      return released;
    }
  }
  for (const auto& pod : toDelete) {
    auto gone = deletePod(key, job, pod);
    if (!gone.ok()) {
      return gone;
    }
  }
  if (finishing) {
    return {};
  }

  std::int64_t want = parallelism;
  if (hasCompletions) {
    want = std::min(parallelism, completions - succeeded);
  } else if (succeeded > 0) {
    want = static_cast<std::int64_t>(active.size());  // work queue: no new pods after a success
  }
  want = std::max<std::int64_t>(want, 0);
  const auto have = static_cast<std::int64_t>(active.size());
  if (have > want) {
    // Extra pods (parallelism lowered): the newest go first.
    std::sort(active.begin(), active.end(), [](const json& a, const json& b) {
      return metaString(a, "creationTimestamp") > metaString(b, "creationTimestamp");
    });
    for (std::int64_t i = 0; i < have - want; ++i) {
      auto gone = deletePod(key, job, active[static_cast<std::size_t>(i)]);
      if (!gone.ok()) {
        return gone;
      }
    }
  } else if (have < want) {
    auto wait = failureDelay(key, failed);
    if (wait.count() > 0) {
      enqueueAfter(key, wait);
    } else {
      auto made = createPods(key, job, static_cast<int>(want - have));
      if (!made.ok()) {
        return made;
      }
    }
  }
  if (deadline) {
    enqueueAfter(key, std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now) +
                          std::chrono::milliseconds(50));
  }
  return {};
}

}  // namespace mysqlop::local::controllers
