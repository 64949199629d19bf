#pragma once
// The Job controller and the TTL-after-finished controller (README.md, "Job"): kubernetes
// pkg/controller/job/job_controller.go and pkg/controller/ttlafterfinished, over our informers.

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "localcluster/controllers/controller.h"
#include "localcluster/controllers/object_util.h"

namespace mysqlop::kube {
class Client;
class Informer;
}  // namespace mysqlop::kube

namespace mysqlop::local::controllers {

// The finalizer that keeps a Job's pod until the controller has counted it (kube-api.md 10.3).
inline constexpr const char* kJobTrackingFinalizer = "batch.kubernetes.io/job-tracking";

// A Job's pods as counting sees them (job_tracking.cpp), kubernetes
// trackJobStatusAndRemoveFinalizers: a finished pod (or one being deleted: it will never
// succeed) that still has the tracking finalizer is recorded in
// status.uncountedTerminatedPods, the status written, then the finalizer removed; once a
// recorded pod is gone or without the finalizer, its UID moves into succeeded/failed. A pod is
// so counted exactly once, even when it is deleted right after it finished.
struct JobPods {
  std::vector<json> active;     // not finished, not being deleted
  std::vector<json> toRelease;  // recorded as uncounted, finalizer still on
  std::int64_t terminating = 0;
  std::int64_t ready = 0;
  std::int64_t restarts = 0;    // container restarts of running pods (OnFailure)
  bool newlyUncounted = false;  // status.uncountedTerminatedPods gained UIDs: write it first
};
// Updates status (succeeded, failed, uncountedTerminatedPods) from the pods and sorts them.
// suspended: pods being deleted are the suspension's doing and are released without counting.
JobPods trackJobPods(json& status, const std::vector<json>& pods, bool suspended = false);
bool hasTrackingFinalizer(const json& pod);

class JobController final : public Controller {
 public:
  // podFailureBackoff: the delay before a pod replaces a failed one, doubled per failure up to
  // 10 minutes (Kubernetes: 10 s).
  JobController(kube::Client& client, int workers, std::chrono::milliseconds podFailureBackoff);
  void registerHandlers(kube::InformerFactory& informers) override;

 protected:
  Result<void> sync(const std::string& key) override;

 private:
  Result<void> syncJob(const std::string& key);
  Result<void> suspendJob(const std::string& key, json job, const json& oldStatus, json status,
                          const JobPods& pods);
  // A pod whose Job is gone keeps no tracking finalizer (key "orphan:<ns>/<pod>").
  Result<void> releaseOrphan(const std::string& podKey);
  Result<void> removeTrackingFinalizer(const json& pod);
  Result<void> finishedJob(const std::string& key, const json& job);
  Result<void> createPods(const std::string& key, const json& job, int count);
  Result<void> deletePod(const std::string& key, const json& job, const json& pod);
  // How long new pods must still wait after `failed` failures (0 = none).
  std::chrono::milliseconds failureDelay(const std::string& key, std::int64_t failed);
  void enqueueOwner(const kube::ObjectPtr& o);

  kube::Client& client_;
  std::chrono::milliseconds podFailureBackoff_;
  kube::Informer* jobs_ = nullptr;
  kube::Informer* pods_ = nullptr;
  Expectations expectations_;
  kube::EventRecorder events_;
  std::mutex mu_;
  // Per Job: the failure count last seen and when it grew (the backoff runs from there).
  std::map<std::string, std::pair<std::int64_t, std::chrono::steady_clock::time_point>> failures_;
};

}  // namespace mysqlop::local::controllers
