// The v3 -> v2 schema conversion (what a v2 client may reject must be gone) and the protobuf
// encoding's framing. kubectl 1.20 reading the encoding is tested in kubectl_v2_test.cpp.
#include "localcluster/apiserver/openapi_v2.h"

#include <gtest/gtest.h>

namespace mysqlop::local {
namespace {

using nlohmann::json;

TEST(OpenApiV2Schema, ReferencesPointIntoDefinitionsAndKeepOnlyTheirDescription) {
  json wrapped = {{"allOf", json::array({{{"$ref", "#/components/schemas/a.B"}}})},
                  {"default", json::object()},
                  {"description", "d"}};
  EXPECT_EQ(openApiV2Schema(wrapped), json({{"$ref", "#/definitions/a.B"}, {"description", "d"}}));
  EXPECT_EQ(openApiV2Schema({{"$ref", "#/components/schemas/a.B"}, {"type", "object"}}),
            json({{"$ref", "#/definitions/a.B"}}));
}

TEST(OpenApiV2Schema, KeepsPropertiesItemsAndConstraints) {
  json v3 = {{"type", "object"},
             {"required", {"a"}},
             {"properties",
              {{"a", {{"type", "integer"}, {"minimum", 1}, {"maximum", 5}}},
               {"b", {{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^x"}}}}},
               {"m", {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}}},
             {"x-kubernetes-group-version-kind", json::array({{{"kind", "K"}}})}};
  EXPECT_EQ(openApiV2Schema(v3), v3);
}

TEST(OpenApiV2Schema, DropsWhatV2CannotSayAndOpensWhatTheServerLeavesOpen) {
  json v3 = {{"type", "object"},
             {"properties",
              {{"one", {{"oneOf", json::array({{{"type", "string"}}})}, {"type", "string"}}},
               {"port", {{"x-kubernetes-int-or-string", true}, {"type", "string"}}},
               {"free",
                {{"type", "object"},
                 {"x-kubernetes-preserve-unknown-fields", true},
                 {"properties", {{"x", {{"type", "string"}}}}}}},
               {"maybe", {{"type", "object"}, {"nullable", true}, {"properties", json::object()}}},
               {"list", {{"type", "array"}}}}}};
  json v2 = openApiV2Schema(v3);
  EXPECT_EQ(v2["properties"]["one"], json({{"type", "string"}}));
  EXPECT_EQ(v2["properties"]["port"], json({{"x-kubernetes-int-or-string", true}}));
  EXPECT_EQ(v2["properties"]["free"],
            json({{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}));
  EXPECT_EQ(v2["properties"]["maybe"], json::object());
  EXPECT_EQ(v2["properties"]["list"], json::object()) << "an array without items is untyped";
}

TEST(OpenApiV2Encoding, StartsWithTheSwaggerVersionAndHoldsEachDefinitionName) {
  json doc = openApiV2Document({{"a.B", {{"type", "object"}, {"description", "x"}}}},
                               {{"/p/{name}", openApiV2PatchPath("g", "v1", "B", false)}});
  std::string pb = encodeOpenApiV2(doc);
  // Field 1 (swagger), wire type 2: key 0x0a, length 3, "2.0".
  ASSERT_GE(pb.size(), 5u);
  EXPECT_EQ(pb.substr(0, 5), std::string("\x0a\x03"
                                         "2.0",
                                         5));
  EXPECT_NE(pb.find("a.B"), std::string::npos);
  EXPECT_NE(pb.find("/p/{name}"), std::string::npos);
  EXPECT_NE(pb.find("dryRun"), std::string::npos);
  EXPECT_NE(pb.find(R"({"group":"g","kind":"B","version":"v1"})"), std::string::npos);
  EXPECT_EQ(pb.find("strategic-merge"), std::string::npos) << "a custom kind";
}

}  // namespace
}  // namespace mysqlop::local
