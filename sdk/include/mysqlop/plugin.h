/*
 * mysqlop plugin ABI, version 1.2 (reconciler, service and backup-target plugins).
 *
 * This header is pure C99 and depends on nothing but the C standard library. A plugin built
 * against it loads into any mysql-operator host that speaks the same major version.
 *
 * VERSIONING RULE
 *   1. Each ABI major version has exactly one exported entry symbol: mysqlop_plugin_entry_v1 for
 *      major 1, mysqlop_plugin_entry_v2 for major 2, and so on. A host looks up the symbol of its
 *      own major only, so a plugin of another major is refused as "no entry symbol" unless it
 *      exports both generations.
 *   2. The host loads a plugin only if plugin.abi_major == host major and
 *      plugin.abi_minor <= host minor. A different major is refused naming both versions; a newer
 *      minor is refused as "plugin X built for ABI 1.4, host supports 1.3".
 *   3. Structs grow only by appending fields at their end. Every appended field carries a
 *      "since 1.N" banner and every growing struct starts with its struct_size. Each side reads the
 *      other side's struct_size before touching a field added after 1.0; the host copies a plugin's
 *      descriptor into a zero-filled local struct using min(struct_size, sizeof(local)).
 *   4. The fixed head of the descriptor (magic to pointer_size) has no padding and its offsets
 *      never change, so any host can identify any plugin before trusting the rest.
 *   5. Enum values are never renumbered; new values are appended. A value a side does not know is
 *      treated as mysqlop_status_Internal (statuses) or refused (kinds).
 *   6. Optional capabilities are found by name through get_interface (plugin side) and
 *      host_get_interface_for (host side, since 1.1; host_get_interface in 1.0), never by adding
 *      exports. Plugins find each other's interfaces through find_plugin_interface (since 1.1).
 *
 * WHAT 1.1 ADDED, AND HOW A 1.0 PLUGIN KEEPS WORKING
 *   1.1 appended host_get_interface_for and find_plugin_interface to mysqlop_host_v1 and added
 *   mysqlop_type_plugin_interface and MYSQLOP_HOST_HAS. The plugin descriptor did not change, so a
 *   plugin built against 1.0 loads and runs unchanged on a 1.1 host. A plugin built against 1.1
 *   that may run on a 1.0 host tests MYSQLOP_HOST_HAS(host, field) before calling a 1.1 callback
 *   (plugin.hpp does so and answers Unsupported when the host is older).
 *   1.2 added the host interface MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1 (backup_target.h) and
 *   nothing else: no struct or table changed.
 *
 * MEMORY RULES
 *   - Everything passed into a hook or callback (strings, object JSON, arrays) is BORROWED for the
 *     duration of that call only. Copy what you keep.
 *   - Whoever allocates frees. A plugin never frees host memory and the host never frees plugin
 *     memory. Host results are handed out as mysqlop_type_buffer, released with host->release.
 *   - Bulk data and error text a plugin produces is pushed through host callbacks that copy it
 *     (set_error, emit_key, http_respond; a backup target's list entries go through the caller's
 *     mysqlop_on_list_entry), never returned as plugin-allocated arrays.
 *
 * THREADING CLASSES
 *   - Discovery: the entry function and get_interface. They allocate nothing, start nothing and
 *     only return constant data. The entry function is called on the host's loader thread;
 *     get_interface also from any thread of another plugin (find_plugin_interface, since 1.1).
 *   - Lifecycle: create, start, stop, destroy. Called from the host's manager thread, never
 *     concurrently with any other call on the same instance. destroy is called exactly once per
 *     successful create, and never before stop has returned.
 *     Order (core/host/README.md): create every plugin in configuration order; on the leader,
 *     start every service, then start the reconcile workers; on shutdown, stop taking keys and wait
 *     for running reconciles, stop the services (reverse order), remove the plugins' HTTP routes
 *     waiting for running handlers, then destroy every instance in reverse order of creation.
 *   - Work: reconcile, map_watched, HTTP route handlers and backup-target streams. May run
 *     concurrently on different threads for different keys; reconcile is never called twice at
 *     once for the same key.
 *   Host callbacks are thread-safe unless their comment says otherwise.
 *
 * ERRORS
 *   Hooks return a mysqlop_type_status and explain failures through host->set_error. Nothing is
 *   ever thrown across this boundary: C++ plugins catch everything on their side (plugin.hpp does
 *   it for you). Error text must name the field or object at fault, because it becomes a status
 *   condition or a Kubernetes Event that a user reads.
 */
