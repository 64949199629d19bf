#pragma once
// What the parts of the kubelet share (node registration, the scheduler, pod workers, probes).
// Internal to local_kubelet: the public face is kubelet.h.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/kube/resource.h"
#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/kubelet.h"

namespace mysqlop::kube {
class EventRecorder;
class Informer;
}  // namespace mysqlop::kube

namespace mysqlop::local::node {
class Supervisor;
}

namespace mysqlop::local::kubelet {

namespace res {
inline const kube::Resource kNodes{"", "v1", "Node", "nodes", false};
inline const kube::Resource kPvcs{"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims",
                                  true};
inline const kube::Resource kPvs{"", "v1", "PersistentVolume", "persistentvolumes", false};
inline const kube::Resource kServiceAccounts{"", "v1", "ServiceAccount", "serviceaccounts", true};
}  // namespace res

// The versions of the local programs behind profiles (ImageProfile::localVersionCommand), run
// once per profile and remembered for the kubelet's life (shared by the pod workers' threads).
class LocalVersions {
 public:
  // "10.11.19"; "" when the command fails or prints no version (then nothing is said).
  std::string of(const ImageProfile& profile);

 private:
  std::mutex mu_;
  std::map<std::string, std::string> bySource_;
};

// Everything a pod worker needs from its kubelet; owned by Kubelet::Impl, outlives the workers.
struct KubeletContext {
  kube::Client* client = nullptr;
  node::Network* network = nullptr;
  node::Records* records = nullptr;
  names::NameService* names = nullptr;
  node::Supervisor* supervisor = nullptr;
  kube::EventRecorder* events = nullptr;
  kube::Informer* configMaps = nullptr;
  kube::Informer* secrets = nullptr;
  kube::Informer* services = nullptr;  // for the Service environment variables
  const ImageProfiles* profiles = nullptr;
  LocalVersions* localVersions = nullptr;
  KubeletOptions options;
  std::string hostIp;  // the bridge gateway: status.hostIP
  // The node's allocatable (quantities): the downward API's limits of containers without one.
  std::string allocatableCpu;
  std::string allocatableMemory;
  std::string allocatableStorage;
  // Why resource limits are not enforced here ("" if they were): the condition's message.
  std::string limitsNotEnforcedReason;
  std::string limitsNotEnforcedMessage;

  // configMap and secret reads for env and volumes: the informer cache first, then the API (an
  // object created just before the pod may not have reached the cache yet).
  // For one pod: the above, the node's allocatable, the Service variables of its namespace (and
  // default/kubernetes), and warnings recorded as Events on it.
  Lookups lookups(const nlohmann::json& pod) const;
};

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

std::string rfc3339(SystemTime t);
// metav1.Time back to a time point (nullopt when it does not parse).
std::optional<SystemTime> parseRfc3339(const std::string& s);

// {"apiVersion","kind","metadata":{name,namespace,uid}}: what Events refer to.
nlohmann::json podReference(const nlohmann::json& pod);
// "name_namespace(uid)", as the kubelet names pods in messages.
std::string podDescription(const nlohmann::json& pod);

// Writes an Event and logs (never fails the caller: Events are best effort, as in client-go).
void recordEvent(const KubeletContext& ctx, const nlohmann::json& pod, const std::string& type,
                 const std::string& reason, const std::string& message);

// The node object and its heartbeat (kubelet_node.cpp).
Result<void> registerNode(const KubeletContext& ctx);
// {"cpu", "memory", "pods", "ephemeral-storage"} of this machine, as the Node reports them.
nlohmann::json machineCapacity(const std::string& dataDir);
Result<void> heartbeatLease(const KubeletContext& ctx);
Result<void> heartbeatNodeStatus(const KubeletContext& ctx);

// Binds a pod to the node: pods/NAME/binding, or an update of spec.nodeName where the server has
// no binding subresource (kubelet_scheduler.cpp).
Result<void> bindPod(const KubeletContext& ctx, const nlohmann::json& pod);
// True when this kubelet should schedule the pod (no nodeName, the default scheduler, alive).
bool wantsScheduling(const nlohmann::json& pod);

}  // namespace mysqlop::local::kubelet
