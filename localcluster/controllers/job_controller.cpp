// The Job controller (README.md, "Job"): handlers, pod writes, the pod-failure backoff, TTL and
// suspension; the sync itself is job_sync.cpp.
#include "localcluster/controllers/job_controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/informer_factory.h"
#include "localcluster/controllers/resources.h"

namespace mysqlop::local::controllers {

namespace {
// Kubernetes: MaxJobPodFailureBackOff.
constexpr std::chrono::minutes kMaxPodFailureBackoff{10};
}  // namespace

JobController::JobController(kube::Client& client, int workers,
                             std::chrono::milliseconds podFailureBackoff)
    : Controller("job", workers),
      client_(client),
      podFailureBackoff_(podFailureBackoff),
      events_(client, eventOptions("job-controller")) {}

void JobController::enqueueOwner(const kube::ObjectPtr& o) {
  if (!o) {
    return;
  }
  if (o->controller && o->controller->kind == "Job") {
    auto job = jobs_->store().get(keyOf(o->namespaceName, o->controller->name));
    if (job && job->uid == o->controller->uid) {
      enqueue(keyOf(o->namespaceName, o->controller->name));
      return;
    }
  }
  // No Job of ours counts this pod any more: only its tracking finalizer is our business.
  if (o->json.find(kJobTrackingFinalizer) != std::string::npos) {
    enqueue("orphan:" + o->key());
  }
}

void JobController::registerHandlers(kube::InformerFactory& informers) {
  jobs_ = cache(informers, res::kJobs);
  pods_ = cache(informers, res::kPods);
  kube::EventHandlers own;
  own.onAdd = [this](const kube::ObjectPtr& o) { enqueue(o->key()); };
  own.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) { enqueue(o->key()); };
  own.onDelete = [this](const kube::ObjectPtr& o) {
    enqueue(o->key());
    // Its pods are orphans now: their tracking finalizers must go, or the garbage collector
    // could never remove them. No further pod event may come to say so.
    for (const auto& p : pods_->store().byControllerOwner(o->namespaceName, "Job", o->name)) {
      if (p->json.find(kJobTrackingFinalizer) != std::string::npos) {
        enqueue("orphan:" + p->key());
      }
    }
  };
  jobs_->addHandlers(own);
  kube::EventHandlers owned;
  owned.onAdd = [this](const kube::ObjectPtr& o) { enqueueOwner(o); };
  owned.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) { enqueueOwner(o); };
  owned.onDelete = [this](const kube::ObjectPtr& o) { enqueueOwner(o); };
  pods_->addHandlers(owned);
}

Result<void> JobController::createPods(const std::string& key, const json& job, int count) {
  const json& tmpl = job["spec"]["template"];
  json meta = tmpl.value("metadata", json::object());
  meta.erase("name");
  meta["generateName"] = metaString(job, "name") + "-";
  meta["namespace"] = metaString(job, "namespace");
  meta["ownerReferences"] = json::array({controllerRef("batch/v1", "Job", job)});
  meta["finalizers"] = json::array({kJobTrackingFinalizer});
  const json pod = {{"apiVersion", "v1"},
                    {"kind", "Pod"},
                    {"metadata", meta},
                    {"spec", tmpl.value("spec", json::object())}};
  for (int i = 0; i < count; ++i) {
    auto r = client_.create(res::kPods, pod);
    if (!r.ok()) {
      recordEvent(events_, res::kJobs, job, "Warning", "FailedCreate",
                  "Error creating: " + r.error().message);
      return r.error();
    }
    expectations_.expect(key, metaString(*r, "name"));
    recordEvent(events_, res::kJobs, job, "Normal", "SuccessfulCreate",
                "Created pod: " + metaString(*r, "name"));
  }
  return {};
}

Result<void> JobController::deletePod(const std::string& key, const json& job, const json& pod) {
  expectations_.expect(key, metaString(pod, "name") + "@" + metaString(pod, "uid"));
  kube::DeleteOptions options;
  options.preconditionUid = metaString(pod, "uid");
  auto r =
      client_.remove(res::kPods, metaString(pod, "namespace"), metaString(pod, "name"), options);
  if (!r.ok() && !r.is(Errc::NotFound)) {
    recordEvent(events_, res::kJobs, job, "Warning", "FailedDelete",
                "Error deleting: " + r.error().message);
    return r;
  }
  recordEvent(events_, res::kJobs, job, "Normal", "SuccessfulDelete",
              "Deleted pod: " + metaString(pod, "name"));
  return {};
}

