#pragma once
// The skeleton every controller shares: a rate-limited work queue of "namespace/name" keys and
// worker threads that call sync(key). A failed sync is re-queued with the queue's per-key backoff
// (5 ms doubling), which is how write conflicts are retried: the next sync re-reads the cache.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/common/result.h"
#include "core/kube/resource.h"
#include "core/queue/work_queue.h"

namespace mysqlop::kube {
class Informer;
class InformerFactory;
}  // namespace mysqlop::kube

namespace mysqlop::local::controllers {

class Controller {
 public:
  Controller(std::string name, int workers);
  virtual ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Registers event handlers on the shared informers; called before the factory starts.
  virtual void registerHandlers(kube::InformerFactory& informers) = 0;
  void startWorkers();
  // Shuts the queue down and joins the workers. Safe to call twice.
  void stop();

  void enqueue(const std::string& key) { queue_.add(key); }
  void enqueueAfter(const std::string& key, std::chrono::milliseconds delay) {
    queue_.addAfter(key, delay);
  }
  const std::string& name() const { return name_; }

 protected:
  // Workers start syncing only once every cache named here has synced (WaitForCacheSync): a
  // sync on a half-filled cache would take absent objects for deleted ones.
  // The shared informer of r, which the workers wait for.
  kube::Informer* cache(kube::InformerFactory& informers, const kube::Resource& r);
  // Brings the object named by key to its desired state. A failure re-queues the key.
  virtual Result<void> sync(const std::string& key) = 0;

 private:
  void work();

  std::string name_;
  int workers_;
  queue::WorkQueue queue_;
  std::vector<std::thread> threads_;
  std::vector<kube::Informer*> caches_;
};

}  // namespace mysqlop::local::controllers
