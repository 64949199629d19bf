// ControllerManager: owns the controllers, registers their handlers, runs their workers.
#include <spdlog/spdlog.h>

#include <memory>
#include <vector>

#include "localcluster/controllers/controllers.h"
#include "localcluster/controllers/endpoints.h"
#include "localcluster/controllers/job_controller.h"
#include "localcluster/controllers/pv_provisioner.h"
#include "localcluster/controllers/statefulset_controller.h"

namespace mysqlop::local::controllers {

struct ControllerManager::Impl {
  kube::InformerFactory& informers;
  std::vector<std::unique_ptr<Controller>> controllers;
  bool started = false;
};

ControllerManager::ControllerManager(kube::Client& client, kube::InformerFactory& informers,
                                     const ControllerOptions& options)
    : impl_(std::make_unique<Impl>(Impl{informers, {}, false})) {
  const int workers = options.workersPerController;
  impl_->controllers.push_back(std::make_unique<StatefulSetController>(client, workers));
  impl_->controllers.push_back(std::make_unique<JobController>(
      client, workers, std::chrono::milliseconds(options.jobPodFailureBackoffMs)));
  impl_->controllers.push_back(std::make_unique<PvProvisioner>(client, workers, options.dataDir));
  impl_->controllers.push_back(std::make_unique<EndpointsController>(client, workers));
}

ControllerManager::~ControllerManager() { stop(); }

void ControllerManager::start() {
  if (impl_->started) {
    return;
  }
  impl_->started = true;
  for (auto& c : impl_->controllers) {
    c->registerHandlers(impl_->informers);
  }
  // Workers wait for their caches to sync before the first sync (Controller::work).
  for (auto& c : impl_->controllers) {
    c->startWorkers();
  }
  spdlog::info("controllers started: statefulset, job, pv-provisioner, endpoints");
}

void ControllerManager::stop() {
  for (auto& c : impl_->controllers) {
    c->stop();
  }
}

}  // namespace mysqlop::local::controllers
