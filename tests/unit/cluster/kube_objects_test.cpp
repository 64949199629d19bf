#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/common/kube/events.h"
#include "plugins/common/kube/labels.h"
#include "plugins/common/kube/names.h"
#include "plugins/common/kube/owner.h"
#include "plugins/common/kube/semantic.h"

namespace mysqlop::kube {
namespace {

using nlohmann::json;

const json kCluster = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                       {"kind", "MysqlCluster"},
                       {"metadata", {{"name", "c1"}, {"namespace", "ns"}, {"uid", "u-1"}}},
                       {"spec", {{"replicas", 2}}}};

TEST(Owner, BuildsAControllerReference) {
  EXPECT_EQ(controllerRef(kCluster), json({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                                           {"kind", "MysqlCluster"},
                                           {"name", "c1"},
                                           {"uid", "u-1"},
                                           {"controller", true},
                                           {"blockOwnerDeletion", true}}));
}

TEST(Owner, EnsuresOnceAndDetectsAnotherController) {
  json obj = {{"metadata", {{"name", "x"}}}};
  EXPECT_FALSE(isControlledBy(obj, "u-1"));
  EXPECT_TRUE(ensureOwnerRef(obj, controllerRef(kCluster)));
  EXPECT_TRUE(ensureOwnerRef(obj, controllerRef(kCluster)));
  EXPECT_EQ(obj["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_TRUE(isControlledBy(obj, "u-1"));
  EXPECT_TRUE(hasOwner(obj, "MysqlCluster", "c1"));
  EXPECT_FALSE(hasOwner(obj, "MysqlCluster", "c2"));

  json other = kCluster;
  other["metadata"]["uid"] = "u-2";
  EXPECT_FALSE(ensureOwnerRef(obj, controllerRef(other)));
  EXPECT_EQ(obj["metadata"]["ownerReferences"].size(), 1u);
}

TEST(Labels, SelectorAndMatching) {
  Labels l = {{"b", "2"}, {"a", "1"}};
  EXPECT_EQ(selectorString(l), "a=1,b=2");
  EXPECT_EQ(selectorString({}), "");
  json obj = {{"metadata", {{"labels", {{"a", "1"}, {"b", "2"}, {"c", "3"}}}}}};
  EXPECT_TRUE(hasLabels(obj, l));
  EXPECT_FALSE(hasLabels(obj, {{"a", "2"}}));
  EXPECT_FALSE(hasLabels(json({{"metadata", json::object()}}), l));
  EXPECT_EQ(labelsJson(l), json({{"a", "1"}, {"b", "2"}}));
}

TEST(Names, DnsLabelsSubdomainsAndLabelValues) {
  EXPECT_TRUE(isDnsLabel("my-cluster"));
  EXPECT_FALSE(isDnsLabel("My-cluster"));
  EXPECT_FALSE(isDnsLabel("-a"));
  EXPECT_FALSE(isDnsLabel(std::string(64, 'a')));
  EXPECT_TRUE(isDnsSubdomain("a.b-c.d"));
  EXPECT_FALSE(isDnsSubdomain("a..b"));
  EXPECT_TRUE(isLabelValue(""));
  EXPECT_TRUE(isLabelValue("5.7.35"));
  EXPECT_FALSE(isLabelValue("a b"));
  EXPECT_EQ(ordinalOf("c1-mysql-12", "c1-mysql"), 12);
  EXPECT_EQ(ordinalOf("data-c1-mysql-0", "data-c1-mysql"), 0);
  EXPECT_EQ(ordinalOf("c1-mysql-x", "c1-mysql"), std::nullopt);
  EXPECT_EQ(ordinalOf("c1-mysql", "c1-mysql"), std::nullopt);
  EXPECT_EQ(ordinalOf("c10-mysql-1", "c1-mysql"), std::nullopt);
}

TEST(Semantic, SubsetIgnoresDefaultedFieldsButNotChanges) {
  json desired = {{"spec", {{"ports", {{{"name", "mysql"}, {"port", 3306}}}}}}};
  json actual = {{"spec",
                  {{"clusterIP", "10.0.0.1"},
                   {"ports", {{{"name", "mysql"}, {"port", 3306}, {"protocol", "TCP"}}}}}}};
  EXPECT_TRUE(isSemanticSubset(desired, actual));
  actual["spec"]["ports"][0]["port"] = 3307;
  EXPECT_FALSE(isSemanticSubset(desired, actual));
  actual["spec"]["ports"] = json::array();
  EXPECT_FALSE(isSemanticSubset(desired, actual));
}

TEST(Semantic, QuantitiesCompareByValue) {
  EXPECT_TRUE(isSemanticSubset(json({{"memory", "1024Mi"}}), json({{"memory", "1Gi"}})));
  EXPECT_TRUE(isSemanticSubset(json({{"cpu", "1000m"}}), json({{"cpu", 1}})));
  EXPECT_FALSE(isSemanticSubset(json({{"cpu", "1"}}), json({{"cpu", "2"}})));
  EXPECT_FALSE(isSemanticSubset(json({{"image", "a"}}), json({{"image", "b"}})));
  // Empty values the server drops are not a difference.
  EXPECT_TRUE(
      isSemanticSubset(json({{"env", json::array()}, {"x", json::object()}}), json::object()));
}

TEST(Semantic, OverlayKeepsForeignFields) {
  json target = {{"metadata", {{"annotations", {{"theirs", "1"}}}}}, {"spec", {{"a", 1}}}};
  overlay(target, {{"metadata", {{"annotations", {{"ours", "2"}}}}}, {"spec", {{"list", {1, 2}}}}});
  EXPECT_EQ(target, json({{"metadata", {{"annotations", {{"theirs", "1"}, {"ours", "2"}}}}},
                          {"spec", {{"a", 1}, {"list", {1, 2}}}}}));
}

TEST(Events, ReferenceCarriesIdentityOnly) {
  EXPECT_EQ(objectReference(kCluster),
            json({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                  {"kind", "MysqlCluster"},
                  {"metadata", {{"name", "c1"}, {"namespace", "ns"}, {"uid", "u-1"}}}}));
}

}  // namespace
}  // namespace mysqlop::kube
