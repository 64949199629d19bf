#include "plugins/orchestrator/src/analysis.h"

#include <gtest/gtest.h>

#include "tests/unit/orchestrator/engine_topologies.h"

namespace mysqlop::orchestrator {
namespace {

using namespace testdata;

const Thresholds kT{1.0, 1.0};

ClusterView healthy() {
  return cluster({master(kN1, "1", "0-1-100"), replica(kN2, "2", kN1, "0-1-100", "0-1-100"),
                  replica(kN3, "3", kN1, "0-1-100", "0-1-99")});
}

TEST(Analysis, NoProblemWhenTheMasterAnswers) {
  const Analysis a = analyze(healthy(), kT);
  EXPECT_EQ(analysisName(a.code), std::string("NoProblem"));
  EXPECT_EQ(a.master, kN1);
  EXPECT_EQ(a.replicas, (std::vector<std::string>{kN2, kN3}));
  EXPECT_FALSE(a.failover());
}

TEST(Analysis, DeadMasterAfterAKillNeedsNoGrace) {
  ClusterView c = healthy();
  c.nodes[0] = gone(c.nodes[0], /*refused=*/true, 0.1);
  c.nodes[1] = ioLost(c.nodes[1]);
  c.nodes[2] = ioLost(c.nodes[2]);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("DeadMaster"));
  EXPECT_EQ(a.master, kN1);
  EXPECT_TRUE(a.failover());
  EXPECT_EQ(a.why, "the master refuses connections and every replica that answers lost it (" + kN2 +
                       ", " + kN3 +
                       "); the master's last error: Can't connect to server on '127.0.33.1' (111)");
}

TEST(Analysis, AKilledMasterThatAReplicaStillHearsIsOnlyUnreachable) {
  // The engine cannot reach it but a replica's IO thread still receives: not dead.
  ClusterView c = healthy();
  c.nodes[0] = gone(c.nodes[0], true, 0.1);
  c.nodes[1] = ioLost(c.nodes[1]);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("UnreachableMaster"));
  EXPECT_EQ(a.why, "the master does not answer but these replicas still hear it: " + kN3);
}

TEST(Analysis, AHungMasterWithinTheGraceIsUnreachable) {
  // A short stall (0.5 s): silent, replicas heard nothing for as long; under the 1 s grace.
  ClusterView c = healthy();
  c.nodes[0] = gone(c.nodes[0], false, 0.5);
  c.nodes[1] = nothingHeard(c.nodes[1], 0.5);
  c.nodes[2] = nothingHeard(c.nodes[2], 0.5);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("UnreachableMaster"));
  EXPECT_EQ(a.why,
            "the master has been silent 0.500000 s, within the grace (Lost connection to server "
            "during query)");
  EXPECT_FALSE(a.failover());
}

TEST(Analysis, AHungMasterPastTheGraceWhoseReplicasHearNothingIsDead) {
  // SIGSTOP: the replicas' IO threads still say Yes (slave_net_timeout has not passed) but no
  // event and no heartbeat arrived for longer than replicaLostSeconds.
  ClusterView c = healthy();
  c.nodes[0] = gone(c.nodes[0], false, 1.2);
  c.nodes[1] = nothingHeard(c.nodes[1], 1.2);
  c.nodes[2] = nothingHeard(c.nodes[2], 1.1);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("DeadMaster"));
  EXPECT_EQ(a.why, "the master is silent and every replica that answers lost it (" + kN2 + ", " +
                       kN3 + "); the master's last error: Lost connection to server during query");
}

TEST(Analysis, AHungMasterWhoseReplicasStillHearIsUnreachable) {
  // Only the engine's path to the master is cut: the replicas' heartbeats still move.
  ClusterView c = healthy();
  c.nodes[0] = gone(c.nodes[0], false, 5);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("UnreachableMaster"));
}

TEST(Analysis, DeadMasterAndSomeReplicas) {
  ClusterView c = healthy();
  c.nodes[0] = gone(c.nodes[0], true, 0.1);
  c.nodes[1] = ioLost(c.nodes[1]);
  c.nodes[2] = gone(c.nodes[2], true, 0.1);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("DeadMasterAndSomeReplicas"));
  EXPECT_EQ(a.replicas, (std::vector<std::string>{kN2}));
  EXPECT_EQ(a.unreachable, (std::vector<std::string>{kN3}));
  EXPECT_TRUE(a.failover());
}

TEST(Analysis, DeadMasterWithoutReplicas) {
  ClusterView c = healthy();
  c.nodes[1] = gone(c.nodes[1], true, 0.1);
  c.nodes[2] = gone(c.nodes[2], true, 0.1);
  c.nodes[0] = gone(c.nodes[0], true, 0.1);
  c.lastMaster = kN1;
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("DeadMasterWithoutReplicas"));
  EXPECT_EQ(a.master, kN1);
  EXPECT_FALSE(a.failover());
}

TEST(Analysis, AllMasterReplicasNotReplicating) {
  ClusterView c = healthy();
  c.nodes[1].seen.slaveSqlRunning = false;
  c.nodes[2] = ioLost(c.nodes[2]);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("AllMasterReplicasNotReplicating"));
  EXPECT_FALSE(a.failover());
}

TEST(Analysis, AReadOnlyClusterIsNeverFailedOver) {
  ClusterView c = healthy();
  c.readOnly = true;
  c.nodes[0] = gone(c.nodes[0], true, 0.1);
  c.nodes[1] = ioLost(c.nodes[1]);
  c.nodes[2] = ioLost(c.nodes[2]);
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("NoFailoverReadOnly"));
  EXPECT_FALSE(a.failover());
}

TEST(Analysis, NoMasterWhenReplicasNameTwoSources) {
  ClusterView c = healthy();
  c.nodes[2] = replica(kN3, "3", kN2, "0-1-100", "0-1-100");
  c.nodes[1].seen.masterHost = "127.0.33.9";
  EXPECT_EQ(analysisName(analyze(c, kT).code), std::string("NoMaster"));
  // Two writable nodes and no replica: no master either.
  ClusterView two = cluster({master(kN1, "1", "0-1-1"), master(kN2, "2", "0-1-1")});
  EXPECT_EQ(analysisName(analyze(two, kT).code), std::string("NoMaster"));
}

TEST(Analysis, AFencedOldMasterIsNotPartOfTheTopology) {
  // After a recovery: n2 is the master, n3 its replica, n1 (the old master) answers again,
  // read-only, with no source: it is neither the master nor a lost replica.
  ClusterView c = cluster({master(kN1, "1", "0-1-101"), master(kN2, "2", "0-2-120"),
                           replica(kN3, "3", kN2, "0-2-120", "0-2-120")});
  c.nodes[0].seen.readOnly = true;
  const Analysis a = analyze(c, kT);
  EXPECT_EQ(analysisName(a.code), std::string("NoProblem"));
  EXPECT_EQ(a.master, kN2);
  EXPECT_EQ(a.replicas, (std::vector<std::string>{kN3}));
  EXPECT_TRUE(a.unreachable.empty());
}

TEST(Analysis, ReplicaLostMaster) {
  NodeView r = replica(kN2, "2", kN1, "0-1-1", "0-1-1");
  EXPECT_FALSE(replicaLostMaster(r, kT));
  EXPECT_TRUE(replicaLostMaster(ioLost(r), kT));
  EXPECT_TRUE(replicaLostMaster(nothingHeard(r, 1.0), kT));
  r.seen.lastIoError = "x";
  EXPECT_TRUE(replicaLostMaster(r, kT));
}

}  // namespace
}  // namespace mysqlop::orchestrator
