#pragma once

// Detection on Kubernetes (README "Detection in this path"): what the observer's passes learned,
// across passes, about when each node last answered and when each replica last heard from its
// master. The standalone engine keeps the same history in its probers (gather.h); here the
// probes are the passes', so the history lives with the cluster's engine memory. Pure: every
// call takes the time, so that the unit tests inject it.
//
// Both measures err on the side of "not yet": a 0.5 s stall must never look like a long one.
//   - silentSeconds runs from the START of the first failed probe after the node's last answer
//     (the node was silent at least since then), not from its last answer (which may be a whole
//     poll interval earlier than the stall).
//   - sinceHeardSeconds runs from the first read that saw a replica's current counters
//     (Slave_received_heartbeats, Gtid_IO_Pos, IO thread, Master_Host): the counters may have
//     moved any time before that read.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "plugins/orchestrator/src/observation.h"

namespace mysqlop::orchestrator {

class SilenceHistory {
 public:
  using Clock = std::chrono::steady_clock;
  using Time = Clock::time_point;

  // A probe of `host` answered at `at`.
  void answered(const std::string& host, Time at);
  // A probe of `host` that started at `startedAt` got no answer (timeout, lost connection,
  // refusal).
  void silent(const std::string& host, Time startedAt);
  // A replica's counters as read at `at` (only replicas: o.hasSlaveStatus).
  void heard(const std::string& host, const Observation& o, Time at);

  bool everAnswered(const std::string& host) const;
  // 0 while the node answers (its last probe answered); kNever when it never answered.
  double silentSeconds(const std::string& host, Time now) const;
  // Since the first read that saw the replica's current counters; 0 when never read.
  double sinceHeardSeconds(const std::string& host, Time now) const;

  static constexpr double kNever = 1e9;

 private:
  struct Entry {
    std::optional<Time> lastAnswer;
    std::optional<Time> silentSince;  // start of the first failed probe after lastAnswer
    std::string heardKey;
    std::optional<Time> heardAt;  // the first read that saw heardKey
  };
  std::map<std::string, Entry> nodes_;
};

}  // namespace mysqlop::orchestrator
