// mysqlop plugin SDK for C++ (header-only, C++17).
//
// Derive a class from mysqlop::Plugin (reconcilers and services) or mysqlop::BackupTarget (storage
// schemes), then export it with one macro:
//
//   class MyReconciler : public mysqlop::Plugin {
//    public:
//     static constexpr const char* kVersion = "1.2.0";
//     static constexpr mysqlop_type_resource kPrimary =
//         mysqlop::resource("example.com", "v1", "Widget", "widgets");
//     explicit MyReconciler(const mysqlop::Context& ctx) : Plugin(ctx) {}
//     mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override;
//   };
//   MYSQLOP_EXPORT_PLUGIN(MyReconciler, "widgets", mysqlop_plugin_kind_Reconciler)
//
// Optional class members read by the macro: kVersion (default "0.0.0"), kPrimary, kOwned and
// kWatches (std::array<mysqlop_type_resource, N>), kSchemes (backup targets,
// std::array<mysqlop_type_str, N> built with mysqlop::lit("s3")), and
// `static const void* pluginInterface(std::string_view id, std::uint32_t minVersion) noexcept`
// (interfaces the plugin publishes to other plugins; get_interface answers with it).
//
// A service (mysqlop_plugin_kind_Service) overrides start and stop; its own threads open a
// mysqlop::OwnedCall per unit of work, which is empty (ok() false) once stop has been called.
//
// ABI 1.1 callbacks (hostInterface, findPluginInterface) read the host table's struct_size first:
// on a 1.0 host they fall back (hostInterface) or answer Unsupported (findPluginInterface).
//
// Every trampoline is noexcept and catches everything: an exception thrown by plugin code becomes
// an error status whose message is the exception's what(), reported by the host. mysqlop::Error
// carries a chosen status; mysqlop::ConfigError means mysqlop_status_InvalidConfig.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "mysqlop/backup_target.h"
#include "mysqlop/plugin.h"

namespace mysqlop {

using Status = mysqlop_type_status;

// A string view with the layout of mysqlop_type_str, usable in constant expressions.
struct StrView {
  const char* ptr = nullptr;
  std::size_t len = 0;

  constexpr StrView() = default;
  constexpr StrView(const char* p, std::size_t n) : ptr(p), len(n) {}
  template <std::size_t N>
  constexpr StrView(const char (&literal)[N]) : ptr(literal), len(N - 1) {}  // NOLINT
  StrView(const std::string& s) : ptr(s.data()), len(s.size()) {}            // NOLINT
  constexpr StrView(std::string_view s) : ptr(s.data()), len(s.size()) {}    // NOLINT
  constexpr StrView(mysqlop_type_str s) : ptr(s.ptr), len(s.len) {}          // NOLINT