std::chrono::milliseconds JobController::failureDelay(const std::string& key, std::int64_t failed) {
  if (failed <= 0) {
    return std::chrono::milliseconds(0);
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  auto& [seen, at] = failures_[key];
  if (failed > seen) {
    seen = failed;
    at = now;
  }
  auto delay = podFailureBackoff_;
  for (std::int64_t i = 1; i < failed && delay < kMaxPodFailureBackoff; ++i) {
    delay *= 2;
  }
  delay = std::min<std::chrono::milliseconds>(delay, kMaxPodFailureBackoff);
  auto due = at + delay;
  return due <= now ? std::chrono::milliseconds(0)
                    : std::chrono::duration_cast<std::chrono::milliseconds>(due - now);
}

Result<void> JobController::finishedJob(const std::string& key, const json& job) {
  const json& spec = job["spec"];
  if (!spec.contains("ttlSecondsAfterFinished") ||
      !spec["ttlSecondsAfterFinished"].is_number_integer()) {
    return {};
  }
  const json& status = job["status"];
  std::string finishedAt = str(status, "completionTime");
  for (const auto& c : status.value("conditions", json::array())) {
    if ((str(c, "type") == "Complete" || str(c, "type") == "Failed") &&
        str(c, "status") == "True") {
      finishedAt = str(c, "lastTransitionTime");
    }
  }
  auto finished = parseRfc3339(finishedAt).value_or(std::chrono::system_clock::now());
  auto due = finished + std::chrono::seconds(spec["ttlSecondsAfterFinished"].get<std::int64_t>());
  auto now = std::chrono::system_clock::now();
  if (due > now) {
    enqueueAfter(key, std::chrono::duration_cast<std::chrono::milliseconds>(due - now) +
                          std::chrono::milliseconds(50));
    return {};
  }
  kube::DeleteOptions options;
  options.propagationPolicy = "Background";
  options.preconditionUid = metaString(job, "uid");
  auto r =
      client_.remove(res::kJobs, metaString(job, "namespace"), metaString(job, "name"), options);
  if (!r.ok() && !r.is(Errc::NotFound)) {
    return r;
  }
  spdlog::debug("job {}: deleted {} s after it finished", key,
                spec["ttlSecondsAfterFinished"].get<std::int64_t>());
  return {};
}

Result<void> JobController::suspendJob(const std::string& key, json job, const json& oldStatus,
                                       json status, const JobPods& pods) {
  // Kubernetes: a suspended Job has no active pods and no startTime; the pods it stops are not
  // failures.
  const bool first = !hasTrueCondition(oldStatus, "Suspended");
  setCondition(status, "Suspended", "True", "JobSuspended", "Job suspended");
  status.erase("startTime");
  status["active"] = 0;
  status["ready"] = 0;
  status["terminating"] = pods.terminating + static_cast<std::int64_t>(pods.active.size());
  if (status != oldStatus) {
    job["status"] = status;
    auto written = client_.updateStatus(res::kJobs, job);
    if (!written.ok()) {
      return written.error();
    }
    job = std::move(*written);
    if (first) {
      recordEvent(events_, res::kJobs, job, "Normal", "Suspended", "Job suspended");
    }
  }
  for (const auto& pod : pods.toRelease) {
    auto released = removeTrackingFinalizer(pod);
    if (!released.ok()) {
      return released;
    }
  }
  for (const auto& pod : pods.active) {
    auto gone = deletePod(key, job, pod);
    if (!gone.ok()) {
      return gone;
    }
  }
  return {};
}

Result<void> JobController::sync(const std::string& key) {
  if (key.rfind("orphan:", 0) == 0) {
    return releaseOrphan(key.substr(7));
  }
  return syncJob(key);
}
}  // namespace mysqlop::local::controllers
