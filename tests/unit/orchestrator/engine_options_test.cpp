#include "plugins/orchestrator/src/engine_options.h"

#include <gtest/gtest.h>

#include "mysqlop/plugin.hpp"

namespace mysqlop::orchestrator {
namespace {

std::string engineRefusal(const std::string& config) {
  try {
    parseEngineOptions(config);
  } catch (const mysqlop::ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(EngineOptions, Defaults) {
  const EngineOptions o = parseEngineOptions("");
  EXPECT_TRUE(o.staticClusters.empty());
  EXPECT_EQ(o.pollInterval.count(), 5000);
  EXPECT_DOUBLE_EQ(o.failureDetectionGraceSeconds, 1.0);
  EXPECT_DOUBLE_EQ(o.replicaLostSeconds, 1.0);
  EXPECT_EQ(o.replicaHeartbeatMs, 200);
  EXPECT_DOUBLE_EQ(o.recoveryPeriodBlockSeconds, 3600);
  EXPECT_EQ(o.promotionWaitSeconds, 10);
  EXPECT_TRUE(o.semiSyncFencing);
  EXPECT_FALSE(o.kubeSemiSync);
  EXPECT_DOUBLE_EQ(o.failoverAckSeconds, 600);  // bitpoke's
}

TEST(EngineOptions, KubeSemiSync) {
  EXPECT_TRUE(parseEngineOptions(R"({"kubeSemiSync":true})").kubeSemiSync);
  EXPECT_FALSE(parseEngineOptions(R"({"kubeSemiSync":false})").kubeSemiSync);
  EXPECT_EQ(engineRefusal(R"({"kubeSemiSync":"true"})"),
            "config.kubeSemiSync must be true or false");
}

TEST(EngineOptions, FailoverAckSeconds) {
  EXPECT_DOUBLE_EQ(parseEngineOptions(R"({"failoverAckSeconds":3})").failoverAckSeconds, 3);
  EXPECT_DOUBLE_EQ(parseEngineOptions(R"({"failoverAckSeconds":0})").failoverAckSeconds, 0);
  EXPECT_DOUBLE_EQ(parseEngineOptions("{}").takeoverWaitSeconds, 300);
  EXPECT_DOUBLE_EQ(parseEngineOptions(R"({"takeoverWaitSeconds":0})").takeoverWaitSeconds, 0);
  EXPECT_EQ(engineRefusal(R"({"takeoverWaitSeconds":86401})"),
            "config.takeoverWaitSeconds must be a number from 0 to 86400");
  EXPECT_EQ(engineRefusal(R"({"takeoverWaitSeconds":"5"})"),
            "config.takeoverWaitSeconds must be a number from 0 to 86400");
  EXPECT_EQ(engineRefusal(R"({"failoverAckSeconds":-1})"),
            "config.failoverAckSeconds must be a number from 0 to 864000");
  EXPECT_EQ(engineRefusal(R"({"failoverAckSeconds":"600"})"),
            "config.failoverAckSeconds must be a number from 0 to 864000");
}

TEST(EngineOptions, StaticClusters) {
  const EngineOptions o = parseEngineOptions(R"({"instancePollSeconds":0.1,"fencing":"none",
    "recoveryPeriodBlockSeconds":0,
    "staticClusters":[{"name":"a","hosts":["127.0.0.1:3306","db2:3307"],"user":"orc",
      "password":"p","replicationUser":"repl","replicationPassword":"r","readOnly":true}]})");
  EXPECT_EQ(o.pollInterval.count(), 100);
  EXPECT_FALSE(o.semiSyncFencing);
  EXPECT_DOUBLE_EQ(o.recoveryPeriodBlockSeconds, 0);
  ASSERT_EQ(o.staticClusters.size(), 1u);
  const StaticCluster& c = o.staticClusters[0];
  EXPECT_EQ(c.name, "a");
  EXPECT_EQ(c.hosts, (std::vector<std::string>{"127.0.0.1:3306", "db2:3307"}));
  EXPECT_EQ(c.user, "orc");
  EXPECT_EQ(c.password, "p");
  EXPECT_EQ(c.replicationUser, "repl");
  EXPECT_EQ(c.replicationPassword, "r");
  EXPECT_TRUE(c.readOnly);
}

TEST(EngineOptions, Refusals) {
  const std::string ok = R"("user":"u","replicationUser":"r")";
  EXPECT_EQ(engineRefusal("[]"), "config is not a JSON object");
  EXPECT_EQ(engineRefusal(R"({"instancePollSeconds":0.01})"),
            "config.instancePollSeconds must be a number from 0.05 to 3600");
  EXPECT_EQ(engineRefusal(R"({"failureDetectionGraceSeconds":"1"})"),
            "config.failureDetectionGraceSeconds must be a number from 0.1 to 3600");
  EXPECT_EQ(engineRefusal(R"({"fencing":"lease"})"),
            "config.fencing must be \"semi-sync\" or \"none\"");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":{}})"), "config.staticClusters must be a list");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"hosts":["a:1"],)" + ok + "}]}"),
            "config.staticClusters[0].name is required");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"name":"c","hosts":[],)" + ok + "}]}"),
            "config.staticClusters[0].hosts must be a non-empty list of \"host:port\"");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:1","a"],)" + ok + "}]}"),
            "config.staticClusters[0].hosts[1] must be \"host:port\"");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:70000"],)" + ok + "}]}"),
            "config.staticClusters[0].hosts[0] must be \"host:port\"");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:1","a:1"],)" + ok + "}]}"),
            "config.staticClusters[0].hosts[1] repeats a:1");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:1"],"user":"u"}]})"),
            "config.staticClusters[0].replicationUser is required");
  EXPECT_EQ(
      engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:1"],"pass":"x",)" + ok + "}]}"),
      "config.staticClusters[0].pass is not a setting of a static cluster (known: name, "
      "hosts, user, password, replicationUser, replicationPassword, readOnly)");
  EXPECT_EQ(
      engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:1"],"readOnly":1,)" + ok + "}]}"),
      "config.staticClusters[0].readOnly must be true or false");
  EXPECT_EQ(engineRefusal(R"({"staticClusters":[{"name":"c","hosts":["a:1"],)" + ok +
                          R"(},{"name":"c","hosts":["b:1"],)" + ok + "}]}"),
            "config.staticClusters[1].name repeats c");
}

}  // namespace
}  // namespace mysqlop::orchestrator
