#include "plugins/orchestrator/src/analysis.h"

#include <set>

namespace mysqlop::orchestrator {
namespace {

std::string sourceOf(const NodeView& n) {
  if (!n.seen.reachable || !n.seen.hasSlaveStatus || n.seen.masterHost.empty()) {
    return {};
  }
  return n.seen.masterHost + ":" + std::to_string(n.seen.masterPort);
}

const NodeView* nodeById(const ClusterView& c, const std::string& id) {
  for (const NodeView& n : c.nodes) {
    if (n.id == id) {
      return &n;
    }
  }
  return nullptr;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

}  // namespace

const char* analysisName(AnalysisCode code) {
  switch (code) {
    case AnalysisCode::NoProblem: return "NoProblem";
    case AnalysisCode::UnreachableMaster: return "UnreachableMaster";
    case AnalysisCode::DeadMaster: return "DeadMaster";
    case AnalysisCode::DeadMasterAndSomeReplicas: return "DeadMasterAndSomeReplicas";
    case AnalysisCode::DeadMasterWithoutReplicas: return "DeadMasterWithoutReplicas";
    case AnalysisCode::AllMasterReplicasNotReplicating: return "AllMasterReplicasNotReplicating";
    case AnalysisCode::NoFailoverReadOnly: return "NoFailoverReadOnly";
    case AnalysisCode::NoMaster: return "NoMaster";
  }
  return "?";
}

std::string findMaster(const ClusterView& c) {
  std::set<std::string> named;
  for (const NodeView& n : c.nodes) {
    // Only what answers now counts: a dead replica's last view of the topology may be stale.
    if (!n.answering) {
      continue;
    }
    if (std::string s = sourceOf(n); !s.empty()) {
      named.insert(s);
    }
  }
  if (named.size() == 1) {
    return *named.begin();
  }
  if (named.size() > 1) {
    return {};
  }
  std::string writable;
  for (const NodeView& n : c.nodes) {
    if (n.answering && !n.seen.hasSlaveStatus && !n.seen.readOnly) {
      if (!writable.empty()) {
        return {};  // two writable roots: no master (bitpoke's DetermineMaster)
      }
      writable = n.id;
    }
  }
  return writable.empty() ? c.lastMaster : writable;
}

bool replicaLostMaster(const NodeView& r, const Thresholds& t) {
  return !r.seen.slaveIoRunning || !r.seen.lastIoError.empty() ||
         r.sinceHeardSeconds >= t.replicaLostSeconds;
}

Analysis analyze(const ClusterView& c, const Thresholds& t) {
  Analysis a;
  a.master = findMaster(c);
  if (a.master.empty()) {
    a.code = AnalysisCode::NoMaster;
    a.why = "the replicas do not name one master, or no node answers";
    return a;
  }
  std::vector<const NodeView*> replicas;
  for (const NodeView& n : c.nodes) {
    if (n.id == a.master) {
      continue;
    }
    // A node that does not answer is the master's lost replica unless it last named another
    // source (a detached node, e.g. a fenced old master, is not part of the topology).
    const std::string s = n.seen.hasSlaveStatus
                              ? n.seen.masterHost + ":" + std::to_string(n.seen.masterPort)
                              : std::string();
    if (n.answering && s == a.master) {
      a.replicas.push_back(n.id);
      replicas.push_back(&n);
    } else if (!n.answering && (s == a.master || !n.seen.reachable)) {
      a.unreachable.push_back(n.id);
    }
  }
  const NodeView* m = nodeById(c, a.master);
  if (m != nullptr && m->answering) {
    bool anyReplicating = replicas.empty();
    for (const NodeView* r : replicas) {
      anyReplicating = anyReplicating || (r->seen.slaveIoRunning && r->seen.slaveSqlRunning);
    }
    a.code =
        anyReplicating ? AnalysisCode::NoProblem : AnalysisCode::AllMasterReplicasNotReplicating;
    a.why = anyReplicating ? "the master answers"
                           : "the master answers and none of its replicas replicates";
    return a;
  }
  if (replicas.empty()) {
    a.code = AnalysisCode::DeadMasterWithoutReplicas;
    a.why = "the master does not answer and no replica of it answers";
    return a;
  }
  const double silent = m == nullptr ? 1e9 : m->silentSeconds;
  const bool refused = m != nullptr && m->refused;
  if (!refused && silent < t.failureDetectionGraceSeconds) {
    a.code = AnalysisCode::UnreachableMaster;
    a.why = "the master has been silent " + std::to_string(silent) + " s, within the grace" +
            (m != nullptr && !m->lastError.empty() ? " (" + m->lastError + ")" : std::string());
    return a;
  }
  std::vector<std::string> hearing;
  for (const NodeView* r : replicas) {
    if (!replicaLostMaster(*r, t)) {
      hearing.push_back(r->id);
    }
  }
  if (!hearing.empty()) {
    a.code = AnalysisCode::UnreachableMaster;
    a.why = "the master does not answer but these replicas still hear it: " + joined(hearing);
    return a;
  }
  if (c.readOnly) {
    a.code = AnalysisCode::NoFailoverReadOnly;
    a.why = "the master is dead and the cluster is read-only: no failover";
    return a;
  }
  a.code =
      a.unreachable.empty() ? AnalysisCode::DeadMaster : AnalysisCode::DeadMasterAndSomeReplicas;
  a.why = std::string("the master ") + (refused ? "refuses connections" : "is silent") +
          " and every replica that answers lost it (" + joined(a.replicas) + ")";
  if (m != nullptr && !m->lastError.empty()) {
    a.why += "; the master's last error: " + m->lastError;
  }
  if (!a.unreachable.empty()) {
    a.why += "; not answering: " + joined(a.unreachable);
  }
  return a;
}

}  // namespace mysqlop::orchestrator