  constexpr operator mysqlop_type_str() const { return {ptr, len}; }  // NOLINT
  constexpr std::string_view view() const {
    return ptr ? std::string_view(ptr, len) : std::string_view();
  }
  std::string str() const { return std::string(view()); }
};
static_assert(sizeof(StrView) == sizeof(mysqlop_type_str), "StrView must match mysqlop_type_str");
static_assert(offsetof(StrView, ptr) == offsetof(mysqlop_type_str, ptr), "StrView layout");
static_assert(offsetof(StrView, len) == offsetof(mysqlop_type_str, len), "StrView layout");

constexpr mysqlop_type_str toStr(std::string_view s) { return {s.data(), s.size()}; }
constexpr std::string_view toView(mysqlop_type_str s) {
  return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view();
}

// A string literal as mysqlop_type_str, in constant expressions.
template <std::size_t N>
constexpr mysqlop_type_str lit(const char (&s)[N]) {
  return {s, N - 1};
}

// Describes a Kubernetes resource in a descriptor: resource("apps", "v1", "StatefulSet",
// "statefulsets"). Cluster-scoped resources pass namespaced = false.
template <std::size_t G, std::size_t V, std::size_t K, std::size_t P>
constexpr mysqlop_type_resource resource(const char (&group)[G], const char (&version)[V],
                                         const char (&kind)[K], const char (&plural)[P],
                                         bool namespaced = true) {
  return {{group, G - 1}, {version, V - 1}, {kind, K - 1}, {plural, P - 1}, namespaced ? 1u : 0u};
}

inline const char* statusName(Status s) {
  switch (s) {
    case mysqlop_status_Ok: return "Ok";
    case mysqlop_status_Retry: return "Retry";
    case mysqlop_status_Terminal: return "Terminal";
    case mysqlop_status_InvalidConfig: return "InvalidConfig";
    case mysqlop_status_Unsupported: return "Unsupported";
    case mysqlop_status_Internal: return "Internal";
    case mysqlop_status_NotFound: return "NotFound";
    case mysqlop_status_AlreadyExists: return "AlreadyExists";
    case mysqlop_status_Conflict: return "Conflict";
    case mysqlop_status_Invalid: return "Invalid";
    case mysqlop_status_Forbidden: return "Forbidden";
    case mysqlop_status_Unavailable: return "Unavailable";
  }
  return "Unknown";
}

// An error with the status the trampoline should return.
class Error : public std::runtime_error {
 public:
  Error(Status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  Status status() const { return status_; }

 private:
  Status status_;
};

// A configuration error in create, or an invalid spec in reconcile.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(mysqlop_status_InvalidConfig, message) {}
};

// The answer of a host callback: its status, the returned data (copied out of the host buffer)
// and, on failure, the host's message.
struct Reply {
  Status status = mysqlop_status_Ok;
  std::string data;
  std::string error;

  bool ok() const { return status == mysqlop_status_Ok; }
  bool notFound() const { return status == mysqlop_status_NotFound; }
  // Returns data, or throws mysqlop::Error with the host's status and message prefixed by what.
  const std::string& orThrow(std::string_view what) const {
    if (!ok()) {
      throw Error(status, std::string(what) + ": " + error);
    }
    return data;
  }
};

// What a reconcile decided. Build it with the named constructors.
struct Outcome {
  Status status = mysqlop_status_Ok;
  std::uint64_t requeueAfterMs = 0;
  std::string message;

  static Outcome done() { return {}; }
  static Outcome requeueAfter(std::uint64_t ms) { return {mysqlop_status_Ok, ms, {}}; }
  static Outcome retry(std::string why) { return {mysqlop_status_Retry, 0, std::move(why)}; }
  static Outcome terminal(std::string why) { return {mysqlop_status_Terminal, 0, std::move(why)}; }
  static Outcome invalid(std::string why) {
    return {mysqlop_status_InvalidConfig, 0, std::move(why)};
  }
};

struct Request {
  std::string_view namespaceName;
  std::string_view name;
  std::uint32_t retries = 0;
};

// Wraps a host call context. Not thread-safe: use one Call per thread.
class Call {
 public:
  Call(const mysqlop_host_v1* host, mysqlop_call_host_ptr call) : host_(host), call_(call) {}

  mysqlop_call_host_ptr raw() const { return call_; }
  const mysqlop_host_v1* host() const { return host_; }

