#include "plugins/orchestrator/src/engine_metrics.h"

namespace mysqlop::orchestrator {

EngineMetrics::EngineMetrics(const mysqlop::Host& host)
    // Probes answer in a few ms on a LAN; a dead node costs its connect timeout (1 s default).
    : probeSeconds_(host.registerMetric(
          mysqlop_metric_Histogram, kProbeSecondsMetric,
          "Duration of one probe of a node (connect and the probe statements).", {"node"},
          {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5})),
      probeErrors_(host.registerMetric(mysqlop_metric_Counter, kProbeErrorsMetric,
                                       "Probes of a node that failed, by what failed.",
                                       {"node", "kind"})),
      detections_(host.registerMetric(mysqlop_metric_Counter, kDetectionsMetric,
                                      "Problems detected, by analysis.", {"analysis"})),
      recoveries_(host.registerMetric(mysqlop_metric_Counter, kRecoveriesMetric,
                                      "Recoveries ended, by analysis and result.",
                                      {"analysis", "result"})),
      // The goals are sub-second (kill -9) to a few seconds (hang with grace).
      recoverySeconds_(host.registerMetric(mysqlop_metric_Histogram, kRecoverySecondsMetric,
                                           "Seconds from the detection to the end of a recovery.",
                                           {"analysis"},
                                           {0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60})) {}

void EngineMetrics::probed(const ClusterSnapshot& pass) const {
  for (const NodeSnapshot& n : pass.nodes) {
    if (!n.seen) {
      continue;
    }
    if (n.seen->probeSeconds > 0) {
      probeSeconds_.observe(n.seen->probeSeconds, {n.host});
    }
    if (!n.seen->reachable) {
      probeErrors_.add(1, {n.host, n.seen->errorKind.empty() ? "query" : n.seen->errorKind});
    }
  }
}

void EngineMetrics::detected(const std::string& analysis) const { detections_.add(1, {analysis}); }

void EngineMetrics::recovered(const std::string& analysis, bool success, double seconds) const {
  recoveries_.add(1, {analysis, success ? "success" : "failure"});
  recoverySeconds_.observe(seconds, {analysis});
}

}  // namespace mysqlop::orchestrator
