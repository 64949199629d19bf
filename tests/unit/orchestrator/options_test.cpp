#include "plugins/orchestrator/src/options.h"

#include <gtest/gtest.h>

#include "mysqlop/plugin.hpp"

namespace mysqlop::orchestrator {
namespace {

std::string refusal(const std::string& config) {
  try {
    parseOptions("{}", config);
  } catch (const mysqlop::ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(OrchestratorOptions, Defaults) {
  const Options o = parseOptions(R"({"orchestratorTopologyUser":"orc"})", "");
  EXPECT_EQ(o.pollInterval.count(), 5000);
  EXPECT_EQ(o.pollWorkers, 4);
  EXPECT_EQ(o.connectTimeout.count(), 1);
  EXPECT_EQ(o.queryTimeout.count(), 10);
  EXPECT_EQ(o.auditPath, "");
  EXPECT_EQ(o.auditRetentionDays, 7);
  EXPECT_EQ(parseOptions("{}", R"({"auditPath":"/data/a.db","auditRetentionDays":30})").auditPath,
            "/data/a.db");
  EXPECT_EQ(parseOptions("{}", R"({"instancePollSeconds":1})").pollInterval.count(), 1000);
  // Fractional polls (the failover engine's standalone mode).
  EXPECT_EQ(parseOptions("{}", R"({"instancePollSeconds":0.1})").pollInterval.count(), 100);
  // bitpoke's --orchestrator-concurrent-reconciles is the default of pollWorkers.
  EXPECT_EQ(parseOptions(R"({"orchestratorConcurrentReconciles":10})", "").pollWorkers, 10);
  EXPECT_EQ(parseOptions(R"({"orchestratorConcurrentReconciles":1000})", "").pollWorkers, 64);
  EXPECT_EQ(parseOptions(R"({"orchestratorConcurrentReconciles":10})", R"({"pollWorkers":2})")
                .pollWorkers,
            2);
}

TEST(OrchestratorOptions, Refusals) {
  EXPECT_EQ(refusal(R"({"instancePollSeconds":0})"),
            "config.instancePollSeconds must be a number from 0.05 to 3600");
  EXPECT_EQ(refusal(R"({"pollWorkers":"4"})"),
            "config.pollWorkers must be an integer from 1 to 64");
  EXPECT_EQ(
      refusal(R"({"instancePollSecond":5})"),
      "config.instancePollSecond is not a setting of this plugin (known: instancePollSeconds, "
      "pollWorkers, connectTimeoutSeconds, queryTimeoutSeconds, auditPath, auditRetentionDays, "
      "staticClusters, failureDetectionGraceSeconds, replicaLostSeconds, "
      "replicaHeartbeatSeconds, recoveryPeriodBlockSeconds, promotionWaitSeconds, fencing, "
      "kubeSemiSync, failoverAckSeconds, takeoverWaitSeconds)");
  EXPECT_EQ(refusal(R"({"auditPath":5})"), "config.auditPath must be a string");
  EXPECT_EQ(refusal(R"({"auditRetentionDays":0})"),
            "config.auditRetentionDays must be an integer from 1 to 3650");
}

}  // namespace
}  // namespace mysqlop::orchestrator
