// Built-in subresources: StatefulSet scale and status, namespaces/finalize.
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

TEST_F(ApiTest, StatefulSetScale) {
  json sts = json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  std::string base = "/apis/apps/v1/namespaces/default/statefulsets";
  json created = call("POST", base, sts).json();
  auto scale = call("GET", base + "/web/scale").json();
  EXPECT_EQ(
      scale,
      json::parse(R"({"kind":"Scale","apiVersion":"autoscaling/v1",
    "metadata":{"name":"web","namespace":"default","uid":")" +
                  created["metadata"]["uid"].get<std::string>() + R"(","resourceVersion":")" +
                  created["metadata"]["resourceVersion"].get<std::string>() +
                  R"(","creationTimestamp":")" +
                  created["metadata"]["creationTimestamp"].get<std::string>() +
                  R"("},"spec":{"replicas":2},"status":{"replicas":0,"selector":"app=web"}})"));
  scale["spec"]["replicas"] = 4;
  auto put = call("PUT", base + "/web/scale", scale);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["spec"]["replicas"], 4);
  auto stale = call("PUT", base + "/web/scale", scale);  // old resourceVersion
  EXPECT_EQ(stale.status, 409);
  json obj = call("GET", base + "/web").json();
  EXPECT_EQ(obj["spec"]["replicas"], 4);
  EXPECT_EQ(obj["metadata"]["generation"], 2);
}

TEST_F(ApiTest, StatusSubresourceMissingOnKindsWithoutIt) {
  call("POST", kCmPath, configMap("a"));
  auto r = call("GET", std::string(kCmPath) + "/a/status");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["message"], "the server could not find the requested resource");
}

TEST_F(ApiTest, NamespaceFinalize) {
  call("POST", "/api/v1/namespaces",
       json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"fin"}})"));
  auto ns = call("GET", "/api/v1/namespaces/fin").json();
  EXPECT_EQ(ns["spec"]["finalizers"], json::array({"kubernetes"}));
  ns["spec"]["finalizers"] = json::array();
  auto f = call("PUT", "/api/v1/namespaces/fin/finalize", ns);
  ASSERT_EQ(f.status, 200) << f.body;
  EXPECT_EQ(f.json()["spec"]["finalizers"], json::array());
}

const char* kPods = "/api/v1/namespaces/default/pods";

json pod(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}}},
          {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}}}}}}};
}

json binding(const std::string& name, const json& target) {
  return {{"apiVersion", "v1"},
          {"kind", "Binding"},
          {"metadata", {{"name", name}}},
          {"target", target}};
}

TEST_F(ApiTest, PodBindingSetsTheNode) {
  json created = call("POST", kPods, pod("p")).json();
  const std::string path = std::string(kPods) + "/p/binding";
  json b = binding("p", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-1"}});
  b["metadata"]["annotations"] = {{"scheduler.example/score", "7"}};
  b["metadata"]["uid"] = created["metadata"]["uid"];
  auto r = call("POST", path, b);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json(), json({{"kind", "Status"},
                            {"apiVersion", "v1"},
                            {"metadata", json::object()},
                            {"status", "Success"},
                            {"code", 201}}));
  json bound = call("GET", std::string(kPods) + "/p").json();
  EXPECT_EQ(bound["spec"]["nodeName"], "node-1");
  EXPECT_EQ(bound["metadata"]["annotations"]["scheduler.example/score"], "7");
  ASSERT_EQ(bound["status"]["conditions"].size(), 1u);
  EXPECT_EQ(bound["status"]["conditions"][0]["type"], "PodScheduled");
  EXPECT_EQ(bound["status"]["conditions"][0]["status"], "True");
  EXPECT_EQ(bound["status"]["phase"], "Pending");

  // Bound already: 409, as kube-apiserver words it.
  auto again = call("POST", path, binding("p", {{"kind", "Node"}, {"name", "node-2"}}));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["reason"], "Conflict");
  EXPECT_EQ(again.json()["message"],
            "Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to "
            "node \"node-1\"");
  EXPECT_EQ(call("GET", std::string(kPods) + "/p").json()["spec"]["nodeName"], "node-1");
}

TEST_F(ApiTest, PodBindingRefusals) {
  auto absent = call("POST", std::string(kPods) + "/nope/binding",
                     binding("nope", {{"kind", "Node"}, {"name", "n"}}));
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(absent.json()["message"], "pods \"nope\" not found");

  call("POST", kPods, pod("p"));
  const std::string path = std::string(kPods) + "/p/binding";
  auto otherName = call("POST", path, binding("q", {{"kind", "Node"}, {"name", "n"}}));
  EXPECT_EQ(otherName.status, 400);
  EXPECT_EQ(otherName.json()["message"], "name in URL does not match name in Binding object");

  auto noTarget = call("POST", path, binding("p", json::object()));
  EXPECT_EQ(noTarget.status, 500);
  EXPECT_EQ(noTarget.json()["message"], "target.name: Required value");

  auto notNode = call("POST", path, binding("p", {{"kind", "Pod"}, {"name", "n"}}));
  EXPECT_EQ(notNode.status, 500);
  EXPECT_EQ(notNode.json()["message"],
            "target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"");

  json wrongUid = binding("p", {{"kind", "Node"}, {"name", "n"}});
  wrongUid["metadata"]["uid"] = "not-the-uid";
  auto uid = call("POST", path, wrongUid);
  EXPECT_EQ(uid.status, 409);
  json p = call("GET", std::string(kPods) + "/p").json();
  EXPECT_EQ(uid.json()["message"],
            "Operation cannot be fulfilled on pods/binding \"p\": Precondition failed: UID in "
            "precondition: not-the-uid, UID in object meta: " +
                p["metadata"]["uid"].get<std::string>());

  EXPECT_EQ(call("GET", path).status, 405);
  EXPECT_EQ(call("POST", path, std::string("{")).status, 400);

  // A pod being deleted cannot be bound.
  json held = pod("held");
  held["metadata"]["finalizers"] = {"x.io/hold"};
  call("POST", kPods, held);
  call("DELETE", std::string(kPods) + "/held");
  auto deleting =
      call("POST", std::string(kPods) + "/held/binding", binding("held", {{"name", "n"}}));
  EXPECT_EQ(deleting.status, 409);
  EXPECT_EQ(deleting.json()["message"],
            "Operation cannot be fulfilled on pods/binding \"held\": pod held is being deleted, "
            "cannot be assigned to a host");
  EXPECT_EQ(call("GET", std::string(kPods) + "/p").json()["spec"].count("nodeName"), 0u);
}

}  // namespace
}  // namespace mysqlop::local::it
