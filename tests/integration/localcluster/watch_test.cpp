// WATCH: events, resourceVersions, selector transitions, bookmarks, 410.
#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/watch_client.h"

namespace mysqlop::local::it {
namespace {

using testing::WatchClient;

constexpr int kWait = 20000;  // ms to wait for an expected event (never a speed assertion)

TEST_F(ApiTest, WatchFromResourceVersionSeesEveryChange) {
  std::string start = rv();
  WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + start).ok());
  ASSERT_EQ(w.status(), 200);
  json created = call("POST", kCmPath, configMap("c1")).json();
  json modified = call("PATCH", std::string(kCmPath) + "/c1", json::parse(R"({"data":{"k":"v2"}})"),
                       "application/merge-patch+json")
                      .json();
  // A no-op write produces no event: the next event is the delete.
  call("PATCH", std::string(kCmPath) + "/c1", json::parse(R"({"data":{"k":"v2"}})"),
       "application/merge-patch+json");
  call("DELETE", std::string(kCmPath) + "/c1");
  std::string deleteRv = rv();

  json e1 = w.next(kWait);
  EXPECT_EQ(e1["type"], "ADDED");
  EXPECT_EQ(e1["object"], created);
  json e2 = w.next(kWait);
  EXPECT_EQ(e2["type"], "MODIFIED");
  EXPECT_EQ(e2["object"], modified);
  json e3 = w.next(kWait);
  EXPECT_EQ(e3["type"], "DELETED");
  EXPECT_EQ(e3["object"]["metadata"]["resourceVersion"], deleteRv);
  EXPECT_EQ(e3["object"]["data"]["k"], "v2");
  EXPECT_EQ(e3["object"]["kind"], "ConfigMap");
}

TEST_F(ApiTest, WatchWithoutResourceVersionStartsWithTheState) {
  call("POST", kCmPath, configMap("a"));
  call("POST", kCmPath, configMap("b"));
  WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=1").ok());
  EXPECT_EQ(w.next(kWait)["object"]["metadata"]["name"], "a");
  EXPECT_EQ(w.next(kWait)["object"]["metadata"]["name"], "b");
  call("POST", kCmPath, configMap("c"));
  json e = w.next(kWait);
  EXPECT_EQ(e["type"], "ADDED");
  EXPECT_EQ(e["object"]["metadata"]["name"], "c");
}

TEST_F(ApiTest, WatchSelectorTransitions) {
  std::string start = rv();
  WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) +
                     "?watch=true&labelSelector=role%3Dmaster&"
                     "resourceVersion=" +
                     start)
                  .ok());
  json cm = configMap("n1");
  cm["metadata"]["labels"] = {{"role", "replica"}};
  call("POST", kCmPath, cm);
  call("PATCH", std::string(kCmPath) + "/n1",
       json::parse(R"({"metadata":{"labels":{"role":"master"}}})"), "application/merge-patch+json");
  std::string leaveRv;
  call("PATCH", std::string(kCmPath) + "/n1",
       json::parse(R"({"metadata":{"labels":{"role":"replica"}}})"),
       "application/merge-patch+json");
  leaveRv = rv();
  json in = w.next(kWait);
  EXPECT_EQ(in["type"], "ADDED");
  EXPECT_EQ(in["object"]["metadata"]["labels"]["role"], "master");
  json out = w.next(kWait);
  EXPECT_EQ(out["type"], "DELETED");
  EXPECT_EQ(out["object"]["metadata"]["labels"]["role"], "master");  // the state that matched
  EXPECT_EQ(out["object"]["metadata"]["resourceVersion"], leaveRv);
}

TEST_F(ApiTest, WatchFieldSelectorAndNamespaceScope) {
  std::string start = rv();
  WatchClient w(api_);
  ASSERT_TRUE(w.open("/api/v1/configmaps?watch=true&fieldSelector=metadata.name%3Dwanted&"
                     "resourceVersion=" +
                     start)
                  .ok());
  call("POST", kCmPath, configMap("other"));
  call("POST", "/api/v1/namespaces/kube-system/configmaps", configMap("wanted"));
  json e = w.next(kWait);
  EXPECT_EQ(e["object"]["metadata"]["name"], "wanted");
  EXPECT_EQ(e["object"]["metadata"]["namespace"], "kube-system");
}

