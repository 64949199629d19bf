// Custom resources served from an applied CRD: names, schema defaults and validation, status and
// scale subresources, generation, deletion.
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

const char* kCrd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
  "metadata":{"name":"dbs.test.example.com"},
  "spec":{"group":"test.example.com","scope":"Namespaced",
    "names":{"plural":"dbs","singular":"db","kind":"Db","listKind":"DbList","shortNames":["tdb"],
             "categories":["all"]},
    "versions":[{"name":"v1alpha1","served":true,"storage":true,
      "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas",
        "statusReplicasPath":".status.readyNodes","labelSelectorPath":".status.selector"}},
      "schema":{"openAPIV3Schema":{"type":"object","properties":{
        "spec":{"type":"object","required":["secretName"],"properties":{
          "replicas":{"type":"integer","minimum":0,"default":1},
          "secretName":{"type":"string","minLength":1},
          "engine":{"type":"string","enum":["mysql","mariadb"],"default":"mariadb"},
          "mysqlConf":{"type":"object","additionalProperties":{"x-kubernetes-int-or-string":true}}}},
        "status":{"type":"object","properties":{"readyNodes":{"type":"integer"},
          "selector":{"type":"string"}}}}}}}]}})";

class CrdTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    auto r =
        call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json::parse(kCrd));
    ASSERT_EQ(r.status, 201) << r.body;
    crd_ = r.json();
  }
  static json db(const std::string& name, const json& spec) {
    return {{"apiVersion", "test.example.com/v1alpha1"},
            {"kind", "Db"},
            {"metadata", {{"name", name}}},
            {"spec", spec}};
  }
  const std::string base_ = "/apis/test.example.com/v1alpha1/namespaces/default/dbs";
  json crd_;
};

TEST_F(CrdTest, CrdIsEstablishedAndServed) {
  json conds = crd_["status"]["conditions"];
  ASSERT_EQ(conds.size(), 2u);
  EXPECT_EQ(conds[0]["type"], "NamesAccepted");
  EXPECT_EQ(conds[1]["type"], "Established");
  EXPECT_EQ(conds[1]["status"], "True");
  EXPECT_EQ(crd_["status"]["acceptedNames"]["kind"], "Db");
  EXPECT_EQ(crd_["status"]["storedVersions"], json::array({"v1alpha1"}));
  auto rl = call("GET", "/apis/test.example.com/v1alpha1").json();
  EXPECT_EQ(rl["groupVersion"], "test.example.com/v1alpha1");
  std::vector<std::string> names;
  for (const auto& r : rl["resources"]) {
    names.push_back(r["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dbs", "dbs/status", "dbs/scale"}));
  EXPECT_EQ(rl["resources"][0]["shortNames"], json::array({"tdb"}));
}

TEST_F(CrdTest, DefaultsPruningAndGeneration) {
  auto c = call("POST", base_, db("a", {{"secretName", "s"}, {"unknownField", 1}}));
  ASSERT_EQ(c.status, 201) << c.body;
  json obj = c.json();
  EXPECT_EQ(obj["spec"], json::parse(R"({"secretName":"s","replicas":1,"engine":"mariadb"})"));
  EXPECT_EQ(obj["metadata"]["generation"], 1);
  auto list = call("GET", base_).json();
  EXPECT_EQ(list["kind"], "DbList");
  EXPECT_EQ(list["items"][0]["kind"], "Db");
  auto strict = call("POST", base_ + "?fieldValidation=Strict",
                     db("b", {{"secretName", "s"}, {"bogus", true}}));
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(strict.json()["message"],
            "Db in version \"v1alpha1\" cannot be handled as a Db: strict decoding error: unknown "
            "field \"spec.bogus\"");
  auto spec = call("PATCH", base_ + "/a", json::parse(R"({"spec":{"replicas":3}})"),
                   "application/merge-patch+json");
  EXPECT_EQ(spec.json()["metadata"]["generation"], 2);
  auto meta = call("PATCH", base_ + "/a", json::parse(R"({"metadata":{"labels":{"x":"y"}}})"),
                   "application/merge-patch+json");
  EXPECT_EQ(meta.json()["metadata"]["generation"], 2);
}

