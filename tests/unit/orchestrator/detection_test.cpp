// Hang detection on Kubernetes (README "Detection in this path"): the history the passes keep
// (heard.h) turned into the analysis' inputs, with injected times. A silent master whose
// replicas stopped hearing from it is dead after the grace; a stall shorter than the grace never
// is; the grace runs from the first failed probe, not from the last answer.

#include <gtest/gtest.h>

#include "plugins/orchestrator/src/analysis.h"
#include "plugins/orchestrator/src/heard.h"
#include "tests/unit/orchestrator/engine_topologies.h"

namespace mysqlop::orchestrator {
namespace {

using namespace testdata;
using Time = SilenceHistory::Time;

Time at(double seconds) {
  return Time{} + std::chrono::duration_cast<SilenceHistory::Clock::duration>(
                      std::chrono::duration<double>(seconds) + std::chrono::hours(1));
}

// One pass as kube_failover runs it: the master answered (or a probe that started at
// `probeStart` did not), the replicas' heartbeat counters read at `t`; then the view.
struct Sim {
  SilenceHistory h;
  Thresholds limits{1.0, 1.0};

  Analysis pass(double t, bool masterAnswers, double probeStart, long long hb2, long long hb3) {
    ClusterView c =
        cluster({master(kN1, "1", "0-1-100"), replica(kN2, "2", kN1, "0-1-100", "0-1-100"),
                 replica(kN3, "3", kN1, "0-1-100", "0-1-100")});
    if (masterAnswers) {
      h.answered(kN1, at(t));
    } else {
      h.silent(kN1, at(probeStart));
      c.nodes[0] = gone(c.nodes[0], false, 0);
    }
    c.nodes[1].seen.receivedHeartbeats = hb2;
    c.nodes[2].seen.receivedHeartbeats = hb3;
    for (std::size_t i = 1; i < 3; ++i) {
      h.answered(c.nodes[i].id, at(t));
      h.heard(c.nodes[i].id, c.nodes[i].seen, at(t));
    }
    for (NodeView& n : c.nodes) {
      n.silentSeconds = n.answering ? 0 : h.silentSeconds(n.id, at(t));
      n.sinceHeardSeconds = h.sinceHeardSeconds(n.id, at(t));
    }
    return analyze(c, limits);
  }
};

TEST(HangDetection, AFrozenMasterIsDeadAfterTheGraceWhenItsReplicasHearNothing) {
  Sim s;
  // Healthy passes every second until 10 s: heartbeats move (5 a second).
  for (int i = 0; i <= 10; ++i) {
    EXPECT_EQ(analysisName(s.pass(i, true, 0, 5 * i, 5 * i).code), std::string("NoProblem"));
  }
  // Frozen at 10.05 s; the replicas' counters stay at 50 (read last at 10.0). The next pass's
  // probe starts at 11.5 and fails at 12.0: silent 0.5 s, within the 1 s grace.
  EXPECT_EQ(analysisName(s.pass(12.0, false, 11.5, 50, 50).code), std::string("UnreachableMaster"));
  EXPECT_EQ(analysisName(s.pass(12.4, false, 12.1, 50, 50).code),
            std::string("UnreachableMaster"));              // 0.9 s
  const Analysis dead = s.pass(12.6, false, 12.5, 50, 50);  // 1.1 s; replicas deaf for 2.6 s
  EXPECT_EQ(dead.master, kN1);
}

TEST(HangDetection, AStallShorterThanTheGraceNeverFailsOver) {
  Sim s;
  for (int i = 0; i <= 10; ++i) {
    s.pass(i, true, 0, 5 * i, 5 * i);
  }
  // A 0.5 s stall from 10.2: one probe gets no answer, the counters stand still, then it all
  // moves again. Passes every 0.1 s through it.
  for (double t = 10.3; t < 10.75; t += 0.1) {
    EXPECT_FALSE(s.pass(t, false, t - 0.1, 51, 51).failover()) << t;
  }
  for (double t = 10.8; t < 13; t += 0.1) {
    const auto hb = static_cast<long long>(t * 10);
    EXPECT_EQ(analysisName(s.pass(t, true, 0, hb, hb).code), std::string("NoProblem")) << t;
  }
}

TEST(HangDetection, TheGraceRunsFromTheFirstFailedProbeNotFromTheLastAnswer) {
  // The last answer was 5 s ago (instancePollSeconds 5); the first failed probe started 0.4 s
  // ago: silent 0.4 s, within the 1 s grace, even though the replicas heard nothing for 1.5 s.
  SilenceHistory h;
  h.answered(kN1, at(0));
  h.silent(kN1, at(4.6));
  EXPECT_NEAR(h.silentSeconds(kN1, at(5.0)), 0.4, 1e-9);
  ClusterView c = cluster({gone(master(kN1, "1", "0-1-100"), false, h.silentSeconds(kN1, at(5))),
                           nothingHeard(replica(kN2, "2", kN1, "0-1-100", "0-1-100"), 1.5),
                           nothingHeard(replica(kN3, "3", kN1, "0-1-100", "0-1-100"), 1.5)});
  EXPECT_EQ(analysisName(analyze(c, {1.0, 1.0}).code), std::string("UnreachableMaster"));
}

TEST(HangDetection, AMasterThatAReplicaStillHearsIsNotDead) {
  Sim s;
  for (int i = 0; i <= 10; ++i) {
    s.pass(i, true, 0, 5 * i, 5 * i);
  }
  // The operator cannot reach the master (its own path is cut) but kN3 keeps receiving.
  Analysis a;
  for (double t = 11; t < 15; t += 0.5) {
    a = s.pass(t, false, 10.5, 50, static_cast<long long>(t * 10));
  }
  EXPECT_EQ(analysisName(a.code), std::string("UnreachableMaster"));
  EXPECT_EQ(a.why, "the master does not answer but these replicas still hear it: " + kN3);
}

TEST(HangDetection, HeardIsMeasuredFromTheFirstReadOfTheCurrentCounters) {
  SilenceHistory h;
  Observation o;
  o.reachable = true;
  o.hasSlaveStatus = true;
  o.slaveIoRunning = true;
  o.masterHost = "m";
  o.receivedHeartbeats = 5;
  EXPECT_DOUBLE_EQ(h.sinceHeardSeconds("r", at(0)), 0.0);  // never read: nothing known
  h.heard("r", o, at(0));
  o.receivedHeartbeats = 30;
  h.heard("r", o, at(5));  // moved since the last read: heard at this read, not before
  h.heard("r", o, at(5.5));
  EXPECT_NEAR(h.sinceHeardSeconds("r", at(5.5)), 0.5, 1e-9);
  o.gtidIoPos = "0-1-7";  // a received transaction counts as hearing it
  h.heard("r", o, at(6));
  EXPECT_NEAR(h.sinceHeardSeconds("r", at(6.2)), 0.2, 1e-9);
  // A node that is not a replica is not a hearer.
  Observation m;
  m.reachable = true;
  h.heard("m", m, at(1));
  EXPECT_DOUBLE_EQ(h.sinceHeardSeconds("m", at(9)), 0.0);
}

TEST(HangDetection, SilenceNeedsAnAnswerFirstAndEndsWithOne) {
  SilenceHistory h;
  EXPECT_FALSE(h.everAnswered("n"));
  h.silent("n", at(1));
  EXPECT_EQ(h.silentSeconds("n", at(2)), SilenceHistory::kNever);
  h.answered("n", at(3));
  EXPECT_TRUE(h.everAnswered("n"));
  EXPECT_DOUBLE_EQ(h.silentSeconds("n", at(4)), 0.0);
  h.silent("n", at(2.5));  // started before the last answer: says nothing after it
  EXPECT_DOUBLE_EQ(h.silentSeconds("n", at(4)), 0.0);
  h.silent("n", at(4));
  h.silent("n", at(5));  // the first failed probe counts
  EXPECT_NEAR(h.silentSeconds("n", at(6)), 2.0, 1e-9);
  h.answered("n", at(7));
  EXPECT_DOUBLE_EQ(h.silentSeconds("n", at(8)), 0.0);
}

}  // namespace
}  // namespace mysqlop::orchestrator
