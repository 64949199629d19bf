#include "core/kube/selector.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mysqlop::kube {
namespace {

// apimachinery's rule texts, as kube-apiserver 1.30 prints them (double spaces included).
const std::string kNameRule =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kValueRule =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kSubdomainRule =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

Labels labels(std::initializer_list<std::pair<std::string, std::string>> l) {
  Labels out(l);
  std::sort(out.begin(), out.end());
  return out;
}

bool matches(const std::string& selector, const Labels& l) {
  auto s = LabelSelector::parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << (s.ok() ? "" : s.error().message);
  return s.ok() && s->matches(l);
}

std::string parseError(const std::string& selector) {
  auto s = LabelSelector::parse(selector);
  EXPECT_FALSE(s.ok()) << selector;
  EXPECT_TRUE(s.is(Errc::Invalid));
  return s.ok() ? "" : s.error().message;
}

std::string canonical(const std::string& selector) {
  auto s = LabelSelector::parse(selector);
  EXPECT_TRUE(s.ok()) << selector << ": " << (s.ok() ? "" : s.error().message);
  return s.ok() ? s->toString() : "";
}

TEST(LabelSelector, EmptySelectsEverything) {
  EXPECT_TRUE(matches("", labels({})));
  EXPECT_TRUE(matches("  ", labels({{"a", "b"}})));
  EXPECT_TRUE(LabelSelector::parse("").value().empty());
}

TEST(LabelSelector, Equality) {
  const Labels l = labels({{"app", "mysql"}, {"role", "master"}});
  EXPECT_TRUE(matches("app=mysql", l));
  EXPECT_TRUE(matches("app==mysql", l));
  EXPECT_TRUE(matches("app=mysql,role=master", l));
  EXPECT_TRUE(matches(" app = mysql , role == master ", l));
  EXPECT_TRUE(matches("app=mysql\t,\nrole=master\r", l));
  EXPECT_FALSE(matches("app=mysql,role=replica", l));
  EXPECT_FALSE(matches("missing=x", l));
}

TEST(LabelSelector, InequalityMatchesMissingKeys) {
  const Labels l = labels({{"app", "mysql"}});
  EXPECT_FALSE(matches("app!=mysql", l));
  EXPECT_TRUE(matches("app!=nginx", l));
  EXPECT_TRUE(matches("role!=master", l));
}

TEST(LabelSelector, SetBased) {
  const Labels l = labels({{"env", "prod"}});
  EXPECT_TRUE(matches("env in (prod,staging)", l));
  EXPECT_TRUE(matches("env in (staging, prod)", l));
  EXPECT_FALSE(matches("env in (dev)", l));
  EXPECT_FALSE(matches("env notin (prod)", l));
  EXPECT_TRUE(matches("env notin (dev)", l));
  EXPECT_TRUE(matches("tier notin (a)", l));  // notin matches a missing key
  EXPECT_FALSE(matches("tier in (a)", l));
}

TEST(LabelSelector, EmptyMembersOfASetAreTheEmptyValue) {
  // Upstream's own example: "()" and ",," hold the empty value.
  auto s = LabelSelector::parse("x in (foo,,baz),y,z notin ()");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->toString(), "x in (,baz,foo),y,z notin ()");
  EXPECT_TRUE(s->matches(labels({{"x", ""}, {"y", "1"}})));
  EXPECT_FALSE(s->matches(labels({{"x", "foo"}, {"y", "1"}, {"z", ""}})));
  EXPECT_EQ(canonical("a in (,b)"), "a in (,b)");
  EXPECT_EQ(canonical("a in (b,)"), "a in (,b)");
}

TEST(LabelSelector, KeywordsAreIdentifiersOutsideTheOperator) {
  EXPECT_TRUE(matches("in=notin", labels({{"in", "notin"}})));
  EXPECT_TRUE(matches("a in (in,notin)", labels({{"a", "notin"}})));
  EXPECT_TRUE(matches("notin", labels({{"notin", ""}})));
}

