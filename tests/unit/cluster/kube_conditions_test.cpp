#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/time.h"

namespace mysqlop::kube {
namespace {

using nlohmann::json;

TEST(Conditions, AddsANewConditionWithTransitionTime) {
  json conds;
  EXPECT_TRUE(setCondition(conds, {"Ready", "False", "StatefulSetNotReady", "not ready"}, "T1"));
  ASSERT_EQ(conds.size(), 1u);
  EXPECT_EQ(conds[0], json({{"type", "Ready"},
                            {"status", "False"},
                            {"lastTransitionTime", "T1"},
                            {"reason", "StatefulSetNotReady"},
                            {"message", "not ready"}}));
}

TEST(Conditions, KeepsTransitionTimeUnlessStatusFlips) {
  json conds;
  setCondition(conds, {"Ready", "False", "A", "a"}, "T1");
  EXPECT_FALSE(setCondition(conds, {"Ready", "False", "A", "a"}, "T2"));
  EXPECT_TRUE(setCondition(conds, {"Ready", "False", "B", "b"}, "T3"));
  EXPECT_EQ(conds[0]["lastTransitionTime"], "T1");
  EXPECT_EQ(conds[0]["reason"], "B");
  EXPECT_TRUE(setCondition(conds, {"Ready", "True", "ClusterReady", "ok"}, "T4"));
  EXPECT_EQ(conds[0]["lastTransitionTime"], "T4");
  EXPECT_EQ(conditionStatus(conds, "Ready"), "True");
  EXPECT_EQ(conditionStatus(conds, "ReadOnly"), "");
  EXPECT_EQ(findCondition(conds, "Nope"), nullptr);
}

TEST(Conditions, MaintainsLastUpdateTimeWhenAsked) {
  json conds;
  ConditionOptions o;
  o.lastUpdateTime = true;
  setCondition(conds, {"Ready", "True", "ProvisionSucceeded", "x"}, "T1", o);
  setCondition(conds, {"Ready", "True", "ProvisionSucceeded", "y"}, "T2", o);
  EXPECT_EQ(conds[0]["lastTransitionTime"], "T1");
  EXPECT_EQ(conds[0]["lastUpdateTime"], "T2");
}

TEST(Conditions, SeveralTypesLiveSideBySide) {
  json conds = json::array();
  setCondition(conds, {"Ready", "True", "r", ""}, "T1");
  setCondition(conds, {"ReadOnly", "False", "w", ""}, "T1");
  setCondition(conds, {"Ready", "False", "r2", ""}, "T2");
  ASSERT_EQ(conds.size(), 2u);
  EXPECT_EQ(conditionStatus(conds, "ReadOnly"), "False");
  EXPECT_EQ(conditionStatus(conds, "Ready"), "False");
}

TEST(Time, FormatsRfc3339Utc) {
  EXPECT_EQ(formatTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatTime(1714564800), "2024-05-01T12:00:00Z");
  EXPECT_EQ(nowTime().size(), 20u);
}

}  // namespace
}  // namespace mysqlop::kube
