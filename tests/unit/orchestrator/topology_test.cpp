// Every rule of the pure topology logic (compat.md 3.2-3.5).
#include "plugins/orchestrator/src/topology.h"

#include <gtest/gtest.h>

namespace mysqlop::orchestrator {
namespace {

using nlohmann::json;

std::string host(int i) { return podFqdn("c", i, "ns"); }

// A configured, reachable node; a replica of `master` when master >= 0.
Node node(int i, int master = -1) {
  Node n;
  n.ordinal = i;
  n.pod = podName("c", i);
  n.host = host(i);
  n.podState = {true, true, true, false};
  Observation o;
  o.host = n.host;
  o.reachable = true;
  o.configured = true;
  o.readOnly = master >= 0;
  o.uptimeSeconds = 100;
  if (master >= 0) {
    o.hasSlaveStatus = true;
    o.masterHost = host(master);
    o.slaveIoRunning = o.slaveSqlRunning = true;
    o.lagSeconds = 0;
  }
  n.seen = o;
  return n;
}

ClusterState cluster(std::vector<Node> nodes) {
  ClusterState c;
  c.name = "c";
  c.ns = "ns";
  c.replicas = static_cast<int>(nodes.size());
  c.nodes = std::move(nodes);
  return c;
}

TEST(OrchestratorTopology, Names) {
  EXPECT_EQ(podName("c", 2), "c-mysql-2");
  EXPECT_EQ(podFqdn("c", 2, "ns"), "c-mysql-2.mysql.ns");
}

TEST(OrchestratorTopology, MasterIsTheCommonRoot) {
  EXPECT_EQ(determineMaster({node(0), node(1, 0), node(2, 0)}), host(0));
  // A chain: 2 replicates from 1, which replicates from 0.
  EXPECT_EQ(determineMaster({node(0), node(1, 0), node(2, 1)}), host(0));
  // A single node is its own master.
  EXPECT_EQ(determineMaster({node(0)}), host(0));
}

TEST(OrchestratorTopology, AMasterNamedByItsPodIpIsThatNode) {
  Node m = node(0);
  m.seen->address = "198.18.0.2";
  Node r = node(1, 0);
  r.seen->masterHost = "198.18.0.2";
  EXPECT_EQ(determineMaster({m, r}), host(0));
  r.seen->masterHost = "198.18.0.9";  // nobody's address: an external master, two roots
  EXPECT_EQ(determineMaster({m, r}), std::nullopt);
}

TEST(OrchestratorTopology, NoMasterOnTwoRootsALoopOrNothing) {
  EXPECT_EQ(determineMaster({node(0), node(1)}), std::nullopt);
  EXPECT_EQ(determineMaster({node(0, 1), node(1, 0)}), std::nullopt);
  EXPECT_EQ(determineMaster({}), std::nullopt);
  Node down = node(0);
  down.seen->reachable = false;
  EXPECT_EQ(determineMaster({down}), std::nullopt);
}

TEST(OrchestratorTopology, AnUnreachableMasterStillEndsTheChains) {
  Node m = node(0);
  m.seen->reachable = false;
  EXPECT_EQ(determineMaster({m, node(1, 0), node(2, 0)}), host(0));
}

TEST(OrchestratorTopology, UnconfiguredNodesAreNotPartOfTheTopology) {
  // Pod 1 came up alone and unconfigured: it must not become the master.
  Node fresh = node(1);
  fresh.seen->configured = false;
  EXPECT_EQ(determineMaster({fresh}), std::nullopt);
  Node m = node(0);
  EXPECT_EQ(determineMaster({m, fresh}), host(0));
}

TEST(OrchestratorTopology, NodeConditions) {
  const auto master = std::optional<std::string>(host(0));
  NodeConditions m = nodeConditions(node(0), master, 30, json());
  EXPECT_EQ(m.master, "True");
  EXPECT_EQ(m.lagged, "False");
  EXPECT_EQ(m.replicating, "False");
  EXPECT_EQ(m.readOnly, "False");

  NodeConditions r = nodeConditions(node(1, 0), master, 30, json());
  EXPECT_EQ(r.master, "False");
  EXPECT_EQ(r.lagged, "False");
  EXPECT_EQ(r.replicating, "True");
  EXPECT_EQ(r.readOnly, "True");

  Node lagged = node(1, 0);
  lagged.seen->lagSeconds = 31;
  EXPECT_EQ(nodeConditions(lagged, master, 30, json()).lagged, "True");
  lagged.seen->lagSeconds = 30;
  EXPECT_EQ(nodeConditions(lagged, master, 30, json()).lagged, "False");
  lagged.seen->lagSeconds = std::nullopt;
  EXPECT_EQ(nodeConditions(lagged, master, 30, json()).lagged, "Unknown");

  Node stopped = node(1, 0);
  stopped.seen->slaveSqlRunning = false;
  EXPECT_EQ(nodeConditions(stopped, master, 30, json()).replicating, "False");
}

TEST(OrchestratorTopology, UnreachableNodeIsUnknownAndKeepsReadOnly) {
  Node down = node(1, 0);
  down.seen->reachable = false;
  const json before = {{"name", host(1)},
                       {"conditions", {{{"type", "ReadOnly"}, {"status", "True"}}}}};
  NodeConditions c = nodeConditions(down, host(0), 30, before);
  EXPECT_EQ(c.lagged, "Unknown");
  EXPECT_EQ(c.replicating, "Unknown");
  EXPECT_EQ(c.master, "Unknown");
  EXPECT_EQ(c.readOnly, "True");
  EXPECT_EQ(nodeConditions(down, host(0), 30, json()).readOnly, "Unknown");
  Node unprobed;
  unprobed.host = host(2);
  EXPECT_EQ(nodeConditions(unprobed, host(0), 30, json()).master, "Unknown");
}

TEST(OrchestratorTopology, StatusNodesKeepTransitionTimesAndDropRemovedPods) {
  ClusterState c = cluster({node(0), node(1, 0)});
  const json first = nextStatusNodes(c, host(0), "T1");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0]["name"], host(0));
  EXPECT_EQ(first[0]["conditions"][0],
            json({{"type", "Lagged"}, {"status", "False"}, {"lastTransitionTime", "T1"}}));
  EXPECT_EQ(first[0]["conditions"][2]["type"], "Master");
  EXPECT_EQ(first[0]["conditions"][2]["status"], "True");
  EXPECT_EQ(first[1]["conditions"][3]["type"], "ReadOnly");

