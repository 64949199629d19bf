#pragma once

// The MysqlBackup reconciler (bitpoke's controller.mysqlbackup): defaults persisted into the spec,
// the backup Job, the status copied from it, and the cleanup Job behind the finalizer of
// remoteDeletePolicy: delete. Keys named "schedule:<cluster>" go to the Scheduler instead.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/backup/src/options.h"
#include "plugins/backup/src/scheduler.h"

namespace mysqlop::backup {

using LogFn = std::function<void(mysqlop_type_log_level, const std::string&)>;
// The catalog of the host's backup targets (MYSQLOP_BACKUP_TARGETS), "" when the host has none.
using CatalogFn = std::function<std::string(mysqlop::Call&)>;
// The address of the sidecar of pod `pod` of cluster `cluster` (for GET /xbackup/progress): true
// with *host and *port, else false with *error. The plugin's resolves the pod with the host's
// resolve_mysql_endpoint and uses the sidecar's port 8080.
using SidecarEndpointFn = std::function<bool(
    mysqlop::Call&, const std::string& ns, const std::string& cluster, const std::string& pod,
    std::string* host, std::uint16_t* port, std::string* error)>;

class Reconciler {
 public:
  // Without sidecarEndpoint, no progress is polled (status.progress is only finalised).
  Reconciler(Options options, LogFn log, CatalogFn catalog, SidecarEndpointFn sidecarEndpoint = {});

  mysqlop::Outcome reconcile(mysqlop::Call& call, std::string_view ns, std::string_view name);

 private:
  mysqlop::Outcome reconcileBackup(mysqlop::Call& call, nlohmann::json& backup);
  mysqlop::Outcome finalize(mysqlop::Call& call, nlohmann::json& backup,
                            const nlohmann::json& cluster);
  mysqlop::Outcome syncStatus(mysqlop::Call& call, nlohmann::json& backup,
                              const nlohmann::json& job);
  // While the Job runs: sets status["progress"] from the source's sidecar when a poll is due;
  // the outcome requeues the backup at the next poll.
  mysqlop::Outcome pollProgress(mysqlop::Call& call, const nlohmann::json& backup,
                                const nlohmann::json& job, nlohmann::json& status);
  // The Jobs' image for this cluster (null cluster: the operator's).
  std::string imageFor(mysqlop::Call& call, const std::string& ns, const nlohmann::json& cluster);
  void log(mysqlop_type_log_level level, const std::string& message) const;

  Options options_;
  LogFn log_;
  CatalogFn catalog_;
  SidecarEndpointFn sidecarEndpoint_;
  Scheduler scheduler_;
};

}  // namespace mysqlop::backup
