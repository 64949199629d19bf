#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "localcluster/apiserver/resources.h"
#include "localcluster/apiserver/store.h"

namespace mysqlop::local {

// What the lifecycle controllers may do to objects: the server's own write paths (validation,
// resourceVersions, history, CRD side effects) without HTTP. ApiServer implements it privately;
// nothing else reaches those paths. Both throw ApiException with the Status a client would get.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  // As DELETE with this propagationPolicy ("Background", "Foreground", "Orphan").
  virtual void remove(const ResourceType& rt, const std::string& ns, const std::string& name,
                      const std::string& propagationPolicy) = 0;
  // As an unconditional PUT of compute(current object) on the object or its subresource
  // ("" or "finalize").
  virtual void rewrite(const ResourceType& rt, const std::string& ns, const std::string& name,
                       const std::string& subresource,
                       const std::function<nlohmann::json(const nlohmann::json&)>& compute) = 0;
};

// In-process controllers for what the API server itself owns in a real cluster:
// - namespace lifecycle: a terminating namespace's contents are deleted, then its "kubernetes"
//   finalizer is removed (namespaces/finalize) and it disappears;
// - CRD cleanup: a deleted CRD's custom resources are deleted before its
//   customresourcecleanup finalizer is removed and it stops being served;
// - the garbage collector's finalizers: "orphan" (owner references to the object are removed
//   from its dependents, then the finalizer) and "foregroundDeletion" (dependents are deleted in
//   the foreground; the finalizer goes once no dependent with blockOwnerDeletion remains);
// - background garbage collection: a dependent all of whose owners are gone is deleted, one with
//   some owners left loses the references to the absent ones.
// The garbage collector reads the store's owner index (dependents by owner uid, absent owners,
// objects with GC finalizers), never every object. It runs on its own thread after changes that
// can matter (a deletion, a deleting object, changed ownerReferences), reading the history.
class Lifecycle {
 public:
  Lifecycle(Store& store, Registry& registry, ObjectWriter& writer)
      : store_(store), registry_(registry), writer_(writer) {}
  ~Lifecycle() { stop(); }
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;
  void start();
  void stop();
  // One reconciliation pass of every controller (tests, benchmarks).
  void runOnce();

 private:
  void loop();
  void namespaces();
  void crds();
  void gcFinalizers();
  void collectGarbage();

  Store& store_;
  Registry& registry_;
  ObjectWriter& writer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mysqlop::local
