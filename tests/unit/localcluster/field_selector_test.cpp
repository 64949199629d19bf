#include "localcluster/apiserver/field_selector.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "localcluster/apiserver/request_selectors.h"

namespace mysqlop::local {
namespace {

using nlohmann::json;

TEST(FieldSelector, ParsesAndMatches) {
  auto s = FieldSelector::parse("metadata.name=db,status.phase!=Failed");
  ASSERT_TRUE(s.ok());
  json pod = json::parse(R"({"metadata":{"name":"db"},"status":{"phase":"Running"}})");
  EXPECT_TRUE(s->matches(pod));
  pod["status"]["phase"] = "Failed";
  EXPECT_FALSE(s->matches(pod));
  auto s2 = FieldSelector::parse("metadata.name==db");
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE(s2->matches(pod));
  EXPECT_EQ(fieldValue(pod, "spec.nodeName"), "");
}

TEST(FieldSelector, Errors) {
  EXPECT_EQ(FieldSelector::parse("metadata.name").error().message,
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  auto s = FieldSelector::parse("spec.foo=bar");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->check({"metadata.name", "metadata.namespace"}).error().message,
            "field label not supported: spec.foo");
  EXPECT_TRUE(s->check({"spec.foo"}).ok());
}

// The label half reads metadata.labels of the stored JSON in place (kube::LabelSelector).
TEST(RequestSelectors, MatchLabelsOfTheObjectJson) {
  auto labels = kube::LabelSelector::parse("app=web,!legacy,tier notin (db)");
  auto fields = FieldSelector::parse("metadata.name=a");
  ASSERT_TRUE(labels.ok() && fields.ok());
  const RequestSelectors s{*labels, *fields};
  EXPECT_TRUE(s.matches(json::parse(R"({"metadata":{"name":"a","labels":{"app":"web"}}})")));
  EXPECT_FALSE(s.matches(json::parse(R"({"metadata":{"name":"b","labels":{"app":"web"}}})")));
  EXPECT_FALSE(
      s.matches(json::parse(R"({"metadata":{"name":"a","labels":{"app":"web","legacy":""}}})")));
  EXPECT_FALSE(
      s.matches(json::parse(R"({"metadata":{"name":"a","labels":{"app":"web","tier":"db"}}})")));
  EXPECT_FALSE(s.matches(json::parse(R"({"metadata":{"name":"a"}})")));
  // A non-string label value is no value at all: app=web cannot hold, !legacy still does.
  EXPECT_FALSE(s.matches(json::parse(R"({"metadata":{"name":"a","labels":{"app":1}}})")));
  const RequestSelectors everything{};
  EXPECT_TRUE(everything.empty());
  EXPECT_TRUE(everything.matches(json::parse(R"({"metadata":{"name":"x"}})")));
}

}  // namespace
}  // namespace mysqlop::local