  Reply get(const mysqlop_type_resource& r, StrView ns, StrView name) {
    return collect([&](mysqlop_type_buffer* out) { return host_->get(call_, &r, ns, name, out); });
  }
  Reply list(const mysqlop_type_resource& r, StrView ns, StrView labelSelector = {}) {
    return collect(
        [&](mysqlop_type_buffer* out) { return host_->list(call_, &r, ns, labelSelector, out); });
  }
  Reply create(const mysqlop_type_resource& r, StrView objectJson) {
    return collect(
        [&](mysqlop_type_buffer* out) { return host_->create(call_, &r, objectJson, out); });
  }
  Reply update(const mysqlop_type_resource& r, StrView objectJson) {
    return collect(
        [&](mysqlop_type_buffer* out) { return host_->update(call_, &r, objectJson, out); });
  }
  Reply updateStatus(const mysqlop_type_resource& r, StrView objectJson) {
    return collect(
        [&](mysqlop_type_buffer* out) { return host_->update_status(call_, &r, objectJson, out); });
  }
  Reply patch(const mysqlop_type_resource& r, StrView ns, StrView name,
              mysqlop_type_patch_kind kind, StrView patchJson, StrView subresource = {}) {
    return collect([&](mysqlop_type_buffer* out) {
      return host_->patch(call_, &r, ns, name, subresource, kind, patchJson, out);
    });
  }
  Reply remove(const mysqlop_type_resource& r, StrView ns, StrView name, StrView propagation = {}) {
    return collect(
        [&](mysqlop_type_buffer*) { return host_->remove(call_, &r, ns, name, propagation); });
  }
  Reply recordEvent(StrView objectJson, mysqlop_type_event_kind kind, StrView reason,
                    StrView message) {
    return collect([&](mysqlop_type_buffer*) {
      return host_->record_event(call_, objectJson, kind, reason, message);
    });
  }
  Reply readSecretValue(StrView ns, StrView name, StrView key) {
    return collect([&](mysqlop_type_buffer* out) {
      return host_->read_secret_value(call_, ns, name, key, out);
    });
  }
  // Resolves the endpoint into *host and *port; on failure *error (if given) gets the host's
  // message.
  Status resolveEndpoint(StrView ns, StrView cluster, StrView pod, std::string* host,
                         std::uint16_t* port, std::string* error = nullptr) {
    if (!call_) {
      if (error) {
        *error = kNoCall;
      }
      return mysqlop_status_Unavailable;
    }
    mysqlop_type_endpoint ep{};
    ep.struct_size = sizeof ep;
    Status s = host_->resolve_mysql_endpoint(call_, ns, cluster, pod, &ep);
    if (s == mysqlop_status_Ok) {
      ep.host[sizeof ep.host - 1] = '\0';
      *host = ep.host;
      *port = ep.port;
    } else if (error) {
      *error = std::string(toView(host_->last_error(call_)));
    }
    return s;
  }
  void emitKey(StrView ns, StrView name) { host_->emit_key(call_, ns, name); }
  void setError(StrView message) { host_->set_error(call_, message); }

  // Another plugin's interface (ABI 1.1): Ok with table and instance, or the host's reason. A
  // default-constructed one (nothing looked up yet) is not ok().
  struct Interface {
    Status status = mysqlop_status_NotFound;
    const void* table = nullptr;
    mysqlop_instance_plugin_ptr instance = nullptr;
    std::string error;

    bool ok() const { return status == mysqlop_status_Ok && table != nullptr; }
    template <class Table>
    const Table* as() const {
      return static_cast<const Table*>(table);
    }
  };
  // Finds interfaceId (version >= minVersion) of the plugin named plugin. On a host older than
  // 1.1 it answers Unsupported without touching the missing callback.
  Interface findPluginInterface(StrView plugin, StrView interfaceId, std::uint32_t minVersion) {
    Interface out;
    if (!MYSQLOP_HOST_HAS(host_, find_plugin_interface)) {
      out.status = mysqlop_status_Unsupported;
      out.error = "the host speaks ABI " + std::to_string(host_->abi_major) + "." +
                  std::to_string(host_->abi_minor) + "; find_plugin_interface needs 1.1";
      return out;
    }
    if (!call_) {
      out.status = mysqlop_status_Unavailable;
      out.error = kNoCall;
      return out;
    }
    mysqlop_type_plugin_interface found{};
    found.struct_size = sizeof found;
    out.status = host_->find_plugin_interface(call_, plugin, interfaceId, minVersion, &found);
    if (out.status == mysqlop_status_Ok) {
      out.table = found.table;
      out.instance = found.instance;
    } else {
      out.error = std::string(toView(host_->last_error(call_)));
    }
    return out;
  }

  // What every method answers when there is no context (an OwnedCall after stop).
  static constexpr const char* kNoCall =
      "no call context: call_begin returned NULL (the plugin is stopping or destroyed)";