#ifndef MYSQLOP_PLUGIN_H
#define MYSQLOP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MYSQLOP_ABI_MAJOR 1
#define MYSQLOP_ABI_MINOR 2
/* "MYPL": the first four bytes of every descriptor. */
#define MYSQLOP_PLUGIN_MAGIC 0x4D59504Cu
#define MYSQLOP_PLUGIN_ENTRY_V1 "mysqlop_plugin_entry_v1"

#if defined(_WIN32)
#define MYSQLOP_EXPORT __declspec(dllexport)
#else
#define MYSQLOP_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------------------------------------
 * Basic types
 * ------------------------------------------------------------------------------------------- */

/* A string view: ptr need not be NUL-terminated; len is in bytes (UTF-8).
 * OWNERSHIP: borrowed from whoever passes it.
 * LIFETIME: the call it is passed to, unless the comment of the field says otherwise. */
typedef struct mysqlop_type_str {
  const char* ptr;
  size_t len;
} mysqlop_type_str;

/* Result of every hook and of host callbacks that can fail. */
typedef enum mysqlop_type_status {
  mysqlop_status_Ok = 0,
  /* Transient failure: the host requeues with per-key exponential backoff. */
  mysqlop_status_Retry = 1,
  /* Permanent failure: no requeue until the object changes; recorded as an Event and a metric. */
  mysqlop_status_Terminal = 2,
  /* The plugin's configuration is wrong (create) or the object's spec is invalid (reconcile). */
  mysqlop_status_InvalidConfig = 3,
  /* The operation or capability is not supported by this side. */
  mysqlop_status_Unsupported = 4,
  /* A bug or an unexpected failure, including an exception caught at the boundary. */
  mysqlop_status_Internal = 5,
  /* Host callbacks only: the object does not exist (HTTP 404). */
  mysqlop_status_NotFound = 6,
  /* Host callbacks only: the object already exists (409 AlreadyExists). */
  mysqlop_status_AlreadyExists = 7,
  /* Host callbacks only: optimistic-concurrency conflict (409 Conflict); re-read and retry. */
  mysqlop_status_Conflict = 8,
  /* Host callbacks only: the API server rejected the object (422 Invalid, 400 BadRequest). */
  mysqlop_status_Invalid = 9,
  /* Host callbacks only: the operator is not allowed to do this (401, 403). */
  mysqlop_status_Forbidden = 10,
  /* Host callbacks only: the facility is not available (for example Kubernetes access in a host
   * started without a cluster, or an endpoint with no ready pod). Usually worth a Retry. */
  mysqlop_status_Unavailable = 11
} mysqlop_type_status;

typedef enum mysqlop_type_plugin_kind {
  /* Reconciles one primary resource; owned resources requeue their owner. */
  mysqlop_plugin_kind_Reconciler = 1,
  /* Background work with start/stop (for example the failover engine). May also reconcile. */
  mysqlop_plugin_kind_Service = 2,
  /* Stores backups under one or more URL schemes; see backup_target.h. */
  mysqlop_plugin_kind_BackupTarget = 3
} mysqlop_type_plugin_kind;

typedef enum mysqlop_type_log_level {
  mysqlop_log_Trace = 0,
  mysqlop_log_Debug = 1,
  mysqlop_log_Info = 2,
  mysqlop_log_Warn = 3,
  mysqlop_log_Error = 4
} mysqlop_type_log_level;

typedef enum mysqlop_type_patch_kind {
  mysqlop_patch_Merge = 1,     /* application/merge-patch+json (RFC 7386) */
  mysqlop_patch_Json = 2,      /* application/json-patch+json (RFC 6902) */
  mysqlop_patch_Strategic = 3, /* application/strategic-merge-patch+json (built-in kinds only) */
  mysqlop_patch_Apply = 4      /* server-side apply; the host sends the plugin's field manager */
} mysqlop_type_patch_kind;

typedef enum mysqlop_type_event_kind {
  mysqlop_event_Normal = 1,
  mysqlop_event_Warning = 2
} mysqlop_type_event_kind;

