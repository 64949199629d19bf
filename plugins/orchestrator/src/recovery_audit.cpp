#include "plugins/orchestrator/src/recovery_audit.h"

#include <chrono>

namespace mysqlop::orchestrator {

std::string recordRecovery(AuditStore& store, const EngineMetrics* metrics,
                           const RecoveryRecord& record) {
  const auto started = static_cast<UnixMs>(
      std::chrono::duration_cast<std::chrono::milliseconds>(record.startedAt.time_since_epoch())
          .count());
  const auto detected = started - static_cast<UnixMs>(record.detectedAfterSeconds * 1000);
  double lastStep = 0;
  for (const StepRecord& s : record.result.timeline) {
    lastStep = s.atSeconds;
  }
  if (metrics) {
    metrics->detected(record.analysis);
    metrics->recovered(record.analysis, record.result.success,
                       record.detectedAfterSeconds + lastStep);
  }
  RecoveryBegin begin;
  begin.cluster = record.cluster;
  begin.analysis = record.analysis;
  begin.failedHost = record.failedMaster;
  begin.lostReplicas = record.lost;
  begin.detectedAt = detected;
  begin.startedAt = started;
  begin.clusterId = record.id;
  begin.uid = record.uid;
  const AuditRead<std::int64_t> id = store.beginRecovery(begin);
  if (!id.ok()) {
    return id.error;
  }
  for (const StepRecord& s : record.result.timeline) {
    // A step is recorded when it ended; the timeline keeps no separate start.
    const UnixMs at = started + static_cast<UnixMs>(s.atSeconds * 1000);
    if (std::string e = store.addStep(
            id.value, {s.what, at, at, s.error.empty() ? kStepOk : kStepFailed, s.error});
        !e.empty()) {
      return e;
    }
  }
  return store.endRecovery(id.value, record.result.success, record.result.newMaster, record.lost,
                           record.result.error, started + static_cast<UnixMs>(lastStep * 1000));
}

}  // namespace mysqlop::orchestrator
