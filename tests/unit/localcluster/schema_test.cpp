#include "localcluster/apiserver/schema.h"

#include <gtest/gtest.h>

namespace mysqlop::local {
namespace {

using nlohmann::json;

const char* kSchema = R"({
  "type":"object",
  "properties":{
    "spec":{"type":"object","required":["secretName"],
      "properties":{
        "replicas":{"type":"integer","minimum":0,"maximum":9,"default":1},
        "secretName":{"type":"string","minLength":1,"maxLength":10,"pattern":"^[a-z0-9-]+$"},
        "policy":{"type":"string","enum":["soft","hard"]},
        "ratio":{"type":"number","exclusiveMinimum":true,"minimum":0},
        "port":{"x-kubernetes-int-or-string":true},
        "tags":{"type":"array","maxItems":2,"minItems":1,"items":{"type":"string"}},
        "labels":{"type":"object","additionalProperties":{"type":"string"}},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
        "nested":{"type":"object","default":{},"properties":{"a":{"type":"string","default":"x"}}},
        "opt":{"type":"string","nullable":true}}},
    "status":{"type":"object","properties":{"readyNodes":{"type":"integer"}}}}})";

std::vector<std::string> errors(const std::string& spec) {
  Schema s(json::parse(kSchema));
  std::vector<std::string> out;
  for (const auto& e : s.validate(json{{"spec", json::parse(spec)}})) {
    out.push_back(e.str());
  }
  return out;
}

TEST(Schema, ValidObjectHasNoErrors) {
  EXPECT_TRUE(errors(R"({"secretName":"s","replicas":3,"policy":"soft","port":"http",
                        "tags":["a"],"labels":{"a":"b"},"opt":null,"ratio":0.5})")
                  .empty());
  EXPECT_TRUE(errors(R"({"secretName":"s","port":3306})").empty());
}

TEST(Schema, ErrorMessagesNameTheField) {
  EXPECT_EQ(errors(R"({"secretName":"s","replicas":-1})"),
            std::vector<std::string>{"spec.replicas: Invalid value: -1: spec.replicas in body "
                                     "should be greater than or equal to 0"});
  EXPECT_EQ(errors(R"({"secretName":"s","replicas":10})"),
            std::vector<std::string>{"spec.replicas: Invalid value: 10: spec.replicas in body "
                                     "should be less than or equal to 9"});
  EXPECT_EQ(errors(R"({"secretName":"s","replicas":"two"})"),
            std::vector<std::string>{"spec.replicas: Invalid value: \"string\": spec.replicas in "
                                     "body must be of type integer: \"string\""});
  EXPECT_EQ(errors(R"({"secretName":"s","replicas":1.5})"),
            std::vector<std::string>{"spec.replicas: Invalid value: \"number\": spec.replicas in "
                                     "body must be of type integer: \"number\""});
  EXPECT_EQ(errors(R"({})"), std::vector<std::string>{"spec.secretName: Required value"});
  EXPECT_EQ(errors(R"({"secretName":"s","policy":"maybe"})"),
            std::vector<std::string>{
                "spec.policy: Unsupported value: \"maybe\": supported values: \"soft\", \"hard\""});
  EXPECT_EQ(errors(R"({"secretName":"Bad_Name"})"),
            std::vector<std::string>{"spec.secretName: Invalid value: \"Bad_Name\": "
                                     "spec.secretName in body should match '^[a-z0-9-]+$'"});
  EXPECT_EQ(errors(R"({"secretName":""})"),
            (std::vector<std::string>{
                "spec.secretName: Invalid value: \"\": spec.secretName in body should be at "
                "least 1 chars long",
                "spec.secretName: Invalid value: \"\": spec.secretName in body should match "
                "'^[a-z0-9-]+$'"}));
  EXPECT_EQ(errors(R"({"secretName":"abcdefghijk"})"),
            std::vector<std::string>{"spec.secretName: Too long: may not be longer than 10"});
  EXPECT_EQ(errors(R"({"secretName":"s","ratio":0})"),
            std::vector<std::string>{
                "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"});
  EXPECT_EQ(errors(R"({"secretName":"s","tags":["a","b","c"]})"),
            std::vector<std::string>{"spec.tags: Too many: 3: must have at most 2 items"});
  EXPECT_EQ(errors(R"({"secretName":"s","tags":[]})"),
            std::vector<std::string>{
                "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"});
  EXPECT_EQ(errors(R"({"secretName":"s","tags":[1]})"),
            std::vector<std::string>{"spec.tags[0]: Invalid value: \"integer\": spec.tags[0] in "
                                     "body must be of type string: \"integer\""});
  EXPECT_EQ(errors(R"({"secretName":"s","labels":{"a":1}})"),
            std::vector<std::string>{"spec.labels.a: Invalid value: \"integer\": spec.labels.a in "
                                     "body must be of type string: \"integer\""});
  EXPECT_EQ(errors(R"({"secretName":"s","port":true})"),
            std::vector<std::string>{"spec.port: Invalid value: \"boolean\": spec.port in body "
                                     "must be of type integer,string: \"boolean\""});
}

TEST(Schema, DefaultsFillAbsentFieldsRecursively) {
  Schema s(json::parse(kSchema));
  json obj = {{"spec", {{"secretName", "s"}}}};
  s.applyDefaults(obj);
  EXPECT_EQ(obj["spec"]["replicas"], 1);
  EXPECT_EQ(obj["spec"]["nested"], json::parse(R"({"a":"x"})"));
  json explicitZero = {{"spec", {{"secretName", "s"}, {"replicas", 0}}}};
  s.applyDefaults(explicitZero);
  EXPECT_EQ(explicitZero["spec"]["replicas"], 0);
}

TEST(Schema, PruneDropsUnknownFieldsAndReportsThem) {
  Schema s(json::parse(kSchema));
  json obj = json::parse(R"({"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},
      "spec":{"secretName":"s","bogus":1,"free":{"anything":{"goes":true}},"labels":{"k":"v"}},
      "extra":true})");
  auto unknown = s.prune(obj);
  EXPECT_EQ(unknown, (std::vector<std::string>{"spec.bogus", "extra"}));
  EXPECT_FALSE(obj["spec"].contains("bogus"));
  EXPECT_FALSE(obj.contains("extra"));
  EXPECT_EQ(obj["spec"]["free"], json::parse(R"({"anything":{"goes":true}})"));
  EXPECT_EQ(obj["metadata"]["name"], "n");
}

}  // namespace
}  // namespace mysqlop::local
