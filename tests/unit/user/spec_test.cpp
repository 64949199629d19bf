#include "plugins/user/src/spec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"
#include "plugins/user/src/options.h"

namespace mysqlop::user {
namespace {

using nlohmann::json;

const std::set<std::string> kReserved = {"root", "sys_operator"};

json validSpec() {
  return {{"clusterRef", {{"name", "c"}}},
          {"user", "app"},
          {"password", {{"name", "app-secret"}, {"key", "PASSWORD"}}},
          {"allowedHosts", {"%", "10.0.0.%"}},
          {"permissions",
           {{{"schema", "db"}, {"tables", {"*"}}, {"permissions", {"SELECT", "insert"}}}}},
          {"resourceLimits", {{"MAX_USER_CONNECTIONS", 10}, {"MAX_QUERIES_PER_HOUR", "1k"}}}};
}

std::string specError(const json& spec) {
  std::string error;
  auto s = parseSpec({{"metadata", {{"namespace", "ns"}, {"name", "u"}}}, {"spec", spec}},
                     kReserved, &error);
  EXPECT_FALSE(s.has_value());
  return error;
}

json with(json spec, const std::string& key, json value) {
  spec[key] = std::move(value);
  return spec;
}

TEST(UserSpec, Parses) {
  std::string error;
  auto s = parseSpec({{"spec", validSpec()}}, kReserved, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->user, "app");
  EXPECT_EQ(s->passwordSecret, "app-secret");
  EXPECT_EQ(s->passwordKey, "PASSWORD");
  EXPECT_EQ(s->hosts, (std::vector<std::string>{"%", "10.0.0.%"}));
  ASSERT_EQ(s->permissions.size(), 1u);
  EXPECT_EQ(s->permissions[0].privileges, (std::vector<std::string>{"SELECT", "insert"}));
  ASSERT_EQ(s->limits.size(), 2u);
  EXPECT_EQ(s->limits[0].key, "MAX_USER_CONNECTIONS");
  EXPECT_EQ(s->limits[0].value, 10);
  EXPECT_EQ(s->limits[1].key, "MAX_QUERIES_PER_HOUR");
  EXPECT_EQ(s->limits[1].value, 1000);
}

// bitpoke passes resourceLimits keys to MySQL, where case does not matter: lower-case keys are the
// same limits, applied under MySQL's own names.
TEST(UserSpec, ResourceLimitKeysInAnyCase) {
  std::string error;
  auto s = parseSpec({{"spec", with(validSpec(), "resourceLimits",
                                    {{"max_user_connections", 10},
                                     {"Max_Connections_Per_Hour", "2k"},
                                     {"max_queries_per_hour", "5"}})}},
                     kReserved, &error);
  ASSERT_TRUE(s) << error;
  ASSERT_EQ(s->limits.size(), 3u);
  EXPECT_EQ(s->limits[0].key, "MAX_USER_CONNECTIONS");
  EXPECT_EQ(s->limits[0].value, 10);
  EXPECT_EQ(s->limits[1].key, "MAX_QUERIES_PER_HOUR");
  EXPECT_EQ(s->limits[1].value, 5);
  EXPECT_EQ(s->limits[2].key, "MAX_CONNECTIONS_PER_HOUR");
  EXPECT_EQ(s->limits[2].value, 2000);
}

// password.optional is bitpoke's SecretKeySelector field; bitpoke ignores it, so do we: the
// password is still required (no user is ever created without one).
TEST(UserSpec, PasswordOptionalIsIgnored) {
  json spec = validSpec();
  spec["password"]["optional"] = true;
  std::string error;
  auto s = parseSpec({{"spec", spec}}, kReserved, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->passwordSecret, "app-secret");
  EXPECT_EQ(s->passwordKey, "PASSWORD");
  spec["password"] = {{"name", "app-secret"}, {"optional", true}};
  EXPECT_EQ(specError(spec), "spec.password.key is required");
}

TEST(UserSpec, DuplicateHostsCollapse) {
  std::string error;
  auto s =
      parseSpec({{"spec", with(validSpec(), "allowedHosts", {"%", "h", "%"})}}, kReserved, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->hosts, (std::vector<std::string>{"%", "h"}));
}

TEST(UserSpec, HostileUserNamesAreKeptExactly) {
  for (const std::string& name : {std::string("it's"), std::string("a`b"), std::string("x;DROP"),
                                  std::string("100%"), std::string("ünï"), std::string("\"q\"")}) {
    std::string error;
    auto s = parseSpec({{"spec", with(validSpec(), "user", name)}}, kReserved, &error);
    ASSERT_TRUE(s) << name << ": " << error;
    EXPECT_EQ(s->user, name);
  }
}

TEST(UserSpec, RefusesWithTheField) {
  json spec = validSpec();
  EXPECT_EQ(specError(with(spec, "user", "")), "spec.user is required");
  EXPECT_EQ(specError(with(spec, "user", 7)), "spec.user must be a string");
  EXPECT_EQ(specError(with(spec, "user", std::string("a\0b", 3))),
            "spec.user \"a\\x00b\" contains a NUL character");
  EXPECT_EQ(specError(with(spec, "user", "line\nbreak")),
            "spec.user \"line\\x0abreak\" contains a control character");
  EXPECT_EQ(specError(with(spec, "user", std::string(129, 'u'))),
            "spec.user \"" + std::string(64, 'u') + "...\" is longer than 128 characters (129)");
  EXPECT_EQ(specError(with(spec, "user", "\xF0\x9F\x98\x80")),
            "spec.user \"\xF0\x9F\x98\x80\" contains a character outside the Basic Multilingual "
            "Plane (such as an emoji), which MySQL names cannot hold");
  EXPECT_EQ(specError(with(spec, "user", "root")),
            "spec.user \"root\" is reserved for the server or the operator and cannot be managed "
            "by a MysqlUser");
  EXPECT_EQ(specError(with(spec, "password", json::object())), "spec.password.name is required");
  EXPECT_EQ(specError(with(spec, "password", {{"name", "s"}})), "spec.password.key is required");
  EXPECT_EQ(specError(with(spec, "allowedHosts", json::array())),
            "spec.allowedHosts must list at least one host");
  EXPECT_EQ(specError(with(spec, "allowedHosts", "%")),
            "spec.allowedHosts must be a list of strings");
  EXPECT_EQ(specError(with(spec, "allowedHosts", {"%", "a'b"})),
            "spec.allowedHosts[1] \"a'b\" contains \"'\" (a host may hold letters, digits and . - "
            "_ % : / only)");
  EXPECT_EQ(specError(with(spec, "allowedHosts", {"%; DROP USER root"})),
            "spec.allowedHosts[0] \"%; DROP USER root\" contains \";\" (a host may hold letters, "
            "digits and . - _ % : / only)");
  EXPECT_EQ(specError(with(spec, "allowedHosts", {std::string(256, 'h')})),
            "spec.allowedHosts[0] \"" + std::string(64, 'h') +
                "...\" is longer than 255 characters (256)");
}

TEST(UserSpec, PermissionErrorsNameTheEntry) {
  json spec = validSpec();
  auto perm = [&](json p) { return with(spec, "permissions", json::array({p})); };
  EXPECT_EQ(specError(perm({{"tables", {"*"}}, {"permissions", {"SELECT"}}})),
            "spec.permissions[0].schema is required (\"*\" for every schema)");
  EXPECT_EQ(specError(perm({{"schema", "db "}, {"tables", {"*"}}, {"permissions", {"SELECT"}}})),
            "spec.permissions[0].schema \"db \" ends with a space, which MySQL does not allow");
  EXPECT_EQ(
      specError(perm({{"schema", "db"}, {"tables", json::array()}, {"permissions", {"SELECT"}}})),
      "spec.permissions[0].tables is empty: list the tables, or \"*\" for every table");
  EXPECT_EQ(specError(perm({{"schema", "*"}, {"tables", {"t"}}, {"permissions", {"SELECT"}}})),
            "spec.permissions[0].tables[0] \"t\" needs a schema: with schema \"*\" the only table "
            "is \"*\"");
  EXPECT_EQ(specError(perm({{"schema", "db"}, {"tables", {"*", 3}}, {"permissions", {"SELECT"}}})),
            "spec.permissions[0].tables[1] must be a string");
  EXPECT_EQ(
      specError(perm(
          {{"schema", "db"}, {"tables", {std::string(65, 't')}}, {"permissions", {"SELECT"}}})),
      "spec.permissions[0].tables[0] \"" + std::string(64, 't') +
          "...\" is longer than 64 characters (65)");
  EXPECT_EQ(specError(perm({{"schema", "db"}, {"tables", {"*"}}, {"permissions", json::array()}})),
            "spec.permissions[0].permissions is empty: list the privileges to grant");
  EXPECT_EQ(specError(with(spec, "permissions", json::array({"SELECT"}))),
            "spec.permissions[0] must be an object with schema, tables and permissions");
}

TEST(UserSpec, ResourceLimitErrors) {
  json spec = validSpec();
  auto limits = [&](json l) { return with(spec, "resourceLimits", l); };
  EXPECT_EQ(specError(limits({{"MAX_STATEMENTS", 3}})),
            "spec.resourceLimits.MAX_STATEMENTS is not a resource limit (MAX_USER_CONNECTIONS, "
            "MAX_QUERIES_PER_HOUR, MAX_UPDATES_PER_HOUR, MAX_CONNECTIONS_PER_HOUR, in any case)");
  EXPECT_EQ(specError(limits({{"max_user_connections", 1}, {"MAX_USER_CONNECTIONS", 2}})),
            "spec.resourceLimits.MAX_USER_CONNECTIONS and spec.resourceLimits.max_user_connections "
            "are the same limit: keep one");
  EXPECT_EQ(specError(limits({{"max_user_connections", "ten"}})),
            "spec.resourceLimits.max_user_connections \"ten\" must be a whole number from 0 to "
            "2147483647");
  EXPECT_EQ(specError(limits({{"MAX_USER_CONNECTIONS", "1.5"}})),
            "spec.resourceLimits.MAX_USER_CONNECTIONS \"1.5\" must be a whole number from 0 to "
            "2147483647");
  EXPECT_EQ(specError(limits({{"MAX_USER_CONNECTIONS", -1}})),
            "spec.resourceLimits.MAX_USER_CONNECTIONS \"-1\" must be a whole number from 0 to "
            "2147483647");
  EXPECT_EQ(specError(limits({{"MAX_QUERIES_PER_HOUR", "4294967296"}})),
            "spec.resourceLimits.MAX_QUERIES_PER_HOUR \"4294967296\" must be a whole number from "
            "0 to 4294967295");
  EXPECT_EQ(specError(limits({{"MAX_UPDATES_PER_HOUR", "ten"}})),
            "spec.resourceLimits.MAX_UPDATES_PER_HOUR \"ten\" must be a whole number from 0 to "
            "4294967295");
  EXPECT_EQ(specError(limits({{"MAX_UPDATES_PER_HOUR", true}})),
            "spec.resourceLimits.MAX_UPDATES_PER_HOUR must be a whole number from 0 to "
            "4294967295");
  EXPECT_EQ(specError(limits("lots")), "spec.resourceLimits must be an object");
}

TEST(UserSpec, AppliedHosts) {
  EXPECT_EQ(appliedHosts({{"status", {{"allowedHosts", {"%", "a b", 3, "h", "%"}}}}}),
            (std::vector<std::string>{"%", "h"}));
  EXPECT_TRUE(appliedHosts(json::object()).empty());
}

TEST(UserOptions, DefaultsAndReservedUsers) {
  Options o = parseOptions(R"({"orchestratorTopologyUser":"orc"})", "");
  EXPECT_FALSE(o.allowCrossNamespace);
  EXPECT_EQ(o.requeueAfter, std::chrono::minutes(2));
  EXPECT_EQ(o.notReadyRequeue, std::chrono::seconds(30));
  EXPECT_EQ(o.reservedUsers.count("root"), 1u);
  EXPECT_EQ(o.reservedUsers.count("sys_replication"), 1u);
  EXPECT_EQ(o.reservedUsers.count("orc"), 1u);
  o = parseOptions(R"({"allowCrossNamespaceUser":true})",
                   R"({"requeueAfterSeconds":10,"reservedUsers":["dba"]})");
  EXPECT_TRUE(o.allowCrossNamespace);
  EXPECT_EQ(o.requeueAfter, std::chrono::seconds(10));
  EXPECT_EQ(o.reservedUsers.count("dba"), 1u);
}

TEST(UserOptions, BadValuesNameTheKey) {
  auto message = [](const char* op, const char* cfg) {
    try {
      parseOptions(op, cfg);
    } catch (const mysqlop::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(message("{}", R"({"requeueAfterSeconds":"2m"})"),
            "config.requeueAfterSeconds must be an integer from 1 to 86400");
  EXPECT_EQ(message("{}", R"({"reservedUsers":"dba"})"),
            "config.reservedUsers must be a list of user names");
  EXPECT_EQ(message(R"({"allowCrossNamespaceUser":1})", "{}"),
            "operator settings allowCrossNamespaceUser must be true or false");
}

}  // namespace
}  // namespace mysqlop::user
