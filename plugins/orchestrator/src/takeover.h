#pragma once

// Decide, for a leader that finds a recovery in progress in a cluster's persisted state (README
// "Engine state and leader takeover"): a recovery whose candidate was chosen is finished with that
// candidate, never with another node. Pure: the state and what the probes saw in, a plan out.

#include <set>
#include <string>
#include <vector>

#include "plugins/orchestrator/src/failover_state.h"

namespace mysqlop::orchestrator {

// What the new leader's probes saw of one node.
struct TakeoverNode {
  std::string id;  // "host:port"
  bool answering = false;
  bool readOnly = true;
  std::string masterHost;  // Master_Host of its replication config, "" when it has none
};

enum class TakeoverAction {
  None,     // no recovery in progress (or done): nothing to finish
  Abandon,  // phase detected: no server was touched; forget it, detection decides again
  Wait,     // the recorded candidate does not answer: wait for it, promote no one else
  Finish,   // finish with the recorded candidate
  Drop,     // the candidate did not answer for takeoverWaitSeconds and nothing shows it became
            // the master: forget the recovery, detection decides again
};

// How long the recorded candidate has not answered (seen by this process), and the bound.
struct TakeoverWait {
  double silentSeconds = 0;
  double limitSeconds = 0;  // takeoverWaitSeconds; 0: never drop
};

const char* takeoverActionName(TakeoverAction a);

struct TakeoverPlan {
  TakeoverAction action = TakeoverAction::None;
  bool detach = false;        // the candidate still replicates: wait for promotedAt, detach it
  bool makeWritable = false;  // the candidate is still read-only
  // Answering nodes that do not replicate from the candidate yet; never the candidate, the old
  // master (fenced when it answers, by the demoted rule) or a kept-out node.
  std::vector<std::string> repoint;
  std::string why;  // one line for the log
};

// keptOut: hosts (no port). Node ids are "host:port"; a node's masterHost is a host.
TakeoverPlan decideTakeover(const PersistedRecovery& recovery,
                            const std::vector<TakeoverNode>& nodes,
                            const std::set<std::string>& keptOut, const TakeoverWait& wait = {});

}  // namespace mysqlop::orchestrator
