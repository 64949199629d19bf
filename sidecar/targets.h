#pragma once

// The backup targets the sidecar reads and writes through (contract16 1-2): which plugins to load
// (MYSQLOP_BACKUP_TARGETS, else every mysqlop_target_*.so of the plugin directory), the
// credentials they get (the environment minus the sidecar's own variables), and a small driver of
// one target's C table (open_writer/write/commit/abort, open_reader/read, remove). Loading uses
// the operator's own loader (core/host StandaloneHost), so what the operator accepts, the sidecar
// accepts.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/host/standalone_host.h"
#include "sidecar/env.h"

namespace mysqlop::sidecar {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// One target to load: its name (for messages), the plugin file and its configuration (JSON text).
struct TargetSpec {
  std::string name;
  std::string path;
  std::string configJson = "{}";
};

// The plugin directory: MYSQLOP_PLUGIN_DIR, else <directory of the sidecar binary>/plugins.
std::string pluginDir(const EnvLookup& env);

// The targets to load. MYSQLOP_BACKUP_TARGETS set: its inline JSON
// {"targets":[{"name":..,"path":..,"config":{..}}]}, each path kept when absolute and existing,
// else <pluginDir>/<basename>. Unset: every mysqlop_target_*.so of pluginDir (sorted), config {}.
// Fails (Invalid) naming the variable and the entry at fault.
Result<std::vector<TargetSpec>> targetSpecs(const EnvLookup& env, const std::string& pluginDir);

// True for the variables that are the sidecar's own or the process's, never a target credential:
// BACKUP_*, OPERATOR_*, REPLICATION_*, METRICS_EXPORTER_*, ORC_TOPOLOGY_*, MY_*, MYSQLOP_*,
// XTRABACKUP_*, XBSTREAM_*, INITFILE_*, INIT_BUCKET_*, KUBERNETES_*, the Service links
// (*_SERVICE_HOST, *_SERVICE_PORT*, *_PORT, *_PORT_*), HOSTNAME, PATH, HOME and the shell's.
bool isSidecarVariable(const std::string& name);

// The credentials of the targets: every NAME=value of environ (as the C `environ`) that is not
// a sidecar variable, in order.
KeyValues targetCredentials(const char* const* environ);

// "s3" for "s3://bucket/key". Fails when the URL has no scheme.
Result<std::string> urlScheme(const std::string& url);

// One target serving a URL, with the credentials every operation gets. Messages of failed
// operations are the plugin's own (the ABI forbids credentials in them).
class TargetIo {
 public:
  TargetIo(host::StandalonePlugin& plugin, KeyValues credentials)
      : plugin_(plugin), credentials_(std::move(credentials)) {}

  struct Status {
    mysqlop_type_status code = mysqlop_status_Ok;
    std::string message;
    bool ok() const { return code == mysqlop_status_Ok; }
  };

  // An object being written: abort() on destruction unless committed.
  class Writer {
   public:
    Writer(TargetIo& io, mysqlop_writer_plugin_ptr w) : io_(io), w_(w) {}
    ~Writer() { abort(); }
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    Status write(const void* data, std::size_t len);
    Status commit();
    void abort();

   private:
    TargetIo& io_;
    mysqlop_writer_plugin_ptr w_;
  };

  class Reader {
   public:
    Reader(TargetIo& io, mysqlop_reader_plugin_ptr r) : io_(io), r_(r) {}
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    // *n = 0 at the end of the object.
    Status read(void* buffer, std::size_t capacity, std::size_t* n);

   private:
    TargetIo& io_;
    mysqlop_reader_plugin_ptr r_;
  };

  Status openWriter(const std::string& url, std::unique_ptr<Writer>* out);
  Status openReader(const std::string& url, std::unique_ptr<Reader>* out);
  Status remove(const std::string& url);
  const std::string& name() const { return plugin_.name; }

 private:
  mysqlop_type_credentials creds(std::vector<mysqlop_type_kv>* storage) const;
  const mysqlop_backup_target_v1& table() const { return *plugin_.target; }

  host::StandalonePlugin& plugin_;
  KeyValues credentials_;
};

// Every target loaded once, and the lookup by URL scheme.
class Targets {
 public:
  // Loads specs in order. Fails (Invalid) naming the target and the loader's cause.
  Result<void> load(const std::vector<TargetSpec>& specs);
  // The target serving url's scheme, with credentials. Fails (NotFound) naming the scheme and the
  // schemes served.
  Result<std::unique_ptr<TargetIo>> forUrl(const std::string& url, KeyValues credentials);

 private:
  host::StandaloneHost host_;
};

// pluginDir + targetSpecs + load + forUrl from the process environment: what every subcommand
// that reads or writes a backup does first.
struct OpenedTarget {
  std::unique_ptr<Targets> targets;
  std::unique_ptr<TargetIo> io;
};
Result<OpenedTarget> openTargetFor(const std::string& url, const EnvLookup& env,
                                   const char* const* environ);

// The URL for messages: user:password@ and the query string taken out.
std::string redactUrl(const std::string& url);

// Why a status failed, as a word for messages ("Forbidden", "NotFound", ...).
std::string statusName(mysqlop_type_status s);

}  // namespace mysqlop::sidecar
