#pragma once

#include <boost/dll/shared_library.hpp>
#include <string>

#include "core/common/result.h"
#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

namespace mysqlop::host {

// Size of the ABI 1.0 descriptor: a plugin's struct_size may never be smaller. Fixed forever, even
// when later minors append fields.
constexpr std::size_t kMinDescriptorSize =
    offsetof(mysqlop_plugin_v1, get_interface) + sizeof(mysqlop_on_get_interface);

// Why a plugin was refused. The names are the `reason` label of
// mysqlop_plugin_load_errors_total.
struct LoadError {
  std::string reason;
  std::string message;
};

// A shared object that passed every check, with its descriptor copied into a zero-filled local
// struct (fields the plugin does not know stay zero).
struct PluginLibrary {
  boost::dll::shared_library library;
  std::string path;
  mysqlop_plugin_v1 descriptor{};
};

// Loads path with RTLD_NOW | RTLD_LOCAL and validates, in order: entry symbol, magic, pointer size,
// struct size, major, minor, then the descriptor's own consistency (kind, name, required hooks).
// entryName is the config entry naming the plugin, used in messages.
bool loadPluginLibrary(const std::string& entryName, const std::string& path, PluginLibrary* out,
                       LoadError* error);

// The backup-target table of a created plugin: its get_interface answer for
// MYSQLOP_BACKUP_TARGET_INTERFACE_V1, or nullptr when it gives none, a table smaller than version 1
// or one with no scheme.
const mysqlop_backup_target_v1* backupTargetTable(const mysqlop_plugin_v1& descriptor);

// Why backupTargetTable refused: the message of the "missing_interface" refusal.
std::string missingTargetInterfaceMessage(const std::string& entryName);

}  // namespace mysqlop::host
