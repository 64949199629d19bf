// The takeover decision (README "Engine state and leader takeover"): a leader that finds a
// recovery in progress finishes it with the recorded candidate and never promotes another node.

#include "plugins/orchestrator/src/takeover.h"

#include <gtest/gtest.h>

namespace mysqlop::orchestrator {
namespace {

const std::string kOld = "c-mysql-0.mysql.ns:3306";
const std::string kOne = "c-mysql-1.mysql.ns:3306";
const std::string kTwo = "c-mysql-2.mysql.ns:3306";

PersistedRecovery recorded(RecoveryPhase phase) {
  PersistedRecovery r;
  r.id = 3;
  r.uid = "u";
  r.phase = phase;
  r.analysis = "DeadMaster";
  r.oldMaster = kOld;
  r.candidate = kTwo;
  r.promotedAt = "0-1-10";
  return r;
}

TakeoverNode node(const std::string& id, bool answering, bool readOnly,
                  const std::string& masterHost) {
  return {id, answering, readOnly, masterHost};
}

TEST(Takeover, DoneAndDetectedNeverTouchAServer) {
  const std::vector<TakeoverNode> nodes = {node(kOne, true, true, "c-mysql-0.mysql.ns")};
  TakeoverPlan p = decideTakeover(recorded(RecoveryPhase::Done), nodes, {});
  EXPECT_EQ(p.action, TakeoverAction::None);
  EXPECT_EQ(p.why, "recovery 3 (done) has ended");
  p = decideTakeover(recorded(RecoveryPhase::Detected), nodes, {});
  EXPECT_EQ(p.action, TakeoverAction::Abandon);
  EXPECT_EQ(p.why, "recovery 3 (detected) touched no server: the analysis decides again");
  EXPECT_TRUE(p.repoint.empty());
}

TEST(Takeover, SilentCandidateMeansWaitNeverAnotherPromotion) {
  // pod 1 answers and is the most natural replacement, but pod 2 was recorded.
  const std::vector<TakeoverNode> nodes = {node(kOld, false, false, ""),
                                           node(kOne, true, true, "c-mysql-0.mysql.ns"),
                                           node(kTwo, false, true, "")};
  for (RecoveryPhase ph : {RecoveryPhase::Promoting, RecoveryPhase::Repointing}) {
    const TakeoverPlan p = decideTakeover(recorded(ph), nodes, {});
    EXPECT_EQ(p.action, TakeoverAction::Wait);
    EXPECT_EQ(p.why, "recovery 3 (" + std::string(phaseName(ph)) + "): its candidate " + kTwo +
                         " does not answer; no other node is promoted while it is recorded" +
                         (ph == RecoveryPhase::Repointing ? " (it was made writable: never dropped)"
                                                          : ""));
    EXPECT_TRUE(p.repoint.empty());
  }
  // Absent from the view altogether (scaled down, no pod): the same.
  EXPECT_EQ(decideTakeover(recorded(RecoveryPhase::Promoting), {nodes[1]}, {}).action,
            TakeoverAction::Wait);
}

// takeoverWaitSeconds: a candidate silent that long is dropped, but only when nothing shows it
// became the master (phase promoting, no answering node replicates from it).
TEST(Takeover, SilentCandidateIsDroppedOnlyWhenNothingShowsItWasPromoted) {
  const std::vector<TakeoverNode> nodes = {node(kOld, false, false, ""),
                                           node(kOne, true, true, "c-mysql-0.mysql.ns"),
                                           node(kTwo, false, true, "")};
  const PersistedRecovery promoting = recorded(RecoveryPhase::Promoting);
  // Not long enough yet, or no bound: wait.
  EXPECT_EQ(decideTakeover(promoting, nodes, {}, {299.9, 300}).action, TakeoverAction::Wait);
  EXPECT_EQ(decideTakeover(promoting, nodes, {}, {100000, 0}).action, TakeoverAction::Wait);
  TakeoverPlan p = decideTakeover(promoting, nodes, {}, {300, 300});
  EXPECT_EQ(p.action, TakeoverAction::Drop);
  EXPECT_EQ(p.why, "recovery 3 (promoting): its candidate " + kTwo +
                       " did not answer for 300 s (takeoverWaitSeconds) and no node replicates "
                       "from it: dropped, the analysis decides again");
  EXPECT_TRUE(p.repoint.empty());
  // Absent (its pod is gone): dropped the same way.
  EXPECT_EQ(decideTakeover(promoting, {nodes[1]}, {}, {301, 300}).action, TakeoverAction::Drop);
  // A node replicates from it: it was made the master (the engine repoints only after
  // read_only=0): never dropped.
  const std::vector<TakeoverNode> following = {node(kOld, false, false, ""),
                                               node(kOne, true, true, "c-mysql-2.mysql.ns"),
                                               node(kTwo, false, true, "")};
  p = decideTakeover(promoting, following, {}, {1000, 300});
  EXPECT_EQ(p.action, TakeoverAction::Wait);
  EXPECT_EQ(p.why, "recovery 3 (promoting): its candidate " + kTwo +
                       " does not answer; no other node is promoted while it is recorded (" + kOne +
                       " replicates from it: never dropped)");
  // Repointing: a takeover made it writable: never dropped.
  EXPECT_EQ(decideTakeover(recorded(RecoveryPhase::Repointing), nodes, {}, {1000, 300}).action,
            TakeoverAction::Wait);
  EXPECT_STREQ(takeoverActionName(TakeoverAction::Drop), "drop");
}

TEST(Takeover, CandidateAlreadyPromotedByTheOldLeader) {
  // The old leader detached pod 2 and made it writable, then died before repointing pod 1.
  const std::vector<TakeoverNode> nodes = {node(kOld, true, false, ""),
                                           node(kOne, true, true, "c-mysql-0.mysql.ns"),
                                           node(kTwo, true, false, "")};
  const TakeoverPlan p = decideTakeover(recorded(RecoveryPhase::Promoting), nodes, {});
  EXPECT_EQ(p.action, TakeoverAction::Finish);
  EXPECT_FALSE(p.detach);
  EXPECT_FALSE(p.makeWritable);
  // The returned old master is not repointed here: the demoted rule fences it first.
  EXPECT_EQ(p.repoint, std::vector<std::string>{kOne});
  EXPECT_EQ(p.why, "recovery 3 (promoting): finishing with its candidate " + kTwo);
}

TEST(Takeover, CandidateNotDetachedYet) {
  const std::vector<TakeoverNode> nodes = {node(kOld, false, false, ""),
                                           node(kOne, true, true, "c-mysql-0.mysql.ns"),
                                           node(kTwo, true, true, "c-mysql-0.mysql.ns")};
  const TakeoverPlan p = decideTakeover(recorded(RecoveryPhase::Promoting), nodes, {});
  EXPECT_EQ(p.action, TakeoverAction::Finish);
  EXPECT_TRUE(p.detach);
  EXPECT_TRUE(p.makeWritable);
  EXPECT_EQ(p.repoint, std::vector<std::string>{kOne});
  EXPECT_EQ(p.why, "recovery 3 (promoting): finishing with its candidate " + kTwo +
                       " (detach it) (make it writable)");
}

TEST(Takeover, RepointingSkipsDoneAndKeptOutNodes) {
  const std::string kThree = "c-mysql-3.mysql.ns:3306";
  const std::vector<TakeoverNode> nodes = {
      node(kOne, true, true, "c-mysql-2.mysql.ns"),    // already under the candidate
      node(kTwo, true, false, ""),                     // the candidate
      node(kThree, true, true, "c-mysql-0.mysql.ns"),  // kept out
      node("c-mysql-4.mysql.ns:3306", false, true, "c-mysql-0.mysql.ns")};  // silent
  const TakeoverPlan p =
      decideTakeover(recorded(RecoveryPhase::Repointing), nodes, {"c-mysql-3.mysql.ns"});
  EXPECT_EQ(p.action, TakeoverAction::Finish);
  EXPECT_TRUE(p.repoint.empty());
}

TEST(Takeover, ActionNames) {
  EXPECT_STREQ(takeoverActionName(TakeoverAction::None), "none");
  EXPECT_STREQ(takeoverActionName(TakeoverAction::Abandon), "abandon");
  EXPECT_STREQ(takeoverActionName(TakeoverAction::Wait), "wait");
  EXPECT_STREQ(takeoverActionName(TakeoverAction::Finish), "finish");
}

}  // namespace
}  // namespace mysqlop::orchestrator
