/*
 * mysqlop backup-target ABI, version 1: a storage scheme for backups (s3://, gs://, file://, ...).
 *
 * A backup-target plugin is an ordinary mysqlop plugin (plugin.h) of kind
 * mysqlop_plugin_kind_BackupTarget whose get_interface returns a mysqlop_backup_target_v1 table for
 * MYSQLOP_BACKUP_TARGET_INTERFACE_V1. The versioning, memory and threading rules of plugin.h
 * apply; in addition:
 *   - Every operation takes the URL it works on and the credentials to use, as key/value pairs
 *     taken from the backup Secret (bitpoke's keys: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *     S3_ENDPOINT, AWS_REGION, GCS_SERVICE_ACCOUNT_JSON_KEY, ...). Never log their values.
 *   - Objects are written as streams: open_writer, write any number of times, then exactly one of
 *     commit or abort. An object becomes visible at its URL only when commit succeeds; a reader
 *     never sees a partial object. commit and abort free the writer whatever their result.
 *   - Objects are read as streams: open_reader, read until it yields 0 bytes, close_reader.
 *   - One writer or reader is never used by two threads at once; different ones may be used
 *     concurrently (Work class).
 */
#ifndef MYSQLOP_BACKUP_TARGET_H
#define MYSQLOP_BACKUP_TARGET_H

#include "mysqlop/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MYSQLOP_BACKUP_TARGET_INTERFACE_V1 "mysqlop.backup_target/1"
#define MYSQLOP_BACKUP_TARGET_VERSION_V1 1u

/* An object being written. OWNERSHIP: plugin. LIFETIME: from open_writer until commit or abort
 * returns. */
typedef struct mysqlop_writer_plugin* mysqlop_writer_plugin_ptr;
/* An object being read. OWNERSHIP: plugin. LIFETIME: from open_reader until close_reader. */
typedef struct mysqlop_reader_plugin* mysqlop_reader_plugin_ptr;

/* Credentials: key/value pairs. OWNERSHIP: caller. LIFETIME: the call they are passed to. */
typedef struct mysqlop_type_credentials {
  const mysqlop_type_kv* items;
  size_t count;
} mysqlop_type_credentials;

/* One stored object, as reported by list. OWNERSHIP: plugin. LIFETIME: the emit call only. */
typedef struct mysqlop_type_object_info {
  uint32_t struct_size;
  mysqlop_type_str url; /* full URL of the object, usable with open_reader and remove */
  uint64_t size_bytes;
  int64_t modified_unix_ms; /* last modification, milliseconds since the epoch; 0 if unknown */
} mysqlop_type_object_info;

/* Sink of list: called once per object. context: OWNERSHIP caller. */
typedef void (*mysqlop_on_list_entry)(void* context, const mysqlop_type_object_info* entry);

typedef struct mysqlop_backup_target_v1 {
  uint32_t struct_size;

  /* URL schemes served, without "://" (e.g. "s3"). OWNERSHIP: plugin, static. */
  const mysqlop_type_str* schemes;
  size_t scheme_count;

  /* Starts writing the object at url (replacing it on commit if it exists). */
  mysqlop_type_status (*open_writer)(mysqlop_instance_plugin_ptr instance,
                                     mysqlop_call_host_ptr call, mysqlop_type_str url,
                                     mysqlop_type_credentials credentials,
                                     mysqlop_writer_plugin_ptr* out_writer);
  /* Appends len bytes. data: OWNERSHIP caller; LIFETIME the call. */
  mysqlop_type_status (*write)(mysqlop_writer_plugin_ptr writer, mysqlop_call_host_ptr call,
                               const void* data, size_t len);
  /* Makes the written object visible at its URL, then frees the writer. On failure nothing is
   * visible and the writer is freed as well. */
  mysqlop_type_status (*commit)(mysqlop_writer_plugin_ptr writer, mysqlop_call_host_ptr call);
  /* Discards everything written and frees the writer. Never fails. */
  void (*abort)(mysqlop_writer_plugin_ptr writer, mysqlop_call_host_ptr call);

  /* Opens the object at url for reading. NotFound if it does not exist. */
  mysqlop_type_status (*open_reader)(mysqlop_instance_plugin_ptr instance,
                                     mysqlop_call_host_ptr call, mysqlop_type_str url,
                                     mysqlop_type_credentials credentials,
                                     mysqlop_reader_plugin_ptr* out_reader);
  /* Reads up to capacity bytes into buffer (OWNERSHIP caller); *out_len = 0 means end of object. */
  mysqlop_type_status (*read)(mysqlop_reader_plugin_ptr reader, mysqlop_call_host_ptr call,
                              void* buffer, size_t capacity, size_t* out_len);
  /* Frees the reader. Never fails. */
  void (*close_reader)(mysqlop_reader_plugin_ptr reader);

  /* Lists the objects whose URL starts with url_prefix, in lexicographic order of URL. */
  mysqlop_type_status (*list)(mysqlop_instance_plugin_ptr instance, mysqlop_call_host_ptr call,
                              mysqlop_type_str url_prefix, mysqlop_type_credentials credentials,
                              mysqlop_on_list_entry on_entry, void* context);
  /* Removes the object at url. NotFound if it does not exist. */
  mysqlop_type_status (*remove)(mysqlop_instance_plugin_ptr instance, mysqlop_call_host_ptr call,
                                mysqlop_type_str url, mysqlop_type_credentials credentials);
} mysqlop_backup_target_v1;

