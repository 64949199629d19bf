#include "localcluster/apiserver/apply.h"

#include <gtest/gtest.h>

namespace mysqlop::local {
namespace {

using nlohmann::json;

json apply(const json* current, const std::string& applied, const std::string& manager,
           bool force = false) {
  ApplyRequest r;
  r.current = current;
  r.applied = json::parse(applied);
  r.manager = manager;
  r.force = force;
  r.apiVersion = "v1";
  r.now = "2024-05-01T12:00:00Z";
  return serverSideApply(r);
}

TEST(ServerSideApply, CreatesAndRecordsOwnership) {
  json obj = apply(nullptr, R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c",
                               "labels":{"a":"1"}},"data":{"k":"v"}})",
                   "mgr");
  EXPECT_EQ(obj["data"]["k"], "v");
  ASSERT_EQ(obj["metadata"]["managedFields"].size(), 1u);
  const json& e = obj["metadata"]["managedFields"][0];
  EXPECT_EQ(e["manager"], "mgr");
  EXPECT_EQ(e["operation"], "Apply");
  EXPECT_EQ(e["fieldsV1"],
            json::parse(R"({"f:data":{"f:k":{}},"f:metadata":{"f:labels":{"f:a":{}}}})"));
}

TEST(ServerSideApply, RemovesFieldsTheManagerNoLongerApplies) {
  json obj = apply(nullptr, R"({"metadata":{"name":"c"},"data":{"k":"v","gone":"x"}})", "mgr");
  obj = apply(&obj, R"({"metadata":{"name":"c"},"data":{"k":"v2"}})", "mgr");
  EXPECT_EQ(obj["data"], json::parse(R"({"k":"v2"})"));
}

TEST(ServerSideApply, ConflictWithAnotherManagerUnlessForced) {
  json obj = apply(nullptr, R"({"metadata":{"name":"c"},"spec":{"replicas":1}})", "first");
  try {
    apply(&obj, R"({"metadata":{"name":"c"},"spec":{"replicas":3}})", "second");
    FAIL() << "expected a conflict";
  } catch (const ApiException& e) {
    EXPECT_EQ(e.error().code, 409);
    EXPECT_EQ(e.error().message,
              "Apply failed with 1 conflict: conflict with \"first\": .spec.replicas");
    EXPECT_EQ(e.error().details["causes"][0]["reason"], "FieldManagerConflict");
    EXPECT_EQ(e.error().details["causes"][0]["field"], ".spec.replicas");
  }
  json forced = apply(&obj, R"({"metadata":{"name":"c"},"spec":{"replicas":3}})", "second", true);
  EXPECT_EQ(forced["spec"]["replicas"], 3);
  // The first manager lost the field: applying without it no longer removes it.
  json after = apply(&forced, R"({"metadata":{"name":"c"}})", "first");
  EXPECT_EQ(after["spec"]["replicas"], 3);
}

TEST(ServerSideApply, SameValueIsNoConflictAndSharedFieldSurvives) {
  json obj = apply(nullptr, R"({"metadata":{"name":"c"},"data":{"k":"v"}})", "a");
  obj = apply(&obj, R"({"metadata":{"name":"c"},"data":{"k":"v"}})", "b");
  obj = apply(&obj, R"({"metadata":{"name":"c"}})", "a");
  EXPECT_EQ(obj["data"]["k"], "v");  // still owned by b
}

TEST(ServerSideApply, RepeatedApplyKeepsTheEntryTime) {
  json obj = apply(nullptr, R"({"metadata":{"name":"c"},"data":{"k":"v"}})", "a");
  ApplyRequest r;
  r.current = &obj;
  r.applied = json::parse(R"({"metadata":{"name":"c"},"data":{"k":"v"}})");
  r.manager = "a";
  r.apiVersion = "v1";
  r.now = "2030-01-01T00:00:00Z";
  json again = serverSideApply(r);
  EXPECT_EQ(again, obj);
}

}  // namespace
}  // namespace mysqlop::local
