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

class JobController final : public Controller {
 public:
  // podFailureBackoff: the delay before a pod replaces a failed one, doubled per failure up to
  // 10 minutes (Kubernetes: 10 s).
  JobController(kube::Client& client, int workers, std::chrono::milliseconds podFailureBackoff);
  void registerHandlers(kube::InformerFactory& informers) override;

 protected:
  Result<void> sync(const std::string& key) override;

 private:
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
