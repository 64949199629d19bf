#include "localcluster/apiserver/selectors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mysqlop::local {
namespace {

using nlohmann::json;

std::map<std::string, std::string> L(
    std::initializer_list<std::pair<const std::string, std::string>> l) {
  return l;
}

TEST(LabelSelector, EmptyMatchesEverything) {
  auto s = LabelSelector::parse("");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
  EXPECT_TRUE(s->matches(L({})));
  EXPECT_TRUE(s->matches(json()));
}

TEST(LabelSelector, EqualityAndInequality) {
  auto s = LabelSelector::parse("app=web,tier==db,env!=prod");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->matches(L({{"app", "web"}, {"tier", "db"}})));
  EXPECT_TRUE(s->matches(L({{"app", "web"}, {"tier", "db"}, {"env", "dev"}})));
  EXPECT_FALSE(s->matches(L({{"app", "web"}, {"tier", "db"}, {"env", "prod"}})));
  EXPECT_FALSE(s->matches(L({{"app", "web"}})));
}

TEST(LabelSelector, SetBasedAndExistence) {
  auto s = LabelSelector::parse("role in (master, replica),zone notin (a),healthy,!legacy");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->matches(L({{"role", "master"}, {"healthy", "yes"}})));
  EXPECT_TRUE(s->matches(L({{"role", "replica"}, {"healthy", ""}, {"zone", "b"}})));
  EXPECT_FALSE(s->matches(L({{"role", "other"}, {"healthy", "yes"}})));
  EXPECT_FALSE(s->matches(L({{"role", "master"}, {"healthy", "yes"}, {"zone", "a"}})));
  EXPECT_FALSE(s->matches(L({{"role", "master"}})));
  EXPECT_FALSE(s->matches(L({{"role", "master"}, {"healthy", "y"}, {"legacy", "1"}})));
}

TEST(LabelSelector, NumericComparison) {
  auto s = LabelSelector::parse("gen>3,size<10");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->matches(L({{"gen", "4"}, {"size", "9"}})));
  EXPECT_FALSE(s->matches(L({{"gen", "3"}, {"size", "9"}})));
  EXPECT_FALSE(s->matches(L({{"gen", "x"}, {"size", "9"}})));
}

TEST(LabelSelector, PrefixedKeysAndEmptyValue) {
  auto s = LabelSelector::parse("app.kubernetes.io/name=mysql,x=");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->matches(L({{"app.kubernetes.io/name", "mysql"}, {"x", ""}})));
}

TEST(LabelSelector, ParseErrorsHaveExactMessages) {
  EXPECT_EQ(LabelSelector::parse("a=b=c").error().message,
            "unable to parse requirement: found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(LabelSelector::parse("a in b").error().message,
            "unable to parse requirement: found 'b', expected: '('");
  EXPECT_EQ(LabelSelector::parse("a in ()").error().message,
            "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty");
  EXPECT_EQ(LabelSelector::parse(",").error().message,
            "unable to parse requirement: found ',', expected: identifier");
  EXPECT_EQ(LabelSelector::parse("-bad=1").error().message,
            "invalid label key \"-bad\": name part must consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character");
  EXPECT_EQ(LabelSelector::parse("a=b c").error().message,
            "unable to parse requirement: found 'c', expected: ',' or 'end of string'");
  EXPECT_EQ(LabelSelector::parse("a>x").error().message,
            "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer");
  EXPECT_EQ(
      LabelSelector::parse("a=" + std::string(64, 'v')).error().message,
      "invalid label value: \"" + std::string(64, 'v') + "\": must be no more than 63 characters");
}

TEST(LabelSelector, FromStructuredFormAndString) {
  auto s = LabelSelector::fromJson(json::parse(
      R"({"matchLabels":{"app":"mysql","cluster":"c1"},
          "matchExpressions":[{"key":"role","operator":"In","values":["replica","master"]},
                              {"key":"old","operator":"DoesNotExist"}]})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->str(), "app=mysql,cluster=c1,!old,role in (master,replica)");
  EXPECT_TRUE(s->matches(L({{"app", "mysql"}, {"cluster", "c1"}, {"role", "master"}})));
  EXPECT_FALSE(s->matches(L({{"app", "mysql"}, {"cluster", "c1"}})));
  EXPECT_EQ(
      LabelSelector::fromJson(json::parse(R"({"matchExpressions":[{"key":"a","operator":"Is"}]})"))
          .error()
          .message,
      "\"Is\" is not a valid label selector operator");
}

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

}  // namespace
}  // namespace mysqlop::local
