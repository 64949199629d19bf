// The host callback table of StandaloneHost. Only what a backup target needs does something: call
// contexts, errors, logging and the backup-target lookup. Kubernetes callbacks answer Unavailable
// with kNoKubernetes; metrics are accepted and dropped; routes are Unsupported (no HTTP server).
// Nothing unwinds into a plugin: every callback that allocates catches everything.
#include "core/host/standalone_host.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "core/host/abi_string.h"
#include "core/host/target_catalog.h"
#include "mysqlop/plugin.hpp"

namespace mysqlop::host {

namespace {

using mysqlop::statusName;

StandalonePlugin* pluginOf(mysqlop_plugin_host_ptr p) {
  return reinterpret_cast<StandalonePlugin*>(p);
}
StandaloneCall* callOf(mysqlop_call_host_ptr c) { return reinterpret_cast<StandaloneCall*>(c); }

mysqlop_type_status noKubernetes(mysqlop_call_host_ptr c) {
  if (c) {
    try {
      callOf(c)->lastError = kNoKubernetes;
    } catch (...) {
    }
  }
  return mysqlop_status_Unavailable;
}

mysqlop_call_host_ptr callBegin(mysqlop_plugin_host_ptr p) {
  if (!p || !pluginOf(p)->callsAllowed.load()) {
    return nullptr;
  }
  try {
    return (new StandaloneCall(pluginOf(p), true))->ptr();
  } catch (...) {
    return nullptr;
  }
}

void callEnd(mysqlop_call_host_ptr c) {
  if (c && callOf(c)->owned) {
    delete callOf(c);
  }
}

void setError(mysqlop_call_host_ptr c, mysqlop_type_str message) {
  if (c) {
    try {
      callOf(c)->error = str(message);
    } catch (...) {
    }
  }
}

mysqlop_type_str lastError(mysqlop_call_host_ptr c) {
  if (!c) {
    return {"", 0};
  }
  const std::string& e = callOf(c)->lastError;
  return {e.data(), e.size()};
}

void release(mysqlop_call_host_ptr c, mysqlop_buffer_host_ptr buffer) {
  if (!c || !buffer) {
    return;
  }
  auto& buffers = callOf(c)->buffers;
  std::erase_if(buffers, [&](const std::unique_ptr<std::string>& b) {
    return reinterpret_cast<mysqlop_buffer_host_ptr>(b.get()) == buffer;
  });
}

spdlog::level::level_enum levelOf(mysqlop_type_log_level l) {
  switch (l) {
    case mysqlop_log_Trace: return spdlog::level::trace;
    case mysqlop_log_Debug: return spdlog::level::debug;
    case mysqlop_log_Info: return spdlog::level::info;
    case mysqlop_log_Warn: return spdlog::level::warn;
    case mysqlop_log_Error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

int logEnabled(mysqlop_plugin_host_ptr, mysqlop_type_log_level level) {
  return spdlog::should_log(levelOf(level)) ? 1 : 0;
}

void logLine(mysqlop_plugin_host_ptr p, mysqlop_type_log_level level, mysqlop_type_str message) {
  try {
    spdlog::log(levelOf(level), "plugin/{}: {}", p ? pluginOf(p)->name : std::string("?"),
                view(message));
  } catch (...) {
  }
}

mysqlop_type_status get(mysqlop_call_host_ptr c, const mysqlop_type_resource*, mysqlop_type_str,
                        mysqlop_type_str, mysqlop_type_buffer* out) {
  if (out) {
    *out = mysqlop_type_buffer{};
  }
  return noKubernetes(c);
}
mysqlop_type_status list(mysqlop_call_host_ptr c, const mysqlop_type_resource*, mysqlop_type_str,
                         mysqlop_type_str, mysqlop_type_buffer* out) {
  return get(c, nullptr, {}, {}, out);
}
mysqlop_type_status create(mysqlop_call_host_ptr c, const mysqlop_type_resource*, mysqlop_type_str,
                           mysqlop_type_buffer* out) {
  return get(c, nullptr, {}, {}, out);
}
mysqlop_type_status patch(mysqlop_call_host_ptr c, const mysqlop_type_resource*, mysqlop_type_str,
                          mysqlop_type_str, mysqlop_type_str, mysqlop_type_patch_kind,
                          mysqlop_type_str, mysqlop_type_buffer* out) {
  return get(c, nullptr, {}, {}, out);
}
mysqlop_type_status remove(mysqlop_call_host_ptr c, const mysqlop_type_resource*, mysqlop_type_str,
                           mysqlop_type_str, mysqlop_type_str) {
  return noKubernetes(c);
}
mysqlop_type_status recordEvent(mysqlop_call_host_ptr c, mysqlop_type_str, mysqlop_type_event_kind,
                                mysqlop_type_str, mysqlop_type_str) {
  return noKubernetes(c);
}
mysqlop_type_status readSecretValue(mysqlop_call_host_ptr c, mysqlop_type_str, mysqlop_type_str,
                                    mysqlop_type_str, mysqlop_type_buffer* out) {
  return get(c, nullptr, {}, {}, out);
}
mysqlop_type_status resolveEndpoint(mysqlop_call_host_ptr c, mysqlop_type_str, mysqlop_type_str,
                                    mysqlop_type_str, mysqlop_type_endpoint*) {
  return noKubernetes(c);
}

void enqueue(mysqlop_plugin_host_ptr, mysqlop_type_str, mysqlop_type_str, uint64_t) {}
void emitKey(mysqlop_call_host_ptr, mysqlop_type_str, mysqlop_type_str) {}

// Metrics are accepted (a plugin may register them in create) and dropped: there is no registry.
struct DummyMetric {
} gMetric;
mysqlop_type_status metricRegister(mysqlop_plugin_host_ptr, mysqlop_type_metric_kind,
                                   mysqlop_type_str, mysqlop_type_str, const mysqlop_type_str*,
                                   size_t, const double*, size_t, mysqlop_metric_host_ptr* out) {
  if (out) {
    *out = reinterpret_cast<mysqlop_metric_host_ptr>(&gMetric);
  }
  return mysqlop_status_Ok;
}
void metricValue(mysqlop_metric_host_ptr, const mysqlop_type_str*, size_t, double) {}

mysqlop_type_status registerRoute(mysqlop_plugin_host_ptr, mysqlop_type_str, mysqlop_type_str,
                                  mysqlop_on_http_request, void*) {
  return mysqlop_status_Unsupported;
}
void httpRespond(mysqlop_http_response_host_ptr, uint16_t, mysqlop_type_str, mysqlop_type_str) {}

mysqlop_type_status findTarget(mysqlop_plugin_host_ptr p, mysqlop_type_str scheme,
                               const mysqlop_backup_target_v1** table,
                               mysqlop_instance_plugin_ptr* instance) {
  if (!p || !table || !instance) {
    return mysqlop_status_Invalid;
  }
  try {
    return pluginOf(p)->host->backupTargets().find(view(scheme), table, instance);
  } catch (...) {
    return mysqlop_status_Internal;
  }
}
const mysqlop_host_backup_targets_v2 kTargetsV2 = {sizeof(mysqlop_host_backup_targets_v2),
                                                   &findTarget};

// ABI 1.0's handle-less lookup needs a process-wide host; a standalone host has none.
const void* hostGetInterface(mysqlop_type_str, uint32_t) { return nullptr; }

mysqlop_type_status describeTargets(mysqlop_call_host_ptr c, mysqlop_type_buffer* out) {
  if (!c || !out) {
    return mysqlop_status_Invalid;
  }
  *out = mysqlop_type_buffer{};
  StandaloneCall* call = callOf(c);
  try {
    auto buf = std::make_unique<std::string>(call->plugin->host->catalogJson());
    out->handle = reinterpret_cast<mysqlop_buffer_host_ptr>(buf.get());
    out->data = {buf->data(), buf->size()};
    call->buffers.push_back(std::move(buf));
    call->lastError.clear();
    return mysqlop_status_Ok;
  } catch (const std::exception& e) {
    call->lastError = e.what();
    return mysqlop_status_Internal;
  }
}
const mysqlop_host_backup_target_catalog_v1 kCatalogV1 = {
    sizeof(mysqlop_host_backup_target_catalog_v1), &describeTargets};

const void* hostGetInterfaceFor(mysqlop_plugin_host_ptr p, mysqlop_type_str id,
                                uint32_t minVersion) {
  if (p && view(id) == MYSQLOP_HOST_BACKUP_TARGETS_V2 && minVersion <= 2) {
    return &kTargetsV2;
  }
  if (p && view(id) == MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1 && minVersion <= 1) {
    return &kCatalogV1;
  }
  return nullptr;
}

mysqlop_type_status findPluginInterface(mysqlop_call_host_ptr c, mysqlop_type_str name,
                                        mysqlop_type_str id, uint32_t minVersion,
                                        mysqlop_type_plugin_interface* out) {
  if (!c) {
    return mysqlop_status_Invalid;
  }
  StandaloneCall* call = callOf(c);
  try {
    if (!out || out->struct_size < sizeof(mysqlop_type_plugin_interface)) {
      call->lastError = "find_plugin_interface: out is NULL or its struct_size is too small";
      return mysqlop_status_Invalid;
    }
    StandalonePlugin* target = call->plugin->host->find(str(name));
    if (!target) {
      call->lastError = "no plugin named \"" + str(name) + "\" is loaded";
      return mysqlop_status_NotFound;
    }
    const auto get = target->library.descriptor.get_interface;
    const void* table = get ? get(id, minVersion) : nullptr;
    if (!table) {
      call->lastError = "plugin \"" + str(name) + "\" has no interface \"" + str(id) +
                        "\" of version >= " + std::to_string(minVersion);
      return mysqlop_status_Unsupported;
    }
    out->table = table;
    out->instance = target->instance;
    call->lastError.clear();
    return mysqlop_status_Ok;
  } catch (...) {
    return mysqlop_status_Internal;
  }
}

const mysqlop_host_v1 kHost = {
    sizeof(mysqlop_host_v1),
    MYSQLOP_ABI_MAJOR,
    MYSQLOP_ABI_MINOR,
    &callBegin,
    &callEnd,
    &setError,
    &lastError,
    &release,
    &logEnabled,
    &logLine,
    &get,
    &list,
    &create,
    &create,  // update
    &create,  // update_status
    &patch,
    &remove,
    &recordEvent,
    &readSecretValue,
    &resolveEndpoint,
    &enqueue,
    &emitKey,
    &metricRegister,
    &metricValue,
    &metricValue,
    &metricValue,
    &registerRoute,
    &httpRespond,
    &hostGetInterface,
    &hostGetInterfaceFor,
    &findPluginInterface,
};

}  // namespace

const mysqlop_host_v1* StandaloneHost::table() { return &kHost; }

StandaloneHost::~StandaloneHost() {
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) {
    StandalonePlugin& p = **it;
    targets_.remove(p.instance);
    p.callsAllowed = false;
    if (p.instance) {
      p.library.descriptor.destroy(p.instance);
      p.instance = nullptr;
    }
  }
  // The libraries unload as plugins_ is destroyed, after every instance is gone.
}

StandalonePlugin* StandaloneHost::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : plugins_) {
    if (p->name == name && p->instance) {
      return p.get();
    }
  }
  return nullptr;
}