 private:
  template <class F>
  Reply collect(F&& f) {
    if (!call_) {
      return finish(mysqlop_status_Unavailable, nullptr);
    }
    mysqlop_type_buffer buf{};
    Status s = f(&buf);
    return finish(s, &buf);
  }
  Reply finish(Status s, mysqlop_type_buffer* buf) {
    Reply r;
    if (!call_) {
      r.status = mysqlop_status_Unavailable;
      r.error = kNoCall;
      return r;
    }
    r.status = s;
    if (s == mysqlop_status_Ok) {
      if (buf && buf->data.ptr) {
        r.data.assign(buf->data.ptr, buf->data.len);
      }
    } else {
      r.error = std::string(toView(host_->last_error(call_)));
    }
    if (buf && buf->handle) {
      host_->release(call_, buf->handle);
    }
    return r;
  }

  const mysqlop_host_v1* host_;
  mysqlop_call_host_ptr call_;
};

// A call context opened by the plugin for its own threads; ended on destruction. The host refuses
// it (ok() false) once stop has been called: every method then answers Unavailable with kNoCall,
// without calling the host.
class OwnedCall : public Call {
 public:
  OwnedCall(const mysqlop_host_v1* host, mysqlop_plugin_host_ptr plugin)
      : Call(host, host->call_begin(plugin)) {}
  bool ok() const { return raw() != nullptr; }
  ~OwnedCall() {
    if (raw()) {
      host()->call_end(raw());
    }
  }
  OwnedCall(const OwnedCall&) = delete;
  OwnedCall& operator=(const OwnedCall&) = delete;
};

// A metric family registered with the host.
class Metric {
 public:
  Metric() = default;
  Metric(const mysqlop_host_v1* host, mysqlop_metric_host_ptr m) : host_(host), metric_(m) {}
  void add(double v, std::initializer_list<StrView> labels = {}) const {
    if (metric_) {
      host_->metric_add(metric_, asStrs(labels), labels.size(), v);
    }
  }
  void set(double v, std::initializer_list<StrView> labels = {}) const {
    if (metric_) {
      host_->metric_set(metric_, asStrs(labels), labels.size(), v);
    }
  }
  void observe(double v, std::initializer_list<StrView> labels = {}) const {
    if (metric_) {
      host_->metric_observe(metric_, asStrs(labels), labels.size(), v);
    }
  }

 private:
  static const mysqlop_type_str* asStrs(std::initializer_list<StrView> l) {
    return reinterpret_cast<const mysqlop_type_str*>(l.begin());
  }
  const mysqlop_host_v1* host_ = nullptr;
  mysqlop_metric_host_ptr metric_ = nullptr;
};

// What create receives.
struct Context {
  const mysqlop_host_v1* host;
  mysqlop_plugin_host_ptr plugin;
  std::string_view configJson;
  std::string_view operatorJson;
};

// Services of the host that do not belong to a call.
class Host {
 public:
  Host(const mysqlop_host_v1* host, mysqlop_plugin_host_ptr plugin)
      : host_(host), plugin_(plugin) {}

  const mysqlop_host_v1* table() const { return host_; }
  mysqlop_plugin_host_ptr plugin() const { return plugin_; }

  bool logEnabled(mysqlop_type_log_level level) const {
    return host_->log_enabled(plugin_, level) != 0;
  }
  void log(mysqlop_type_log_level level, StrView message) const {
    host_->log(plugin_, level, message);
  }
  void debug(StrView m) const { log(mysqlop_log_Debug, m); }
  void info(StrView m) const { log(mysqlop_log_Info, m); }
  void warn(StrView m) const { log(mysqlop_log_Warn, m); }
  void error(StrView m) const { log(mysqlop_log_Error, m); }

  void enqueue(StrView ns, StrView name, std::uint64_t delayMs = 0) const {
    host_->enqueue(plugin_, ns, name, delayMs);
  }