typedef enum mysqlop_type_metric_kind {
  mysqlop_metric_Counter = 1,
  mysqlop_metric_Gauge = 2,
  mysqlop_metric_Histogram = 3
} mysqlop_type_metric_kind;

/* A Kubernetes resource: API group ("" for core), version, kind and plural resource name.
 * OWNERSHIP: as for mysqlop_type_str. In a plugin descriptor all strings are static. */
typedef struct mysqlop_type_resource {
  mysqlop_type_str group;   /* "", "apps", "mysql.presslabs.org" */
  mysqlop_type_str version; /* "v1", "v1alpha1" */
  mysqlop_type_str kind;    /* "StatefulSet" */
  mysqlop_type_str plural;  /* "statefulsets" */
  uint32_t namespaced;      /* 1 = namespaced, 0 = cluster-scoped */
} mysqlop_type_resource;

/* A key/value pair, used for credentials and HTTP headers.
 * OWNERSHIP: borrowed. LIFETIME: the call it is passed to. */
typedef struct mysqlop_type_kv {
  mysqlop_type_str key;
  mysqlop_type_str value;
} mysqlop_type_kv;

/* ---------------------------------------------------------------------------------------------
 * Opaque handles. The suffix tells who owns the memory behind them.
 * ------------------------------------------------------------------------------------------- */

/* A plugin instance, created by create and freed only by destroy.
 * OWNERSHIP: plugin. LIFETIME: from create's success to destroy. */
typedef struct mysqlop_instance_plugin* mysqlop_instance_plugin_ptr;
/* The host's view of one loaded plugin; identifies the plugin in logs, metrics and queues.
 * OWNERSHIP: host. LIFETIME: from create until destroy has returned. */
typedef struct mysqlop_plugin_host* mysqlop_plugin_host_ptr;
/* A per-call context: error sink, last host error, and the buffers handed out during the call.
 * OWNERSHIP: host. LIFETIME: the hook call it is passed to, or from call_begin to call_end. */
typedef struct mysqlop_call_host* mysqlop_call_host_ptr;
/* A host-allocated result buffer. OWNERSHIP: host. LIFETIME: until host->release, or the end of
 * the call that produced it, whichever comes first. */
typedef struct mysqlop_buffer_host* mysqlop_buffer_host_ptr;
/* A registered metric family. OWNERSHIP: host. LIFETIME: until the plugin is destroyed. */
typedef struct mysqlop_metric_host* mysqlop_metric_host_ptr;
/* An HTTP response being built. OWNERSHIP: host. LIFETIME: the route handler call. */
typedef struct mysqlop_http_response_host* mysqlop_http_response_host_ptr;

/* Data the host returns: a view of host memory plus the handle that releases it.
 * OWNERSHIP: host. LIFETIME: data is valid until host->release(handle) or the end of the call. */
typedef struct mysqlop_type_buffer {
  mysqlop_buffer_host_ptr handle;
  mysqlop_type_str data;
} mysqlop_type_buffer;

/* ---------------------------------------------------------------------------------------------
 * Requests and results
 * ------------------------------------------------------------------------------------------- */

typedef struct mysqlop_type_request {
  uint32_t struct_size;
  mysqlop_type_str namespace_name; /* "" for cluster-scoped objects */
  mysqlop_type_str name;
  uint32_t retries; /* how many times this key was requeued after a failure (0 = first try) */
} mysqlop_type_request;

/* controller-runtime's result: with status Ok, requeue_after_ms > 0 schedules the key again after
 * that delay (and resets its backoff); 0 means done. With any other status it is ignored. */
typedef struct mysqlop_type_reconcile_result {
  uint32_t struct_size;
  uint64_t requeue_after_ms;
} mysqlop_type_reconcile_result;

/* Arguments of create. Grows by appending. */
typedef struct mysqlop_type_create_args {
  uint32_t struct_size;
  /* The plugin's own `config` from the operator config file, as a JSON object ("{}" if absent). */
  mysqlop_type_str config_json;
  /* Operator-wide settings as a JSON object: namespace (watchNamespace), sidecarImage,
   * sidecarMysql8Image, metricsExporterImage, orchestratorTopologyUser,
   * orchestratorTopologyPassword (registered with the host's log redaction),
   * failoverBeforeShutdown, allowCrossNamespaceUser, allowCrossNamespaceDatabase, debug, and any
   * key a later version adds. Unknown keys must be ignored. */
  mysqlop_type_str operator_json;
} mysqlop_type_create_args;

