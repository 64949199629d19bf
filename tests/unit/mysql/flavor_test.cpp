#include "plugins/common/mysql/flavor.h"

#include <gtest/gtest.h>

namespace mysqlop::mysql {
namespace {

ServerVersion parsedOk(std::string_view version, std::string_view image = {}) {
  VersionParse p = parseServerVersion(version, image);
  EXPECT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.error, "");
  return p.version.value_or(ServerVersion{});
}

std::string parseError(std::string_view version, std::string_view image = {}) {
  VersionParse p = parseServerVersion(version, image);
  EXPECT_FALSE(p.ok()) << "parsed as " << (p.version ? p.version->describe() : "");
  return p.error;
}

TEST(MysqlFlavor, BitpokeAliasesAndDefault) {
  EXPECT_EQ(parsedOk("5.7"), (ServerVersion{Flavor::MySQL, 5, 7, 35}));
  EXPECT_EQ(parsedOk("8.0"), (ServerVersion{Flavor::MySQL, 8, 0, 20}));
  EXPECT_EQ(parsedOk(""), (ServerVersion{Flavor::MySQL, 5, 7, 35}));
}

TEST(MysqlFlavor, FullMysqlVersions) {
  EXPECT_EQ(parsedOk("5.7.35"), (ServerVersion{Flavor::MySQL, 5, 7, 35}));
  EXPECT_EQ(parsedOk("8.0.20"), (ServerVersion{Flavor::MySQL, 8, 0, 20}));
  EXPECT_EQ(parsedOk("8.4"), (ServerVersion{Flavor::MySQL, 8, 4, 0}));
  EXPECT_EQ(parsedOk("5.7.26", "percona:5.7.26"), (ServerVersion{Flavor::MySQL, 5, 7, 26}));
}

// bitpoke parses spec.mysqlVersion as semver: Percona's build numbers (8.0.32-24) are accepted and
// the suffix does not change the version the operator works with.
TEST(MysqlFlavor, SemverBuildSuffix) {
  EXPECT_EQ(parsedOk("8.0.32-24"), (ServerVersion{Flavor::MySQL, 8, 0, 32}));
  EXPECT_EQ(parsedOk("5.7.44-48"), (ServerVersion{Flavor::MySQL, 5, 7, 44}));
  EXPECT_EQ(parsedOk("8.0.32-rc.1+build-7"), (ServerVersion{Flavor::MySQL, 8, 0, 32}));
  EXPECT_EQ(parsedOk("8.0.32+b1"), (ServerVersion{Flavor::MySQL, 8, 0, 32}));
  EXPECT_EQ(parseError("10.11.6-1"),
            "spec.mysqlVersion \"10.11.6-1\": MySQL has no version 10; write \"mariadb-10.11.6\" "
            "for MariaDB");
  EXPECT_EQ(parseError("5.6.51-91"),
            "spec.mysqlVersion \"5.6.51-91\": MySQL versions before 5.7 are not supported");
}

TEST(MysqlFlavor, MariaDbByVersion) {
  EXPECT_EQ(parsedOk("mariadb-10.11"), (ServerVersion{Flavor::MariaDB, 10, 11, 0}));
  EXPECT_EQ(parsedOk("mariadb-10.6.18"), (ServerVersion{Flavor::MariaDB, 10, 6, 18}));
  // An explicit mariadb- version wins over the image tag.
  EXPECT_EQ(parsedOk("mariadb-10.6", "mariadb:10.11"), (ServerVersion{Flavor::MariaDB, 10, 6, 0}));
}

TEST(MysqlFlavor, MariaDbByImage) {
  EXPECT_EQ(parsedOk("", "docker.io/library/mariadb:10.11.6-jammy"),
            (ServerVersion{Flavor::MariaDB, 10, 11, 6}));
  EXPECT_EQ(parsedOk("5.7", "mariadb:10.6"), (ServerVersion{Flavor::MariaDB, 10, 6, 0}));
  EXPECT_EQ(parsedOk("", "registry:5000/MariaDB:11"), (ServerVersion{Flavor::MariaDB, 11, 0, 0}));
  EXPECT_EQ(parsedOk("10.11", "mariadb:latest"), (ServerVersion{Flavor::MariaDB, 10, 11, 0}));
  EXPECT_EQ(parsedOk("10.11", "mariadb@sha256:abcd"), (ServerVersion{Flavor::MariaDB, 10, 11, 0}));
  EXPECT_TRUE(isMariaDbImage("quay.io/x/MARIADB-server"));
  EXPECT_FALSE(isMariaDbImage("percona:8.0"));
}

TEST(MysqlFlavor, Describe) {
  ServerVersion v{Flavor::MariaDB, 10, 11, 6};
  EXPECT_EQ(v.number(), "10.11.6");
  EXPECT_EQ(v.describe(), "MariaDB 10.11.6");
  EXPECT_TRUE(v.atLeast(10, 11));
  EXPECT_TRUE(v.atLeast(10, 6, 99));
  EXPECT_FALSE(v.atLeast(10, 11, 7));
  EXPECT_STREQ(flavorName(Flavor::MySQL), "MySQL");
}

TEST(MysqlFlavor, UnparsableMysqlVersions) {
  const char* expected =
      " is not a valid MySQL version (expected \"5.7\", \"8.0\", \"X.Y.Z\", \"X.Y.Z-build\" "
      "or \"mariadb-X.Y[.Z]\")";
  for (const char* bad :
       {"abc",     "8",           "8.0.",       ".8.0",      "8..0",      "8.0.20.1", "v8.0",
        " 8.0",    "8.0 ",        "8.x",        "12345.0",   "-8.0",      "8.0-11",   "8.0.20-",
        "8.0.20+", "8.0.20-a..b", "8.0.20-11 ", "8.0.20_11", "8.0.20-1+", "8.0.20-é"}) {
    EXPECT_EQ(parseError(bad), "spec.mysqlVersion \"" + std::string(bad) + "\"" + expected) << bad;
  }
}

TEST(MysqlFlavor, UnsupportedMysqlVersions) {
  EXPECT_EQ(parseError("5.6.40"),
            "spec.mysqlVersion \"5.6.40\": MySQL versions before 5.7 are not supported");
  EXPECT_EQ(parseError("6.0"), "spec.mysqlVersion \"6.0\": MySQL has no version 6");
  EXPECT_EQ(parseError("10.11"),
            "spec.mysqlVersion \"10.11\": MySQL has no version 10; write \"mariadb-10.11\" for "
            "MariaDB");
}

TEST(MysqlFlavor, BadMariaDbVersions) {
  EXPECT_EQ(parseError("mariadb-"),
            "spec.mysqlVersion \"mariadb-\" is not a valid MariaDB version (expected "
            "\"mariadb-X.Y\" or \"mariadb-X.Y.Z\")");
  EXPECT_EQ(parseError("mariadb-10"),
            "spec.mysqlVersion \"mariadb-10\" is not a valid MariaDB version (expected "
            "\"mariadb-X.Y\" or \"mariadb-X.Y.Z\")");
  EXPECT_EQ(parseError("mariadb-latest"),
            "spec.mysqlVersion \"mariadb-latest\" is not a valid MariaDB version (expected "
            "\"mariadb-X.Y\" or \"mariadb-X.Y.Z\")");
  EXPECT_EQ(parseError("mariadb-5.5"),
            "spec.mysqlVersion \"mariadb-5.5\": MariaDB versions before 10 are not supported");
}

TEST(MysqlFlavor, MariaDbImageWithoutVersion) {
  const std::string hint =
      " is MariaDB but its version is unknown: set spec.mysqlVersion to \"mariadb-X.Y\" or use "
      "an image tag such as \"mariadb:10.11\"";
  EXPECT_EQ(parseError("", "mariadb:latest"), "spec.image \"mariadb:latest\"" + hint);
  EXPECT_EQ(parseError("8.0", "mariadb"), "spec.image \"mariadb\"" + hint);
  EXPECT_EQ(parseError("", "mariadb:10.11rc"), "spec.image \"mariadb:10.11rc\"" + hint);
  EXPECT_EQ(parseError("", "my.registry:5000/mariadb"),
            "spec.image \"my.registry:5000/mariadb\"" + hint);
  EXPECT_EQ(parseError("", "mariadb:5.5"),
            "spec.image \"mariadb:5.5\": MariaDB versions before 10 are not supported");
}

}  // namespace
}  // namespace mysqlop::mysql

