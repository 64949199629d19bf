#include "plugins/orchestrator/src/heard.h"

namespace mysqlop::orchestrator {

namespace {

double secondsBetween(SilenceHistory::Time from, SilenceHistory::Time to) {
  return to > from ? std::chrono::duration<double>(to - from).count() : 0.0;
}

}  // namespace

void SilenceHistory::answered(const std::string& host, Time at) {
  Entry& e = nodes_[host];
  if (!e.lastAnswer || *e.lastAnswer < at) {
    e.lastAnswer = at;
  }
  e.silentSince.reset();
}

void SilenceHistory::silent(const std::string& host, Time startedAt) {
  Entry& e = nodes_[host];
  // A probe that started before the last answer says nothing about the time after it.
  if (e.lastAnswer && startedAt < *e.lastAnswer) {
    return;
  }
  if (!e.silentSince || startedAt < *e.silentSince) {
    e.silentSince = startedAt;
  }
}

void SilenceHistory::heard(const std::string& host, const Observation& o, Time at) {
  if (!o.reachable || !o.hasSlaveStatus) {
    return;
  }
  Entry& e = nodes_[host];
  const std::string key = std::to_string(o.receivedHeartbeats) + "|" + o.gtidIoPos + "|" +
                          (o.slaveIoRunning ? "y" : "n") + "|" + o.masterHost;
  if (key != e.heardKey || !e.heardAt) {
    e.heardKey = key;
    e.heardAt = at;
  }
}

bool SilenceHistory::everAnswered(const std::string& host) const {
  auto it = nodes_.find(host);
  return it != nodes_.end() && it->second.lastAnswer.has_value();
}

double SilenceHistory::silentSeconds(const std::string& host, Time now) const {
  auto it = nodes_.find(host);
  if (it == nodes_.end() || !it->second.lastAnswer) {
    return kNever;
  }
  return it->second.silentSince ? secondsBetween(*it->second.silentSince, now) : 0.0;
}

double SilenceHistory::sinceHeardSeconds(const std::string& host, Time now) const {
  auto it = nodes_.find(host);
  if (it == nodes_.end() || !it->second.heardAt) {
    return 0.0;
  }
  return secondsBetween(*it->second.heardAt, now);
}

}  // namespace mysqlop::orchestrator