/* The endpoint of a MySQL server, resolved by the host. host is NUL-terminated. */
typedef struct mysqlop_type_endpoint {
  uint32_t struct_size;
  char host[256];
  uint16_t port;
} mysqlop_type_endpoint;

typedef struct mysqlop_type_http_request {
  uint32_t struct_size;
  mysqlop_type_str method;
  mysqlop_type_str path;  /* full path, e.g. "/plugins/orchestrator/api/topology" */
  mysqlop_type_str query; /* raw query string without '?' */
  mysqlop_type_str body;
  const mysqlop_type_kv* headers;
  size_t header_count;
} mysqlop_type_http_request;

/* Since 1.1: another plugin's interface, as find_plugin_interface returns it. The functions of
 * table take instance as their plugin argument.
 * table: OWNERSHIP the target plugin, static. instance: OWNERSHIP the target plugin.
 * LIFETIME of both: until the target's destroy is called. The host destroys in reverse order of
 * creation after every reconcile, route handler and service thread has ended, so the caller may use
 * them anywhere but in its own destroy, and there too when the target was created before it. */
typedef struct mysqlop_type_plugin_interface {
  uint32_t struct_size;
  const void* table;
  mysqlop_instance_plugin_ptr instance;
} mysqlop_type_plugin_interface;

/* Handler of a route registered with register_route. Work class.
 * user_data: OWNERSHIP plugin; LIFETIME until the plugin is destroyed. */
typedef mysqlop_type_status (*mysqlop_on_http_request)(void* user_data, mysqlop_call_host_ptr call,
                                                       const mysqlop_type_http_request* request,
                                                       mysqlop_http_response_host_ptr response);

/* ---------------------------------------------------------------------------------------------
 * The host table, passed to create. Every function is provided (never NULL) for fields within
 * struct_size; a host without Kubernetes answers mysqlop_status_Unavailable.
 * ------------------------------------------------------------------------------------------- */

