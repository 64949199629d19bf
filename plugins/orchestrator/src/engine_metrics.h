#pragma once

// The failover engine's metrics (README.md, "Audit and routes"): per-node probe latency and
// errors, written from each pass's snapshot, and detections, recoveries and recovery durations,
// registered here and written by the engine through detected() and recovered().

#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/snapshot.h"

namespace mysqlop::orchestrator {

inline constexpr std::string_view kProbeSecondsMetric = "mysqlop_orchestrator_probe_seconds";
inline constexpr std::string_view kProbeErrorsMetric = "mysqlop_orchestrator_probe_errors_total";
inline constexpr std::string_view kDetectionsMetric = "mysqlop_orchestrator_detections_total";
inline constexpr std::string_view kRecoveriesMetric = "mysqlop_orchestrator_recoveries_total";
inline constexpr std::string_view kRecoverySecondsMetric = "mysqlop_orchestrator_recovery_seconds";

class EngineMetrics {
 public:
  // Registers the five families; throws mysqlop::Error when the host refuses one.
  explicit EngineMetrics(const mysqlop::Host& host);

  // The probe latency of every node the pass probed, and an error per node that failed.
  void probed(const ClusterSnapshot& pass) const;
  // One detection of a problem (an analysis other than NoProblem).
  void detected(const std::string& analysis) const;
  // The end of a recovery: seconds from its detection to its end.
  void recovered(const std::string& analysis, bool success, double seconds) const;

 private:
  mysqlop::Metric probeSeconds_;
  mysqlop::Metric probeErrors_;
  mysqlop::Metric detections_;
  mysqlop::Metric recoveries_;
  mysqlop::Metric recoverySeconds_;
};

}  // namespace mysqlop::orchestrator