  // The table of a host feature (version >= minVersion), or nullptr. Uses host_get_interface_for
  // on a 1.1 host, and the 1.0 host_get_interface on an older one.
  const void* hostInterface(StrView id, std::uint32_t minVersion) const {
    if (MYSQLOP_HOST_HAS(host_, host_get_interface_for)) {
      return host_->host_get_interface_for(plugin_, id, minVersion);
    }
    return host_->host_get_interface(id, minVersion);
  }

  Metric registerMetric(mysqlop_type_metric_kind kind, StrView name, StrView help,
                        std::initializer_list<StrView> labels = {},
                        const std::vector<double>& buckets = {}) const {
    mysqlop_metric_host_ptr m = nullptr;
    Status s = host_->metric_register(
        plugin_, kind, name, help, reinterpret_cast<const mysqlop_type_str*>(labels.begin()),
        labels.size(), buckets.empty() ? nullptr : buckets.data(), buckets.size(), &m);
    if (s != mysqlop_status_Ok) {
      throw Error(s, "cannot register metric " + name.str());
    }
    return Metric(host_, m);
  }

  void registerRoute(StrView method, StrView path, mysqlop_on_http_request handler,
                     void* userData) const {
    Status s = host_->register_route(plugin_, method, path, handler, userData);
    if (s != mysqlop_status_Ok) {
      throw Error(s, "cannot register route " + method.str() + " " + path.str());
    }
  }

 private:
  const mysqlop_host_v1* host_;
  mysqlop_plugin_host_ptr plugin_;
};

// Base class of reconciler and service plugins. Override what the plugin does.
class Plugin {
 public:
  explicit Plugin(const Context& ctx) : host_(ctx.host, ctx.plugin) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  // Work: reconcile one key of the primary resource.
  virtual Outcome reconcile(Call& call, const Request& request) {
    (void)call;
    (void)request;
    throw Error(mysqlop_status_Unsupported, "this plugin does not reconcile");
  }
  // Work: map a changed object of kWatches[watchIndex] to primary keys with call.emitKey.
  virtual void mapWatched(Call& call, std::uint32_t watchIndex, std::string_view objectJson) {
    (void)call;
    (void)watchIndex;
    (void)objectJson;
  }
  // Lifecycle: start and stop background work (services).
  virtual void start(Call& call) { (void)call; }
  virtual void stop() {}

  const Host& host() const { return host_; }

