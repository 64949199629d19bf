// The admin fault-injection paths.
#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/watch_client.h"

namespace mysqlop::local::it {
namespace {

TEST_F(ApiTest, FailNextWritesWithConflictOrInternalError) {
  call("POST", kCmPath, configMap("a"));
  ASSERT_TRUE(api_.failNextWrites(2, 409).ok());
  auto r1 = call("PATCH", std::string(kCmPath) + "/a", json::parse(R"({"data":{"k":"1"}})"),
                 "application/merge-patch+json");
  EXPECT_EQ(r1.status, 409);
  EXPECT_EQ(r1.json()["message"],
            "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; "
            "please apply your changes to the latest version and try again");
  EXPECT_EQ(call("POST", kCmPath, configMap("b")).status, 409);
  EXPECT_EQ(call("GET", std::string(kCmPath) + "/b").status, 404);  // nothing written
  EXPECT_EQ(call("POST", kCmPath, configMap("b")).status, 201);     // the faults are used up

  ASSERT_TRUE(api_.failNextWrites(1, 500, "secrets").ok());
  EXPECT_EQ(call("POST", kCmPath, configMap("c")).status, 201);  // another resource: untouched
  auto s = call("POST", "/api/v1/namespaces/default/secrets",
                json::parse(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}})"));
  EXPECT_EQ(s.status, 500);
  EXPECT_EQ(s.json()["message"], "Internal error occurred: injected fault");
  EXPECT_EQ(s.json()["reason"], "InternalError");
}

TEST_F(ApiTest, ExpireNextWatches) {
  ASSERT_TRUE(api_.expireNextWatches(1).ok());
  testing::WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + rv()).ok());
  json e = w.next(20000);
  EXPECT_EQ(e["type"], "ERROR");
  EXPECT_EQ(e["object"]["code"], 410);
  EXPECT_EQ(e["object"]["reason"], "Expired");
  testing::WatchClient next(api_);
  ASSERT_TRUE(next.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + rv()).ok());
  call("POST", kCmPath, configMap("x"));
  EXPECT_EQ(next.next(20000)["type"], "ADDED");
}

TEST_F(ApiTest, CloseWatchesEndsEveryStream) {
  testing::WatchClient a(api_);
  testing::WatchClient b(api_);
  ASSERT_TRUE(a.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + rv()).ok());
  ASSERT_TRUE(b.open("/api/v1/pods?watch=true").ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(api_.status().value()["openWatches"] == 2));
  ASSERT_TRUE(api_.closeWatches().ok());
  EXPECT_TRUE(a.next(20000).is_null());
  EXPECT_TRUE(a.ended());
  EXPECT_TRUE(b.next(20000).is_null());
  EXPECT_TRUE(b.ended());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(api_.status().value()["openWatches"] == 0));
}

TEST_F(ApiTest, DelayAndClear) {
  ASSERT_TRUE(api_.delayResponses(50).ok());
  EXPECT_EQ(api_.status().value()["faults"]["delayMs"], 50);
  EXPECT_EQ(call("GET", kCmPath).status, 200);
  ASSERT_TRUE(api_.failNextWrites(5, 500).ok());
  ASSERT_TRUE(api_.clearFaults().ok());
  auto f = api_.status().value()["faults"];
  EXPECT_EQ(f["delayMs"], 0);
  EXPECT_EQ(f["failWrites"]["count"], 0);
  EXPECT_EQ(call("POST", kCmPath, configMap("ok")).status, 201);
  auto bad = api_.request("POST", "/_local/faults/fail-writes", R"({"count":1,"code":404})");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->json()["message"], "code must be 409 or 500");
}

}  // namespace
}  // namespace mysqlop::local::it