typedef struct mysqlop_host_v1 {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;

  /* ---- Calls and errors ---- */

  /* Opens a call context for work outside a hook (a service's own threads). Pair with call_end.
   * Returns NULL outside the window from the start of create until stop is called (for a plugin
   * without stop: until destroy is called); the host then logs a warning once per plugin.
   * OWNERSHIP of the result: host. LIFETIME: until call_end, even if stop is called meanwhile. */
  mysqlop_call_host_ptr (*call_begin)(mysqlop_plugin_host_ptr plugin);
  /* Ends a call context and releases every buffer still held by it. NULL is ignored. */
  void (*call_end)(mysqlop_call_host_ptr call);
  /* Sets the message explaining the failure the current hook is about to return. The host copies
   * it; the last message set wins. */
  void (*set_error)(mysqlop_call_host_ptr call, mysqlop_type_str message);
  /* The message of the last host callback on this call that did not return Ok.
   * LIFETIME: until the next callback on the same call. */
  mysqlop_type_str (*last_error)(mysqlop_call_host_ptr call);
  /* Releases a buffer early. Safe with a NULL handle. */
  void (*release)(mysqlop_call_host_ptr call, mysqlop_buffer_host_ptr buffer);

  /* ---- Logging (the host formats, filters and redacts secrets) ---- */

  int (*log_enabled)(mysqlop_plugin_host_ptr plugin, mysqlop_type_log_level level);
  void (*log)(mysqlop_plugin_host_ptr plugin, mysqlop_type_log_level level,
              mysqlop_type_str message);

  /* ---- Objects (JSON text, the Kubernetes wire format) ---- */

  /* Reads one object, from the informer cache when the resource is watched, else from the API
   * server. NotFound when it does not exist. */
  mysqlop_type_status (*get)(mysqlop_call_host_ptr call, const mysqlop_type_resource* resource,
                             mysqlop_type_str namespace_name, mysqlop_type_str name,
                             mysqlop_type_buffer* out_object);
  /* Lists objects matching a label selector ("" = all) in a namespace ("" = all namespaces).
   * out_list is a JSON array of objects. */
  mysqlop_type_status (*list)(mysqlop_call_host_ptr call, const mysqlop_type_resource* resource,
                              mysqlop_type_str namespace_name, mysqlop_type_str label_selector,
                              mysqlop_type_buffer* out_list);
  /* Creates the object; out_object (may be NULL) receives the stored object. */
  mysqlop_type_status (*create)(mysqlop_call_host_ptr call, const mysqlop_type_resource* resource,
                                mysqlop_type_str object_json, mysqlop_type_buffer* out_object);
  /* Replaces the object; metadata.resourceVersion gives optimistic concurrency (Conflict). */
  mysqlop_type_status (*update)(mysqlop_call_host_ptr call, const mysqlop_type_resource* resource,
                                mysqlop_type_str object_json, mysqlop_type_buffer* out_object);
  /* Replaces the status subresource (or the whole object for kinds without one). */
  mysqlop_type_status (*update_status)(mysqlop_call_host_ptr call,
                                       const mysqlop_type_resource* resource,
                                       mysqlop_type_str object_json,
                                       mysqlop_type_buffer* out_object);
  /* Patches the object (or its status when subresource is "status"). */
  mysqlop_type_status (*patch)(mysqlop_call_host_ptr call, const mysqlop_type_resource* resource,
                               mysqlop_type_str namespace_name, mysqlop_type_str name,
                               mysqlop_type_str subresource, mysqlop_type_patch_kind kind,
                               mysqlop_type_str patch, mysqlop_type_buffer* out_object);
  /* Deletes the object. propagation is "Background" (default when empty), "Foreground" or
   * "Orphan"; the host always sends Background for batch/v1 Jobs unless told otherwise. NotFound
   * when already gone. */
  mysqlop_type_status (*remove)(mysqlop_call_host_ptr call, const mysqlop_type_resource* resource,
                                mysqlop_type_str namespace_name, mysqlop_type_str name,
                                mysqlop_type_str propagation);

  /* Records a core/v1 Event on the object (its JSON, or a reference with apiVersion, kind,
   * namespace, name and uid). Repeats are aggregated into a count by the host. */
  mysqlop_type_status (*record_event)(mysqlop_call_host_ptr call, mysqlop_type_str object_json,
                                      mysqlop_type_event_kind kind, mysqlop_type_str reason,
                                      mysqlop_type_str message);

  /* Reads one key of a Secret, base64-decoded. The host marks the value as secret so that it is
   * redacted from every log line. NotFound when the Secret or the key is missing. */
  mysqlop_type_status (*read_secret_value)(mysqlop_call_host_ptr call,
                                           mysqlop_type_str namespace_name, mysqlop_type_str name,
                                           mysqlop_type_str key, mysqlop_type_buffer* out_value);

  /* Resolves the MySQL endpoint of a MysqlCluster's master (pod empty) or of one of its pods.
   * Unavailable when no ready pod serves it. */
  mysqlop_type_status (*resolve_mysql_endpoint)(mysqlop_call_host_ptr call,
                                                mysqlop_type_str namespace_name,
                                                mysqlop_type_str cluster, mysqlop_type_str pod,
                                                mysqlop_type_endpoint* out_endpoint);

  /* ---- Work queue ---- */

  /* Adds namespace/name to this plugin's work queue after delay_ms (0 = now). Duplicates of a
   * queued key collapse into one. Safe from any thread, including the plugin's own. */
  void (*enqueue)(mysqlop_plugin_host_ptr plugin, mysqlop_type_str namespace_name,
                  mysqlop_type_str name, uint64_t delay_ms);
  /* From map_watched only: adds a key to the plugin's queue. */
  void (*emit_key)(mysqlop_call_host_ptr call, mysqlop_type_str namespace_name,
                   mysqlop_type_str name);

  /* ---- Metrics (Prometheus) ---- */

  /* Registers a metric family. name must match [a-zA-Z_:][a-zA-Z0-9_:]* and should start with
   * "mysqlop_". buckets (histograms only; NULL = default buckets) are copied. */
  mysqlop_type_status (*metric_register)(mysqlop_plugin_host_ptr plugin,
                                         mysqlop_type_metric_kind kind, mysqlop_type_str name,
                                         mysqlop_type_str help, const mysqlop_type_str* label_names,
                                         size_t label_count, const double* buckets,
                                         size_t bucket_count, mysqlop_metric_host_ptr* out_metric);
  /* Counter: adds value (>= 0). Gauge: adds value (may be negative). label_values has one value
   * per label name, in order. */
  void (*metric_add)(mysqlop_metric_host_ptr metric, const mysqlop_type_str* label_values,
                     size_t label_count, double value);
  /* Gauge: sets the value. */
  void (*metric_set)(mysqlop_metric_host_ptr metric, const mysqlop_type_str* label_values,
                     size_t label_count, double value);
  /* Histogram: observes one value. */
  void (*metric_observe)(mysqlop_metric_host_ptr metric, const mysqlop_type_str* label_values,
                         size_t label_count, double value);

  /* ---- HTTP ---- */

  /* Serves method + path under /plugins/<plugin name><path> on the metrics address. path must
   * start with '/'; a trailing '*' matches any suffix. user_data is passed back to handler.
   * The route is removed before the plugin is destroyed, and removal waits for every running call
   * of handler: handler is never called, nor running, once destroy is called. */
  mysqlop_type_status (*register_route)(mysqlop_plugin_host_ptr plugin, mysqlop_type_str method,
                                        mysqlop_type_str path, mysqlop_on_http_request handler,
                                        void* user_data);
  /* Sets the response of a route handler. The host copies body. */
  void (*http_respond)(mysqlop_http_response_host_ptr response, uint16_t status_code,
                       mysqlop_type_str content_type, mysqlop_type_str body);

  /* ---- Extensions ---- */

  /* Returns a static table of a host feature added after 1.0, or NULL. Kept for 1.0 plugins:
   * without a plugin argument it answers for the process's one host; use host_get_interface_for.
   * OWNERSHIP of the result: host, static. LIFETIME: until the plugin is destroyed. */
  const void* (*host_get_interface)(mysqlop_type_str interface_id, uint32_t min_version);

  /* ---- since 1.1: read struct_size (MYSQLOP_HOST_HAS) before using these ---- */

  /* since 1.1 */
  /* Returns the table of the host feature interface_id with a version >= min_version, or NULL.
   * The answer belongs to the host serving plugin. Any thread.
   * OWNERSHIP of the result: host, static. LIFETIME: until the plugin is destroyed. */
  const void* (*host_get_interface_for)(mysqlop_plugin_host_ptr plugin,
                                        mysqlop_type_str interface_id, uint32_t min_version);
  /* since 1.1 */
  /* Finds interface_id (version >= min_version) of the plugin named plugin_name, through that
   * plugin's get_interface. Ok fills out; otherwise last_error names the cause: NotFound (no such
   * plugin configured), Unavailable (disabled, refused, not created yet because it is listed after
   * the caller, or destroyed), Unsupported (it has no such interface). Any thread.
   * out: OWNERSHIP caller; out->struct_size must be set. */
  mysqlop_type_status (*find_plugin_interface)(mysqlop_call_host_ptr call,
                                               mysqlop_type_str plugin_name,
                                               mysqlop_type_str interface_id, uint32_t min_version,
                                               mysqlop_type_plugin_interface* out);
} mysqlop_host_v1;

