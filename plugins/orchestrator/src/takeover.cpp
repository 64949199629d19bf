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
  }
  return "none";
}

TakeoverPlan decideTakeover(const PersistedRecovery& r, const std::vector<TakeoverNode>& nodes,
                            const std::set<std::string>& keptOut) {
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
  if (!cand || !cand->answering) {
    p.action = TakeoverAction::Wait;
    p.why = rec + ": its candidate " + r.candidate +
            " does not answer; no other node is promoted while it is recorded";
    return p;
  }
  p.action = TakeoverAction::Finish;
  p.detach = !cand->masterHost.empty();
  p.makeWritable = cand->readOnly;
  const std::string candHost = hostOf(r.candidate);
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
