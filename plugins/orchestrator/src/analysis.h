#pragma once

// Decide, part 1: the analysis code of a cluster (orchestrator's holistic analysis, compat.md
// 3.7, README "Recovery"). Pure: what gather.cpp saw of each node goes in, a code comes out, so
// that every code is unit-tested over recorded topologies.

#include <string>
#include <vector>

#include "plugins/orchestrator/src/observation.h"

namespace mysqlop::orchestrator {

// One node as the engine's gather sees it now.
struct NodeView {
  std::string id;            // "host:port", as replicas name their master (Master_Host:Master_Port)
  Observation seen;          // the last successful probe (seen.reachable false when none yet)
  bool answering = false;    // the last probe succeeded and finished recently
  bool refused = false;      // the last attempt was refused (nothing listens: the process is gone)
  double silentSeconds = 0;  // since the last successful probe (0 while answering)
  // Since this node's (as a replica) received position or heartbeat counter last moved.
  double sinceHeardSeconds = 0;
  std::string lastError;  // the last probe's error, "" when answering
};

struct ClusterView {
  std::string name;
  bool readOnly = false;  // a read-only cluster is never failed over
  std::vector<NodeView> nodes;
  // The master the engine knew last ("" at start): used when no replica answers to name one.
  std::string lastMaster;
};

struct Thresholds {
  double failureDetectionGraceSeconds = 1.0;  // a silent (not refused) master's grace
  double replicaLostSeconds = 1.0;            // a replica that heard nothing this long lost it
};

enum class AnalysisCode {
  NoProblem,
  UnreachableMaster,
  DeadMaster,
  DeadMasterAndSomeReplicas,
  DeadMasterWithoutReplicas,
  AllMasterReplicasNotReplicating,
  NoFailoverReadOnly,
  NoMaster,
};

const char* analysisName(AnalysisCode code);

struct Analysis {
  AnalysisCode code = AnalysisCode::NoMaster;
  std::string master;                    // "" for NoMaster
  std::vector<std::string> replicas;     // the master's replicas that answer
  std::vector<std::string> unreachable;  // the master's replicas that do not
  std::string why;                       // one line for the log and the audit

  bool failover() const {
    return code == AnalysisCode::DeadMaster || code == AnalysisCode::DeadMasterAndSomeReplicas;
  }
};

// The node replicas point at: every answering node with a replication source names one; the
// master is the target they all name. When none names one, the single answering writable node
// without a source, else lastMaster. "" when they disagree.
std::string findMaster(const ClusterView& c);

// True when a replica has lost its master (IO thread not running, an IO error, or nothing heard
// for replicaLostSeconds).
bool replicaLostMaster(const NodeView& replica, const Thresholds& t);

Analysis analyze(const ClusterView& c, const Thresholds& t);

}  // namespace mysqlop::orchestrator
