// Authentication, TLS material and the kubeconfig.
#include <fstream>
#include <sstream>

#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/kubectl.h"

namespace mysqlop::local::it {
namespace {

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(ApiTest, RequestsWithoutTheTokenGet401) {
  auto none = api_.request("GET", kCmPath, "", "application/json", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"));
  auto wrong = api_.request("GET", kCmPath, "", "application/json", "wrong-token");
  EXPECT_EQ(wrong->status, 401);
  auto admin = api_.request("GET", "/_local/status", "", "application/json", "");
  EXPECT_EQ(admin->status, 401);
  // /version and the health checks are public, as in a real cluster.
  auto version = api_.request("GET", "/version", "", "application/json", "");
  EXPECT_EQ(version->status, 200);
  EXPECT_EQ(version->json()["minor"], "30");
  EXPECT_EQ(api_.request("GET", "/healthz", "", "", "")->body, "ok");
}

TEST_F(ApiTest, TokenRotation) {
  ASSERT_TRUE(api_.setTokens({"new-token"}, false).ok());
  EXPECT_EQ(api_.request("GET", kCmPath, "", "application/json", "new-token")->status, 200);
  EXPECT_EQ(api_.request("GET", kCmPath)->status, 401);           // old token: API refused
  EXPECT_EQ(api_.request("GET", "/_local/status")->status, 200);  // ... but still admin
  ASSERT_TRUE(api_.setTokens({}, true).ok());
  EXPECT_EQ(api_.request("GET", kCmPath)->status, 200);
}

TEST_F(ApiTest, KubeconfigAndCertificates) {
  std::string kc = slurp(api_.kubeconfigPath());
  EXPECT_NE(kc.find("server: " + api_.baseUrl() + "\n"), std::string::npos);
  EXPECT_NE(kc.find("certificate-authority-data: "), std::string::npos);
  EXPECT_NE(kc.find("token: " + api_.token() + "\n"), std::string::npos);
  EXPECT_EQ(api_.baseUrl().rfind("https://127.0.0.1:", 0), 0u);
  // The serving certificate verifies against the CA with the SANs clients use.
  auto r = testing::runCommand({"/usr/bin/openssl", "verify", "-CAfile", api_.caFile(),
                                "-verify_ip", "127.0.0.1", api_.dataDir() + "/pki/apiserver.crt"});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  auto dns = testing::runCommand({"/usr/bin/openssl", "verify", "-CAfile", api_.caFile(),
                                  "-verify_hostname", "kubernetes.default.svc",
                                  api_.dataDir() + "/pki/apiserver.crt"});
  EXPECT_EQ(dns.exitCode, 0) << dns.out << dns.err;
  auto other = testing::runCommand({"/usr/bin/openssl", "verify", "-CAfile", api_.caFile(),
                                    "-verify_hostname", "example.com",
                                    api_.dataDir() + "/pki/apiserver.crt"});
  EXPECT_NE(other.exitCode, 0);
}

TEST_F(ApiTest, InsecureHttpMode) {
  api_.stop();
  LocalApiServer::Options o;
  o.insecureHttp = true;
  startServer(o);
  EXPECT_EQ(api_.baseUrl().rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(call("GET", kCmPath).status, 200);
  std::string kc = slurp(api_.kubeconfigPath());
  EXPECT_EQ(kc.find("certificate-authority-data"), std::string::npos);
  EXPECT_EQ(api_.request("GET", kCmPath, "", "application/json", "")->status, 401);
}

TEST_F(ApiTest, DiscoveryDocuments) {
  auto api = call("GET", "/api").json();
  EXPECT_EQ(api["kind"], "APIVersions");
  EXPECT_EQ(api["versions"], json::array({"v1"}));
  auto groups = call("GET", "/apis").json();
  EXPECT_EQ(groups["kind"], "APIGroupList");
  bool apps = false;
  for (const auto& g : groups["groups"]) {
    apps = apps || g["name"] == "apps";
  }
  EXPECT_TRUE(apps);
  auto appsV1 = call("GET", "/apis/apps/v1").json();
  json sts;
  json scale;
  for (const auto& r : appsV1["resources"]) {
    if (r["name"] == "statefulsets") sts = r;
    if (r["name"] == "statefulsets/scale") scale = r;
  }
  EXPECT_EQ(sts["shortNames"], json::array({"sts"}));
  EXPECT_EQ(sts["kind"], "StatefulSet");
  EXPECT_EQ(scale["group"], "autoscaling");
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ(call("GET", "/apis/apps").json()["preferredVersion"]["groupVersion"], "apps/v1");
  auto root = call("GET", "/openapi/v3").json();
  EXPECT_TRUE(root["paths"].contains("api/v1"));
  std::string url = root["paths"]["apis/apps/v1"]["serverRelativeURL"];
  auto doc = call("GET", url).json();
  EXPECT_EQ(doc["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"]
               ["x-kubernetes-group-version-kind"]["kind"],
            "StatefulSet");
  // OpenAPI v2 (JSON here; kubectl <= 1.26 asks for protobuf, kubectl_v2_test.cpp): the patch
  // operations with their dryRun parameter, no built-in definition (openapi_v2.h).
  auto v2 = call("GET", "/openapi/v2");
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_EQ(v2.json()["swagger"], "2.0");
  EXPECT_EQ(v2.json()["paths"]["/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}"]["patch"]
                     ["parameters"][0]["name"],
            "dryRun");
  EXPECT_TRUE(v2.json()["definitions"].contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  EXPECT_FALSE(v2.json()["definitions"].contains("io.k8s.api.apps.v1.StatefulSet"));
  auto below = call("GET", "/openapi/v2/apps");
  EXPECT_EQ(below.status, 404);
  EXPECT_EQ(below.json()["message"], "the server could not find the requested resource");
  auto post = call("POST", "/openapi/v2", std::string("{}"));
  EXPECT_EQ(post.status, 405) << post.body;
  EXPECT_EQ(post.json()["message"],
            "the server does not allow this method on the requested resource");
}

}  // namespace
}  // namespace mysqlop::local::it
