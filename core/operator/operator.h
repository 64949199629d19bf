#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/config/operator_config.h"
#include "core/host/cluster_access.h"
#include "core/host/plugin_manager.h"
#include "core/http/router.h"
#include "core/http/server.h"
#include "core/metrics/registry.h"

namespace mysqlop {

namespace kube {
class HttpTransport;
}
class KubeRuntime;

// The operator process minus main(): metrics, health, plugin host, Kubernetes access and their
// wiring. Tests run it in-process; main() adds flags, logging and signals.
//
// Unless standalone, start() lists and watches every resource the plugins declare, waits for the
// caches, and then runs the reconcilers only while this replica holds the leader-election Lease
// (or at once with --leader-election=false).
class Operator {
 public:
  // kube: the transport to the API server (see connectKube); null in standalone mode, or to let
  // the operator resolve the configuration itself (start() then fails if there is none).
  explicit Operator(config::OperatorConfig cfg,
                    std::shared_ptr<kube::HttpTransport> kube = nullptr);
  ~Operator();
  Operator(const Operator&) = delete;
  Operator& operator=(const Operator&) = delete;

  // Starts the HTTP servers, loads the plugins and starts their work. Fails (with a message
  // naming the address) only when a server cannot listen; refused plugins do not fail start.
  Result<void> start();
  void stop();

  host::PluginManager& plugins() { return *plugins_; }
  // Null in standalone mode.
  KubeRuntime* kubeRuntime() { return kube_.get(); }
  // What happens when the lease is lost, after the plugins' work was stopped (at most
  // kStopBudgetOnLostLease): by default the process exits with status 1 (controller-runtime's
  // behaviour: never reconcile without the lease). Tests replace it.
  void setOnLostLeadership(std::function<void()> f) { onLostLeadership_ = std::move(f); }
  metrics::Registry& registry() { return registry_; }
  std::uint16_t metricsPort() const { return metricsServer_.port(); }
  std::uint16_t healthPort() const;

 private:
  config::OperatorConfig cfg_;
  metrics::Registry registry_;
  http::Router metricsRouter_;
  http::Router healthRouter_;
  http::Server metricsServer_;
  http::Server healthServer_;
  bool sharedServer_ = false;
  std::unique_ptr<host::ClusterAccess> cluster_;  // standalone
  std::unique_ptr<KubeRuntime> kube_;
  std::string kubeError_;  // why kube_ could not be built
  std::unique_ptr<host::PluginManager> plugins_;
  std::function<void()> onLostLeadership_;
  std::mutex leadMu_;  // orders startWork (on election) against stop
  // Stops the plugins' work when the lease is lost; joined by stop().
  std::thread lostLeaseStopper_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace mysqlop
