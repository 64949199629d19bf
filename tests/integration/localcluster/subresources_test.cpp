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

}  // namespace
}  // namespace mysqlop::local::it