std::string StandaloneHost::catalogJson() const {
  std::vector<CatalogEntry> entries;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : plugins_) {
    if (p->target && p->instance) {
      entries.push_back({p->name, p->library.path, p->configJson});
    }
  }
  return host::catalogJson(entries);
}

Result<StandalonePlugin*> StandaloneHost::loadBackupTarget(const std::string& path,
                                                           const std::string& configJson) {
  const std::string entryName = std::filesystem::path(path).stem().string();
  auto p = std::make_unique<StandalonePlugin>();
  p->host = this;
  LoadError err;
  if (!loadPluginLibrary(entryName, path, &p->library, &err)) {
    return fail(Errc::Invalid, err.message);
  }
  const mysqlop_plugin_v1& d = p->library.descriptor;
  p->name = str(d.name);
  if (d.kind != mysqlop_plugin_kind_BackupTarget) {
    return fail(Errc::Invalid, "plugin \"" + entryName + "\": " + path +
                                   " is not a backup-target plugin (kind " +
                                   std::to_string(static_cast<int>(d.kind)) + ")");
  }
  StandaloneCall call(p.get());
  mysqlop_type_create_args args{};
  args.struct_size = sizeof args;
  args.config_json = {configJson.data(), configJson.size()};
  args.operator_json = {"{}", 2};
  p->callsAllowed = true;
  mysqlop_type_status s = mysqlop_status_Internal;
  try {
    s = d.create(table(), p->handle(), call.ptr(), &args, &p->instance);
  } catch (...) {
    call.error = "exception escaped create";
  }
  if (s != mysqlop_status_Ok) {
    p->instance = nullptr;
    return fail(Errc::Invalid, "plugin \"" + entryName + "\": create failed (" + statusName(s) +
                                   "): " + (call.error.empty() ? "no message" : call.error));
  }
  p->target = backupTargetTable(d);
  p->configJson = configJson;
  std::string clash;
  if (!p->target || !targets_.add(p->name, p->target, p->instance, &clash)) {
    targets_.remove(p->instance);
    p->callsAllowed = false;
    d.destroy(p->instance);
    p->instance = nullptr;
    return fail(Errc::Invalid, p->target ? clash : missingTargetInterfaceMessage(entryName));
  }
  std::lock_guard<std::mutex> lock(mu_);
  plugins_.push_back(std::move(p));
  return plugins_.back().get();
}

}  // namespace mysqlop::host
