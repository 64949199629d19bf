#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace mysqlop::orchestrator {

struct Options {
  // How often every node of every cluster is probed (bitpoke's chart InstancePollSeconds: 5);
  // fractional seconds are allowed (the failover engine's standalone mode polls at 0.1 s).
  std::chrono::milliseconds pollInterval{5000};
  // Clusters probed at once by the poller (each pass probes its nodes in parallel). Default: the
  // operator's orchestratorConcurrentReconciles (bitpoke's flag), at most 64.
  int pollWorkers = 4;
  // A dead node costs this much of its cluster's pass.
  std::chrono::seconds connectTimeout{1};
  std::chrono::seconds queryTimeout{10};
  // (audit) The audit store's file ("" = the default, README.md "Audit and routes") and how
  // many days its rows are kept (orchestrator's AuditPurgeDays: 7).
  std::string auditPath;
  int auditRetentionDays = 7;
};

// config: instancePollSeconds (a number from 0.05 to 3600), pollWorkers (1..64),
// connectTimeoutSeconds (1..60), queryTimeoutSeconds (1..600), auditPath, auditRetentionDays
// (1..3650); operator setting orchestratorConcurrentReconciles. Throws mysqlop::ConfigError naming
// the key. The failover engine's keys (engine_options.h) are accepted here and parsed there.
Options parseOptions(std::string_view operatorJson, std::string_view configJson);

}  // namespace mysqlop::orchestrator