TEST_F(ApiTest, BookmarksCarryTheCurrentResourceVersion) {
  WatchClient w(api_);
  ASSERT_TRUE(
      w.open(std::string(kCmPath) + "?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv())
          .ok());
  call("POST", "/api/v1/namespaces/kube-system/configmaps", configMap("elsewhere"));
  std::string current = rv();
  // The bookmark must not precede the write it covers: ask once the write is done.
  ASSERT_TRUE(api_.sendBookmarks().ok());
  json b = w.next(kWait);
  while (!b.is_null() && b["type"] != "BOOKMARK") {
    b = w.next(kWait);
  }
  ASSERT_FALSE(b.is_null());
  EXPECT_EQ(b, json::parse(R"({"type":"BOOKMARK","object":{"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"resourceVersion":")" +
                           current + R"("}}})"));
  // Without allowWatchBookmarks no bookmark is sent: the next event is a real one.
  WatchClient plain(api_);
  ASSERT_TRUE(plain.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + rv()).ok());
  ASSERT_TRUE(api_.sendBookmarks().ok());
  call("POST", kCmPath, configMap("x"));
  EXPECT_EQ(plain.next(kWait)["type"], "ADDED");
}

TEST_F(ApiTest, SendInitialEventsEndsWithAnnotatedBookmark) {
  call("POST", kCmPath, configMap("a"));
  WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=true&sendInitialEvents=true&"
                                            "resourceVersionMatch=NotOlderThan&"
                                            "allowWatchBookmarks=true")
                  .ok());
  EXPECT_EQ(w.next(kWait)["type"], "ADDED");
  json b = w.next(kWait);
  EXPECT_EQ(b["type"], "BOOKMARK");
  EXPECT_EQ(b["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
  WatchClient bad(api_);
  ASSERT_TRUE(bad.open(std::string(kCmPath) + "?watch=true&sendInitialEvents=true").ok());
  EXPECT_EQ(bad.status(), 422);
}

TEST_F(ApiTest, WatchFromCompactedResourceVersionGets410) {
  std::string old = rv();
  call("POST", kCmPath, configMap("a"));
  ASSERT_TRUE(api_.compactHistory().ok());
  std::string floor = rv();
  WatchClient w(api_);
  ASSERT_TRUE(w.open(std::string(kCmPath) + "?watch=true&resourceVersion=" + old).ok());
  ASSERT_EQ(w.status(), 200);
  json e = w.next(kWait);
  json expected = {{"type", "ERROR"},
                   {"object",
                    {{"kind", "Status"},
                     {"apiVersion", "v1"},
                     {"metadata", json::object()},
                     {"status", "Failure"},
                     {"message", "too old resource version: " + old + " (" + floor + ")"},
                     {"reason", "Expired"},
                     {"code", 410}}}};
  EXPECT_EQ(e, expected);
  EXPECT_TRUE(w.next(kWait).is_null());
  EXPECT_TRUE(w.ended());
  // Too large: 504 before the stream.
  WatchClient big(api_);
  ASSERT_TRUE(big.open(std::string(kCmPath) + "?watch=true&resourceVersion=999999999").ok());
  EXPECT_EQ(big.status(), 504);
}

TEST_F(ApiTest, WatchTimeoutEndsTheStream) {
  WatchClient w(api_);
  ASSERT_TRUE(
      w.open(std::string(kCmPath) + "?watch=true&timeoutSeconds=1&resourceVersion=" + rv()).ok());
  EXPECT_TRUE(w.next(kWait).is_null());
  EXPECT_TRUE(w.ended());
}

TEST_F(ApiTest, ManyConcurrentWatchesAndRequests) {
  std::vector<std::unique_ptr<WatchClient>> watches;
  std::string start = rv();
  for (int i = 0; i < 40; ++i) {
    watches.push_back(std::make_unique<WatchClient>(api_));
    ASSERT_TRUE(
        watches.back()->open(std::string(kCmPath) + "?watch=true&resourceVersion=" + start).ok());
  }
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(api_.status().value()["openWatches"] == 40));
  call("POST", kCmPath, configMap("fan"));
  for (auto& w : watches) {
    json e = w->next(kWait);
    EXPECT_EQ(e["object"]["metadata"]["name"], "fan");
  }
}

}  // namespace
}  // namespace mysqlop::local::it