 private:
  Host host_;
};

// Credentials of a backup target, copied out of the borrowed key/value pairs.
class Credentials {
 public:
  explicit Credentials(mysqlop_type_credentials c) {
    for (std::size_t i = 0; i < c.count; ++i) {
      values_[std::string(toView(c.items[i].key))] = std::string(toView(c.items[i].value));
    }
  }
  std::optional<std::string> get(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  std::string getOr(const std::string& key, const std::string& fallback) const {
    auto v = get(key);
    return v ? *v : fallback;
  }
  // Every key and value (targets that pass a family of keys through, e.g. RCLONE_CONFIG_*).
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

class BackupWriter {
 public:
  virtual ~BackupWriter() = default;
  virtual void write(Call& call, const void* data, std::size_t len) = 0;
  virtual void commit(Call& call) = 0;
  virtual void abort(Call& call) noexcept { (void)call; }
};

class BackupReader {
 public:
  virtual ~BackupReader() = default;
  // Returns the number of bytes read; 0 at the end of the object.
  virtual std::size_t read(Call& call, void* buffer, std::size_t capacity) = 0;
};

struct ObjectInfo {
  std::string url;
  std::uint64_t sizeBytes = 0;
  std::int64_t modifiedUnixMs = 0;
};

// Base class of backup-target plugins. Throw mysqlop::Error(mysqlop_status_NotFound, ...) for a
// missing object.
class BackupTarget : public Plugin {
 public:
  using Plugin::Plugin;
  virtual std::unique_ptr<BackupWriter> openWriter(Call& call, std::string_view url,
                                                   const Credentials& credentials) = 0;
  virtual std::unique_ptr<BackupReader> openReader(Call& call, std::string_view url,
                                                   const Credentials& credentials) = 0;
  virtual std::vector<ObjectInfo> list(Call& call, std::string_view urlPrefix,
                                       const Credentials& credentials) = 0;
  virtual void remove(Call& call, std::string_view url, const Credentials& credentials) = 0;
};

namespace detail {

// Runs f and turns every exception into a status plus a message set on the call.
template <class F>
Status guard(const mysqlop_host_v1* host, mysqlop_call_host_ptr call, F&& f) noexcept {
  auto report = [&](const char* msg) noexcept {
    if (host && call) {
      host->set_error(call, mysqlop_type_str{msg, std::strlen(msg)});
    }
  };
  try {
    return f();
  } catch (const Error& e) {
    report(e.what());
    return e.status() == mysqlop_status_Ok ? mysqlop_status_Internal : e.status();
  } catch (const std::exception& e) {
    report(e.what());
    return mysqlop_status_Internal;
  } catch (...) {
    report("unknown exception (not derived from std::exception)");
    return mysqlop_status_Internal;
  }
}

template <class T, class = void>
struct HasVersion : std::false_type {};
template <class T>
struct HasVersion<T, std::void_t<decltype(T::kVersion)>> : std::true_type {};
template <class T, class = void>
struct HasPrimary : std::false_type {};
template <class T>
struct HasPrimary<T, std::void_t<decltype(T::kPrimary)>> : std::true_type {};
template <class T, class = void>
struct HasOwned : std::false_type {};
template <class T>
struct HasOwned<T, std::void_t<decltype(T::kOwned)>> : std::true_type {};
template <class T, class = void>
struct HasWatches : std::false_type {};
template <class T>
struct HasWatches<T, std::void_t<decltype(T::kWatches)>> : std::true_type {};
template <class T, class = void>
struct HasPluginInterface : std::false_type {};
template <class T>
struct HasPluginInterface<
    T, std::void_t<decltype(T::pluginInterface(std::string_view(), std::uint32_t{}))>>
    : std::true_type {};

template <class T>
T* self(mysqlop_instance_plugin_ptr p) {
  return reinterpret_cast<T*>(p);
}

template <class T>
struct Hooks {
  static Status create(const mysqlop_host_v1* host, mysqlop_plugin_host_ptr plugin,
                       mysqlop_call_host_ptr call, const mysqlop_type_create_args* args,
                       mysqlop_instance_plugin_ptr* out) noexcept {
    return guard(host, call, [&] {
      Context ctx{host, plugin, toView(args->config_json), toView(args->operator_json)};
      auto instance = std::make_unique<T>(ctx);
      *out = reinterpret_cast<mysqlop_instance_plugin_ptr>(instance.release());
      return mysqlop_status_Ok;
    });
  }
  static void destroy(mysqlop_instance_plugin_ptr p) noexcept {
    T* t = self<T>(p);
    try {
      delete t;
    } catch (...) {  // a throwing destructor must not cross the boundary
    }
  }
  static Status reconcile(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call,
                          const mysqlop_type_request* req,
                          mysqlop_type_reconcile_result* out) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      Request r{toView(req->namespace_name), toView(req->name), req->retries};
      Outcome o = t->reconcile(c, r);
      out->requeue_after_ms = o.status == mysqlop_status_Ok ? o.requeueAfterMs : 0;
      if (o.status != mysqlop_status_Ok && !o.message.empty()) {
        c.setError(o.message);
      }
      return o.status;
    });
  }
  static Status mapWatched(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call,
                           std::uint32_t index, mysqlop_type_str object) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      t->mapWatched(c, index, toView(object));
      return mysqlop_status_Ok;
    });
  }
  static Status start(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      t->start(c);
      return mysqlop_status_Ok;
    });
  }
  static void stop(mysqlop_instance_plugin_ptr p) noexcept {
    try {
      self<T>(p)->stop();
    } catch (...) {  // stop has no status to report a failure with; the plugin must log it
    }
  }
};

