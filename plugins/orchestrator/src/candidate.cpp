#include "plugins/orchestrator/src/candidate.h"

#include <charconv>
#include <optional>

#include "plugins/orchestrator/src/gtid.h"

namespace mysqlop::orchestrator {
namespace {

const NodeView* findNode(const ClusterView& c, const std::string& id) {
  for (const NodeView& n : c.nodes) {
    if (n.id == id) {
      return &n;
    }
  }
  return nullptr;
}

std::uint64_t serverIdOf(const NodeView& n) {
  std::uint64_t v = 0;
  const std::string& s = n.seen.serverId;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// The total of sequence numbers: only used to break ties between positions that contain each
// other (equal per domain), so any monotone measure does.
std::uint64_t seqSum(const GtidPos& p) {
  std::uint64_t sum = 0;
  for (const auto& [d, e] : p) {
    sum += e.seq;
  }
  return sum;
}

}  // namespace

std::string receivedPosition(const NodeView& r) {
  return r.seen.gtidIoPos.empty() ? r.seen.gtidExecuted : r.seen.gtidIoPos;
}

std::string ineligibility(const NodeView& r) {
  if (!r.seen.lastSqlError.empty()) {
    return "its SQL thread failed: " + r.seen.lastSqlError;
  }
  if (!r.seen.slaveSqlRunning) {
    return "its SQL thread is not running";
  }
  const auto binlog = parseGtidPos(r.seen.gtidBinlogPos);
  const auto slave = parseGtidPos(r.seen.gtidSlavePos);
  if (!binlog) {
    return "unreadable GTID position '" + r.seen.gtidBinlogPos + "'";
  }
  if (!slave) {
    return "unreadable GTID position '" + r.seen.gtidSlavePos + "'";
  }
  if (!parseGtidPos(receivedPosition(r))) {
    return "unreadable GTID position '" + receivedPosition(r) + "'";
  }
  if (std::string errant = errantGtids(*binlog, *slave, serverIdOf(r)); !errant.empty()) {
    return "errant GTIDs " + errant;
  }
  return {};
}

RecoveryPlan planRecovery(const ClusterView& c, const Analysis& a) {
  RecoveryPlan plan;
  plan.failedMaster = a.master;
  plan.lost = a.unreachable;
  struct Option {
    const NodeView* node;
    GtidPos received;
    GtidPos applied;
  };
  std::vector<Option> eligible;
  std::vector<GtidPos> everyone;  // what each answering replica received, eligible or not
  for (const std::string& id : a.replicas) {
    const NodeView* r = findNode(c, id);
    if (r == nullptr) {
      continue;
    }
    const auto received = parseGtidPos(receivedPosition(*r));
    if (received) {
      everyone.push_back(*received);
    }
    if (std::string why = ineligibility(*r); !why.empty()) {
      plan.skipped.push_back(id + ": " + why);
      continue;
    }
    eligible.push_back({r, *received, parseGtidPos(r->seen.gtidExecuted).value_or(GtidPos{})});
  }
  const Option* best = nullptr;
  for (const Option& o : eligible) {
    bool hasAll = true;
    for (const GtidPos& p : everyone) {
      hasAll = hasAll && gtidContains(o.received, p);
    }
    if (!hasAll) {
      plan.skipped.push_back(o.node->id + ": it lacks transactions another replica received");
      continue;
    }
    if (best == nullptr || seqSum(o.applied) > seqSum(best->applied)) {
      best = &o;
    }
  }
  if (best == nullptr) {
    plan.error = "no eligible replica";
    const char* sep = ": ";
    for (const std::string& s : plan.skipped) {
      plan.error += sep + s;
      sep = "; ";
    }
    return plan;
  }
  plan.candidate = best->node->id;
  plan.waitGtid = formatGtidPos(best->received);
  for (const std::string& id : a.replicas) {
    if (id != plan.candidate) {
      plan.repoint.push_back(id);
    }
  }
  return plan;
}

}  // namespace mysqlop::orchestrator
