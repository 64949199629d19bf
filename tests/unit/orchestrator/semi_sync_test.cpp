// Semi-sync on Kubernetes (semi_sync.h): the annotation, and which statements arm or disarm a
// node given the variables the observer's probe read. Only what differs is set.

#include "plugins/orchestrator/src/semi_sync.h"

#include <gtest/gtest.h>

namespace mysqlop::orchestrator {
namespace {

using Vars = std::map<std::string, std::string>;

nlohmann::json clusterWith(const char* value) {
  nlohmann::json c = {{"metadata", {{"name", "c"}, {"namespace", "default"}}}};
  if (value != nullptr) {
    c["metadata"]["annotations"] = {{"mysql.presslabs.org/semi-sync", value}, {"other", "x"}};
  }
  return c;
}

TEST(SemiSyncAnnotation, AbsentTakesThePluginDefault) {
  EXPECT_FALSE(semiSyncChoice(clusterWith(nullptr), false).on);
  EXPECT_TRUE(semiSyncChoice(clusterWith(nullptr), true).on);
  EXPECT_FALSE(semiSyncChoice(clusterWith(nullptr), true).fromAnnotation);
  EXPECT_EQ(semiSyncChoice(clusterWith(nullptr), true).warning, "");
}

TEST(SemiSyncAnnotation, TrueAndFalseDecide) {
  const SemiSyncChoice on = semiSyncChoice(clusterWith("true"), false);
  EXPECT_TRUE(on.on);
  EXPECT_TRUE(on.fromAnnotation);
  EXPECT_EQ(on.warning, "");
  const SemiSyncChoice off = semiSyncChoice(clusterWith("false"), true);
  EXPECT_FALSE(off.on);
  EXPECT_EQ(off.warning, "");
}

TEST(SemiSyncAnnotation, AnyOtherValueWarnsAndTakesTheDefault) {
  const SemiSyncChoice yes = semiSyncChoice(clusterWith("yes"), false);
  EXPECT_FALSE(yes.on);
  EXPECT_FALSE(yes.fromAnnotation);
  EXPECT_EQ(yes.warning,
            "annotation mysql.presslabs.org/semi-sync must be \"true\" or \"false\", not \"yes\"; "
            "using the plugin default (kubeSemiSync: false)");
  const SemiSyncChoice upper = semiSyncChoice(clusterWith("TRUE"), true);
  EXPECT_TRUE(upper.on);
  EXPECT_EQ(upper.warning,
            "annotation mysql.presslabs.org/semi-sync must be \"true\" or \"false\", not \"TRUE\"; "
            "using the plugin default (kubeSemiSync: true)");
  EXPECT_EQ(semiSyncChoice(clusterWith(""), false).warning,
            "annotation mysql.presslabs.org/semi-sync must be \"true\" or \"false\", not \"\"; "
            "using the plugin default (kubeSemiSync: false)");
}

// A MariaDB 10.11 node as it starts: semi-sync off, the server's heartbeat (slave_net_timeout/2).
Vars fresh() {
  return {{"RPL_SEMI_SYNC_MASTER_ENABLED", "OFF"},
          {"RPL_SEMI_SYNC_MASTER_WAIT_POINT", "AFTER_COMMIT"},
          {"RPL_SEMI_SYNC_MASTER_TIMEOUT", "10000"},
          {"RPL_SEMI_SYNC_MASTER_WAIT_NO_SLAVE", "ON"},
          {"RPL_SEMI_SYNC_SLAVE_ENABLED", "OFF"},
          {"RPL_SEMI_SYNC_SLAVE_STATUS", "OFF"},
          {"SLAVE_HEARTBEAT_PERIOD", "30.000"},
          {"SLAVE_RECEIVED_HEARTBEATS", "4"}};
}

TEST(SemiSyncArming, AMasterIsArmedOnlyWhereItDiffersAndEnabledLast) {
  const ArmPlan p = armingPlan(ArmRole::Master, {true, 200}, fresh());
  EXPECT_EQ(p.statements,
            (std::vector<std::string>{"SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC",
                                      "SET GLOBAL rpl_semi_sync_master_timeout = 4294967295",
                                      "SET GLOBAL rpl_semi_sync_master_enabled = ON"}));
  EXPECT_FALSE(p.restartReplication);
  EXPECT_EQ(p.why, "wait point AFTER_COMMIT, timeout 10000 ms, semi-sync master side off");
  Vars v = fresh();
  v["RPL_SEMI_SYNC_MASTER_WAIT_NO_SLAVE"] = "OFF";
  v["RPL_SEMI_SYNC_MASTER_WAIT_POINT"] = "AFTER_SYNC";
  EXPECT_EQ(armingPlan(ArmRole::Master, {true, 200}, v).statements,
            (std::vector<std::string>{"SET GLOBAL rpl_semi_sync_master_timeout = 4294967295",
                                      "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON",
                                      "SET GLOBAL rpl_semi_sync_master_enabled = ON"}));
}

TEST(SemiSyncArming, AnArmedMasterCostsNothing) {
  Vars v = fresh();
  v["RPL_SEMI_SYNC_MASTER_ENABLED"] = "ON";
  v["RPL_SEMI_SYNC_MASTER_WAIT_POINT"] = "AFTER_SYNC";
  v["RPL_SEMI_SYNC_MASTER_TIMEOUT"] = "4294967295";
  EXPECT_TRUE(armingPlan(ArmRole::Master, {true, 200}, v).empty());
  // Disarming turns only the switch off.
  const ArmPlan off = armingPlan(ArmRole::Master, {false, 200}, v);
  EXPECT_EQ(off.statements,
            (std::vector<std::string>{"SET GLOBAL rpl_semi_sync_master_enabled = OFF"}));
  EXPECT_EQ(off.why, "semi-sync master side on, wanted off");
  EXPECT_TRUE(armingPlan(ArmRole::Master, {false, 200}, fresh()).empty());
}

TEST(SemiSyncArming, AReplicaRestartsReplicationForTheHeartbeatAndTheSemiSyncSide) {
  const ArmPlan p = armingPlan(ArmRole::Replica, {true, 200}, fresh());
  EXPECT_EQ(p.statements,
            (std::vector<std::string>{"SET GLOBAL rpl_semi_sync_slave_enabled = ON",
                                      "CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=0.200"}));
  EXPECT_TRUE(p.restartReplication);
  EXPECT_EQ(p.why, "semi-sync replica side off, heartbeat period 30.000 s");
  // Without semi-sync only the heartbeat.
  const ArmPlan hb = armingPlan(ArmRole::Replica, {false, 200}, fresh());
  EXPECT_EQ(hb.statements,
            (std::vector<std::string>{"CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=0.200"}));
  EXPECT_TRUE(hb.restartReplication);
}

TEST(SemiSyncArming, AnArmedReplicaCostsNothingAndDisarmsWithoutARestart) {
  Vars v = fresh();
  v["RPL_SEMI_SYNC_SLAVE_ENABLED"] = "ON";
  v["SLAVE_HEARTBEAT_PERIOD"] = "0.200";
  EXPECT_TRUE(armingPlan(ArmRole::Replica, {true, 200}, v).empty());
  const ArmPlan off = armingPlan(ArmRole::Replica, {false, 200}, v);
  EXPECT_EQ(off.statements,
            (std::vector<std::string>{"SET GLOBAL rpl_semi_sync_slave_enabled = OFF"}));
  EXPECT_FALSE(off.restartReplication);
  // Another heartbeat setting (replicaHeartbeatSeconds 0.5).
  EXPECT_EQ(armingPlan(ArmRole::Replica, {true, 500}, v).statements,
            (std::vector<std::string>{"CHANGE MASTER TO MASTER_HEARTBEAT_PERIOD=0.500"}));
}

TEST(SemiSyncArming, VariablesTheServerLacksAreNotTouched) {
  // MySQL without the semi-sync plugin, and without the MariaDB status variables.
  EXPECT_TRUE(armingPlan(ArmRole::Master, {true, 200}, {}).empty());
  EXPECT_TRUE(armingPlan(ArmRole::Replica, {true, 200}, {}).empty());
}

}  // namespace
}  // namespace mysqlop::orchestrator