// Backup-target trampolines. Writers and readers cross the boundary as opaque pointers to a
// holder that remembers the host table for error reporting.
struct WriterHolder {
  const mysqlop_host_v1* host;
  std::unique_ptr<BackupWriter> writer;
};
struct ReaderHolder {
  const mysqlop_host_v1* host;
  std::unique_ptr<BackupReader> reader;
};

template <class T>
struct TargetHooks {
  static Status openWriter(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call,
                           mysqlop_type_str url, mysqlop_type_credentials creds,
                           mysqlop_writer_plugin_ptr* out) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      auto holder = std::make_unique<WriterHolder>(
          WriterHolder{host, t->openWriter(c, toView(url), Credentials(creds))});
      *out = reinterpret_cast<mysqlop_writer_plugin_ptr>(holder.release());
      return mysqlop_status_Ok;
    });
  }
  static Status write(mysqlop_writer_plugin_ptr w, mysqlop_call_host_ptr call, const void* data,
                      std::size_t len) noexcept {
    auto* h = reinterpret_cast<WriterHolder*>(w);
    return guard(h->host, call, [&] {
      Call c(h->host, call);
      h->writer->write(c, data, len);
      return mysqlop_status_Ok;
    });
  }
  static Status commit(mysqlop_writer_plugin_ptr w, mysqlop_call_host_ptr call) noexcept {
    std::unique_ptr<WriterHolder> h(reinterpret_cast<WriterHolder*>(w));
    return guard(h->host, call, [&] {
      Call c(h->host, call);
      try {
        h->writer->commit(c);
      } catch (...) {
        h->writer->abort(c);
        throw;
      }
      return mysqlop_status_Ok;
    });
  }
  static void abort(mysqlop_writer_plugin_ptr w, mysqlop_call_host_ptr call) noexcept {
    std::unique_ptr<WriterHolder> h(reinterpret_cast<WriterHolder*>(w));
    Call c(h->host, call);
    h->writer->abort(c);
  }
  static Status openReader(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call,
                           mysqlop_type_str url, mysqlop_type_credentials creds,
                           mysqlop_reader_plugin_ptr* out) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      auto holder = std::make_unique<ReaderHolder>(
          ReaderHolder{host, t->openReader(c, toView(url), Credentials(creds))});
      *out = reinterpret_cast<mysqlop_reader_plugin_ptr>(holder.release());
      return mysqlop_status_Ok;
    });
  }
  static Status read(mysqlop_reader_plugin_ptr r, mysqlop_call_host_ptr call, void* buffer,
                     std::size_t capacity, std::size_t* outLen) noexcept {
    auto* h = reinterpret_cast<ReaderHolder*>(r);
    *outLen = 0;
    return guard(h->host, call, [&] {
      Call c(h->host, call);
      *outLen = h->reader->read(c, buffer, capacity);
      return mysqlop_status_Ok;
    });
  }
  static void closeReader(mysqlop_reader_plugin_ptr r) noexcept {
    delete reinterpret_cast<ReaderHolder*>(r);
  }
  static Status list(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call,
                     mysqlop_type_str prefix, mysqlop_type_credentials creds,
                     mysqlop_on_list_entry onEntry, void* context) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      for (const ObjectInfo& o : t->list(c, toView(prefix), Credentials(creds))) {
        mysqlop_type_object_info info{};
        info.struct_size = sizeof info;
        info.url = toStr(o.url);
        info.size_bytes = o.sizeBytes;
        info.modified_unix_ms = o.modifiedUnixMs;
        onEntry(context, &info);
      }
      return mysqlop_status_Ok;
    });
  }
  static Status remove(mysqlop_instance_plugin_ptr p, mysqlop_call_host_ptr call,
                       mysqlop_type_str url, mysqlop_type_credentials creds) noexcept {
    T* t = self<T>(p);
    const mysqlop_host_v1* host = t->host().table();
    return guard(host, call, [&] {
      Call c(host, call);
      t->remove(c, toView(url), Credentials(creds));
      return mysqlop_status_Ok;
    });
  }
};