TEST_F(CrdTest, ValidationErrorsNameTheField) {
  auto r =
      call("POST", base_, db("bad", {{"secretName", ""}, {"replicas", -1}, {"engine", "oracle"}}));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["message"],
            "Db.test.example.com \"bad\" is invalid: [spec.engine: Unsupported value: "
            "\"oracle\": supported values: \"mysql\", \"mariadb\", spec.replicas: Invalid value: "
            "-1: spec.replicas in body should be greater than or equal to 0, spec.secretName: "
            "Invalid value: \"\": spec.secretName in body should be at least 1 chars long]");
  json causes = r.json()["details"]["causes"];
  ASSERT_EQ(causes.size(), 3u);
  EXPECT_EQ(causes[0]["field"], "spec.engine");
  EXPECT_EQ(causes[0]["reason"], "FieldValueNotSupported");
  EXPECT_EQ(causes[1]["field"], "spec.replicas");
  EXPECT_EQ(causes[1]["reason"], "FieldValueInvalid");
  auto missing = call("POST", base_, db("m", json::object()));
  EXPECT_EQ(missing.json()["message"],
            "Db.test.example.com \"m\" is invalid: spec.secretName: Required value");
  auto type = call("POST", base_, db("t", {{"secretName", "s"}, {"replicas", "three"}}));
  EXPECT_EQ(type.json()["message"],
            "Db.test.example.com \"t\" is invalid: spec.replicas: Invalid value: \"string\": "
            "spec.replicas in body must be of type integer: \"string\"");
  EXPECT_EQ(
      call("POST", base_, db("ios", {{"secretName", "s"}, {"mysqlConf", {{"a", 1}, {"b", "x"}}}}))
          .status,
      201);
}

TEST_F(CrdTest, StatusAndScaleSubresources) {
  json created = call("POST", base_, db("a", {{"secretName", "s"}, {"replicas", 2}})).json();
  EXPECT_FALSE(created.contains("status"));
  json withStatus = created;
  withStatus["status"] = {{"readyNodes", 2}, {"selector", "app=a"}};
  withStatus["spec"]["replicas"] = 9;
  auto s = call("PUT", base_ + "/a/status", withStatus);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.json()["status"]["readyNodes"], 2);
  EXPECT_EQ(s.json()["spec"]["replicas"], 2);  // spec ignored through /status
  EXPECT_EQ(s.json()["metadata"]["generation"], 1);
  auto scale = call("GET", base_ + "/a/scale").json();
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ(scale["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(scale["spec"]["replicas"], 2);
  EXPECT_EQ(scale["status"], json::parse(R"({"replicas":2,"selector":"app=a"})"));
  auto scaled = call("PATCH", base_ + "/a/scale", json::parse(R"({"spec":{"replicas":5}})"),
                     "application/merge-patch+json");
  ASSERT_EQ(scaled.status, 200) << scaled.body;
  EXPECT_EQ(scaled.json()["spec"]["replicas"], 5);
  json after = call("GET", base_ + "/a").json();
  EXPECT_EQ(after["spec"]["replicas"], 5);
  EXPECT_EQ(after["metadata"]["generation"], 2);
  auto neg = call("PATCH", base_ + "/a/scale", json::parse(R"({"spec":{"replicas":-1}})"),
                  "application/merge-patch+json");
  EXPECT_EQ(neg.status, 422);
  EXPECT_EQ(neg.json()["message"],
            "Scale.autoscaling \"a\" is invalid: spec.replicas: Invalid value: -1: must be greater "
            "than or equal to 0");
}

TEST_F(CrdTest, CustomResourceRules) {
  call("POST", base_, db("a", {{"secretName", "s"}}));
  auto smp = call("PATCH", base_ + "/a", json::parse(R"({"spec":{"replicas":2}})"),
                  "application/strategic-merge-patch+json");
  EXPECT_EQ(smp.status, 415);
  EXPECT_EQ(smp.json()["message"],
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, "
            "application/apply-patch+yaml");
  auto put = call("PUT", base_ + "/a", db("a", {{"secretName", "s"}}));
  EXPECT_EQ(put.status, 422);
  EXPECT_EQ(put.json()["message"],
            "Db.test.example.com \"a\" is invalid: metadata.resourceVersion: Invalid value: 0x0: "
            "must be specified for an update");
  auto nf = call("GET", base_ + "/zz");
  EXPECT_EQ(nf.json()["message"], "dbs.test.example.com \"zz\" not found");
}

TEST_F(CrdTest, DeletingTheCrdDeletesItsResources) {
  call("POST", base_, db("a", {{"secretName", "s"}}));
  call("POST", base_, db("b", {{"secretName", "s"}}));
  auto d = call("DELETE",
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/dbs.test.example.com");
  ASSERT_EQ(d.status, 200);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(call("GET",
                                      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                                      "dbs.test.example.com")
                                     .status == 404));
  auto gone = call("GET", base_);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.json()["message"], "the server could not find the requested resource");
  // Re-creating the CRD serves an empty collection: the old resources are gone.
  ASSERT_EQ(
      call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json::parse(kCrd))
          .status,
      201);
  EXPECT_EQ(call("GET", base_).json()["items"].size(), 0u);
}

TEST_F(CrdTest, InvalidCrdIsRejected) {
  json bad = json::parse(kCrd);
  bad["metadata"]["name"] = "wrong.example.com";
  bad["spec"]["scope"] = "Global";
  auto r = call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["message"],
            "CustomResourceDefinition.apiextensions.k8s.io \"wrong.example.com\" is invalid: "
            "[metadata.name: Invalid value: \"wrong.example.com\": must be "
            "spec.names.plural+\".\"+spec.group, spec.scope: Unsupported value: \"Global\": "
            "supported values: \"Cluster\", \"Namespaced\"]");
}

}  // namespace
}  // namespace mysqlop::local::it
