#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/common/result.h"
#include "core/kube/backoff.h"
#include "core/kube/client.h"
#include "core/kube/resource.h"
#include "core/kube/store.h"

namespace mysqlop::metrics {
class Series;
class Family;
}  // namespace mysqlop::metrics

namespace mysqlop::kube {

struct InformerOptions {
  std::string namespaceName;  // "" = every namespace (ignored for cluster-scoped resources)
  std::string labelSelector;  // "" = every object
  std::int64_t pageSize = 500;
  std::chrono::milliseconds backoffInitial{800};
  std::chrono::milliseconds backoffMax{30000};
  int minWatchTimeoutSeconds = 300;  // each watch asks for a random timeout in [min, max)
  int maxWatchTimeoutSeconds = 600;
  // Every period, cached objects are re-delivered as updates (old == new); 0 = never.
  std::chrono::milliseconds resyncPeriod{0};
};

// Handlers run on the informer's thread, one event at a time, after the store has changed, so a
// handler that reads the store sees the new state. They must not block for long.
struct EventHandlers {
  std::function<void(const ObjectPtr&)> onAdd;
  std::function<void(const ObjectPtr& oldObject, const ObjectPtr& newObject)> onUpdate;
  // After a relist, a deletion seen only as an absence carries the last cached state.
  std::function<void(const ObjectPtr&)> onDelete;
};

// client-go's reflector and shared informer for one resource (kube-api.md 9.1-9.2):
//  - LIST with resourceVersion=0 (paged by pageSize when the server pages), replace the cache;
//  - WATCH from the list's resourceVersion with allowWatchBookmarks and a random timeout;
//  - re-watch from the last seen resourceVersion when a watch ends;
//  - relist on 410 Expired/Gone (from the last resourceVersion; after a list 410 or a "too
//    large resource version", from the current state), synthesizing deletions and skipping
//    objects whose resourceVersion did not change, so that no event is delivered twice;
//  - back off exponentially with jitter (800 ms .. 30 s) while the server cannot be reached.
class Informer {
 public:
  Informer(Client& client, Resource resource, InformerOptions options,
           metrics::Registry* registry = nullptr);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Handlers added after the first list receive the cached objects as adds first.
  void addHandlers(EventHandlers handlers);
  void start();
  void stop();

  // True once the first list has been stored and delivered to the handlers.
  bool hasSynced() const { return synced_.load(); }
  bool waitForSync(std::chrono::milliseconds timeout) const;

  const Store& store() const { return store_; }
  const Resource& resource() const { return resource_; }
  const InformerOptions& options() const { return options_; }
  // The namespace actually watched ("" for every namespace or cluster-scoped resources).
  std::string watchedNamespace() const;

  // For tests and metrics.
  std::uint64_t listCount() const { return lists_.load(); }
  std::uint64_t watchCount() const { return watches_.load(); }
  std::string lastResourceVersion() const;
  // The last list or watch failure ("" after a success), for messages such as a cache that
  // cannot sync because its CRD is not installed.
  std::string lastError() const;

 private:
  enum class Next { Watch, Relist, RelistFromScratch };

  void run();
  void resyncLoop();
  Result<void> relist(const std::string& resourceVersion);
  Next watchOnce();
  void handleEvent(const std::string& type, nlohmann::json& object);
  void ensureTypeMeta(nlohmann::json& object) const;
  void deliverAdd(const ObjectPtr& o);
  void deliverUpdate(const ObjectPtr& oldObject, const ObjectPtr& newObject);
  void deliverDelete(const ObjectPtr& o);
  // Waits for d or until stop(); returns false when stopping.
  bool sleepFor(std::chrono::milliseconds d);
  void setLastResourceVersion(const std::string& rv);
  void setLastError(const std::string& e);

  Client& client_;
  Resource resource_;
  InformerOptions options_;
  Store store_;

  std::mutex dispatchMu_;  // serializes store changes with handler calls and addHandlers
  std::vector<EventHandlers> handlers_;

  std::atomic<bool> synced_{false};
  mutable std::mutex syncMu_;
  mutable std::condition_variable syncCv_;

  std::atomic<bool> stopping_{false};
  std::mutex stopMu_;
  std::condition_variable stopCv_;
  std::thread thread_;
  std::thread resyncThread_;
  std::mutex watchMu_;
  WatchStream* currentWatch_ = nullptr;

  mutable std::mutex rvMu_;
  std::string lastRV_;
  std::string lastError_;
  Backoff backoff_;

  std::atomic<std::uint64_t> lists_{0};
  std::atomic<std::uint64_t> watches_{0};
  metrics::Series* adds_ = nullptr;
  metrics::Series* updates_ = nullptr;
  metrics::Series* deletes_ = nullptr;
  metrics::Series* relists_ = nullptr;
  metrics::Series* objects_ = nullptr;
};

}  // namespace mysqlop::kube