template <class T>
struct TargetTable {
  static constexpr mysqlop_backup_target_v1 kTable = {
      sizeof(mysqlop_backup_target_v1), T::kSchemes.data(),          T::kSchemes.size(),
      &TargetHooks<T>::openWriter,      &TargetHooks<T>::write,      &TargetHooks<T>::commit,
      &TargetHooks<T>::abort,           &TargetHooks<T>::openReader, &TargetHooks<T>::read,
      &TargetHooks<T>::closeReader,     &TargetHooks<T>::list,       &TargetHooks<T>::remove,
  };
};

template <class T>
const void* getInterface(mysqlop_type_str id, std::uint32_t minVersion) noexcept {
  if constexpr (std::is_base_of_v<BackupTarget, T>) {
    if (toView(id) == MYSQLOP_BACKUP_TARGET_INTERFACE_V1 &&
        minVersion <= MYSQLOP_BACKUP_TARGET_VERSION_V1) {
      return &TargetTable<T>::kTable;
    }
  }
  if constexpr (HasPluginInterface<T>::value) {
    static_assert(noexcept(T::pluginInterface(std::string_view(), std::uint32_t{})),
                  "pluginInterface is called across the ABI and must be noexcept");
    if (const void* table = T::pluginInterface(toView(id), minVersion)) {
      return table;
    }
  }
  (void)id;
  (void)minVersion;
  return nullptr;
}

template <class T>
constexpr mysqlop_type_str versionOf() {
  if constexpr (HasVersion<T>::value) {
    return {T::kVersion, std::char_traits<char>::length(T::kVersion)};
  } else {
    return {"0.0.0", 5};
  }
}

template <class T>
constexpr mysqlop_plugin_v1 makeDescriptor(mysqlop_type_str name, mysqlop_type_plugin_kind kind) {
  mysqlop_plugin_v1 d{};
  d.magic = MYSQLOP_PLUGIN_MAGIC;
  d.struct_size = sizeof(mysqlop_plugin_v1);
  d.abi_major = MYSQLOP_ABI_MAJOR;
  d.abi_minor = MYSQLOP_ABI_MINOR;
  d.pointer_size = sizeof(void*);
  d.name = name;
  d.version = versionOf<T>();
  d.kind = kind;
  if constexpr (HasPrimary<T>::value) {
    d.primary = T::kPrimary;
    d.reconcile = &Hooks<T>::reconcile;
  }
  if constexpr (HasOwned<T>::value) {
    d.owned = T::kOwned.data();
    d.owned_count = T::kOwned.size();
  }
  if constexpr (HasWatches<T>::value) {
    d.watches = T::kWatches.data();
    d.watch_count = T::kWatches.size();
    d.map_watched = &Hooks<T>::mapWatched;
  }
  d.create = &Hooks<T>::create;
  d.destroy = &Hooks<T>::destroy;
  if (kind == mysqlop_plugin_kind_Service) {
    d.start = &Hooks<T>::start;
    d.stop = &Hooks<T>::stop;
  }
  d.get_interface = &getInterface<T>;
  return d;
}

}  // namespace detail
}  // namespace mysqlop

// Exports ClassName as the plugin `name` of the given kind (mysqlop_plugin_kind_*). Use once per
// shared object, at namespace scope.
#define MYSQLOP_EXPORT_PLUGIN(ClassName, name, kind)                                          \
  namespace {                                                                                 \
  constexpr mysqlop_plugin_v1 kMysqlopDescriptor =                                            \
      ::mysqlop::detail::makeDescriptor<ClassName>(::mysqlop::toStr(name), kind);             \
  }                                                                                           \
  extern "C" MYSQLOP_EXPORT const mysqlop_plugin_v1* mysqlop_plugin_entry_v1(void) noexcept { \
    return &kMysqlopDescriptor;                                                               \
  }