  // Nothing changed: the same JSON at a later time.
  c.statusNodes = first;
  EXPECT_EQ(nextStatusNodes(c, host(0), "T2"), first);

  // Node 1 stops replicating: only its Replicating time moves.
  c.nodes[1].seen->slaveIoRunning = false;
  const json second = nextStatusNodes(c, host(0), "T3");
  EXPECT_EQ(second[1]["conditions"][1]["status"], "False");
  EXPECT_EQ(second[1]["conditions"][1]["lastTransitionTime"], "T3");
  EXPECT_EQ(second[1]["conditions"][0]["lastTransitionTime"], "T1");

  // Scale down to 1: node 1 leaves status.nodes.
  c.statusNodes = second;
  c.replicas = 1;
  EXPECT_EQ(nextStatusNodes(c, host(0), "T4").size(), 1u);
}

TEST(OrchestratorTopology, StatusNodesSkipPodsThatNeverExisted) {
  ClusterState c = cluster({node(0), node(1, 0)});
  c.nodes[1].podState.exists = false;
  c.nodes[1].seen = std::nullopt;
  EXPECT_EQ(nextStatusNodes(c, host(0), "T").size(), 1u);
  // ... but a listed pod that disappeared stays, Unknown.
  c.statusNodes = json::array({{{"name", host(1)}, {"conditions", json::array()}}});
  const json next = nextStatusNodes(c, host(0), "T");
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[1]["conditions"][2]["status"], "Unknown");
}

TEST(OrchestratorTopology, MasterForInit) {
  ClusterState c = cluster({node(0), node(1, 0)});
  EXPECT_EQ(masterForInit(c), host(0));  // no status yet: pod 0
  c.statusNodes = json::array(
      {{{"name", host(0)}, {"conditions", {{{"type", "Master"}, {"status", "False"}}}}},
       {{"name", host(1)}, {"conditions", {{{"type", "Master"}, {"status", "True"}}}}}});
  EXPECT_EQ(masterForInit(c), host(1));
}

TEST(OrchestratorTopology, NodesToInitialise) {
  ClusterState c = cluster({node(0), node(1, 0), node(2, 0), node(3, 0), node(4, 0)});
  c.nodes[0].seen->configured = false;  // Running, not Ready... but Ready below
  c.nodes[0].podState.ready = false;
  c.nodes[1].podState.ready = false;  // configured already: skipped
  c.nodes[2].podState.ready = false;
  c.nodes[2].seen->reachable = false;  // unknown: tried (the attempt tells why it fails)
  c.nodes[3].podState = {true, false, false, false};  // Pending
  c.nodes[4].podState = {true, true, false, true};    // being deleted
  EXPECT_EQ(nodesToInitialise(c), (std::vector<int>{0, 2}));
  c.replicas = 1;
  EXPECT_EQ(nodesToInitialise(c), (std::vector<int>{0}));
}

