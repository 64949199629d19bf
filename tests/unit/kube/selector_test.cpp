#include "core/kube/selector.h"

#include <gtest/gtest.h>

namespace mysqlop::kube {
namespace {

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
}

TEST(LabelSelector, CanonicalText) {
  auto s = LabelSelector::parse("b in (y, x), a==1, !c, d, e!=2, f notin (z), g>1, h<2");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->toString(), "b in (x,y),a=1,!c,d,e!=2,f notin (z),g>1,h<2");
  EXPECT_EQ(LabelSelector::fromMap({{"role", "master"}, {"app", "mysql"}}).toString(),
            "app=mysql,role=master");
}

TEST(LabelSelector, FromMapMatches) {
  const LabelSelector s = LabelSelector::fromMap({{"role", "master"}});
  EXPECT_TRUE(s.matches(labels({{"role", "master"}, {"x", "y"}})));
  EXPECT_FALSE(s.matches(labels({{"role", "replica"}})));
}

TEST(LabelSelector, Errors) {
  EXPECT_EQ(parseError("a=b,"), "label selector \"a=b,\": expected a label key, found the end");
  EXPECT_EQ(parseError("=b"), "label selector \"=b\": expected a label key, found '='");
  EXPECT_EQ(parseError("a b"),
            "label selector \"a b\": expected an operator after \"a\", found 'b'");
  EXPECT_EQ(parseError("a in b"), "label selector \"a in b\": expected '(' after \"a in\"");
  EXPECT_EQ(parseError("a in ()"),
            "label selector \"a in ()\": the values of \"a in\" must not be empty");
  EXPECT_EQ(parseError("a in (b c)"),
            "label selector \"a in (b c)\": expected ',' or ')' in the values of \"a in\"");
  EXPECT_EQ(parseError("a>b"), "label selector \"a>b\": the value of a > must be an integer");
  EXPECT_EQ(parseError("-a=b"),
            "label selector \"-a=b\": invalid label key \"-a\": the name must be 1-63 "
            "alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
  EXPECT_EQ(parseError("Ex.com/a=b"),
            "label selector \"Ex.com/a=b\": invalid label key \"Ex.com/a\": the prefix must be a "
            "DNS subdomain (lowercase alphanumerics, '-' and '.')");
  EXPECT_EQ(parseError("a=b)"), "label selector \"a=b)\": expected ',' or the end, found ')'");
  EXPECT_EQ(parseError("a=-b"),
            "label selector \"a=-b\": invalid label value \"-b\": a value must be at most 63 "
            "alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
  EXPECT_EQ(parseError("a=" + std::string(64, 'x')),
            "label selector \"a=" + std::string(64, 'x') + "\": invalid label value \"" +
                std::string(64, 'x') +
                "\": a value must be at most 63 alphanumerics, '-', '_' or '.', starting and "
                "ending with an alphanumeric");
}

}  // namespace
}  // namespace mysqlop::kube
