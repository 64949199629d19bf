#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/common/result.h"
#include "core/config/operator_config.h"
#include "core/election/leader_elector.h"
#include "core/host/plugin_manager.h"
#include "core/kube/client.h"
#include "core/kube/cluster_access.h"
#include "core/kube/event_recorder.h"
#include "core/kube/http_transport.h"
#include "core/kube/informer_factory.h"
#include "core/kube/rest_config.h"
#include "core/metrics/registry.h"

namespace mysqlop {

// Resolves the Kubernetes configuration (--kubeconfig, $KUBECONFIG, in-cluster,
// ~/.kube/config) and builds the transport. Fails with the one line main() prints before exiting
// with 2. Touches no network.
Result<std::shared_ptr<kube::HttpTransport>> connectKube(const config::OperatorConfig& cfg);

// --leader-election-namespace, else $KUBE_NAMESPACE / $MY_POD_NAMESPACE (bitpoke), else the
// pod's namespace file (the service-account mount, or its test override), else "default".
std::string leaderElectionNamespace(const config::OperatorConfig& cfg);

// Everything the operator needs from Kubernetes: the client, one shared informer per resource the
// plugins declare (filtered by watchNamespace), the Event recorder, the host's ClusterAccess and
// leader election.
class KubeRuntime {
 public:
  KubeRuntime(const config::OperatorConfig& cfg, std::shared_ptr<kube::HttpTransport> transport,
              metrics::Registry& registry);
  ~KubeRuntime();
  KubeRuntime(const KubeRuntime&) = delete;
  KubeRuntime& operator=(const KubeRuntime&) = delete;

  host::ClusterAccess& clusterAccess() { return *access_; }
  kube::Client& client() { return *client_; }
  kube::InformerFactory& informers() { return *informers_; }
  election::LeaderElector* elector() { return elector_.get(); }

  // Creates informers for the primary, owned and watched resources of every created plugin; each
  // add/update/delete goes to PluginManager::onObjectEvent.
  void watchPluginResources(host::PluginManager& plugins);
  // Starts the informers and waits until every one has listed (controller-runtime's
  // CacheSyncTimeout: 2 minutes by default).
  Result<void> startInformers(std::chrono::milliseconds syncTimeout);
  // Elects a leader on the Lease --leader-election-id; onStartedLeading runs when this replica
  // leads, onLost when it loses the lease. Without leader election, onStartedLeading runs now.
  Result<void> startElection(std::function<void()> onStartedLeading, std::function<void()> onLost);
  // Stops leader election, releasing the lease if held.
  void stopElection();
  void stopInformers();

  bool synced() const { return informers_->synced(); }
  // The informers not synced yet, each with its last error ("statefulsets.apps (statefulsets.apps
  // is forbidden: ...)"), comma-separated; "" when all are. For /readyz and the start-up error.
  std::string unsyncedReport() const;

 private:
  const config::OperatorConfig& cfg_;
  metrics::Registry& registry_;
  std::shared_ptr<kube::HttpTransport> transport_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<kube::KubeClusterAccess> access_;
  std::unique_ptr<election::LeaderElector> elector_;
};

}  // namespace mysqlop
