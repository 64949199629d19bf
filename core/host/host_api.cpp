// The host callback table (mysqlop_host_v1). Nothing may unwind into a plugin, so every callback
// that can throw (it allocates, or calls into ClusterAccess, the registry or the router) ends with
// catch (...); where it reports a failure, a std::exception's what() becomes the message
// (last_error), and anything else "unexpected exception in the host". The others (last_error,
// release, log_enabled) cannot throw.
#include "core/host/host_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "core/host/backup_targets.h"
#include "core/host/host_interfaces.h"
#include "core/host/plugin_manager.h"
#include "core/http/router.h"
#include "core/log/redactor.h"
#include "core/metrics/registry.h"
#include "mysqlop/backup_target.h"

namespace mysqlop::host {

namespace {

constexpr const char* kUnexpected = "unexpected exception in the host";

ResourceRef ref(const mysqlop_type_resource* r) {
  return ResourceRef{str(r->group), str(r->version), str(r->kind), str(r->plural),
                     r->namespaced != 0};
}

mysqlop_type_status toStatus(Errc code) {
  switch (code) {
    case Errc::NotFound: return mysqlop_status_NotFound;
    case Errc::AlreadyExists: return mysqlop_status_AlreadyExists;
    case Errc::Conflict: return mysqlop_status_Conflict;
    case Errc::Invalid: return mysqlop_status_Invalid;
    case Errc::Unauthorized:
    case Errc::Forbidden: return mysqlop_status_Forbidden;
    case Errc::Unavailable:
    case Errc::Timeout:
    case Errc::TooManyRequests:
    case Errc::Gone: return mysqlop_status_Unavailable;
    case Errc::Unsupported: return mysqlop_status_Unsupported;
    case Errc::Internal: return mysqlop_status_Internal;
  }
  return mysqlop_status_Internal;
}

mysqlop_type_status failed(mysqlop_call_host* call, mysqlop_type_status s, std::string message) {
  if (call) {
    call->lastError = std::move(message);
  }
  return s;
}

void give(mysqlop_call_host* call, std::string data, mysqlop_type_buffer* out) {
  if (!out) {
    return;
  }
  auto buf = std::make_unique<mysqlop_buffer_host>();
  buf->data = std::move(data);
  out->handle = buf.get();
  out->data = {buf->data.data(), buf->data.size()};
  call->buffers.push_back(std::move(buf));
}

// Runs f, which returns a status and reports its own failures on call, and turns an exception
// into Internal with its message: nothing unwinds into the plugin.
template <class F>
mysqlop_type_status guarded(mysqlop_call_host* call, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return failed(call, mysqlop_status_Internal, e.what());
  } catch (...) {
    return failed(call, mysqlop_status_Internal, kUnexpected);
  }
}

// Runs a ClusterAccess call that returns text and hands the text to the plugin.
template <class F>
mysqlop_type_status withText(mysqlop_call_host* call, mysqlop_type_buffer* out, F&& f) {
  if (out) {
    *out = mysqlop_type_buffer{};
  }
  if (!call) {
    return mysqlop_status_Internal;
  }
  return guarded(call, [&] {
    Result<std::string> r = f(call->plugin->manager->cluster());
    if (!r.ok()) {
      return failed(call, toStatus(r.code()), r.error().message);
    }
    give(call, std::move(r).value(), out);
    call->lastError.clear();
    return mysqlop_status_Ok;
  });
}

mysqlop_call_host_ptr callBegin(mysqlop_plugin_host_ptr plugin) {
  if (!plugin) {
    return nullptr;
  }
  try {
    if (!plugin->callsAllowed.load()) {
      plugin->manager->reportMisuse(*plugin, "call_begin",
                                    "call_begin after stop or destroy was called; returning NULL");
      return nullptr;
    }
    auto* call = new mysqlop_call_host(plugin, true);
    plugin->openCalls.fetch_add(1);
    return call;
  } catch (...) {
    return nullptr;
  }
}

void callEnd(mysqlop_call_host_ptr call) {
  if (!call) {
    return;
  }
  if (!call->owned) {
    try {
      call->plugin->manager->reportMisuse(
          *call->plugin, "call_end", "call_end on a context the host passed to a hook; ignored");
    } catch (...) {
    }
    return;
  }
  call->plugin->openCalls.fetch_sub(1);
  delete call;
}

void setError(mysqlop_call_host_ptr call, mysqlop_type_str message) {
  if (call) {
    try {
      call->error = str(message);
    } catch (...) {
    }
  }
}

mysqlop_type_str lastError(mysqlop_call_host_ptr call) {
  if (!call) {
    return {"", 0};
  }
  return {call->lastError.data(), call->lastError.size()};
}

void release(mysqlop_call_host_ptr call, mysqlop_buffer_host_ptr buffer) {
  if (!call || !buffer) {
    return;
  }
  auto& b = call->buffers;
  auto it = std::find_if(b.begin(), b.end(), [&](const auto& p) { return p.get() == buffer; });
  if (it != b.end()) {
    b.erase(it);
  }
}

spdlog::level::level_enum toLevel(mysqlop_type_log_level level) {
  switch (level) {
    case mysqlop_log_Trace: return spdlog::level::trace;
    case mysqlop_log_Debug: return spdlog::level::debug;
    case mysqlop_log_Info: return spdlog::level::info;
    case mysqlop_log_Warn: return spdlog::level::warn;
    case mysqlop_log_Error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

int logEnabled(mysqlop_plugin_host_ptr plugin, mysqlop_type_log_level level) {
  return plugin && plugin->logger && plugin->logger->should_log(toLevel(level)) ? 1 : 0;
}

void logLine(mysqlop_plugin_host_ptr plugin, mysqlop_type_log_level level,
             mysqlop_type_str message) {
  if (!plugin || !plugin->logger) {
    return;
  }
  try {
    plugin->logger->log(toLevel(level), "{}",
                        std::string_view(message.ptr ? message.ptr : "", message.len));
  } catch (...) {
  }
}

mysqlop_type_status get(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                        mysqlop_type_str ns, mysqlop_type_str name, mysqlop_type_buffer* out) {
  return withText(call, out, [&](ClusterAccess& c) { return c.get(ref(r), str(ns), str(name)); });
}

mysqlop_type_status list(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                         mysqlop_type_str ns, mysqlop_type_str selector, mysqlop_type_buffer* out) {
  return withText(call, out,
                  [&](ClusterAccess& c) { return c.list(ref(r), str(ns), str(selector)); });
}

mysqlop_type_status create(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                           mysqlop_type_str object, mysqlop_type_buffer* out) {
  return withText(call, out, [&](ClusterAccess& c) { return c.create(ref(r), str(object)); });
}

mysqlop_type_status update(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                           mysqlop_type_str object, mysqlop_type_buffer* out) {
  return withText(call, out, [&](ClusterAccess& c) { return c.update(ref(r), str(object)); });
}

mysqlop_type_status updateStatus(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                                 mysqlop_type_str object, mysqlop_type_buffer* out) {
  return withText(call, out, [&](ClusterAccess& c) { return c.updateStatus(ref(r), str(object)); });
}

mysqlop_type_status patch(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                          mysqlop_type_str ns, mysqlop_type_str name, mysqlop_type_str sub,
                          mysqlop_type_patch_kind kind, mysqlop_type_str body,
                          mysqlop_type_buffer* out) {
  PatchKind k;
  switch (kind) {
    case mysqlop_patch_Merge: k = PatchKind::Merge; break;
    case mysqlop_patch_Json: k = PatchKind::Json; break;
    case mysqlop_patch_Strategic: k = PatchKind::Strategic; break;
    case mysqlop_patch_Apply: k = PatchKind::Apply; break;
    default:
      return failed(call, mysqlop_status_Invalid,
                    "unknown patch kind " + std::to_string(static_cast<int>(kind)));
  }
  return withText(call, out, [&](ClusterAccess& c) {
    return c.patch(ref(r), str(ns), str(name), str(sub), k, str(body),
                   "mysql-operator/" + call->plugin->name);
  });
}

mysqlop_type_status remove(mysqlop_call_host_ptr call, const mysqlop_type_resource* r,
                           mysqlop_type_str ns, mysqlop_type_str name, mysqlop_type_str prop) {
  return withText(call, nullptr, [&](ClusterAccess& c) -> Result<std::string> {
    std::string propagation = str(prop);
    if (propagation.empty()) {
      propagation = "Background";  // Jobs default to Orphan on the server; never what we want
    }
    if (propagation != "Background" && propagation != "Foreground" && propagation != "Orphan") {
      return fail(Errc::Invalid, "propagation must be Background, Foreground or Orphan, got \"" +
                                     propagation + "\"");
    }
    auto res = c.remove(ref(r), str(ns), str(name), propagation);
    if (!res.ok()) {
      return res.error();
    }
    return std::string();
  });
}

mysqlop_type_status recordEvent(mysqlop_call_host_ptr call, mysqlop_type_str object,
                                mysqlop_type_event_kind kind, mysqlop_type_str reason,
                                mysqlop_type_str message) {
  return withText(call, nullptr, [&](ClusterAccess& c) -> Result<std::string> {
    if (kind != mysqlop_event_Normal && kind != mysqlop_event_Warning) {
      return fail(Errc::Invalid, "event kind must be Normal or Warning");
    }
    // Event messages are read by users: redact them like log lines.
    auto res = c.recordEvent(str(object), kind == mysqlop_event_Normal ? "Normal" : "Warning",
                             str(reason), log::Redactor::global().redact(str(message)));
    if (!res.ok()) {
      return res.error();
    }
    return std::string();
  });
}

mysqlop_type_status readSecretValue(mysqlop_call_host_ptr call, mysqlop_type_str ns,
                                    mysqlop_type_str name, mysqlop_type_str key,
                                    mysqlop_type_buffer* out) {
  return withText(call, out, [&](ClusterAccess& c) {
    auto value = c.readSecretValue(str(ns), str(name), str(key));
    if (value.ok()) {
      log::Redactor::global().addSecret(*value);
    }
    return value;
  });
}

mysqlop_type_status resolveEndpoint(mysqlop_call_host_ptr call, mysqlop_type_str ns,
                                    mysqlop_type_str cluster, mysqlop_type_str pod,
                                    mysqlop_type_endpoint* out) {
  if (!call || !out || out->struct_size < sizeof(mysqlop_type_endpoint)) {
    return failed(call, mysqlop_status_Invalid, "resolve_mysql_endpoint: bad endpoint struct");
  }
  return guarded(call, [&] {
    auto r = call->plugin->manager->cluster().resolveMysqlEndpoint(str(ns), str(cluster), str(pod));
    if (!r.ok()) {
      return failed(call, toStatus(r.code()), r.error().message);
    }
    if (r->host.size() >= sizeof out->host) {
      return failed(call, mysqlop_status_Internal, "endpoint host name too long");
    }
    std::memset(out->host, 0, sizeof out->host);
    std::memcpy(out->host, r->host.data(), r->host.size());
    out->port = r->port;
    return mysqlop_status_Ok;
  });
}

void enqueue(mysqlop_plugin_host_ptr plugin, mysqlop_type_str ns, mysqlop_type_str name,
             uint64_t delayMs) {
  if (!plugin || !plugin->plugin || !plugin->plugin->queue) {
    return;
  }
  try {
    const std::string key = ns.len ? str(ns) + "/" + str(name) : str(name);
    plugin->plugin->queue->addAfter(key, std::chrono::milliseconds(delayMs));
  } catch (...) {
  }
}

void emitKey(mysqlop_call_host_ptr call, mysqlop_type_str ns, mysqlop_type_str name) {
  if (!call || !call->emitted) {
    return;
  }
  try {
    call->emitted->emplace_back(str(ns), str(name));
  } catch (...) {
  }
}

mysqlop_type_status metricRegister(mysqlop_plugin_host_ptr plugin, mysqlop_type_metric_kind kind,
                                   mysqlop_type_str name, mysqlop_type_str help,
                                   const mysqlop_type_str* labels, size_t labelCount,
                                   const double* buckets, size_t bucketCount,
                                   mysqlop_metric_host_ptr* out) {
  if (!plugin || !out) {
    return mysqlop_status_Invalid;
  }
  try {
    metrics::Kind k;
    switch (kind) {
      case mysqlop_metric_Counter: k = metrics::Kind::Counter; break;
      case mysqlop_metric_Gauge: k = metrics::Kind::Gauge; break;
      case mysqlop_metric_Histogram: k = metrics::Kind::Histogram; break;
      default: return mysqlop_status_Invalid;
    }
    std::vector<std::string> labelNames;
    for (size_t i = 0; i < labelCount; ++i) {
      labelNames.push_back(str(labels[i]));
    }
    std::vector<double> bounds(buckets, buckets + (buckets ? bucketCount : 0));
    auto family = plugin->manager->registry().add(k, str(name), str(help), labelNames, bounds);
    if (!family.ok()) {
      plugin->logger->warn("metric_register: {}", family.error().message);
      return family.code() == Errc::AlreadyExists ? mysqlop_status_AlreadyExists
                                                  : mysqlop_status_Invalid;
    }
    auto handle = std::make_unique<mysqlop_metric_host>();
    handle->family = *family;
    std::lock_guard<std::mutex> lock(plugin->metricsMu);
    *out = handle.get();
    plugin->metrics.push_back(std::move(handle));
    return mysqlop_status_Ok;
  } catch (...) {
    return mysqlop_status_Internal;
  }
}

template <class F>
void withSeries(mysqlop_metric_host_ptr metric, const mysqlop_type_str* labels, size_t count,
                F&& f) {
  if (!metric) {
    return;
  }
  try {
    std::vector<std::string> values;
    values.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      values.push_back(str(labels[i]));
    }
    f(*static_cast<metrics::Family*>(metric->family), values);
  } catch (...) {
  }
}

void metricAdd(mysqlop_metric_host_ptr m, const mysqlop_type_str* l, size_t n, double v) {
  withSeries(m, l, n, [v](metrics::Family& f, const auto& values) { f.add(values, v); });
}

void metricSet(mysqlop_metric_host_ptr m, const mysqlop_type_str* l, size_t n, double v) {
  withSeries(m, l, n, [v](metrics::Family& f, const auto& values) { f.set(values, v); });
}

void metricObserve(mysqlop_metric_host_ptr m, const mysqlop_type_str* l, size_t n, double v) {
  withSeries(m, l, n, [v](metrics::Family& f, const auto& values) { f.observe(values, v); });
}

mysqlop_type_status registerRoute(mysqlop_plugin_host_ptr plugin, mysqlop_type_str method,
                                  mysqlop_type_str path, mysqlop_on_http_request handler,
                                  void* userData) {
  if (!plugin || !handler) {
    return mysqlop_status_Invalid;
  }
  try {
    const std::string p = str(path);
    const std::string m = str(method);
    if (p.empty() || p[0] != '/' || p.find("..") != std::string::npos) {
      plugin->logger->warn("register_route: path \"{}\" must start with '/'", p);
      return mysqlop_status_Invalid;
    }
    if (m != "GET" && m != "POST" && m != "PUT" && m != "DELETE" && m != "PATCH") {
      plugin->logger->warn("register_route: unsupported method \"{}\"", m);
      return mysqlop_status_Invalid;
    }
    const std::string full = "/plugins/" + plugin->name + p;
    mysqlop_plugin_host* ph = plugin;
    bool added = plugin->manager->router().add(
        m, full, [ph, handler, userData](const http::Request& req, http::Response& resp) {
          std::vector<mysqlop_type_kv> headers;
          headers.reserve(req.headers.size());
          for (const auto& [k, v] : req.headers) {
            headers.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
          }
          mysqlop_type_http_request in{};
          in.struct_size = sizeof in;
          in.method = {req.method.data(), req.method.size()};
          in.path = {req.path.data(), req.path.size()};
          in.query = {req.query.data(), req.query.size()};
          in.body = {req.body.data(), req.body.size()};
          in.headers = headers.data();
          in.header_count = headers.size();
          mysqlop_call_host call(ph);
          mysqlop_http_response_host handle{&resp};
          resp.status = 200;
          mysqlop_type_status s = mysqlop_status_Internal;
          try {
            s = handler(userData, &call, &in, &handle);
          } catch (...) {
            call.error = "route handler threw an exception across the ABI";
          }
          if (s != mysqlop_status_Ok) {
            ph->logger->error("route {} {} failed: {}", req.method, req.path, call.error);
            resp.status = s == mysqlop_status_NotFound ? 404 : 500;
            resp.contentType = "text/plain; charset=utf-8";
            resp.body = call.error.empty() ? "error\n" : call.error + "\n";
          }
        });
    if (!added) {
      return mysqlop_status_AlreadyExists;
    }
    return mysqlop_status_Ok;
  } catch (...) {
    return mysqlop_status_Internal;
  }
}

void httpRespond(mysqlop_http_response_host_ptr response, uint16_t code,
                 mysqlop_type_str contentType, mysqlop_type_str body) {
  if (!response || !response->response) {
    return;
  }
  try {
    response->response->status = code;
    response->response->contentType = contentType.len ? str(contentType) : "text/plain";
    response->response->body = str(body);
  } catch (...) {
  }
}

mysqlop_type_status findBackupTarget(mysqlop_type_str scheme,
                                     const mysqlop_backup_target_v1** table,
                                     mysqlop_instance_plugin_ptr* instance) {
  PluginManager* m = PluginManager::current();
  if (!m || !table || !instance) {
    return mysqlop_status_Unavailable;
  }
  return m->backupTargetFor(std::string_view(scheme.ptr ? scheme.ptr : "", scheme.len), table,
                            instance)
             ? mysqlop_status_Ok
             : mysqlop_status_NotFound;
}

const mysqlop_host_backup_targets_v1 kBackupTargets = {sizeof(mysqlop_host_backup_targets_v1),
                                                       &findBackupTarget};

mysqlop_type_status findBackupTargetFor(mysqlop_plugin_host_ptr plugin, mysqlop_type_str scheme,
                                        const mysqlop_backup_target_v1** table,
                                        mysqlop_instance_plugin_ptr* instance) {
  if (!plugin || !table || !instance) {
    return mysqlop_status_Invalid;
  }
  if (!plugin->backupTargets) {
    return mysqlop_status_Unavailable;
  }
  return plugin->backupTargets->find(view(scheme), table, instance);
}

const mysqlop_host_backup_targets_v2 kBackupTargetsV2 = {sizeof(mysqlop_host_backup_targets_v2),
                                                         &findBackupTargetFor};

mysqlop_type_status describeTargets(mysqlop_call_host_ptr call, mysqlop_type_buffer* out) {
  if (out) {
    *out = mysqlop_type_buffer{};
  }
  if (!call || !out) {
    return mysqlop_status_Invalid;
  }
  return guarded(call, [&] {
    give(call, call->plugin->manager->backupTargetCatalog(), out);
    call->lastError.clear();
    return mysqlop_status_Ok;
  });
}

const mysqlop_host_backup_target_catalog_v1 kCatalogV1 = {
    sizeof(mysqlop_host_backup_target_catalog_v1), &describeTargets};

// ABI 1.0: no plugin argument, so the process's one manager answers.
const void* hostGetInterface(mysqlop_type_str id, uint32_t minVersion) {
  PluginManager* m = PluginManager::current();
  return m ? m->hostInterfaces().find(view(id), minVersion) : nullptr;
}

const void* hostGetInterfaceFor(mysqlop_plugin_host_ptr plugin, mysqlop_type_str id,
                                uint32_t minVersion) {
  if (!plugin) {
    return nullptr;
  }
  return plugin->manager->hostInterfaces().find(view(id), minVersion);
}

mysqlop_type_status findPluginInterface(mysqlop_call_host_ptr call, mysqlop_type_str name,
                                        mysqlop_type_str id, uint32_t minVersion,
                                        mysqlop_type_plugin_interface* out) {
  if (!call) {
    return mysqlop_status_Invalid;
  }
  if (!out || out->struct_size < sizeof(mysqlop_type_plugin_interface)) {
    return failed(call, mysqlop_status_Invalid,
                  "find_plugin_interface: out is NULL or its struct_size is too small");
  }
  return guarded(call, [&] {
    std::string error;
    const mysqlop_type_status s = call->plugin->manager->findPluginInterface(
        *call->plugin->plugin, str(name), view(id), minVersion, out, &error);
    if (s != mysqlop_status_Ok) {
      return failed(call, s, std::move(error));
    }
    call->lastError.clear();
    return mysqlop_status_Ok;
  });
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
    &update,
    &updateStatus,
    &patch,
    &remove,
    &recordEvent,
    &readSecretValue,
    &resolveEndpoint,
    &enqueue,
    &emitKey,
    &metricRegister,
    &metricAdd,
    &metricSet,
    &metricObserve,
    &registerRoute,
    &httpRespond,
    &hostGetInterface,
    &hostGetInterfaceFor,
    &findPluginInterface,
};

}  // namespace

const mysqlop_host_v1* hostTable() { return &kHost; }

void registerHostInterfaces(HostInterfaces& interfaces) {
  interfaces.add(MYSQLOP_HOST_BACKUP_TARGETS_V1, 1, &kBackupTargets);
  interfaces.add(MYSQLOP_HOST_BACKUP_TARGETS_V2, 2, &kBackupTargetsV2);
  interfaces.add(MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1, 1, &kCatalogV1);
}

}  // namespace mysqlop::host
