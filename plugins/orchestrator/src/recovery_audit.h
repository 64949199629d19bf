#pragma once

// A recovery of the failover engine into the audit store (README "Audit and routes"): the
// recovery with its analysis, old and new master, lost replicas, each step of its timeline, and
// its end; and the detection and recovery metrics. Shared by every engine that recovers.

#include <string>

#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/engine_metrics.h"
#include "plugins/orchestrator/src/static_engine.h"

namespace mysqlop::orchestrator {

// "" when the store took it all, else the store's error (the recovery is then partly recorded).
// metrics may be null (tests without a host).
std::string recordRecovery(AuditStore& store, const EngineMetrics* metrics,
                           const RecoveryRecord& record);

}  // namespace mysqlop::orchestrator