/* Host side: how a plugin (the backup reconciler, the sidecar) reaches the backup target serving a
 * scheme. Obtained with host->host_get_interface(MYSQLOP_HOST_BACKUP_TARGETS_V1, 1). */
#define MYSQLOP_HOST_BACKUP_TARGETS_V1 "mysqlop.host.backup_targets/1"

typedef struct mysqlop_host_backup_targets_v1 {
  uint32_t struct_size;
  /* Finds the loaded and created backup-target plugin serving scheme (without "://").
   * NotFound when no plugin serves it. out_table: OWNERSHIP the target plugin, static.
   * out_instance: OWNERSHIP the target plugin; LIFETIME until the host shuts down. */
  mysqlop_type_status (*find)(mysqlop_type_str scheme, const mysqlop_backup_target_v1** out_table,
                              mysqlop_instance_plugin_ptr* out_instance);
} mysqlop_host_backup_targets_v1;

/* Since 1.1: the same lookup answered by the host serving plugin, with no process-wide state.
 * Obtained with host->host_get_interface_for(plugin, MYSQLOP_HOST_BACKUP_TARGETS_V2, 2).
 * plugin: the caller's own handle. out_table, out_instance: as in version 1, LIFETIME until the
 * target is destroyed (see mysqlop_type_plugin_interface in plugin.h for when that is). */
#define MYSQLOP_HOST_BACKUP_TARGETS_V2 "mysqlop.host.backup_targets/2"

typedef struct mysqlop_host_backup_targets_v2 {
  uint32_t struct_size;
  mysqlop_type_status (*find)(mysqlop_plugin_host_ptr plugin, mysqlop_type_str scheme,
                              const mysqlop_backup_target_v1** out_table,
                              mysqlop_instance_plugin_ptr* out_instance);
} mysqlop_host_backup_targets_v2;

/* Since 1.2: the catalog of the backup targets the host created, so that a plugin can hand the same
 * targets to another program (the operator's backup plugin gives it to the sidecar of a backup Job
 * as the env MYSQLOP_BACKUP_TARGETS). Obtained with
 * host->host_get_interface_for(plugin, MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1, 1). */
#define MYSQLOP_HOST_BACKUP_TARGET_CATALOG_V1 "mysqlop.host.backup_target_catalog/1"

typedef struct mysqlop_host_backup_target_catalog_v1 {
  uint32_t struct_size;
  /* Fills out_json with {"targets":[{"name":N,"path":P,"config":{...}}, ...]}: every created
   * backup-target plugin in creation order, with its configured name, the absolute path of its
   * library and its config object ({} when none). out_json: OWNERSHIP the host, released with
   * host->release(call, out_json->handle). Any thread. */
  mysqlop_type_status (*describe)(mysqlop_call_host_ptr call, mysqlop_type_buffer* out_json);
} mysqlop_host_backup_target_catalog_v1;

#ifdef __cplusplus
}
#endif

#endif /* MYSQLOP_BACKUP_TARGET_H */
