// The HTTP targets' shared helpers: encoding, XML values, times, config skeleton, part buffering.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugins/target_http/src/config.h"
#include "plugins/target_http/src/parts.h"
#include "plugins/target_http/src/text.h"

namespace mysqlop::testing {
namespace {

using namespace targethttp;

using ::testing::StrEq;
using ::testing::ThrowsMessage;

TEST(TargetHttpText, LowerAndUriEncode) {
  EXPECT_EQ(lower("Content-Length"), "content-length");
  EXPECT_EQ(uriEncode("a b/c+d~e_f.g-h", true), "a%20b/c%2Bd~e_f.g-h");
  EXPECT_EQ(uriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(uriEncode("\xC3\xA9", true), "%C3%A9");
}

TEST(TargetHttpText, XmlValueDecodesTheFiveEntitiesOnce) {
  const std::string xml = "<L><K>a&amp;lt;b&quot;&apos;&gt;&x;</K><K>second</K><Open>no end</L>";
  std::size_t end = 0;
  EXPECT_EQ(xmlValue(xml, "K", 0, &end), "a&lt;b\"'>&x;");
  EXPECT_EQ(xmlValue(xml, "K", end), "second");
  EXPECT_EQ(xmlValue(xml, "Open", 0, &end), "");
  EXPECT_EQ(end, std::string::npos);
  EXPECT_EQ(xmlValue(xml, "Missing", 0, &end), "");
  EXPECT_EQ(end, std::string::npos);
}

TEST(TargetHttpText, Times) {
  EXPECT_EQ(parseRfc3339Ms("2026-12-03T12:00:00.123Z"), 1796299200000);
  EXPECT_EQ(parseRfc1123Ms("Thu, 03 Dec 2026 12:00:00 GMT"), 1796299200000);
  EXPECT_EQ(parseRfc3339Ms("yesterday"), 0);
  EXPECT_EQ(formatUtcNow("%Y%m%dT%H%M%SZ").size(), 16u);
  const std::string now = formatUtcNow("%a, %d %b %Y %H:%M:%S GMT");
  EXPECT_NEAR(static_cast<double>(parseRfc1123Ms(now)),
              static_cast<double>(std::time(nullptr)) * 1000, 5000);
}

TEST(TargetHttpConfig, Skeleton) {
  EXPECT_TRUE(configObject<nlohmann::json>("").empty());
  for (const char* text : {"[1]", "{", "3"}) {
    EXPECT_THAT([&] { configObject<nlohmann::json>(text); },
                ThrowsMessage<ConfigError>(StrEq("config: expected a JSON object")))
        << text;
  }
  // Numbers as parsed from text: a non-negative one is unsigned.
  EXPECT_EQ(timeoutSeconds(nlohmann::json::parse("30")), 30);
  for (const char* text : {"0", "3601", "-1", "\"60\""}) {
    EXPECT_THAT([&] { timeoutSeconds(nlohmann::json::parse(text)); },
                ThrowsMessage<ConfigError>(StrEq("config.timeoutSeconds: expected 1 to 3600")))
        << text;
  }
  EXPECT_THAT([] { unknownConfigKey("size", "a, b"); },
              ThrowsMessage<ConfigError>(StrEq("config: unknown key \"size\" (known: a, b)")));
}

TEST(TargetHttpParts, EachFullPartIsSentAtOnce) {
  std::string buffer;
  std::vector<std::string> sent;
  auto full = [&] {
    sent.push_back(buffer);
    buffer.clear();
  };
  appendInParts(buffer, 4, "abcdefghij", 10, full);
  EXPECT_EQ(sent, (std::vector<std::string>{"abcd", "efgh"}));
  EXPECT_EQ(buffer, "ij");
  EXPECT_GE(buffer.capacity(), 4u);
  appendInParts(buffer, 4, "kl", 2, full);
  EXPECT_EQ(sent.back(), "ijkl");
  EXPECT_TRUE(buffer.empty());
}

}  // namespace
}  // namespace mysqlop::testing
