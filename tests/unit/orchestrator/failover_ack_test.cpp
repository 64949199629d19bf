// PendingFailoverAck (compat.md 3.3, README "PendingFailoverAck"): the ack rule with injected
// times, the condition's exact texts, the manual ack's refusals.

#include "plugins/orchestrator/src/failover_ack.h"

#include <gtest/gtest.h>

namespace mysqlop::orchestrator {
namespace {

constexpr std::int64_t kT0 = 1764750000000;  // 2025-12-03T08:20:00Z
constexpr std::int64_t kSec = 1000;

RecentRecovery recovery(std::int64_t id, std::int64_t startedAtMs, bool acked = false,
                        bool success = true) {
  return {id, "uid" + std::to_string(id), success, startedAtMs, acked, 0, ""};
}

TEST(FailoverAck, AckedOnlyWhenReadyHeldLongerAndTheRecoveryIsOlder) {
  const std::vector<RecentRecovery> recent = {recovery(1, kT0), recovery(2, kT0 + 300 * kSec),
                                              recovery(3, kT0 - 900 * kSec, true)};
  AckClock c;
  c.ackSeconds = 600;
  c.nowMs = kT0 + 601 * kSec;
  c.readySinceMs = std::nullopt;  // not Ready: nothing
  EXPECT_TRUE(dueAcks(recent, c).empty());
  c.readySinceMs = kT0 + 1 * kSec;  // Ready for exactly 600 s: not more
  EXPECT_TRUE(dueAcks(recent, c).empty());
  c.readySinceMs = kT0;  // Ready 601 s; recovery 1 started 601 s ago, 2 only 301 s ago
  EXPECT_EQ(dueAcks(recent, c), std::vector<std::int64_t>{1});
  c.nowMs = kT0 + 901 * kSec;  // both old enough; 3 is acked already
  EXPECT_EQ(dueAcks(recent, c), (std::vector<std::int64_t>{1, 2}));
  c.ackSeconds = 0;  // 0: as soon as Ready and started (strictly) before now
  c.readySinceMs = c.nowMs - 1;
  EXPECT_EQ(dueAcks(recent, c), (std::vector<std::int64_t>{1, 2}));
}

TEST(FailoverAck, ConditionTexts) {
  EXPECT_EQ(pendingAckCondition({}).status, "False");
  EXPECT_EQ(pendingAckCondition({}).reason, "NoPendingFailoverAckExists");
  EXPECT_EQ(pendingAckCondition({}).message, "no pending ack");
  EXPECT_EQ(pendingAckCondition({recovery(1, kT0, true)}).status, "False");
  const kube::Condition c = pendingAckCondition(
      {recovery(1, kT0, true), recovery(2, kT0), recovery(3, kT0 + 61 * kSec, false, false)});
  EXPECT_EQ(c.type, "PendingFailoverAck");
  EXPECT_EQ(c.status, "True");
  EXPECT_EQ(c.reason, "PendingFailoverAckExists");
  EXPECT_EQ(c.message,
            "{id: 2, uid: uid2, success: true, time: 2025-12-03T08:20:00Z} "
            "{id: 3, uid: uid3, success: false, time: 2025-12-03T08:21:01Z}");
}

TEST(FailoverAck, MessagesAndTimes) {
  EXPECT_EQ(ackedMessage(12), "Recovery with id 12 was acked.");
  EXPECT_EQ(autoAckComment("c", 600), "Statefulset 'c-mysql' is healthy for more than 600 seconds");
  EXPECT_EQ(parseRfc3339Ms("2025-12-03T08:20:00Z"), kT0);
  EXPECT_EQ(parseRfc3339Ms("yesterday"), std::nullopt);
  EXPECT_EQ(rfc3339(kT0 + 999), "2025-12-03T08:20:00Z");
}

TEST(FailoverAck, ManualAckRefusals) {
  FailoverState s;
  s.recent = {recovery(1, kT0), recovery(2, kT0, true)};
  EXPECT_EQ(ackRecovery(s, 9, kT0, "me", "ns/c"), "no recovery 9 in cluster ns/c");
  EXPECT_EQ(ackRecovery(s, 2, kT0, "me", "ns/c"), "recovery 2 is already acknowledged");
  EXPECT_EQ(ackRecovery(s, 1, kT0 + 5, "me", "ns/c"), "");
  EXPECT_TRUE(s.recent[0].acked);
  EXPECT_EQ(s.recent[0].ackedAtMs, kT0 + 5);
  EXPECT_EQ(s.recent[0].ackedBy, "me");
  EXPECT_EQ(ackRecovery(s, 1, kT0, "me", "ns/c"), "recovery 1 is already acknowledged");
}

}  // namespace
}  // namespace mysqlop::orchestrator
