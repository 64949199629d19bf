#include "plugins/database/src/spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/database/src/options.h"

namespace mysqlop::database {
namespace {

std::string specError(nlohmann::json spec) {
  std::string error;
  auto s = parseSpec({{"metadata", {{"namespace", "ns"}, {"name", "db"}}}, {"spec", spec}}, &error);
  EXPECT_FALSE(s.has_value());
  return error;
}

TEST(DatabaseSpec, Parses) {
  std::string error;
  auto s = parseSpec(
      {{"spec", {{"database", "app"}, {"characterSet", "utf8mb4"}, {"collation", "utf8mb4_bin"}}}},
      &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->database, "app");
  EXPECT_EQ(s->characterSet, "utf8mb4");
  EXPECT_EQ(s->collation, "utf8mb4_bin");
  s = parseSpec({{"spec", {{"database", "a`b'c;%"}, {"characterSet", ""}}}}, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->characterSet, std::nullopt);
}

TEST(DatabaseSpec, RefusesWithTheField) {
  EXPECT_EQ(specError(nlohmann::json::object()), "spec.database is required");
  EXPECT_EQ(specError({{"database", ""}}), "spec.database is required");
  EXPECT_EQ(specError({{"database", 42}}), "spec.database must be a string");
  EXPECT_EQ(specError({{"database", "mysql"}}),
            "spec.database \"mysql\" names the system schema mysql, which the operator never "
            "creates or drops");
  EXPECT_EQ(specError({{"database", std::string(65, 'd')}}),
            "spec.database \"" + std::string(64, 'd') + "...\" is longer than 64 characters (65)");
  EXPECT_EQ(specError({{"database", std::string("a\0b", 3)}}),
            "spec.database \"a\\x00b\" contains a NUL character");
  EXPECT_EQ(specError({{"database", "x "}}),
            "spec.database \"x \" ends with a space, which MySQL does not allow");
  EXPECT_EQ(specError({{"database", "smile\xF0\x9F\x98\x80"}}),
            "spec.database \"smile\xF0\x9F\x98\x80\" contains a character outside the Basic "
            "Multilingual Plane (such as an emoji), which MySQL names cannot hold");
  EXPECT_EQ(specError({{"database", "ok"}, {"characterSet", "utf8'"}}),
            "spec.characterSet \"utf8'\" may hold letters, digits and _ only");
  EXPECT_EQ(specError({{"database", "ok"}, {"collation", true}}),
            "spec.collation must be a string");
}

TEST(DatabaseOptions, Defaults) {
  Options o = parseOptions("{}", "");
  EXPECT_FALSE(o.allowCrossNamespace);
  EXPECT_EQ(o.notReadyRequeue, std::chrono::seconds(30));
  EXPECT_EQ(o.pool.timeouts.connect, std::chrono::seconds(5));
  o = parseOptions(R"({"allowCrossNamespaceDatabase":true,"allowCrossNamespaceUser":false})",
                   R"({"clusterNotReadyRequeueSeconds":5,"queryTimeoutSeconds":7})");
  EXPECT_TRUE(o.allowCrossNamespace);
  EXPECT_EQ(o.notReadyRequeue, std::chrono::seconds(5));
  EXPECT_EQ(o.pool.timeouts.read, std::chrono::seconds(7));
}

TEST(DatabaseOptions, BadValuesNameTheKey) {
  auto message = [](const char* op, const char* cfg) {
    try {
      parseOptions(op, cfg);
    } catch (const mysqlop::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(message(R"({"allowCrossNamespaceDatabase":"yes"})", "{}"),
            "operator settings allowCrossNamespaceDatabase must be true or false");
  EXPECT_EQ(message("{}", R"({"clusterNotReadyRequeueSeconds":0})"),
            "config.clusterNotReadyRequeueSeconds must be an integer from 1 to 86400");
  EXPECT_EQ(message("{}", R"({"queryTimeoutSecs":3})"),
            "config.queryTimeoutSecs is not a setting of this plugin (known: "
            "clusterNotReadyRequeueSeconds, connectTimeoutSeconds, queryTimeoutSeconds, "
            "maxIdleConnections)");
  EXPECT_EQ(message("{}", "[1]"), "config is not a JSON object");
}

}  // namespace
}  // namespace mysqlop::database
