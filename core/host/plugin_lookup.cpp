// find_plugin_interface: how one plugin reaches another's interfaces. The answers and the lifetime
// of what it returns are in core/host/README.md ("Interface lookups").
#include <algorithm>

#include "core/host/plugin_manager.h"

namespace mysqlop::host {

mysqlop_type_status PluginManager::findPluginInterface(
    const Plugin& caller, const std::string& name, std::string_view interfaceId,
    std::uint32_t minVersion, mysqlop_type_plugin_interface* out, std::string* error) const {
  const std::string who = "plugin \"" + name + "\"";
  const Plugin* target = nullptr;
  {
    std::lock_guard<std::mutex> lock(pluginsMu_);
    for (const auto& p : plugins_) {
      // A descriptor name may differ from its entry's; a created plugin answers to the former.
      if ((p->name == name || p->entry.name == name) && (!target || p->created)) {
        target = p.get();
      }
    }
  }
  if (!target) {
    const auto entry = std::find_if(entries_.begin(), entries_.end(),
                                    [&](const config::PluginEntry& e) { return e.name == name; });
    if (entry == entries_.end()) {
      *error = "no plugin named \"" + name + "\" is configured";
      return mysqlop_status_NotFound;
    }
    if (!entry->enabled) {
      *error = who + " is disabled in the configuration";
      return mysqlop_status_Unavailable;
    }
    *error = who + " is not created yet (it is listed after \"" + caller.name + "\")";
    return mysqlop_status_Unavailable;
  }
  if (target->destroyed) {
    *error = who + " is destroyed";
    return mysqlop_status_Unavailable;
  }
  if (!target->created) {
    *error = target->loadError.reason.empty()
                 ? who + " is not created yet (it is being created)"
                 : who + " was not created: " + target->loadError.reason;
    return mysqlop_status_Unavailable;
  }
  const mysqlop_on_get_interface get = target->library.descriptor.get_interface;
  const void* table = get ? get({interfaceId.data(), interfaceId.size()}, minVersion) : nullptr;
  if (!table) {
    *error = who + " has no interface \"" + std::string(interfaceId) +
             "\" of version >= " + std::to_string(minVersion);
    return mysqlop_status_Unsupported;
  }
  out->table = table;
  out->instance = target->instance;
  return mysqlop_status_Ok;
}

}  // namespace mysqlop::host
