// Restart persistence: objects, resourceVersions, CRDs and watch history survive.
#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/watch_client.h"

namespace mysqlop::local::it {
namespace {

TEST_F(ApiTest, ObjectsAndResourceVersionsSurviveARestart) {
  json a = call("POST", kCmPath, configMap("a")).json();
  json b = call("POST", kCmPath, configMap("b")).json();
  call("DELETE", std::string(kCmPath) + "/b");
  std::string before = rv();
  std::uint16_t port = api_.port();
  std::string token = api_.token();
  auto restarted = api_.restart();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  EXPECT_EQ(api_.port(), port);
  EXPECT_EQ(api_.token(), token);
  EXPECT_EQ(rv(), before);
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/a").json(), a);
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/b").status, 404);
  json c = call("POST", kCmPath, configMap("c")).json();
  EXPECT_GT(std::stoull(c["metadata"]["resourceVersion"].get<std::string>()), std::stoull(before));
  // The watch history survives too: a watch from before the restart replays the changes.
  testing::WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=true&resourceVersion=" +
                     a["metadata"]["resourceVersion"].get<std::string>())
                  .ok());
  EXPECT_EQ(w.next(20000)["object"]["metadata"]["name"], "b");
  EXPECT_EQ(w.next(20000)["type"], "DELETED");
  EXPECT_EQ(w.next(20000)["object"]["metadata"]["name"], "c");
}

TEST_F(ApiTest, StateSurvivesACrash) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(call("POST", kCmPath, configMap("c" + std::to_string(i))).status, 201);
  }
  std::string before = rv();
  api_.kill();
  ASSERT_TRUE(api_.restart().ok());
  EXPECT_EQ(rv(), before);
  EXPECT_EQ(call("GET", kCmPath).json()["items"].size(), 50u);
}

TEST_F(ApiTest, CrdsAreServedAfterARestart) {
  json crd =
      json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced",
      "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
      "versions":[{"name":"v1","served":true,"storage":true,
        "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  ASSERT_EQ(call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status,
            201);
  json w = {{"apiVersion", "example.com/v1"},
            {"kind", "Widget"},
            {"metadata", {{"name", "w1"}}},
            {"spec", {{"size", 3}}}};
  ASSERT_EQ(call("POST", "/apis/example.com/v1/namespaces/default/widgets", w).status, 201);
  ASSERT_TRUE(api_.restart().ok());
  auto g = call("GET", "/apis/example.com/v1/namespaces/default/widgets/w1");
  ASSERT_EQ(g.status, 200);
  EXPECT_EQ(g.json()["spec"]["size"], 3);
  EXPECT_EQ(call("GET", "/apis/example.com/v1").json()["resources"][0]["name"], "widgets");
}

TEST_F(ApiTest, HistoryLimitBoundsTheWatchWindow) {
  LocalApiServer::Options o;
  o.extraArgs = {"--history-limit", "5"};
  api_.stop();
  startServer(o);
  std::string start = rv();
  for (int i = 0; i < 10; ++i) {
    call("POST", kCmPath, configMap("h" + std::to_string(i)));
  }
  auto s = api_.status().value();
  EXPECT_EQ(s["historySize"], 5);
  testing::WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + start).ok());
  EXPECT_EQ(w.next(20000)["object"]["code"], 410);
}

}  // namespace
}  // namespace mysqlop::local::it
