#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/host/backup_targets.h"
#include "core/host/plugin_library.h"
#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

namespace mysqlop::host {

class StandaloneHost;

// One plugin loaded and created by a StandaloneHost. Its address is the plugin's
// mysqlop_plugin_host_ptr (the handle is opaque to plugins; this host defines what is behind it).
struct StandalonePlugin {
  StandaloneHost* host = nullptr;
  PluginLibrary library;
  std::string name;  // descriptor name
  mysqlop_instance_plugin_ptr instance = nullptr;
  const mysqlop_backup_target_v1* target = nullptr;  // set for backup targets
  std::string configJson = "{}";                     // what create was given (the catalog)
  std::atomic<bool> callsAllowed{false};

  mysqlop_plugin_host_ptr handle() { return reinterpret_cast<mysqlop_plugin_host_ptr>(this); }
};

// A call context of the standalone host; its address is the mysqlop_call_host_ptr passed to the
// plugin. Create one per operation on the caller's stack.
struct StandaloneCall {
  explicit StandaloneCall(StandalonePlugin* p, bool fromCallBegin = false)
      : plugin(p), owned(fromCallBegin) {}
  StandalonePlugin* plugin;
  bool owned;             // made by call_begin, freed by call_end
  std::string error;      // set_error by the plugin
  std::string lastError;  // the last failed host callback
  std::vector<std::unique_ptr<std::string>> buffers;

  mysqlop_call_host_ptr ptr() { return reinterpret_cast<mysqlop_call_host_ptr>(this); }
};

// The plugin loader a program can use alone: it loads and validates plugins with the operator's
// checks (plugin_library.h) and creates them with a host table of its own that has no Kubernetes
// access, metrics, HTTP routes or work queues (those callbacks answer Unavailable or do nothing).
// The sidecar and the tools (mysqlop-target-check) use it; the operator uses PluginManager.
// Plugins are destroyed in reverse order of creation when the host is destroyed.
class StandaloneHost {
 public:
  StandaloneHost() = default;
  ~StandaloneHost();
  StandaloneHost(const StandaloneHost&) = delete;
  StandaloneHost& operator=(const StandaloneHost&) = delete;

  // Loads the backup-target plugin at path and creates it with configJson. Fails (Errc::Invalid)
  // with the loader's message when a check refuses the file, when it is not a backup target, when
  // create fails (its status and message) or when a scheme is already served by another target.
  Result<StandalonePlugin*> loadBackupTarget(const std::string& path,
                                             const std::string& configJson = "{}");

  // The targets created so far, by scheme (also what host_get_interface_for answers with).
  BackupTargets& backupTargets() { return targets_; }
  const std::vector<std::unique_ptr<StandalonePlugin>>& plugins() const { return plugins_; }
  StandalonePlugin* find(const std::string& name) const;
  // The backup-target catalog (ABI 1.2, mysqlop.host.backup_target_catalog/1): the targets created
  // so far, in creation order, as {"targets":[{name,path,config}]}.
  std::string catalogJson() const;

  // The callback table handed to the plugins of every StandaloneHost.
  static const mysqlop_host_v1* table();

 private:
  BackupTargets targets_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<StandalonePlugin>> plugins_;
};

// The message of the callbacks that need Kubernetes (the same as the operator's --standalone).
inline constexpr const char* kNoKubernetes = "Kubernetes access is not configured in this host";

}  // namespace mysqlop::host
