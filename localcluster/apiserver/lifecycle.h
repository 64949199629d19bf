#pragma once

#include <atomic>
#include <thread>

namespace mysqlop::local {

class ApiServer;

// In-process controllers for what the API server itself owns in a real cluster:
// - namespace lifecycle: a terminating namespace's contents are deleted, then its "kubernetes"
//   finalizer is removed (namespaces/finalize) and it disappears;
// - CRD cleanup: a deleted CRD's custom resources are deleted before its
//   customresourcecleanup finalizer is removed and it stops being served;
// - the garbage collector's finalizers: "orphan" (owner references to the object are removed
//   from its dependents) and "foregroundDeletion" (dependents are deleted first);
// - background garbage collection of dependents whose owners are all gone.
// It runs on change notifications of the store, through the same write paths as the API.
class Lifecycle {
 public:
  explicit Lifecycle(ApiServer& server) : server_(server) {}
  ~Lifecycle() { stop(); }
  void start();
  void stop();
  // One reconciliation pass (public for tests).
  void runOnce();

 private:
  void loop();
  void namespaces();
  void crds();
  void gcFinalizers();
  void collectGarbage();

  ApiServer& server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mysqlop::local