/* Since 1.1: true when the host table host (a const mysqlop_host_v1*) has field, that is when
 * the host was built with an ABI minor that has it. Test it before using a field added after 1.0.
 */
#define MYSQLOP_HOST_HAS(host, field) \
  ((host)->struct_size >= offsetof(mysqlop_host_v1, field) + sizeof((host)->field))

/* ---------------------------------------------------------------------------------------------
 * The plugin descriptor, returned by the entry function.
 * ------------------------------------------------------------------------------------------- */

/* create: Lifecycle. Builds an instance from its configuration. On failure it calls
 * host->set_error(call, ...) with a message naming the config key, and returns
 * mysqlop_status_InvalidConfig or another non-Ok status; *out_instance is then ignored.
 * host: OWNERSHIP host; LIFETIME until destroy returns (keep the pointer).
 * plugin: OWNERSHIP host; LIFETIME until destroy returns (keep it; callbacks need it). */
typedef mysqlop_type_status (*mysqlop_on_create)(const mysqlop_host_v1* host,
                                                 mysqlop_plugin_host_ptr plugin,
                                                 mysqlop_call_host_ptr call,
                                                 const mysqlop_type_create_args* args,
                                                 mysqlop_instance_plugin_ptr* out_instance);
/* destroy: Lifecycle. Frees the instance; never fails. */
typedef void (*mysqlop_on_destroy)(mysqlop_instance_plugin_ptr instance);
/* reconcile: Work. Brings the object namespace/name to its desired state. */
typedef mysqlop_type_status (*mysqlop_on_reconcile)(mysqlop_instance_plugin_ptr instance,
                                                    mysqlop_call_host_ptr call,
                                                    const mysqlop_type_request* request,
                                                    mysqlop_type_reconcile_result* out_result);
