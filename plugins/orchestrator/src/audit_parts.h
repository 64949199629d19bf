#pragma once

// The audit half of the plugin in one member (README.md, "Audit and routes"): opens the store at
// config auditPath (or the default), registers the engine's metrics and the routes, and turns
// each pass's snapshot into probe metrics and node changes. The plugin holds one AuditParts
// after its Observer and calls afterPass for every pass that ran.

#include <memory>
#include <string>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/engine_metrics.h"
#include "plugins/orchestrator/src/routes.h"

namespace mysqlop::orchestrator {

struct Options;
struct PassReport;

// The default store when config auditPath is not set: in the operator's data volume when it is
// mounted (kDataDir exists), else in a new temporary directory (tempDir set; removed with it),
// else (no writable temp dir) in memory.
inline constexpr const char* kDataDir = "/var/lib/mysql-operator";
inline constexpr const char* kInMemory = ":memory:";  // SQLite's name for a store in memory
struct AuditLocation {
  std::string path;
  std::string tempDir;  // "" unless the store is temporary
};
AuditLocation auditLocation(const std::string& configured, const std::string& dataDir = kDataDir);
// kDataDir when the operator runs in a Kubernetes pod (KUBERNETES_SERVICE_HOST is set), else "".
// Outside a pod a directory of that name (another install on the machine, or a mount point a
// local pod left) must not make unrelated operator processes share one audit store.
std::string defaultDataDir();

class AuditParts {
 public:
  // options: auditPath and auditRetentionDays; snapshots: what the topology route shows. Throws
  // mysqlop::ConfigError "config.auditPath: cannot open the audit store <path>: <why>".
  AuditParts(const mysqlop::Host& host, const Options& options, SnapshotSource snapshots);
  ~AuditParts();
  AuditParts(const AuditParts&) = delete;
  AuditParts& operator=(const AuditParts&) = delete;

  void afterPass(const PassReport& report);

  // For the engine: where it records recoveries and counts them.
  AuditStore& store() { return *store_; }
  const EngineMetrics& metrics() const { return metrics_; }

 private:
  mysqlop::Host host_;
  AuditLocation location_;
  std::unique_ptr<AuditStore> store_;
  EngineMetrics metrics_;
  Routes routes_;
};

}  // namespace mysqlop::orchestrator