TEST(LabelSelector, ExistenceAndNumbers) {
  const Labels l = labels({{"example.com/replicas", "3"}, {"ok", ""}});
  EXPECT_TRUE(matches("ok", l));
  EXPECT_TRUE(matches("example.com/replicas", l));
  EXPECT_FALSE(matches("!ok", l));
  EXPECT_TRUE(matches("!missing", l));
  EXPECT_TRUE(matches("ok=", l));
  EXPECT_TRUE(matches("example.com/replicas>2", l));
  EXPECT_FALSE(matches("example.com/replicas>3", l));
  EXPECT_TRUE(matches("example.com/replicas<4", l));
  EXPECT_FALSE(matches("missing<4", l));
  EXPECT_FALSE(matches("ok<4", l));  // "" is not a number
}

TEST(LabelSelector, CanonicalTextIsSortedByKey) {
  EXPECT_EQ(canonical("b in (y, x), a==1, !c, d, e!=2, f notin (z), g>1, h<2"),
            "a=1,b in (x,y),!c,d,e!=2,f notin (z),g>1,h<2");
  EXPECT_EQ(canonical("a in (b,b,a)"), "a in (a,b)");
  EXPECT_EQ(LabelSelector::fromMap({{"role", "master"}, {"app", "mysql"}}).toString(),
            "app=mysql,role=master");
}

TEST(LabelSelector, FromMapMatches) {
  const LabelSelector s = LabelSelector::fromMap({{"role", "master"}});
  EXPECT_TRUE(s.matches(labels({{"role", "master"}, {"x", "y"}})));
  EXPECT_FALSE(s.matches(labels({{"role", "replica"}})));
}

TEST(LabelSelector, MatchesWithAnyLookup) {
  auto s = LabelSelector::parse("app=web,!legacy");
  ASSERT_TRUE(s.ok());
  const std::string web = "web";
  EXPECT_TRUE(s->matchesWith(
      [&](const std::string& k) -> const std::string* { return k == "app" ? &web : nullptr; }));
  EXPECT_FALSE(s->matchesWith([&](const std::string&) -> const std::string* { return &web; }));
}

TEST(LabelSelector, FromStructuredForm) {
  auto s = LabelSelector::fromJson(nlohmann::json::parse(
      R"({"matchLabels":{"app":"mysql","cluster":"c1"},
          "matchExpressions":[{"key":"role","operator":"In","values":["replica","master"]},
                              {"key":"old","operator":"DoesNotExist"}]})"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->toString(), "app=mysql,cluster=c1,!old,role in (master,replica)");
  EXPECT_TRUE(s->matches(labels({{"app", "mysql"}, {"cluster", "c1"}, {"role", "master"}})));
  EXPECT_FALSE(s->matches(labels({{"app", "mysql"}, {"cluster", "c1"}})));
  EXPECT_TRUE(LabelSelector::fromJson(nlohmann::json()).value().empty());
}

TEST(LabelSelector, FromStructuredFormErrors) {
  auto error = [](const char* text) {
    auto s = LabelSelector::fromJson(nlohmann::json::parse(text));
    EXPECT_FALSE(s.ok()) << text;
    return s.ok() ? "" : s.error().message;
  };
  EXPECT_EQ(error(R"({"matchExpressions":[{"key":"a","operator":"Is"}]})"),
            "\"Is\" is not a valid label selector operator");
  EXPECT_EQ(error(R"({"matchLabels":{"a":1}})"), "matchLabels values must be strings");
  EXPECT_EQ(error(R"("app=web")"), "selector must be an object");
}

