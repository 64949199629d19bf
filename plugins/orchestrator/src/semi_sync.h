#pragma once

// Semi-sync and heartbeat arming on Kubernetes (README "Semi-sync on Kubernetes"). Pure: which
// setting a cluster wants (the annotation, else the plugin default) and which statements bring
// one node there from the variables the observer's probe read (Observation::replicationState),
// so that a node already as wanted costs nothing and each variable is set only when it differs.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mysqlop::orchestrator {

inline constexpr const char* kSemiSyncAnnotation = "mysql.presslabs.org/semi-sync";
// Warning Event on the MysqlCluster when the annotation is neither "true" nor "false".
inline constexpr const char* kEventSemiSyncAnnotationInvalid = "InvalidSemiSyncAnnotation";

struct SemiSyncChoice {
  bool on = false;
  bool fromAnnotation = false;
  std::string warning;  // "" when the annotation is absent or valid; else the Event's message
};

// The annotation's value "true" / "false" decides; absent: the plugin default (kubeSemiSync).
// Anything else: the default, and the warning
//   annotation mysql.presslabs.org/semi-sync must be "true" or "false", not "<v>"; using the
//   plugin default (kubeSemiSync: <true|false>)
SemiSyncChoice semiSyncChoice(const nlohmann::json& cluster, bool pluginDefault);

enum class ArmRole { Master, Replica };

struct ArmTarget {
  bool semiSync = false;
  int heartbeatMs = 200;  // replicas' MASTER_HEARTBEAT_PERIOD
};

struct ArmPlan {
  // In order. For a replica whose replication must restart (heartbeat period, semi-sync replica
  // side: both take effect when the IO thread starts), restartReplication is true and the
  // caller runs: STOP SLAVE; statements; START SLAVE.
  std::vector<std::string> statements;
  bool restartReplication = false;
  std::string why;  // what differs, for the log ("" when nothing)
  bool empty() const { return statements.empty() && !restartReplication; }
};

// The statements that bring a node (its role now) to `want`, given its variables (upper-case
// names: SLAVE_HEARTBEAT_PERIOD, RPL_SEMI_SYNC_MASTER_ENABLED, ...). A variable the server does
// not have is not touched (MySQL without the plugin: nothing is armed there).
//   master, semi-sync on:  wait point AFTER_SYNC, timeout 2^32-1, wait_no_slave ON, then enabled ON
//   master, semi-sync off: enabled OFF (nothing waits on a healthy master's commits for long)
//   replica, semi-sync on: slave_enabled ON (+ restart); heartbeat period (+ restart)
//   replica, semi-sync off: slave_enabled OFF (no restart: it only stops acknowledging); heartbeat
ArmPlan armingPlan(ArmRole role, const ArmTarget& want,
                   const std::map<std::string, std::string>& current);

}  // namespace mysqlop::orchestrator
