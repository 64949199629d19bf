#pragma once

// PendingFailoverAck (compat.md 3.3, README "PendingFailoverAck"): which recoveries the engine
// acknowledges by itself, and the condition that lists those not acknowledged yet. Pure: the
// times are given.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plugins/common/kube/conditions.h"
#include "plugins/orchestrator/src/failover_state.h"

namespace mysqlop::orchestrator {

inline constexpr const char* kEventRecoveryAcked = "RecoveryAcked";  // Normal

struct AckClock {
  std::int64_t nowMs = 0;
  // Since when Ready=True has held (its lastTransitionTime); nullopt when Ready is not True.
  std::optional<std::int64_t> readySinceMs;
  double ackSeconds = 600;  // failoverAckSeconds
};

// The ids of unacknowledged recoveries to ack now: Ready=True has held for more than
// ackSeconds, and the recovery started more than ackSeconds ago (bitpoke's rule).
std::vector<std::int64_t> dueAcks(const std::vector<RecentRecovery>& recent, const AckClock& c);

// "Recovery with id N was acked." (the Event's message)
std::string ackedMessage(std::int64_t id);
// bitpoke's ack comment: "Statefulset '<c>-mysql' is healthy for more than N seconds".
std::string autoAckComment(const std::string& cluster, double ackSeconds);

// True PendingFailoverAckExists "{id: N, uid: U, success: B, time: T} ..." (oldest first, T in
// RFC 3339 UTC) while any recovery is unacknowledged; else False NoPendingFailoverAckExists
// "no pending ack".
kube::Condition pendingAckCondition(const std::vector<RecentRecovery>& recent);

// The manual ack (route ack-recovery): marks recovery `id` acked. "" or the refusal:
// "no recovery <id> in cluster <c>", "recovery <id> is already acknowledged".
std::string ackRecovery(FailoverState& s, std::int64_t id, std::int64_t nowMs,
                        const std::string& by, const std::string& cluster);

// RFC 3339 UTC with seconds ("2026-12-03T07:34:33Z") <-> Unix ms; nullopt when it does not parse.
std::optional<std::int64_t> parseRfc3339Ms(const std::string& text);
std::string rfc3339(std::int64_t ms);

}  // namespace mysqlop::orchestrator
