#pragma once
// The Endpoints and EndpointSlice controllers in one (README.md, "Endpoints and EndpointSlices"):
// both are a function of a Service and the pods its selector picks, so one sync writes both.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/kube/selector.h"

#include "localcluster/controllers/controller.h"
#include "localcluster/controllers/object_util.h"

namespace mysqlop::kube {
class Client;
class Informer;
}  // namespace mysqlop::kube

namespace mysqlop::local::controllers {

inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kManagedBy = "endpointslice-controller.k8s.io";
inline constexpr std::size_t kMaxEndpointsPerSlice = 100;

// One pod as an endpoint of a Service (endpoint_model.cpp): what both objects are built from.
struct PodEndpoint {
  json pod;
  std::string ip;
  bool ready = false;  // Ready, or publishNotReadyAddresses
  bool serving = false;
  bool terminating = false;
  json ports = json::array();  // resolved EndpointPorts, sorted
};

// The pods of `service` that can be endpoints (a podIP, not terminal), with their ports resolved
// (a named targetPort becomes the container port of that name; a pod without it lacks the port).
std::vector<PodEndpoint> podEndpoints(const json& service, const std::vector<json>& pods);
// The port a service port reaches on a pod, or -1.
int resolvePort(const json& servicePort, const json& pod);
// The Endpoints subsets (kubernetes RepackSubsets: grouped by port set, addresses sorted).
json endpointSubsets(const json& service, const std::vector<PodEndpoint>& endpoints);
// The desired EndpointSlices' content, {"ports": [...], "endpoints": [...]}: per port set, in
// chunks of at most kMaxEndpointsPerSlice endpoints (endpoints sorted by IP).
std::vector<json> sliceContents(const json& service, const std::vector<PodEndpoint>& endpoints);

class EndpointsController final : public Controller {
 public:
  EndpointsController(kube::Client& client, int workers);
  void registerHandlers(kube::InformerFactory& informers) override;

 protected:
  Result<void> sync(const std::string& key) override;

 private:
  Result<void> syncEndpoints(const json& service, const std::vector<PodEndpoint>& endpoints);
  Result<void> syncSlices(const std::string& key, const json& service,
                          const std::vector<PodEndpoint>& endpoints);
  // Enqueues the Services of the pod's namespace whose selector matches the pod.
  void enqueueServicesOf(const kube::ObjectPtr& pod);
  // Pod events are the hot path (every status change of every pod): the Services' selectors are
  // kept parsed here, by namespace and name, instead of parsing every Service per pod event.
  void rememberSelector(const kube::ObjectPtr& service, bool deleted);

  kube::Client& client_;
  kube::Informer* services_ = nullptr;
  kube::Informer* pods_ = nullptr;
  kube::Informer* endpoints_ = nullptr;
  kube::Informer* slices_ = nullptr;
  Expectations expectations_;
  std::mutex selectorsMu_;
  std::map<std::string, std::map<std::string, kube::LabelSelector>> selectors_;
};

}  // namespace mysqlop::local::controllers
