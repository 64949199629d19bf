#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/kube/backoff.h"
#include "core/kube/cached_object.h"
#include "core/kube/store.h"

namespace mysqlop::kube {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

json object(const std::string& ns, const std::string& name, const std::string& rv,
            const std::string& owner = "", const json& labels = json::object()) {
  json o = {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata",
             {{"name", name},
              {"namespace", ns},
              {"resourceVersion", rv},
              {"uid", "u-" + name},
              {"labels", labels}}}};
  if (!owner.empty()) {
    o["metadata"]["ownerReferences"] = json::array(
        {{{"apiVersion", "v1"}, {"kind", "Secret"}, {"name", "not-controller"}, {"uid", "s"}},
         {{"apiVersion", "apps/v1"},
          {"kind", "StatefulSet"},
          {"name", owner},
          {"uid", "o"},
          {"controller", true}}});
  }
  return o;
}

TEST(CachedObject, KeepsTextAndIndexedMetadata) {
  auto o = makeCachedObject(object("ns", "a", "7", "sts", {{"z", "1"}, {"a", "2"}}));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->key(), "ns/a");
  EXPECT_EQ(o->uid, "u-a");
  EXPECT_EQ(o->resourceVersion, "7");
  EXPECT_EQ(o->labels, (Labels{{"a", "2"}, {"z", "1"}}));
  ASSERT_TRUE(o->controller);
  EXPECT_EQ(o->controller->kind, "StatefulSet");
  EXPECT_EQ(o->controller->name, "sts");
  EXPECT_EQ(json::parse(o->json), object("ns", "a", "7", "sts", {{"z", "1"}, {"a", "2"}}));
  EXPECT_EQ(makeCachedObject(json{{"metadata", {{"namespace", "x"}}}}), nullptr);
  EXPECT_EQ(makeCachedObject(json::array()), nullptr);
  auto clusterScoped = makeCachedObject(json{{"metadata", {{"name", "n"}}}});
  EXPECT_EQ(clusterScoped->key(), "n");
}

TEST(Store, NamespaceRangesAndOwnerIndexFollowUpdates) {
  Store s;
  s.upsert(makeCachedObject(object("a", "x", "1", "db")));
  s.upsert(makeCachedObject(object("ab", "y", "1", "db")));  // "a" must not match "ab/"
  s.upsert(makeCachedObject(object("a", "z", "1", "", {{"app", "m"}})));
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.list("a").size(), 2u);
  EXPECT_EQ(s.list("ab").size(), 1u);
  EXPECT_EQ(s.list("").size(), 3u);
  auto sel = LabelSelector::parse("app=m");
  ASSERT_EQ(s.list("a", &*sel).size(), 1u);
  EXPECT_EQ(s.byControllerOwner("a", "StatefulSet", "db").size(), 1u);
  EXPECT_EQ(s.byControllerOwner("ab", "StatefulSet", "db").size(), 1u);
  // The owner changes: the index follows.
  auto old = s.upsert(makeCachedObject(object("a", "x", "2", "other")));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->resourceVersion, "1");
  EXPECT_TRUE(s.byControllerOwner("a", "StatefulSet", "db").empty());
  EXPECT_EQ(s.byControllerOwner("a", "StatefulSet", "other").size(), 1u);
  EXPECT_TRUE(s.remove("a/x"));
  EXPECT_FALSE(s.remove("a/x"));
  EXPECT_TRUE(s.byControllerOwner("a", "StatefulSet", "other").empty());
  EXPECT_EQ(s.get("a/x"), nullptr);
  EXPECT_EQ(s.keys(), (std::vector<std::string>{"a/z", "ab/y"}));
}

TEST(Backoff, JitteredExponentialCappedAndReset) {
  Backoff b(800ms, 30s);
  std::chrono::milliseconds base = 800ms;
  for (int i = 0; i < 12; ++i) {
    const auto d = b.next();
    EXPECT_GE(d, std::min(base, std::chrono::milliseconds(30s))) << i;
    EXPECT_LE(d, std::min(base * 2, std::chrono::milliseconds(30s))) << i;
    base = std::min(base * 2, std::chrono::milliseconds(30s));
  }
  EXPECT_EQ(b.next(), 30s);  // at the cap, jitter cannot go above it
  b.reset();
  const auto d = b.next();
  EXPECT_GE(d, 800ms);
  EXPECT_LT(d, 1600ms);
}

}  // namespace
}  // namespace mysqlop::kube