/* map_watched: Work. Called when an object of watches[watch_index] changes; emits the keys of
 * primary objects to reconcile through host->emit_key. object_json is the new (or, for a
 * deletion, the last known) object. */
typedef mysqlop_type_status (*mysqlop_on_map_watched)(mysqlop_instance_plugin_ptr instance,
                                                      mysqlop_call_host_ptr call,
                                                      uint32_t watch_index,
                                                      mysqlop_type_str object_json);
/* start: Lifecycle. Starts background work; returns promptly. Called when this replica becomes
 * the leader (services run on the leader only), after every plugin was created and before any
 * reconcile worker runs. On failure, set_error names the cause; the host reports it with the
 * plugin's name, never calls stop for it, and starts the other plugins all the same. */
typedef mysqlop_type_status (*mysqlop_on_start)(mysqlop_instance_plugin_ptr instance,
                                                mysqlop_call_host_ptr call);
/* stop: Lifecycle. Stops background work and joins the plugin's threads before returning. Called
 * exactly once after each successful start, once every reconcile worker has ended, and before the
 * plugin's routes are removed and it is destroyed. */
typedef void (*mysqlop_on_stop)(mysqlop_instance_plugin_ptr instance);
/* get_interface: Discovery. Returns a static table owned by the plugin, or NULL. Other plugins
 * reach it through find_plugin_interface (since 1.1), which may call it from any thread after
 * create.
 * LIFETIME of the result: as long as the shared object is loaded. */
typedef const void* (*mysqlop_on_get_interface)(mysqlop_type_str interface_id,
                                                uint32_t min_version);

typedef struct mysqlop_plugin_v1 {
  /* Fixed head: never changes, no padding. */
  uint32_t magic;        /* MYSQLOP_PLUGIN_MAGIC */
  uint32_t struct_size;  /* sizeof(mysqlop_plugin_v1) as the plugin compiled it */
  uint16_t abi_major;    /* MYSQLOP_ABI_MAJOR the plugin was built with */
  uint16_t abi_minor;    /* MYSQLOP_ABI_MINOR the plugin was built with */
  uint32_t pointer_size; /* sizeof(void*) of the plugin's build */

  /* OWNERSHIP: plugin, static. LIFETIME: as long as the shared object is loaded. */
  mysqlop_type_str name;    /* unique: "cluster", "backup", "s3" ... ([a-z0-9-], <= 63 bytes) */
  mysqlop_type_str version; /* semver of the plugin itself */
  mysqlop_type_plugin_kind kind;

  /* Reconciliation. primary.kind.len == 0 means the plugin reconciles nothing.
   * Changes to objects of an owned resource requeue their controller owner of the primary kind.
   * Changes to objects of a watched resource are mapped to keys by map_watched.
   * OWNERSHIP: plugin, static. LIFETIME: as long as the shared object is loaded. */
  mysqlop_type_resource primary;
  const mysqlop_type_resource* owned;
  size_t owned_count;
  const mysqlop_type_resource* watches;
  size_t watch_count;

  /* Hooks. create and destroy are required. reconcile is required when primary is set;
   * map_watched when watch_count > 0; start and stop for services. Others may be NULL. */
  mysqlop_on_create create;
  mysqlop_on_destroy destroy;
  mysqlop_on_reconcile reconcile;
  mysqlop_on_map_watched map_watched;
  mysqlop_on_start start;
  mysqlop_on_stop stop;
  mysqlop_on_get_interface get_interface;
} mysqlop_plugin_v1;

/* The one exported symbol of a v1 plugin. Discovery class: returns a pointer to a constant,
 * statically allocated descriptor; no side effects.
 * OWNERSHIP of the result: plugin. LIFETIME: as long as the shared object is loaded. */
typedef const mysqlop_plugin_v1* (*mysqlop_plugin_entry_v1_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* MYSQLOP_PLUGIN_H */
