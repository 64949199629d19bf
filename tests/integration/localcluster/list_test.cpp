// LIST: selectors, pagination over a consistent snapshot, resourceVersion semantics.
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

std::vector<std::string> names(const json& list) {
  std::vector<std::string> out;
  for (const auto& i : list["items"]) {
    out.push_back(i["metadata"]["name"]);
  }
  return out;
}

TEST_F(ApiTest, ListShapeAndSelectors) {
  for (auto [n, app] :
       std::vector<std::pair<std::string, std::string>>{{"a", "web"}, {"b", "db"}, {"c", "web"}}) {
    json cm = configMap(n);
    cm["metadata"]["labels"] = {{"app", app}};
    ASSERT_EQ(call("POST", kCmPath, cm).status, 201);
  }
  auto all = call("GET", kCmPath);
  ASSERT_EQ(all.status, 200);
  json l = all.json();
  EXPECT_EQ(l["kind"], "ConfigMapList");
  EXPECT_EQ(l["apiVersion"], "v1");
  EXPECT_EQ(l["metadata"]["resourceVersion"], rv());
  EXPECT_EQ(names(l), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(names(call("GET", std::string(kCmPath) + "?labelSelector=app%3Dweb").json()),
            (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(names(call("GET", std::string(kCmPath) + "?labelSelector=app+notin+(web)").json()),
            (std::vector<std::string>{"b"}));
  EXPECT_EQ(names(call("GET", std::string(kCmPath) + "?fieldSelector=metadata.name%3Db").json()),
            (std::vector<std::string>{"b"}));
  EXPECT_EQ(
      names(call("GET", "/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault").json()),
      (std::vector<std::string>{"a", "b", "c"}));
  auto badField = call("GET", std::string(kCmPath) + "?fieldSelector=spec.foo%3Dx");
  EXPECT_EQ(badField.status, 400);
  EXPECT_EQ(badField.json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"field label not supported: spec.foo","reason":"BadRequest",
      "code":400})"));
  auto badLabel = call("GET", std::string(kCmPath) + "?labelSelector=a%3D%3D%3Db");
  EXPECT_EQ(badLabel.status, 400);
  EXPECT_EQ(badLabel.json()["message"],
            "unable to parse requirement: found '=', expected: identifier");
  // Pods support more field selectors.
  EXPECT_EQ(call("GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning").status, 200);
}

TEST_F(ApiTest, PaginationServesAConsistentSnapshot) {
  for (const char* n : {"a", "b", "c", "d", "e"}) {
    ASSERT_EQ(call("POST", kCmPath, configMap(n)).status, 201);
  }
  auto p1 = call("GET", std::string(kCmPath) + "?limit=2").json();
  EXPECT_EQ(names(p1), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p1["metadata"]["remainingItemCount"], 3);
  std::string token = p1["metadata"]["continue"];
  std::string listRv = p1["metadata"]["resourceVersion"];
  // Changes after the first page do not show in the next ones.
  call("PATCH", std::string(kCmPath) + "/c", json::parse(R"({"data":{"k":"changed"}})"),
       "application/merge-patch+json");
  call("DELETE", std::string(kCmPath) + "/d");
  call("POST", kCmPath, configMap("bb"));
  auto p2 = call("GET", std::string(kCmPath) + "?limit=2&continue=" + token).json();
  EXPECT_EQ(names(p2), (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(p2["items"][0]["data"]["k"], "v");
  EXPECT_EQ(p2["metadata"]["resourceVersion"], listRv);
  auto p3 = call("GET", std::string(kCmPath) +
                            "?limit=2&continue=" + p2["metadata"]["continue"].get<std::string>())
                .json();
  EXPECT_EQ(names(p3), (std::vector<std::string>{"e"}));
  EXPECT_FALSE(p3["metadata"].contains("continue"));
  // resourceVersion=0 ignores limit (the watch cache behaviour client-go relies on).
  auto rv0 = call("GET", std::string(kCmPath) + "?limit=2&resourceVersion=0").json();
  EXPECT_EQ(rv0["items"].size(), 5u);
  EXPECT_FALSE(rv0["metadata"].contains("continue"));
  // Exact resourceVersion with limit: the state at that revision.
  auto exact = call("GET", std::string(kCmPath) + "?limit=10&resourceVersion=" + listRv).json();
  EXPECT_EQ(names(exact), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST_F(ApiTest, ListResourceVersionErrors) {
  call("POST", kCmPath, configMap("a"));
  auto withCont = call("GET", std::string(kCmPath) + "?continue=abc&resourceVersion=5");
  EXPECT_EQ(withCont.status, 400);
  EXPECT_EQ(withCont.json()["message"],
            "specifying resource version is not allowed when using continue");
  auto badToken = call("GET", std::string(kCmPath) + "?continue=bm90LWpzb24");
  EXPECT_EQ(badToken.status, 400);
  EXPECT_EQ(badToken.json()["message"],
            "continue key is not valid: incorrect encoded start resourceVersion (version "
            "meta.k8s.io/v1)");
  auto matchOnly = call("GET", std::string(kCmPath) + "?resourceVersionMatch=Exact");
  EXPECT_EQ(matchOnly.status, 400);
  EXPECT_EQ(matchOnly.json()["message"],
            "resourceVersionMatch is forbidden unless resourceVersion is provided");
  auto tooLarge = call("GET", std::string(kCmPath) + "?resourceVersion=99999999");
  EXPECT_EQ(tooLarge.status, 504);
  EXPECT_EQ(tooLarge.json()["message"],
            "Timeout: Too large resource version: 99999999, current: " + rv());
  EXPECT_EQ(tooLarge.json()["details"]["causes"][0]["reason"], "ResourceVersionTooLarge");
  EXPECT_EQ(tooLarge.header("Retry-After")[0], "1");
  std::string old = rv();
  call("POST", kCmPath, configMap("b"));
  ASSERT_TRUE(api_.compactHistory().ok());
  auto expired = call("GET", std::string(kCmPath) + "?limit=1&resourceVersion=" +
                                 std::to_string(std::stoull(old) - 1));
  EXPECT_EQ(expired.status, 410);
  EXPECT_EQ(expired.json(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
      "status":"Failure","message":"The resourceVersion for the provided list is too old.",
      "reason":"Expired","code":410})"));
  auto p1 = call("GET", std::string(kCmPath) + "?limit=1").json();
  call("POST", kCmPath, configMap("c"));
  ASSERT_TRUE(api_.compactHistory().ok());
  auto cont = call("GET", std::string(kCmPath) +
                              "?limit=1&continue=" + p1["metadata"]["continue"].get<std::string>());
  EXPECT_EQ(cont.status, 410);
  EXPECT_EQ(cont.json()["reason"], "Expired");
}

}  // namespace
}  // namespace mysqlop::local::it
