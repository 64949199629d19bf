#include "core/host/plugin_library.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <regex>

#include "core/host/abi_string.h"

namespace mysqlop::host {

static_assert(offsetof(mysqlop_plugin_v1, magic) == 0, "ABI head is fixed");
static_assert(offsetof(mysqlop_plugin_v1, struct_size) == 4, "ABI head is fixed");
static_assert(offsetof(mysqlop_plugin_v1, abi_major) == 8, "ABI head is fixed");
static_assert(offsetof(mysqlop_plugin_v1, abi_minor) == 10, "ABI head is fixed");
static_assert(offsetof(mysqlop_plugin_v1, pointer_size) == 12, "ABI head is fixed");
static_assert(offsetof(mysqlop_plugin_v1, name) == 16, "ABI head is fixed");

namespace {

bool refuse(LoadError* error, const char* reason, std::string message) {
  error->reason = reason;
  error->message = std::move(message);
  return false;
}

}  // namespace

bool loadPluginLibrary(const std::string& entryName, const std::string& path, PluginLibrary* out,
                       LoadError* error) {
  const std::string who = "plugin \"" + entryName + "\"";
  try {
    out->library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    // Boost wraps dlerror() as "... (dlerror system message: <text>): <errno text>"; the dlerror
    // text is what tells the user what is wrong with the file.
    std::string why = e.what();
    const std::string marker = "dlerror system message: ";
    if (auto at = why.find(marker); at != std::string::npos) {
      why = why.substr(at + marker.size());
      if (auto end = why.rfind("): "); end != std::string::npos) {
        why = why.substr(0, end);
      }
      if (why.compare(0, path.size() + 2, path + ": ") == 0) {
        why = why.substr(path.size() + 2);  // dlerror repeats the path
      }
    }
    return refuse(error, "open_failed", who + ": cannot load " + path + ": " + why);
  }
  out->path = path;
  if (!out->library.has(MYSQLOP_PLUGIN_ENTRY_V1)) {
    return refuse(error, "no_entry_symbol",
                  who + ": " + path + " does not export " + MYSQLOP_PLUGIN_ENTRY_V1 +
                      " (not a mysqlop plugin, or built for another ABI major)");
  }
  auto entry = out->library.get<const mysqlop_plugin_v1*()>(MYSQLOP_PLUGIN_ENTRY_V1);
  const mysqlop_plugin_v1* d = entry();
  if (d == nullptr) {
    return refuse(error, "bad_magic", who + ": " + MYSQLOP_PLUGIN_ENTRY_V1 + " returned NULL");
  }
  if (d->magic != MYSQLOP_PLUGIN_MAGIC) {
    return refuse(error, "bad_magic",
                  fmt::format("{}: bad magic 0x{:08X} in its descriptor (expected 0x{:08X})", who,
                              d->magic, MYSQLOP_PLUGIN_MAGIC));
  }
  if (d->pointer_size != sizeof(void*)) {
    return refuse(error, "pointer_size_mismatch",
                  fmt::format("{}: built with {}-byte pointers, host uses {}-byte pointers", who,
                              d->pointer_size, sizeof(void*)));
  }
  if (d->struct_size < kMinDescriptorSize) {
    return refuse(error, "struct_too_small",
                  fmt::format("{}: descriptor is {} bytes, smaller than the ABI 1.0 descriptor ({} "
                              "bytes)",
                              who, d->struct_size, kMinDescriptorSize));
  }
  if (d->abi_major != MYSQLOP_ABI_MAJOR) {
    return refuse(
        error, "major_mismatch",
        fmt::format("{} built for ABI {}.{}, host supports {}.{} (major versions differ)", who,
                    d->abi_major, d->abi_minor, MYSQLOP_ABI_MAJOR, MYSQLOP_ABI_MINOR));
  }
  if (d->abi_minor > MYSQLOP_ABI_MINOR) {
    return refuse(error, "minor_too_new",
                  fmt::format("{} built for ABI {}.{}, host supports {}.{}", who, d->abi_major,
                              d->abi_minor, MYSQLOP_ABI_MAJOR, MYSQLOP_ABI_MINOR));
  }
  std::memset(&out->descriptor, 0, sizeof out->descriptor);
  std::memcpy(&out->descriptor, d, std::min<std::size_t>(d->struct_size, sizeof out->descriptor));
  const mysqlop_plugin_v1& c = out->descriptor;

  static const std::regex kName("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  const std::string name = str(c.name);
  if (!std::regex_match(name, kName)) {
    return refuse(error, "bad_descriptor",
                  who + ": descriptor name \"" + name +
                      "\" is not lower-case letters, digits and '-' (at most 63)");
  }
  if (c.kind != mysqlop_plugin_kind_Reconciler && c.kind != mysqlop_plugin_kind_Service &&
      c.kind != mysqlop_plugin_kind_BackupTarget) {
    return refuse(error, "bad_descriptor",
                  fmt::format("{}: unknown plugin kind {}", who, static_cast<int>(c.kind)));
  }
  if (!c.create || !c.destroy) {
    return refuse(error, "bad_descriptor", who + ": descriptor lacks the create or destroy hook");
  }
  if (c.primary.kind.len > 0 && !c.reconcile) {
    return refuse(error, "bad_descriptor",
                  who + ": descriptor names a primary resource but has no reconcile hook");
  }
  if (c.watch_count > 0 && !c.map_watched) {
    return refuse(error, "bad_descriptor",
                  who + ": descriptor lists watched resources but has no map_watched hook");
  }
  if ((c.owned_count > 0 && !c.owned) || (c.watch_count > 0 && !c.watches)) {
    return refuse(error, "bad_descriptor", who + ": descriptor resource list is NULL");
  }
  if (c.kind == mysqlop_plugin_kind_Service && (!c.start || !c.stop)) {
    return refuse(error, "bad_descriptor", who + ": a service plugin needs start and stop hooks");
  }
  if ((c.owned_count > 0 || c.watch_count > 0) && c.primary.kind.len == 0) {
    return refuse(error, "bad_descriptor",
                  who + ": owned or watched resources need a primary resource");
  }
  return true;
}

const mysqlop_backup_target_v1* backupTargetTable(const mysqlop_plugin_v1& d) {
  const void* t = d.get_interface
                      ? d.get_interface({MYSQLOP_BACKUP_TARGET_INTERFACE_V1,
                                         sizeof(MYSQLOP_BACKUP_TARGET_INTERFACE_V1) - 1},
                                        MYSQLOP_BACKUP_TARGET_VERSION_V1)
                      : nullptr;
  const auto* table = static_cast<const mysqlop_backup_target_v1*>(t);
  if (!table || table->struct_size < sizeof(mysqlop_backup_target_v1) || table->scheme_count == 0) {
    return nullptr;
  }
  return table;
}

std::string missingTargetInterfaceMessage(const std::string& entryName) {
  return "plugin \"" + entryName +
         "\": a backup-target plugin must return a complete " MYSQLOP_BACKUP_TARGET_INTERFACE_V1
         " table with at least one scheme";
}

}  // namespace mysqlop::host
