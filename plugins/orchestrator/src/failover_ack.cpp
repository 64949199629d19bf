#include "plugins/orchestrator/src/failover_ack.h"

#include <ctime>

namespace mysqlop::orchestrator {

std::vector<std::int64_t> dueAcks(const std::vector<RecentRecovery>& recent, const AckClock& c) {
  std::vector<std::int64_t> out;
  const auto window = static_cast<std::int64_t>(c.ackSeconds * 1000);
  if (!c.readySinceMs || c.nowMs - *c.readySinceMs <= window) {
    return out;
  }
  for (const RecentRecovery& r : recent) {
    if (!r.acked && c.nowMs - r.startedAtMs > window) {
      out.push_back(r.id);
    }
  }
  return out;
}

std::string ackedMessage(std::int64_t id) {
  return "Recovery with id " + std::to_string(id) + " was acked.";
}

std::string autoAckComment(const std::string& cluster, double ackSeconds) {
  return "Statefulset '" + cluster + "-mysql' is healthy for more than " +
         std::to_string(static_cast<long long>(ackSeconds)) + " seconds";
}

kube::Condition pendingAckCondition(const std::vector<RecentRecovery>& recent) {
  std::string msg;
  for (const RecentRecovery& r : recent) {
    if (r.acked) {
      continue;
    }
    msg += (msg.empty() ? "" : " ") + std::string("{id: ") + std::to_string(r.id) +
           ", uid: " + r.uid + ", success: " + (r.success ? "true" : "false") +
           ", time: " + rfc3339(r.startedAtMs) + "}";
  }
  if (msg.empty()) {
    return {"PendingFailoverAck", "False", "NoPendingFailoverAckExists", "no pending ack"};
  }
  return {"PendingFailoverAck", "True", "PendingFailoverAckExists", msg};
}

std::string ackRecovery(FailoverState& s, std::int64_t id, std::int64_t nowMs,
                        const std::string& by, const std::string& cluster) {
  for (RecentRecovery& r : s.recent) {
    if (r.id != id) {
      continue;
    }
    if (r.acked) {
      return "recovery " + std::to_string(id) + " is already acknowledged";
    }
    r.acked = true;
    r.ackedAtMs = nowMs;
    r.ackedBy = by;
    return {};
  }
  return "no recovery " + std::to_string(id) + " in cluster " + cluster;
}

std::optional<std::int64_t> parseRfc3339Ms(const std::string& text) {
  std::tm tm{};
  const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000;
}

std::string rfc3339(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace mysqlop::orchestrator
