#pragma once
// The StatefulSet controller (README.md, "StatefulSet"): kubernetes
// pkg/controller/statefulset/stateful_set_control.go, rewritten over our informers and client.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "localcluster/controllers/controller.h"
#include "localcluster/controllers/object_util.h"

namespace mysqlop::kube {
class Client;
class Informer;
}  // namespace mysqlop::kube

namespace mysqlop::local::controllers {

// Revisions (statefulset_revisions.cpp).
struct Revision {
  std::string name;
  std::int64_t number = 0;
  json object;  // the ControllerRevision
};
// The ControllerRevision data of a set's template: {"spec":{"template":{...,"$patch":"replace"}}}.
json revisionData(const json& set);
// Kubernetes' ControllerRevision hash: FNV-1 32 of the data text and the collision count, its
// decimal digits encoded with rand.SafeEncodeString's alphabet.
std::string revisionHash(const std::string& dataText, std::int64_t collisionCount);
// The set with its template replaced by the one recorded in a revision.
json applyRevision(const json& set, const Revision& revision);

// Pods and claims (statefulset_pods.cpp).
std::string podName(const std::string& set, int ordinal);
// The ordinal of a pod of `set` by its name, or -1.
int ordinalOf(const std::string& set, const std::string& pod);
json newPod(const json& set, const std::string& revisionName, int ordinal);
std::string claimName(const json& claimTemplate, const std::string& set, int ordinal);
json newClaim(const json& set, const json& claimTemplate, int ordinal);
// Rewrites a claim's ownerReferences as updateClaimOwnerRefForSetAndPod does; true if changed.
// pod may be null (not created yet).
bool setClaimOwnerRefs(json& claim, const json& set, const json* pod, bool podInRange);

class StatefulSetController final : public Controller {
 public:
  StatefulSetController(kube::Client& client, int workers);
  void registerHandlers(kube::InformerFactory& informers) override;

 protected:
  Result<void> sync(const std::string& key) override;

 private:
  struct Revisions {
    Revision current;
    Revision update;
    std::int64_t collisionCount = 0;
  };
  Result<Revisions> syncRevisions(const json& set, const std::vector<json>& pods);
  Result<Revision> createRevision(const json& set, const json& data, std::int64_t number,
                                  std::int64_t* collisionCount);
  Result<void> truncateHistory(const json& set, const std::vector<Revision>& revisions,
                               const Revisions& live, const std::vector<json>& pods);
  // Creates the pod's missing claims (and fixes the ownerReferences of existing ones).
  Result<void> syncClaims(const json& set, const json* pod, int ordinal, bool inRange);
  Result<void> createPod(const std::string& key, const json& set, const json& pod);
  Result<void> deletePod(const std::string& key, const json& set, const json& pod);
  // kubernetes recordPodEvent: "<verb> Pod <pod> in StatefulSet <set> successful|failed error: ..."
  void podEvent(const char* verb, const json& set, const std::string& pod, const Failure* error);
  Result<void> adoptOrphans(const json& set);
  // kubernetes identityMatches/UpdateStatefulPod: puts back the identity labels of a pod that
  // someone edited (Services may select a pod by statefulset.kubernetes.io/pod-name).
  Result<void> repairIdentity(const json& set, const json& pod, int ordinal);
  Result<void> writeStatus(const json& set, const json& status);
  void enqueueOwner(const kube::ObjectPtr& o);

  kube::Client& client_;
  kube::Informer* sets_ = nullptr;
  kube::Informer* pods_ = nullptr;
  kube::Informer* claims_ = nullptr;
  kube::Informer* revisions_ = nullptr;
  Expectations expectations_;
  kube::EventRecorder events_;
};

}  // namespace mysqlop::local::controllers