namespace mysqlop::mysql {
namespace {

TEST(MysqlFlavor, ServerInfo) {
  auto v = parseServerInfo("10.11.19-MariaDB-0+deb12u1-log");
  ASSERT_TRUE(v.ok()) << v.error;
  EXPECT_EQ(*v.version, (ServerVersion{Flavor::MariaDB, 10, 11, 19}));
  EXPECT_EQ(*parseServerInfo("5.5.5-10.6.18-MariaDB-log").version,
            (ServerVersion{Flavor::MariaDB, 10, 6, 18}));
  EXPECT_EQ(*parseServerInfo("8.0.20-11").version, (ServerVersion{Flavor::MySQL, 8, 0, 20}));
  EXPECT_EQ(*parseServerInfo("5.7.35-38-log").version, (ServerVersion{Flavor::MySQL, 5, 7, 35}));
  EXPECT_EQ(*parseServerInfo("8.4.0").version, (ServerVersion{Flavor::MySQL, 8, 4, 0}));
  EXPECT_EQ(parseServerInfo("garbage").error, "the server version \"garbage\" cannot be parsed");
  EXPECT_EQ(parseServerInfo("8.0x").error, "the server version \"8.0x\" cannot be parsed");
}

}  // namespace
}  // namespace mysqlop::mysql
