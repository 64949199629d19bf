#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/config/operator_config.h"
#include "core/host/backup_targets.h"
#include "core/host/cluster_access.h"
#include "core/host/host_interfaces.h"
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
  // start() failed: startError (written once, before the flag is set) says why.
  std::atomic<bool> startFailed{false};
  std::string startError;
  // destroy has been called: the handle lives on, lookups answer Unavailable.
  std::atomic<bool> destroyed{false};
  // Reconciles of this plugin running now, for the shutdown log.
  std::atomic<int> reconciling{0};
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
// lifecycle in the order core/host/README.md gives. Thread-safe after loadAll.
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

  // Calls start() of every service, in config order, then starts the reconcile workers. Called
  // when this replica leads (or at once without leader election). Does nothing after stopWork.
  void startWork();
  // Stops taking keys, cancels the queued ones, waits for running reconciles (logging every 10 s
  // which plugins still run one), then calls stop() of every started service in reverse order.
  // Terminal, and safe to call twice.
  void stopWork();
  // Runs stopWork, removes every plugin route (waiting for handlers that are running), then
  // destroys every instance in reverse order of creation. Libraries stay mapped until the manager
  // dies.
  void destroyAll();

  // True when loading has finished, every enabled plugin was created, and, while work runs, every
  // service's start succeeded. Refused plugins and failed starts are named by readinessReport.
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
  // The created backup targets by scheme (the host's backup-target lookups answer from it).
  BackupTargets& backupTargets() { return backupTargets_; }
  // The backup-target catalog (ABI 1.2): every created, not destroyed backup target in
  // configuration order as {"targets":[{name,path,config}]}.
  std::string backupTargetCatalog() const;
  bool backupTargetFor(std::string_view scheme, const mysqlop_backup_target_v1** table,
                       mysqlop_instance_plugin_ptr* instance) const;
  // The one process-wide pointer left: the ABI 1.0 host_get_interface and the backup-targets/1
  // table take no plugin argument. ABI 1.1 callers go through their handle instead.
  static PluginManager* current();
  const HostInterfaces& hostInterfaces() const { return hostInterfaces_; }
  // find_plugin_interface for caller (plugin_lookup.cpp; the answers are in core/host/README.md).
  mysqlop_type_status findPluginInterface(const Plugin& caller, const std::string& name,
                                          std::string_view interfaceId, std::uint32_t minVersion,
                                          mysqlop_type_plugin_interface* out,
                                          std::string* error) const;
  // A plugin used the ABI wrongly (what: "call_begin", "call_end"): logged once per plugin and
  // what, counted in mysqlop_plugin_misuse_total{plugin,what}.
  void reportMisuse(mysqlop_plugin_host& plugin, const char* what, const std::string& detail);

 private:
  void loadOne(const config::PluginEntry& entry);
  void refuse(Plugin& p, const LoadError& e);
  void prepareMetrics(Plugin& p);
  void workerLoop(Plugin* p);
  void startService(Plugin& p);
  void waitForWorkers();
  void destroyOne(Plugin& p);
  mysqlop_type_status processKey(Plugin& p, const std::string& key, std::string* error);

  metrics::Registry& registry_;
  http::Router& router_;
  ClusterAccess& cluster_;
  std::string operatorJson_;
  std::shared_ptr<spdlog::logger> logger_;
  metrics::Family* loadErrors_;
  metrics::Family* pluginInfo_;
  metrics::Family* startErrors_;
  metrics::Family* misuse_;
  HostInterfaces hostInterfaces_;
  BackupTargets backupTargets_;
  // Every entry given to loadAll, in order, and the names of the disabled ones (for lookups).
  std::vector<config::PluginEntry> entries_;
  // Guards the growth of plugins_ against lookups from other threads.
  mutable std::mutex pluginsMu_;
  std::vector<std::unique_ptr<Plugin>> plugins_;
  std::vector<std::thread> workers_;
  std::atomic<bool> working_{false};
  // stopWork has begun: workers cancel the keys they are handed, startWork starts nothing.
  std::atomic<bool> stopping_{false};
  // Workers that have not exited yet; stopWork waits on workersDone_ for it to reach 0.
  std::mutex workersMu_;
  std::condition_variable workersDone_;
  int liveWorkers_ = 0;
  // How often stopWork logs the reconciles it still waits for.
  static constexpr std::chrono::seconds kDrainLogEvery{10};
  // Set once loadAll has returned: plugins_ no longer grows, and /readyz (served while the plugins
  // load) may walk it.
  std::atomic<bool> loadFinished_{false};
  std::mutex lifecycleMu_;
};

// Splits "ns/name" (or "name" for cluster-scoped objects).
void splitKey(const std::string& key, std::string* ns, std::string* name);

}  // namespace mysqlop::host
