#include "plugins/common/mysql/identifiers.h"

#include <gtest/gtest.h>

namespace mysqlop::mysql {
namespace {

std::string err(std::optional<std::string> e) { return e.value_or("<ok>"); }

TEST(MysqlIdentifiers, AcceptsWhatMysqlStoresExactly) {
  for (const std::string& ok :
       {std::string("app"), std::string("a`b"), std::string("it's"), std::string("x;DROP"),
        std::string("100%"), std::string("ünï cødé"), std::string("a/b.c\\d"), std::string("1"),
        std::string(64, 'x'), std::string(" lead")}) {
    EXPECT_EQ(checkIdentifier(ok), std::nullopt) << ok;
  }
}

TEST(MysqlIdentifiers, RefusesWhatMysqlCannotStore) {
  EXPECT_EQ(err(checkIdentifier("")), "is empty");
  EXPECT_EQ(err(checkIdentifier(std::string("a\0b", 3))), "contains a NUL character");
  EXPECT_EQ(err(checkIdentifier("a\nb")), "contains a control character");
  EXPECT_EQ(err(checkIdentifier("\xff\xfe")), "is not valid UTF-8");
  EXPECT_EQ(err(checkIdentifier("\xc0\xaf")), "is not valid UTF-8");  // overlong '/'
  EXPECT_EQ(err(checkIdentifier("emoji\xF0\x9F\x98\x80")),
            "contains a character outside the Basic Multilingual Plane (such as an emoji), which "
            "MySQL names cannot hold");
  EXPECT_EQ(err(checkIdentifier(std::string(65, 'x'))), "is longer than 64 characters (65)");
  // 64 two-byte characters are 128 bytes and still fit.
  std::string wide;
  for (int i = 0; i < 64; ++i) {
    wide += "\xC3\xA9";
  }
  EXPECT_EQ(checkIdentifier(wide), std::nullopt);
  EXPECT_EQ(err(checkIdentifier(wide + "e")), "is longer than 64 characters (65)");
  EXPECT_EQ(err(checkIdentifier("trailing ")), "ends with a space, which MySQL does not allow");
}

TEST(MysqlIdentifiers, DatabaseNamesExcludeSystemSchemas) {
  EXPECT_EQ(checkDatabaseName("app"), std::nullopt);
  EXPECT_EQ(err(checkDatabaseName("mysql")),
            "names the system schema mysql, which the operator never creates or drops");
  EXPECT_EQ(err(checkDatabaseName("INFORMATION_SCHEMA")),
            "names the system schema information_schema, which the operator never creates or "
            "drops");
  EXPECT_EQ(err(checkDatabaseName("sys_operator")),
            "names the system schema sys_operator, which the operator never creates or drops");
  EXPECT_EQ(err(checkDatabaseName("")), "is empty");
}

TEST(MysqlIdentifiers, UserNames) {
  EXPECT_EQ(checkUserName("it's \"me\" `x`; --", 32), std::nullopt);
  EXPECT_EQ(checkUserName("ünï", 32), std::nullopt);
  EXPECT_EQ(err(checkUserName(std::string(33, 'u'), 32)), "is longer than 32 characters (33)");
  EXPECT_EQ(err(checkUserName("", 32)), "is empty");
  EXPECT_EQ(err(checkUserName(std::string("a\0", 2), 32)), "contains a NUL character");
  EXPECT_EQ(err(checkUserName("tab\there", 32)), "contains a control character");
}

TEST(MysqlIdentifiers, Hosts) {
  for (const char* ok : {"%", "localhost", "10.0.0.%", "10.0.0.0/255.255.255.0", "::1",
                         "fe80::1%eth0", "app-1.ns.svc.cluster.local", "_x"}) {
    EXPECT_EQ(checkHost(ok, 255), std::nullopt) << ok;
  }
  EXPECT_EQ(err(checkHost("", 255)), "is empty");
  EXPECT_EQ(err(checkHost("a'b", 255)),
            "contains \"'\" (a host may hold letters, digits and . - _ % : / only)");
  EXPECT_EQ(err(checkHost("a b", 255)),
            "contains \" \" (a host may hold letters, digits and . - _ % : / only)");
  EXPECT_EQ(err(checkHost("a`b", 255)),
            "contains \"`\" (a host may hold letters, digits and . - _ % : / only)");
  EXPECT_EQ(err(checkHost("a;b", 255)),
            "contains \";\" (a host may hold letters, digits and . - _ % : / only)");
  EXPECT_EQ(err(checkHost("a@b", 255)),
            "contains \"@\" (a host may hold letters, digits and . - _ % : / only)");
  EXPECT_EQ(err(checkHost(std::string("a\0b", 3), 255)),
            "contains a character that is not printable ASCII (a host may hold letters, digits "
            "and . - _ % : / only)");
  EXPECT_EQ(err(checkHost("höst", 255)),
            "contains a character that is not printable ASCII (a host may hold letters, digits "
            "and . - _ % : / only)");
  EXPECT_EQ(err(checkHost(std::string(61, 'h'), 60)), "is longer than 60 characters (61)");
}

TEST(MysqlIdentifiers, CharsetNames) {
  EXPECT_EQ(checkCharsetName("utf8mb4_0900_ai_ci"), std::nullopt);
  EXPECT_EQ(err(checkCharsetName("")), "is empty");
  EXPECT_EQ(err(checkCharsetName("utf8'; DROP")), "may hold letters, digits and _ only");
  EXPECT_EQ(err(checkCharsetName(std::string(65, 'a'))), "is longer than 64 characters");
}

TEST(MysqlIdentifiers, Quoting) {
  EXPECT_EQ(quoteIdentifier("app"), "`app`");
  EXPECT_EQ(quoteIdentifier("a`b"), "`a``b`");
  EXPECT_EQ(quoteIdentifier("``"), "``````");
  EXPECT_EQ(schemaGrantPattern("my_db%\\x"), "my\\_db\\%\\\\x");
  EXPECT_EQ(shown("plain"), "\"plain\"");
  EXPECT_EQ(shown("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(shown(std::string("n\0l\n", 4)), "\"n\\x00l\\x0a\"");
  EXPECT_EQ(shown(std::string(70, 'x')), "\"" + std::string(64, 'x') + "...\"");
  EXPECT_EQ(shown("é"), "\"é\"");
}

}  // namespace
}  // namespace mysqlop::mysql
