#include "plugins/orchestrator/src/takeover.h"

namespace mysqlop::orchestrator {

namespace {

std::string hostOf(const std::string& id) {
  const auto colon = id.rfind(':');
  return colon == std::string::npos ? id : id.substr(0, colon);
}

}  // namespace

const char* takeoverActionName(TakeoverAction a) {
  switch (a) {
    case TakeoverAction::None: return "none";
    case TakeoverAction::Abandon: return "abandon";
    case TakeoverAction::Wait: return "wait";
    case TakeoverAction::Finish: return "finish";
    case TakeoverAction::Drop: return "drop";
  }
  return "none";
}

TakeoverPlan decideTakeover(const PersistedRecovery& r, const std::vector<TakeoverNode>& nodes,
                            const std::set<std::string>& keptOut, const TakeoverWait& wait) {
  TakeoverPlan p;
  const std::string rec = "recovery " + std::to_string(r.id) + " (" + phaseName(r.phase) + ")";
  if (r.phase == RecoveryPhase::Done) {
    p.why = rec + " has ended";
    return p;
  }
  if (r.phase == RecoveryPhase::Detected) {
    p.action = TakeoverAction::Abandon;
    p.why = rec + " touched no server: the analysis decides again";
    return p;
  }
  const TakeoverNode* cand = nullptr;
  for (const TakeoverNode& n : nodes) {
    if (n.id == r.candidate) {
      cand = &n;
    }
  }
  const std::string candHost = hostOf(r.candidate);
  if (!cand || !cand->answering) {
    p.action = TakeoverAction::Wait;
    p.why = rec + ": its candidate " + r.candidate +
            " does not answer; no other node is promoted while it is recorded";
    // Dropped only when nothing shows the candidate was made the master: in phase promoting (a
    // takeover writes repointing after it made the candidate writable) and with no answering
    // node replicating from it (the engine repoints only after read_only=0 on the candidate).
    std::string follower;
    for (const TakeoverNode& n : nodes) {
      if (n.answering && n.masterHost == candHost) {
        follower = n.id;
      }
    }
    if (r.phase != RecoveryPhase::Promoting) {
      p.why += " (it was made writable: never dropped)";
    } else if (!follower.empty()) {
      p.why += " (" + follower + " replicates from it: never dropped)";
    } else if (wait.limitSeconds > 0 && wait.silentSeconds >= wait.limitSeconds) {
      p.action = TakeoverAction::Drop;
      p.why = rec + ": its candidate " + r.candidate + " did not answer for " +
              std::to_string(static_cast<long long>(wait.silentSeconds)) +
              " s (takeoverWaitSeconds) and no node replicates from it: dropped, the analysis "
              "decides again";
    }
    return p;
  }
  p.action = TakeoverAction::Finish;
  p.detach = !cand->masterHost.empty();
  p.makeWritable = cand->readOnly;
  for (const TakeoverNode& n : nodes) {
    if (!n.answering || n.id == r.candidate || n.id == r.oldMaster || keptOut.count(hostOf(n.id)) ||
        n.masterHost == candHost) {
      continue;
    }
    p.repoint.push_back(n.id);
  }
  p.why = rec + ": finishing with its candidate " + r.candidate + (p.detach ? " (detach it)" : "") +
          (p.makeWritable ? " (make it writable)" : "");
  return p;
}

}  // namespace mysqlop::orchestrator
