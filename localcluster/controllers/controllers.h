#pragma once
// The controllers of kube-controller-manager that the local cluster needs: StatefulSet, Job, the
// local PV provisioner, Endpoints and EndpointSlices. Each is a client of the API (informers, a
// work queue, writes through the verbs), never of the store. Garbage collection stays in the API
// server's lifecycle controller.

#include <memory>
#include <string>

namespace mysqlop::kube {
class Client;
class InformerFactory;
}  // namespace mysqlop::kube

namespace mysqlop::local::controllers {

struct ControllerOptions {
  std::string dataDir;  // the provisioner's volumes: DIR/pv/<pv name>/
  int workersPerController = 1;
  // The Job controller's delay before replacing a failed pod, doubled per failure up to 10 min
  // (Kubernetes: 10 s). Tests shorten it.
  int jobPodFailureBackoffMs = 10000;
};

// `informers` must watch every namespace without a label selector (InformerOptions{}): the
// controllers read pods, claims, Services and their own objects cluster-wide. Workers wait for
// their caches to sync, so start() may come before informers.start() (it must, for handlers).
class ControllerManager {
 public:
  ControllerManager(kube::Client& client, kube::InformerFactory& informers,
                    const ControllerOptions& options);
  ~ControllerManager();
  void start();  // registers handlers and starts workers; call before informers.start()
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mysqlop::local::controllers