TEST(LabelSelector, SyntaxErrorsAreKubeApiServers) {
  EXPECT_EQ(parseError("a=b,"), "found '', expected: identifier after ','");
  EXPECT_EQ(parseError("a=b,,c"), "found ',', expected: identifier after ','");
  EXPECT_EQ(parseError("=b"), "found '=', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(parseError(","), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(parseError("a=b)"), "found ')', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("a=b=c"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("a=b c"), "found 'c', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("!a=b"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(parseError("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(parseError("a>=1"), "unable to parse requirement: found '=', expected: identifier");
  EXPECT_EQ(parseError("a===b"), "unable to parse requirement: found '=', expected: identifier");
  EXPECT_EQ(parseError("!"), "unable to parse requirement: found '', expected: identifier");
  EXPECT_EQ(parseError("!!a"), "unable to parse requirement: found '!', expected: identifier");
  EXPECT_EQ(parseError("a in b"), "unable to parse requirement: found 'b' expected: '('");
  EXPECT_EQ(parseError("a in ("),
            "unable to parse requirement: found '', expected: ',', ')' or identifier");
  EXPECT_EQ(parseError("a in (=)"),
            "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  EXPECT_EQ(parseError("a in (b"), "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(parseError("a in (b c)"),
            "unable to parse requirement: found 'c', expected: ',' or ')'");
  EXPECT_EQ(parseError("a in (b,=)"),
            "unable to parse requirement: found '=', expected: ',', or identifier");
}

TEST(LabelSelector, KeyErrorsAreKubeApiServers) {
  const std::string prefix = "unable to parse requirement: <nil>: Invalid value: ";
  EXPECT_EQ(parseError("-a=b"), prefix + "\"-a\": name part " + kNameRule);
  EXPECT_EQ(parseError("!a_"), prefix + "\"a_\": name part " + kNameRule);
  EXPECT_EQ(parseError("Ex.com/a=b"), prefix + "\"Ex.com/a\": prefix part " + kSubdomainRule);
  EXPECT_EQ(parseError("/a"), prefix + "\"/a\": prefix part must be non-empty");
  EXPECT_EQ(parseError("a/"),
            prefix + "\"a/\": name part must be non-empty; name part " + kNameRule);
  EXPECT_EQ(parseError("a/b/c"), prefix + "\"a/b/c\": a qualified name " + kNameRule +
                                     " with an optional DNS subdomain prefix and '/' (e.g. "
                                     "'example.com/MyName')");
  const std::string longName(64, 'k');
  EXPECT_EQ(parseError(longName),
            prefix + "\"" + longName + "\": name part must be no more than 63 characters");
  const std::string longPrefix(254, 'p');
  EXPECT_EQ(parseError(longPrefix + "/a"),
            prefix + "\"" + longPrefix + "/a\": prefix part must be no more than 253 characters");
  EXPECT_EQ(parseError("a\"b"), prefix + "\"a\\\"b\": name part " + kNameRule);
}

TEST(LabelSelector, ValueErrorsAreKubeApiServers) {
  const std::string prefix = "unable to parse requirement: ";
  EXPECT_EQ(parseError("a=-b"), prefix + "values[0][a]: Invalid value: \"-b\": " + kValueRule);
  const std::string longValue(64, 'v');
  EXPECT_EQ(parseError("a=" + longValue), prefix + "values[0][a]: Invalid value: \"" + longValue +
                                              "\": must be no more than 63 characters");
  const std::string longBad = std::string(63, 'v') + "-";
  EXPECT_EQ(parseError("a!=" + longBad), prefix + "values[0][a]: Invalid value: \"" + longBad +
                                             "\": must be no more than 63 characters; " +
                                             kValueRule);
  // Several bad values: one aggregated error in brackets, values in sorted order.
  EXPECT_EQ(parseError("a in (-y,-x)"),
            prefix + "[values[0][a]: Invalid value: \"-x\": " + kValueRule +
                ", values[1][a]: Invalid value: \"-y\": " + kValueRule + "]");
  EXPECT_EQ(parseError("a>b"),
            prefix +
                "values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an "
                "integer");
  EXPECT_EQ(parseError("a<"),
            prefix +
                "values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an "
                "integer");
  EXPECT_EQ(parseError("a>-1"), prefix + "values[0][a]: Invalid value: \"-1\": " + kValueRule);
  EXPECT_EQ(parseError("a>1-"),
            prefix +
                "[values[0]: Invalid value: \"1-\": for 'Gt', 'Lt' operators, the value must be "
                "an integer, values[0][a]: Invalid value: \"1-\": " +
                kValueRule + "]");
  EXPECT_EQ(parseError("a>99999999999999999999"),
            prefix +
                "values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' operators, "
                "the value must be an integer");
}

TEST(LabelSelector, ProblemsOfKeysAndValues) {
  EXPECT_EQ(labelKeyProblems("app.kubernetes.io/name"), "");
  EXPECT_EQ(labelKeyProblems("a"), "");
  EXPECT_EQ(labelKeyProblems("a.b-c_d"), "");
  EXPECT_EQ(labelKeyProblems(""), "name part must be non-empty; name part " + kNameRule);
  EXPECT_EQ(labelValueProblems(""), "");
  EXPECT_EQ(labelValueProblems("A.b-c_9"), "");
  EXPECT_EQ(labelValueProblems("a b"), kValueRule);
}

}  // namespace
}  // namespace mysqlop::kube
