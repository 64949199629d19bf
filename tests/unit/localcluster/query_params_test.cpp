// Query parameters as kube-apiserver parses them (localcluster/apiserver/query_params.h): the
// lenient booleans of apimachinery's conversions, strconv.ParseInt with Go's error texts, and
// strconv.ParseBool for `pretty`.
#include "localcluster/apiserver/query_params.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "localcluster/apiserver/api_error.h"

namespace mysqlop::local {
namespace {

ApiRequest withQuery(std::map<std::string, std::string> query) {
  ApiRequest req;
  req.query = std::move(query);
  return req;
}

TEST(QueryBool, OnlyZeroAndFalseInAnyCaseAreFalse) {
  for (const char* falsy : {"0", "false", "False", "FALSE", "fAlSe"}) {
    EXPECT_FALSE(parseQueryBool(falsy)) << falsy;
  }
  // Everything else is true, as in kube-apiserver: the Python client's `watch=True`, and values
  // strconv.ParseBool would refuse.
  for (const char* truthy : {"1", "t", "T", "true", "True", "TRUE", "", "yes", "no", "f", "F", "00",
                             " false", "false ", "2", "-1", "off"}) {
    EXPECT_TRUE(parseQueryBool(truthy)) << '"' << truthy << '"';
  }
}

TEST(QueryBool, AbsentIsFalseAndPresentIsParsed) {
  const ApiRequest req = withQuery({{"watch", "True"}, {"force", ""}, {"orphanDependents", "0"}});
  EXPECT_EQ(queryBool(req, "watch"), std::optional<bool>(true));
  EXPECT_EQ(queryBool(req, "force"), std::optional<bool>(true));  // `?force=` is true
  EXPECT_EQ(queryBool(req, "orphanDependents"), std::optional<bool>(false));
  EXPECT_EQ(queryBool(req, "allowWatchBookmarks"), std::nullopt);
  EXPECT_TRUE(queryFlag(req, "watch"));
  EXPECT_FALSE(queryFlag(req, "orphanDependents"));
  EXPECT_FALSE(queryFlag(req, "allowWatchBookmarks"));
}

TEST(GoParseBool, EveryFormAndNothingElse) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    EXPECT_EQ(parseGoBool(t), std::optional<bool>(true)) << t;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    EXPECT_EQ(parseGoBool(f), std::optional<bool>(false)) << f;
  }
  for (const char* bad : {"", "tRUE", "yes", "2", " true", "fAlse", "TRue"}) {
    EXPECT_EQ(parseGoBool(bad), std::nullopt) << bad;
  }
}

TEST(QueryPretty, ParseBoolWithErrorsAsFalse) {
  EXPECT_TRUE(queryPretty(withQuery({{"pretty", "true"}})));
  EXPECT_TRUE(queryPretty(withQuery({{"pretty", "1"}})));
  EXPECT_TRUE(queryPretty(withQuery({{"pretty", "T"}})));
  EXPECT_FALSE(queryPretty(withQuery({{"pretty", "yes"}})));
  EXPECT_FALSE(queryPretty(withQuery({{"pretty", ""}})));
  EXPECT_FALSE(queryPretty(withQuery({})));
}

TEST(GoParseInt, AcceptsSignsAndTheWholeInt64Range) {
  const std::vector<std::pair<std::string, int64_t>> good = {
      {"0", 0},
      {"7", 7},
      {"+7", 7},
      {"-7", -7},
      {"007", 7},
      {"-0", 0},
      {"500", 500},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"+9223372036854775807", INT64_MAX},
  };
  for (const auto& [text, want] : good) {
    auto got = parseGoInt64(text);
    ASSERT_TRUE(got.ok()) << text << ": " << got.error().message;
    EXPECT_EQ(*got, want) << text;
  }
}

TEST(GoParseInt, SyntaxErrorsWithGosText) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", R"(strconv.ParseInt: parsing "": invalid syntax)"},
      {"+", R"(strconv.ParseInt: parsing "+": invalid syntax)"},
      {"-", R"(strconv.ParseInt: parsing "-": invalid syntax)"},
      {"abc", R"(strconv.ParseInt: parsing "abc": invalid syntax)"},
      {"1.5", R"(strconv.ParseInt: parsing "1.5": invalid syntax)"},
      {"1e3", R"(strconv.ParseInt: parsing "1e3": invalid syntax)"},
      {"0x10", R"(strconv.ParseInt: parsing "0x10": invalid syntax)"},
      {"1_000", R"(strconv.ParseInt: parsing "1_000": invalid syntax)"},
      {" 1", R"(strconv.ParseInt: parsing " 1": invalid syntax)"},
      {"1 ", R"(strconv.ParseInt: parsing "1 ": invalid syntax)"},
      {"--1", R"(strconv.ParseInt: parsing "--1": invalid syntax)"},
      {"+-1", R"(strconv.ParseInt: parsing "+-1": invalid syntax)"},
      {"true", R"(strconv.ParseInt: parsing "true": invalid syntax)"},
      // Inside uint64's range, the non-digit is seen first: syntax.
      {"9223372036854775808x",
       R"(strconv.ParseInt: parsing "9223372036854775808x": invalid syntax)"},
      // Go's strconv.Quote of the input.
      {"a\"b\\c", R"(strconv.ParseInt: parsing "a\"b\\c": invalid syntax)"},
      {"\t\n\x01\x7f", R"(strconv.ParseInt: parsing "\t\n\x01\x7f": invalid syntax)"},
      {"\xff"
       "1",
       R"(strconv.ParseInt: parsing "\xff1": invalid syntax)"},
      {"dix\xc3\xa9", "strconv.ParseInt: parsing \"dix\xc3\xa9\": invalid syntax"},
  };
  for (const auto& [text, want] : bad) {
    auto got = parseGoInt64(text);
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.error().code, Errc::Invalid);
    EXPECT_EQ(got.error().message, want);
  }
}

TEST(GoParseInt, RangeErrorsWithGosText) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"9223372036854775808",
       R"(strconv.ParseInt: parsing "9223372036854775808": value out of range)"},
      {"-9223372036854775809",
       R"(strconv.ParseInt: parsing "-9223372036854775809": value out of range)"},
      {"18446744073709551615",
       R"(strconv.ParseInt: parsing "18446744073709551615": value out of range)"},
      {"99999999999999999999999",
       R"(strconv.ParseInt: parsing "99999999999999999999999": value out of range)"},
      // Past uint64's range Go stops at the overflowing digit: range, even with junk after it.
      {"99999999999999999999x",
       R"(strconv.ParseInt: parsing "99999999999999999999x": value out of range)"},
  };
  for (const auto& [text, want] : bad) {
    auto got = parseGoInt64(text);
    ASSERT_FALSE(got.ok()) << text;
    EXPECT_EQ(got.error().message, want);
  }
}

TEST(QueryInt64, AbsentIsNulloptAndABadValueIs400) {
  EXPECT_EQ(queryInt64(withQuery({}), "limit"), std::nullopt);
  EXPECT_EQ(queryInt64(withQuery({{"limit", "-3"}}), "limit"), std::optional<int64_t>(-3));
  try {
    (void)queryInt64(withQuery({{"limit", "ten"}}), "limit");
    FAIL() << "no error";
  } catch (const ApiException& e) {
    EXPECT_EQ(e.error().code, 400);
    EXPECT_EQ(e.error().message, R"(strconv.ParseInt: parsing "ten": invalid syntax)");
  }
}

}  // namespace
}  // namespace mysqlop::local