TEST(OrchestratorTopology, AnUnansweringServerGetsItsGraceBeforeInit) {
  ClusterState c = cluster({node(0)});
  c.nodes[0].podState.ready = false;
  c.nodes[0].seen->reachable = false;
  c.nodes[0].podState.runningSeconds = kInitGraceSeconds - 1;
  EXPECT_TRUE(nodesToInitialise(c).empty());
  c.nodes[0].podState.runningSeconds = kInitGraceSeconds;
  EXPECT_EQ(nodesToInitialise(c), std::vector<int>{0});
  c.nodes[0].podState.runningSeconds = -1;  // unknown: tried
  EXPECT_EQ(nodesToInitialise(c), std::vector<int>{0});
  // A server that answers is initialised at once.
  c.nodes[0].seen->reachable = true;
  c.nodes[0].seen->configured = false;
  c.nodes[0].podState.runningSeconds = 0;
  EXPECT_EQ(nodesToInitialise(c), std::vector<int>{0});
}

TEST(OrchestratorTopology, ReadOnlyMasterWritableOthersReadOnly) {
  ClusterState c = cluster({node(0), node(1, 0)});
  c.nodes[0].seen->readOnly = true;  // the init-file starts every node read-only
  c.nodes[1].seen->readOnly = false;
  auto changes = readOnlyChanges(c, host(0));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].ordinal, 0);
  EXPECT_FALSE(changes[0].readOnly);
  EXPECT_EQ(changes[1].ordinal, 1);
  EXPECT_TRUE(changes[1].readOnly);
}

TEST(OrchestratorTopology, ReadOnlyOnlyWhereItDiffers) {
  ClusterState c = cluster({node(0), node(1, 0)});
  EXPECT_TRUE(readOnlyChanges(c, host(0)).empty());
}

TEST(OrchestratorTopology, ReadOnlyEverywhereWithSpecReadOnlyOrNoMaster) {
  ClusterState c = cluster({node(0), node(1, 0)});
  c.specReadOnly = true;
  auto changes = readOnlyChanges(c, host(0));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ordinal, 0);
  EXPECT_TRUE(changes[0].readOnly);
  c.specReadOnly = false;
  changes = readOnlyChanges(c, std::nullopt);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].readOnly);
}

TEST(OrchestratorTopology, ReadOnlySkipsYoungUnconfiguredUnreachableAndFailover) {
  ClusterState c = cluster({node(0), node(1, 0)});
  c.nodes[0].seen->readOnly = true;
  c.nodes[0].seen->uptimeSeconds = 14;
  EXPECT_TRUE(readOnlyChanges(c, host(0)).empty());
  c.nodes[0].seen->uptimeSeconds = 15;
  EXPECT_EQ(readOnlyChanges(c, host(0)).size(), 1u);
  c.failoverInProgress = true;
  EXPECT_TRUE(readOnlyChanges(c, host(0)).empty());
  c.failoverInProgress = false;
  c.nodes[0].seen->configured = false;
  EXPECT_TRUE(readOnlyChanges(c, host(0)).empty());
  c.nodes[0].seen->configured = true;
  c.nodes[0].seen->reachable = false;
  EXPECT_TRUE(readOnlyChanges(c, host(0)).empty());
}

// A master this pass has just initialised opens for writes at once: the uptime grace is for servers
// whose place in the topology is not known yet (#566), and a new cluster's writes should not wait
// 15 s after it is Ready.
TEST(OrchestratorTopology, ReadOnlyChangesAtOnceOnANodeInitialisedThisPass) {
  ClusterState c = cluster({node(0), node(1, 0)});
  c.nodes[0].seen->readOnly = true;
  c.nodes[0].seen->uptimeSeconds = 2;
  EXPECT_TRUE(readOnlyChanges(c, host(0)).empty());
  c.nodes[0].initialisedThisPass = true;
  auto changes = readOnlyChanges(c, host(0));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ordinal, 0);
  EXPECT_FALSE(changes[0].readOnly);
}

TEST(OrchestratorTopology, MasterHealthy) {
  ClusterState c = cluster({node(0), node(1, 0)});
  EXPECT_TRUE(masterHealthy(c, host(0)));
  EXPECT_FALSE(masterHealthy(c, std::nullopt));
  c.nodes[0].seen->reachable = false;
  EXPECT_FALSE(masterHealthy(c, host(0)));
  EXPECT_FALSE(masterHealthy(c, std::string("external.example")));
}

}  // namespace
}  // namespace mysqlop::orchestrator
