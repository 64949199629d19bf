#include "plugins/orchestrator/src/candidate.h"

#include <gtest/gtest.h>

#include "tests/unit/orchestrator/engine_topologies.h"

namespace mysqlop::orchestrator {
namespace {

using namespace testdata;

// n1 killed; n2 received 0-1-100 (applied 98), n3 received 0-1-99.
ClusterView afterKill() {
  return cluster({gone(master(kN1, "1", "0-1-100"), true, 0.2),
                  ioLost(replica(kN2, "2", kN1, "0-1-100", "0-1-98")),
                  ioLost(replica(kN3, "3", kN1, "0-1-99", "0-1-99"))});
}

RecoveryPlan planFor(const ClusterView& c) {
  const Analysis a = analyze(c, Thresholds{1.0, 1.0});
  EXPECT_TRUE(a.failover()) << a.why;
  return planRecovery(c, a);
}

TEST(Candidate, TheMostAdvancedByReceivedGtidWinsAndWaitsForItsRelayLog) {
  const RecoveryPlan p = planFor(afterKill());
  EXPECT_EQ(p.failedMaster, kN1);
  EXPECT_EQ(p.candidate, kN2);       // received more, though it applied less
  EXPECT_EQ(p.waitGtid, "0-1-100");  // FailMasterPromotionIfSQLThreadNotUpToDate
  EXPECT_EQ(p.repoint, (std::vector<std::string>{kN3}));
  EXPECT_TRUE(p.lost.empty());
  EXPECT_EQ(p.error, "");
}

TEST(Candidate, TiesGoToTheMostAppliedThenHostOrder) {
  ClusterView c = afterKill();
  c.nodes[2] = ioLost(replica(kN3, "3", kN1, "0-1-100", "0-1-100"));
  EXPECT_EQ(planFor(c).candidate, kN3);
  c.nodes[1] = ioLost(replica(kN2, "2", kN1, "0-1-100", "0-1-100"));
  EXPECT_EQ(planFor(c).candidate, kN2);
}

TEST(Candidate, NeverAReplicaWithABrokenSqlThread) {
  ClusterView c = afterKill();
  c.nodes[1].seen.slaveSqlRunning = false;
  c.nodes[1].seen.lastSqlError = "Duplicate entry '7' for key 'PRIMARY'";
  const RecoveryPlan p = planFor(c);
  // n3 lacks 0-1-100, which n2 received: promoting it would lose an acknowledged write.
  EXPECT_EQ(p.candidate, "");
  EXPECT_EQ(p.error, "no eligible replica: " + kN2 +
                         ": its SQL thread failed: Duplicate entry '7' for key 'PRIMARY'; " + kN3 +
                         ": it lacks transactions another replica received");
}

TEST(Candidate, NeverAReplicaWhoseSqlThreadIsStopped) {
  ClusterView c = afterKill();
  c.nodes[2] = ioLost(replica(kN3, "3", kN1, "0-1-100", "0-1-100"));
  c.nodes[1].seen.slaveSqlRunning = false;
  const RecoveryPlan p = planFor(c);
  EXPECT_EQ(p.candidate, kN3);
  EXPECT_EQ(p.skipped, (std::vector<std::string>{kN2 + ": its SQL thread is not running"}));
}

TEST(Candidate, NeverAReplicaWithErrantGtids) {
  ClusterView c = afterKill();
  // n2 wrote a transaction of its own (0-2-101) on top of what it replicated.
  c.nodes[1].seen.gtidBinlogPos = "0-2-101";
  c.nodes[1].seen.gtidIoPos = "0-1-99";
  c.nodes[1].seen.gtidSlavePos = "0-1-99";
  const RecoveryPlan p = planFor(c);
  EXPECT_EQ(p.candidate, kN3);
  EXPECT_EQ(p.skipped, (std::vector<std::string>{kN2 + ": errant GTIDs 0-2-101"}));
  EXPECT_EQ(ineligibility(c.nodes[1]), "errant GTIDs 0-2-101");
}

TEST(Candidate, NoEligibleReplicaIsAnErrorNamingEach) {
  ClusterView c = afterKill();
  c.nodes[1].seen.slaveSqlRunning = false;
  c.nodes[2].seen.gtidBinlogPos = "0-3-100";
  c.nodes[2].seen.gtidSlavePos = "0-1-99";
  const RecoveryPlan p = planFor(c);
  EXPECT_EQ(p.candidate, "");
  EXPECT_EQ(p.error, "no eligible replica: " + kN2 + ": its SQL thread is not running; " + kN3 +
                         ": errant GTIDs 0-3-100");
}

TEST(Candidate, UnreadablePositionsAreNotGuessed) {
  NodeView r = replica(kN2, "2", kN1, "0-1-x", "0-1-1");
  EXPECT_EQ(ineligibility(r), "unreadable GTID position '0-1-x'");
}

TEST(Candidate, LostReplicasStayOut) {
  ClusterView c = afterKill();
  c.nodes[2] = gone(c.nodes[2], true, 0.2);
  const RecoveryPlan p = planFor(c);
  EXPECT_EQ(p.candidate, kN2);
  EXPECT_TRUE(p.repoint.empty());
  EXPECT_EQ(p.lost, (std::vector<std::string>{kN3}));  // DetachLostReplicasAfterMasterFailover
}

}  // namespace
}  // namespace mysqlop::orchestrator
