#include "localcluster/apiserver/patch.h"

#include <gtest/gtest.h>

namespace mysqlop::local {
namespace {

using nlohmann::json;

TEST(MergePatch, MergesObjectsReplacesArraysNullDeletes) {
  json orig = json::parse(R"({"a":{"b":1,"c":2},"l":[1,2],"x":"y"})");
  auto r = applyMergePatch(orig, json::parse(R"({"a":{"b":null,"d":3},"l":[3],"x":null})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), json::parse(R"({"a":{"c":2,"d":3},"l":[3]})"));
}

TEST(MergePatch, RejectsNonObject) {
  auto r = applyMergePatch(json::object(), json::array());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "merge patch must be a JSON object");
}

TEST(JsonPatch, AppliesOperations) {
  json orig = json::parse(R"({"spec":{"replicas":1,"list":["a"]}})");
  auto r = applyJsonPatch(orig, json::parse(R"([
    {"op":"test","path":"/spec/replicas","value":1},
    {"op":"replace","path":"/spec/replicas","value":3},
    {"op":"add","path":"/spec/list/-","value":"b"},
    {"op":"copy","from":"/spec/replicas","path":"/spec/copy"},
    {"op":"move","from":"/spec/copy","path":"/spec/moved"},
    {"op":"remove","path":"/spec/list/0"}])"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), json::parse(R"({"spec":{"replicas":3,"list":["b"],"moved":3}})"));
}

TEST(JsonPatch, FailedTestIsAConflict) {
  auto r = applyJsonPatch(json::parse(R"({"a":1})"),
                          json::parse(R"([{"op":"test","path":"/a","value":2}])"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::Conflict);
  auto missing =
      applyJsonPatch(json::parse(R"({"a":1})"), json::parse(R"([{"op":"remove","path":"/b"}])"));
  EXPECT_EQ(missing.code(), Errc::Conflict);
}

TEST(JsonPatch, MalformedPatchIsInvalid) {
  EXPECT_EQ(applyJsonPatch(json::object(), json::object()).error().message,
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  EXPECT_EQ(
      applyJsonPatch(json::object(), json::parse(R"([{"op":"frob","path":"/a"}])")).error().message,
      "Unexpected kind: frob");
  EXPECT_EQ(applyJsonPatch(json::object(), json::parse(R"([{"path":"/a"}])")).error().message,
            "unexpected kind of JSON patch operation");
  EXPECT_EQ(
      applyJsonPatch(json::object(), json::parse(R"([{"op":"add","value":1}])")).error().message,
      "operation missing path: {\"op\":\"add\",\"value\":1}");
}

}  // namespace
}  // namespace mysqlop::local
