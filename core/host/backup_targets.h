#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

namespace mysqlop::host {

// Which created backup-target plugin serves each URL scheme. Owned by whoever creates the targets
// (the operator's PluginManager, a tool's StandaloneHost) and passed to the lookups that need it,
// so no process-wide state is involved. Thread-safe.
class BackupTargets {
 public:
  struct Target {
    std::string plugin;  // descriptor name of the plugin serving the scheme
    const mysqlop_backup_target_v1* table = nullptr;
    mysqlop_instance_plugin_ptr instance = nullptr;
  };

  // Registers every scheme of table for plugin. A scheme already served keeps its first plugin
  // (configuration order decides); add then returns false and *error names both plugins.
  bool add(const std::string& plugin, const mysqlop_backup_target_v1* table,
           mysqlop_instance_plugin_ptr instance, std::string* error);
  // Forgets every scheme served by instance (called before it is destroyed). By instance, not by
  // name: two loads of one plugin (a tool may try) have the same name.
  void remove(mysqlop_instance_plugin_ptr instance);
  std::optional<Target> find(std::string_view scheme) const;
  // The ABI form: Ok and both outputs set, or NotFound.
  mysqlop_type_status find(std::string_view scheme, const mysqlop_backup_target_v1** table,
                           mysqlop_instance_plugin_ptr* instance) const;
  // Every scheme served, sorted.
  std::vector<std::string> schemes() const;

 private:
  struct Entry {
    std::string scheme;
    Target target;
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

}  // namespace mysqlop::host
