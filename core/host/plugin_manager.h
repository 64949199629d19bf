#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/config/operator_config.h"
#include "core/host/cluster_access.h"
#include "core/host/plugin_library.h"
#include "core/http/router.h"
#include "core/metrics/registry.h"
#include "core/queue/work_queue.h"
#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

namespace spdlog {
class logger;
}

// The host's side of the opaque ABI handles.
struct mysqlop_plugin_host;
struct mysqlop_call_host;

namespace mysqlop::host {

class PluginManager;

// One loaded (or refused) plugin.
struct Plugin {
  config::PluginEntry entry;
  std::string name;  // descriptor name once loaded, else the entry name
  PluginLibrary library;
  bool loaded = false;
  // Read by /readyz on HTTP threads while the lifecycle changes them.
  std::atomic<bool> created{false};
  LoadError loadError;
  mysqlop_instance_plugin_ptr instance = nullptr;
  std::unique_ptr<mysqlop_plugin_host> handle;
  std::unique_ptr<queue::WorkQueue> queue;  // reconcilers only
  std::vector<ResourceRef> owned;
  std::vector<ResourceRef> watches;
  ResourceRef primary;
  bool hasPrimary = false;
  std::atomic<bool> started{false};  // start() succeeded (services)
  const mysqlop_backup_target_v1* backupTarget = nullptr;

  // Reconcile metrics, resolved once.
  metrics::Series* reconcileSuccess = nullptr;
  metrics::Series* reconcileError = nullptr;
  metrics::Series* reconcileRequeueAfter = nullptr;
  metrics::Series* reconcileTerminal = nullptr;
  metrics::Series* errors = nullptr;
  metrics::Series* terminalErrors = nullptr;
  metrics::Series* panics = nullptr;
  metrics::Series* reconcileTime = nullptr;
  metrics::Series* activeWorkers = nullptr;
};

// Loads the configured plugins, implements the host callback table for them, and drives their
// reconcile loops. Thread-safe after loadAll.
class PluginManager {
 public:
  PluginManager(metrics::Registry& registry, http::Router& router, ClusterAccess& cluster,
                std::string operatorJson);
  ~PluginManager();
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  // Loads and creates every enabled entry. A refused plugin is logged, counted in
  // mysqlop_plugin_load_errors_total{plugin,reason} and left out; the others go on.
  void loadAll(const std::vector<config::PluginEntry>& entries);

  // Starts worker threads for reconcilers and start() for services. Called when this replica
  // leads (or at once without leader election).
  void startWork();
  // Stops services, drains queues and joins workers. Safe to call twice.
  void stopWork();
  // Destroys every instance (after stopWork); libraries stay mapped until the manager dies.
  void destroyAll();

  // True when every enabled plugin loaded and was created.
  bool ready() const;
  // A line per plugin that is not ready, for /readyz.
  std::string readinessReport() const;

  // Runs one reconcile of key ("ns/name") on plugin now, on the calling thread, and applies the
  // result to its queue as a worker would. For tests and benchmarks.
  mysqlop_type_status reconcileNow(const std::string& plugin, const std::string& key,
                                   std::string* error = nullptr);

  // Informer hooks (used by the Kubernetes layer): an object of resource r changed.
  void onObjectEvent(const ResourceRef& r, const std::string& objectJson);

  const std::vector<std::unique_ptr<Plugin>>& plugins() const { return plugins_; }
  Plugin* find(const std::string& name) const;

  // Implementation details used by the C callbacks (host_api.cpp).
  ClusterAccess& cluster() { return cluster_; }
  http::Router& router() { return router_; }
  metrics::Registry& registry() { return registry_; }
  std::shared_ptr<spdlog::logger> logger() const { return logger_; }
  bool backupTargetFor(std::string_view scheme, const mysqlop_backup_target_v1** table,
                       mysqlop_instance_plugin_ptr* instance) const;
  static PluginManager* current();  // for host_get_interface, which has no context argument

 private:
  void loadOne(const config::PluginEntry& entry);
  void refuse(Plugin& p, const LoadError& e);
  void prepareMetrics(Plugin& p);
  void workerLoop(Plugin* p);
  mysqlop_type_status processKey(Plugin& p, const std::string& key, std::string* error);

  metrics::Registry& registry_;
  http::Router& router_;
  ClusterAccess& cluster_;
  std::string operatorJson_;
  std::shared_ptr<spdlog::logger> logger_;
  metrics::Family* loadErrors_;
  metrics::Family* pluginInfo_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::vector<std::thread> workers_;
  std::atomic<bool> working_{false};
  // Set once loadAll has returned: plugins_ no longer grows, and /readyz (served while the plugins
  // load) may walk it.
  std::atomic<bool> loadFinished_{false};
  std::mutex lifecycleMu_;
};

// Splits "ns/name" (or "name" for cluster-scoped objects).
void splitKey(const std::string& key, std::string* ns, std::string* name);

}  // namespace mysqlop::host
