#include "plugins/orchestrator/src/audit_parts.h"

#include <cstdlib>
#include <filesystem>

#include "plugins/orchestrator/src/observer.h"

namespace mysqlop::orchestrator {

namespace fs = std::filesystem;

std::string defaultDataDir() {
  const char* inPod = std::getenv("KUBERNETES_SERVICE_HOST");
  return inPod != nullptr && *inPod != '\0' ? kDataDir : "";
}

AuditLocation auditLocation(const std::string& configured, const std::string& dataDir) {
  if (!configured.empty()) {
    return {configured, ""};
  }
  std::error_code ec;
  if (!dataDir.empty() && fs::is_directory(dataDir, ec)) {
    return {dataDir + "/orchestrator-audit.db", ""};
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/mysqlop-orchestrator-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    // No writable temp dir (a read-only sandbox): SQLite in memory, so the engine still records
    // and the routes still answer for as long as the operator runs.
    return {kInMemory, ""};
  }
  return {pattern + "/audit.db", pattern};
}

namespace {

std::unique_ptr<AuditStore> openStore(const AuditLocation& where, int retentionDays) {
  auto opened = AuditStore::open({where.path, retentionDays});
  if (!opened.ok()) {
    if (!where.tempDir.empty()) {
      std::error_code ec;
      fs::remove_all(where.tempDir, ec);
    }
    throw mysqlop::ConfigError("config.auditPath: " + opened.error);
  }
  return std::move(opened.value);
}

}  // namespace

AuditParts::AuditParts(const mysqlop::Host& host, const Options& options, SnapshotSource snapshots)
    : host_(host),
      location_(auditLocation(options.auditPath, defaultDataDir())),
      store_(openStore(location_, options.auditRetentionDays)),
      metrics_(host),
      routes_(host, std::move(snapshots), store_.get()) {
  if (!location_.tempDir.empty() || location_.path == kInMemory) {
    host_.warn("audit store: " + location_.path + " (temporary: no " + std::string(kDataDir) +
               " volume and no config.auditPath; the audit is lost when the operator stops)");
  } else {
    host_.info("audit store: " + location_.path);
  }
  routes_.registerAll();
}

AuditParts::~AuditParts() {
  store_.reset();
  if (!location_.tempDir.empty()) {
    std::error_code ec;
    fs::remove_all(location_.tempDir, ec);
  }
}

void AuditParts::afterPass(const PassReport& report) {
  if (!report.ran || !report.snapshot) {
    return;
  }
  metrics_.probed(*report.snapshot);
  for (const NodeChange& c : nodeChanges(report.previous.get(), *report.snapshot)) {
    if (std::string e = store_->recordNodeChange(c); !e.empty()) {
      host_.warn("audit: " + e);
    }
  }
}

}  // namespace mysqlop::orchestrator
