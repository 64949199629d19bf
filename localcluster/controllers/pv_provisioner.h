#pragma once
// The local PV provisioner and binder (README.md, "PV provisioner"): a Pending claim gets a
// hostPath PV under DIR/pv/, both are bound; a PV whose claim is gone is deleted or released.

#include <string>

#include "localcluster/controllers/controller.h"
#include "localcluster/controllers/object_util.h"

namespace mysqlop::kube {
class Client;
class Informer;
}  // namespace mysqlop::kube

namespace mysqlop::local::controllers {

// The annotation by which a claim asks for reclaim policy Retain without a StorageClass.
inline constexpr const char* kReclaimPolicyAnnotation = "local.mysqlop.io/reclaim-policy";

// Keys: "claim:<ns>/<name>" for claims, "volume:<name>" for volumes.
class PvProvisioner final : public Controller {
 public:
  PvProvisioner(kube::Client& client, int workers, std::string dataDir);
  void registerHandlers(kube::InformerFactory& informers) override;

 protected:
  Result<void> sync(const std::string& key) override;

 private:
  Result<void> syncClaim(const std::string& key);
  Result<void> syncVolume(const std::string& name);
  Result<json> provision(const json& claim);
  std::string reclaimPolicy(const json& claim);
  std::string volumeDir(const std::string& pvName) const;

  kube::Client& client_;
  std::string dataDir_;
  kube::Informer* claims_ = nullptr;
  kube::Informer* volumes_ = nullptr;
  kube::Informer* classes_ = nullptr;
  kube::EventRecorder events_;
};

}  // namespace mysqlop::local::controllers
