// The failover engine's persisted state (README "Engine state and leader takeover"): its JSON
// round trip, and every bad annotation refused with one clear line (the engine then logs it,
// emits FailoverStateUnreadable and starts from the default: never a crash).

#include "plugins/orchestrator/src/failover_state.h"

#include <gtest/gtest.h>

#include <string>

namespace mysqlop::orchestrator {
namespace {

FailoverState sample() {
  FailoverState s;
  s.inProgress = PersistedRecovery{7,
                                   "00ff00ff00ff00ff",
                                   RecoveryPhase::Promoting,
                                   "DeadMaster",
                                   "c-mysql-0.mysql.ns:3306",
                                   "c-mysql-2.mysql.ns:3306",
                                   "0-100-42",
                                   1764750000000};
  s.demoted["c-mysql-1.mysql.ns"] = {"c-mysql-0.mysql.ns:3306", "0-100-10"};
  s.keptOut = {"c-mysql-3.mysql.ns"};
  s.blockedUntilMs = 1764753600000;
  s.master = "c-mysql-0.mysql.ns";
  s.recent = {{5, "aa", true, 1764740000000, true, 1764740700000, "auto: healthy"},
              {6, "bb", false, 1764745000000, false, 0, ""}};
  s.nextId = 8;
  return s;
}

std::string refusal(const std::string& text) {
  std::string why;
  EXPECT_FALSE(decodeState(text, &why).has_value()) << text;
  return why;
}

TEST(FailoverState, RoundTripsEveryField) {
  const FailoverState s = sample();
  std::string why;
  auto back = decodeState(encodeState(s), &why);
  ASSERT_TRUE(back.has_value()) << why;
  EXPECT_EQ(*back, s);
  EXPECT_EQ(why, "");
}

TEST(FailoverState, EmptyStateRoundTripsAndNamesEveryPhase) {
  std::string why;
  auto back = decodeState(encodeState(FailoverState{}), &why);
  ASSERT_TRUE(back.has_value()) << why;
  EXPECT_EQ(*back, FailoverState{});
  for (RecoveryPhase p : {RecoveryPhase::Detected, RecoveryPhase::Promoting,
                          RecoveryPhase::Repointing, RecoveryPhase::Done}) {
    FailoverState s;
    s.inProgress = PersistedRecovery{};
    s.inProgress->phase = p;
    s.inProgress->candidate = "c:3306";
    s.inProgress->id = 1;
    s.nextId = 2;
    auto b = decodeState(encodeState(s), &why);
    ASSERT_TRUE(b.has_value()) << phaseName(p) << ": " << why;
    EXPECT_EQ(b->inProgress->phase, p);
  }
}

TEST(FailoverState, NextIdIsNeverBelowARecordedId) {
  std::string why;
  auto s = decodeState(R"({"version":1,"nextId":1,"recent":[{"id":9}],)"
                       R"("inProgress":{"id":12,"phase":"detected"}})",
                       &why);
  ASSERT_TRUE(s.has_value()) << why;
  EXPECT_EQ(s->nextId, 13);
}

TEST(FailoverState, BadAnnotationsAreRefusedWithOneClearLine) {
  EXPECT_EQ(refusal("{not json").rfind("the failover state is not JSON: ", 0), 0U)
      << refusal("{not json");
  EXPECT_EQ(refusal(""), refusal(""));  // empty: not JSON either, and stable
  EXPECT_EQ(refusal("").rfind("the failover state is not JSON: ", 0), 0U);
  EXPECT_EQ(refusal("[1,2]"), "the failover state is not a JSON object");
  EXPECT_EQ(refusal("{}"), "the failover state has version none, this operator reads 1");
  EXPECT_EQ(refusal(R"({"version":2})"), "the failover state has version 2, this operator reads 1");
  EXPECT_EQ(refusal(R"({"version":"1"})"),
            "the failover state has version \"1\", this operator reads 1");
  EXPECT_EQ(refusal(R"({"version":1,"inProgress":[]})"),
            "the failover state field inProgress is not an object");
  EXPECT_EQ(refusal(R"({"version":1,"inProgress":{"phase":"flying"}})"),
            "the failover state field inProgress.phase is \"flying\" (known: detected, "
            "promoting, repointing, done)");
  EXPECT_EQ(refusal(R"({"version":1,"inProgress":{"phase":"promoting"}})"),
            "the failover state field inProgress.candidate is empty in phase promoting");
  EXPECT_EQ(refusal(R"({"version":1,"inProgress":{"phase":"done","id":"x"}})"),
            "the failover state field inProgress.id is not an integer");
  EXPECT_EQ(refusal(R"({"version":1,"demoted":{}})"),
            "the failover state field demoted is not a list");
  EXPECT_EQ(refusal(R"({"version":1,"demoted":[1]})"),
            "the failover state field demoted has an entry that is not an object");
  EXPECT_EQ(refusal(R"({"version":1,"demoted":[{"newMaster":"a:1"}]})"),
            "the failover state field demoted[].host is empty");
  EXPECT_EQ(refusal(R"({"version":1,"keptOut":[3]})"),
            "the failover state field keptOut has an entry that is not a string");
  EXPECT_EQ(refusal(R"({"version":1,"master":5})"),
            "the failover state field master is not a string");
  EXPECT_EQ(refusal(R"({"version":1,"blockedUntilMs":1.5})"),
            "the failover state field blockedUntilMs is not an integer");
  EXPECT_EQ(refusal(R"({"version":1,"recent":[{"success":"yes"}]})"),
            "the failover state field recent[].success is not a boolean");
  EXPECT_EQ(refusal(R"({"version":1,"recent":["x"]})"),
            "the failover state field recent has an entry that is not an object");
}

TEST(FailoverState, RecentKeepsEveryUnackedRecovery) {
  FailoverState s;
  for (std::int64_t i = 1; i <= static_cast<std::int64_t>(kRecentRecoveries) + 5; ++i) {
    rememberRecovery(s, {i, "u", true, i, i <= 3, 0, ""});
  }
  // The three acked ones were dropped first; the unacked ones all stay.
  ASSERT_EQ(s.recent.size(), kRecentRecoveries + 2);
  EXPECT_EQ(s.recent.front().id, 4);
  for (std::int64_t i = 1; i <= 30; ++i) {
    rememberRecovery(s, {100 + i, "u", true, i, true, 1, "auto"});
  }
  EXPECT_LE(s.recent.size(), kRecentRecoveries + 2);
  EXPECT_EQ(s.recent.front().id, 4);  // unacked: never dropped
}

}  // namespace
}  // namespace mysqlop::orchestrator
