#include <gtest/gtest.h>

#include "localcluster/apiserver/patch.h"

namespace mysqlop::local {
namespace {

using nlohmann::json;

json smp(const std::string& orig, const std::string& patch) {
  auto r = applyStrategicMergePatch(json::parse(orig), json::parse(patch));
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? r.value() : json();
}

TEST(StrategicMerge, MergeKeys) {
  EXPECT_EQ(strategicMergeKey({"spec", "template", "spec", "containers"}), "name");
  EXPECT_EQ(strategicMergeKey({"spec", "template", "spec", "containers", "ports"}),
            "containerPort");
  EXPECT_EQ(strategicMergeKey({"spec", "ports"}), "port");
  EXPECT_EQ(strategicMergeKey({"spec", "containers", "volumeMounts"}), "mountPath");
  EXPECT_EQ(strategicMergeKey({"status", "conditions"}), "type");
  EXPECT_EQ(strategicMergeKey({"metadata", "finalizers"}), "$primitive");
  EXPECT_EQ(strategicMergeKey({"metadata", "ownerReferences"}), "uid");
  EXPECT_EQ(strategicMergeKey({"spec", "template", "spec", "containers", "args"}), "");
  EXPECT_EQ(strategicMergeKey({"spec", "volumeClaimTemplates"}), "");
}

TEST(StrategicMerge, ContainersMergeByNameAndEnvByName) {
  json r = smp(
      R"({"spec":{"template":{"spec":{"containers":[
          {"name":"a","image":"nginx:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]},
          {"name":"b","image":"busybox"}]}}}})",
      R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],
          "containers":[{"$setElementOrder/env":[{"name":"X"},{"name":"Z"}],
                         "env":[{"name":"Z","value":"3"},{"$patch":"delete","name":"Y"}],
                         "image":"nginx:2","name":"a"},
                        {"$patch":"delete","name":"b"}]}}}})");
  EXPECT_EQ(r, json::parse(R"({"spec":{"template":{"spec":{"containers":[
          {"name":"a","image":"nginx:2","env":[{"name":"X","value":"1"},{"name":"Z","value":"3"}]}]}}}})"));
}

TEST(StrategicMerge, SetElementOrderReorders) {
  json r = smp(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
               R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],
                           "containers":[{"name":"a","image":"x"}]}})");
  EXPECT_EQ(r["spec"]["containers"], json::parse(R"([{"name":"b"},{"name":"a","image":"x"}])"));
}

TEST(StrategicMerge, AtomicListsAreReplaced) {
  json r = smp(R"({"spec":{"containers":[{"name":"a","args":["1","2"]}]}})",
               R"({"spec":{"containers":[{"name":"a","args":["3"]}]}})");
  EXPECT_EQ(r["spec"]["containers"][0]["args"], json::parse(R"(["3"])"));
}

TEST(StrategicMerge, FinalizersAreASetAndDeleteFromPrimitiveList) {
  json r =
      smp(R"({"metadata":{"finalizers":["a","b"]}})", R"({"metadata":{"finalizers":["c","a"]}})");
  EXPECT_EQ(r["metadata"]["finalizers"], json::parse(R"(["a","b","c"])"));
  json d = smp(R"({"metadata":{"finalizers":["a","b"]}})",
               R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  EXPECT_EQ(d["metadata"]["finalizers"], json::parse(R"(["b"])"));
  json n = smp(R"({"metadata":{"finalizers":["a"]}})", R"({"metadata":{"finalizers":null}})");
  EXPECT_FALSE(n["metadata"].contains("finalizers"));
}

TEST(StrategicMerge, ReplaceAndDeleteDirectivesOnMaps) {
  json r = smp(R"({"spec":{"selector":{"a":"1","b":"2"},"keep":1}})",
               R"({"spec":{"selector":{"$patch":"replace","c":"3"}}})");
  EXPECT_EQ(r, json::parse(R"({"spec":{"selector":{"c":"3"},"keep":1}})"));
  json d = smp(R"({"spec":{"selector":{"a":"1"},"keep":1}})",
               R"({"spec":{"selector":{"$patch":"delete"}}})");
  EXPECT_EQ(d, json::parse(R"({"spec":{"keep":1}})"));
}

TEST(StrategicMerge, ReplaceDirectiveInList) {
  json r = smp(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
               R"({"spec":{"containers":[{"name":"c"},{"$patch":"replace"}]}})");
  EXPECT_EQ(r["spec"]["containers"], json::parse(R"([{"name":"c"}])"));
}

TEST(StrategicMerge, RetainKeys) {
  json r = smp(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
               R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})");
  EXPECT_EQ(r["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));
}

TEST(StrategicMerge, ServicePortsByPortAndConditionsByType) {
  json r = smp(R"({"spec":{"ports":[{"port":80,"name":"http"},{"port":443}]}})",
               R"({"spec":{"ports":[{"port":80,"name":"web"}]}})");
  EXPECT_EQ(r["spec"]["ports"], json::parse(R"([{"port":80,"name":"web"},{"port":443}])"));
  json c = smp(
      R"({"status":{"conditions":[{"type":"Ready","status":"False"}]}})",
      R"({"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","status":"True"}]}})");
  EXPECT_EQ(c["status"]["conditions"],
            json::parse(R"([{"type":"Ready","status":"True"},{"type":"X","status":"True"}])"));
}

TEST(StrategicMerge, Errors) {
  auto noKey = applyStrategicMergePatch(json::parse(R"({"spec":{"containers":[]}})"),
                                        json::parse(R"({"spec":{"containers":[{"image":"x"}]}})"));
  ASSERT_FALSE(noKey.ok());
  EXPECT_EQ(noKey.error().message,
            "map: {\"image\":\"x\"} does not contain declared merge key: name");
  auto badDirective = applyStrategicMergePatch(json::object(), json::parse(R"({"$frob":1})"));
  EXPECT_EQ(badDirective.error().message, "unknown directive: $frob");
  auto badPatch =
      applyStrategicMergePatch(json::object(), json::parse(R"({"a":{"$patch":"zap"}})"));
  EXPECT_EQ(badPatch.error().message, "Unknown patch type: zap in map: {\"$patch\":\"zap\"}");
  EXPECT_EQ(applyStrategicMergePatch(json::object(), json::array()).error().message,
            "strategic merge patch must be a JSON object");
}

}  // namespace
}  // namespace mysqlop::local
