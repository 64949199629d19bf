#pragma once

// The failover engine's plugin config (README "Engine config keys"). Parsed apart from the
// observer's options (options.h) so that the standalone engine needs nothing of Kubernetes.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mysqlop::orchestrator {

struct StaticCluster {
  std::string name;
  std::vector<std::string> hosts;  // "host:port"
  std::string user;
  std::string password;
  std::string replicationUser;
  std::string replicationPassword;
  bool readOnly = false;
};

struct EngineOptions {
  std::vector<StaticCluster> staticClusters;
  std::chrono::milliseconds pollInterval{5000};  // instancePollSeconds
  double failureDetectionGraceSeconds = 1.0;
  double replicaLostSeconds = 1.0;
  int replicaHeartbeatMs = 200;  // replicaHeartbeatSeconds
  double recoveryPeriodBlockSeconds = 3600;
  int promotionWaitSeconds = 10;
  bool semiSyncFencing = true;  // fencing: "semi-sync" | "none"
  // MysqlClusters: semi-sync unless the annotation mysql.presslabs.org/semi-sync says otherwise
  // (README "Semi-sync on Kubernetes"). Off by default: it costs commits without a replica.
  bool kubeSemiSync = false;
  // PendingFailoverAck (compat.md 3.3): a recovery is acked once Ready=True has held for longer
  // than this and it started longer ago than this (bitpoke's 600).
  double failoverAckSeconds = 600;
  // A takeover drops a recorded recovery (phase promoting) whose candidate has not answered for
  // this long and that no node replicates from (README "Engine state and leader takeover");
  // 0: never drop, wait for the candidate.
  double takeoverWaitSeconds = 300;
};

// The keys this file reads (the observer's parseOptions accepts them too).
extern const std::vector<std::string_view> kEngineKeys;

// Throws mysqlop::ConfigError naming the key: "config.staticClusters[0].hosts[1] must be
// \"host:port\"", "config.failureDetectionGraceSeconds must be a number from 0.1 to 3600", ...
EngineOptions parseEngineOptions(std::string_view configJson);

}  // namespace mysqlop::orchestrator
