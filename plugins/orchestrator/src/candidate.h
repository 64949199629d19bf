#pragma once

// Decide, part 2: which replica to promote after a DeadMaster analysis, and the plan of the
// recovery (README "Recovery plan"). Pure.

#include <string>
#include <vector>

#include "plugins/orchestrator/src/analysis.h"

namespace mysqlop::orchestrator {

struct RecoveryPlan {
  std::string failedMaster;
  std::string candidate;             // "" when no replica is eligible (error says why)
  std::string waitGtid;              // the candidate's received position, applied before promotion
  std::vector<std::string> repoint;  // the other answering replicas, moved under the candidate
  std::vector<std::string> lost;     // the replicas that do not answer: left out
  std::vector<std::string> skipped;  // "<id>: <reason>" for every replica that was not eligible
  std::string error;                 // "no eligible replica: <skipped...>" when candidate is ""
};

// Why a replica cannot be promoted ("" when it can): "its SQL thread is not running", "its SQL
// thread failed: <Last_SQL_Error>", "errant GTIDs <entries>", "unreadable GTID position '<text>'".
std::string ineligibility(const NodeView& replica);

// The received position of a replica: Gtid_IO_Pos, else gtid_current_pos.
std::string receivedPosition(const NodeView& replica);

// Among analysis.replicas, the eligible one that has received every transaction any other
// answering replica has (ties: the most applied, then the first in the cluster's host order).
// When no eligible replica has them all, none is chosen: promoting it would lose what another
// replica acknowledged.
RecoveryPlan planRecovery(const ClusterView& c, const Analysis& analysis);

}  // namespace mysqlop::orchestrator
