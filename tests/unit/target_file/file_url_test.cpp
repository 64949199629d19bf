// The file target's URLs, configuration and error statuses, without the ABI.
#include "plugins/target_file/src/file_url.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace mysqlop::testing {
namespace {

using targetfile::Options;

std::string errorOf(std::string_view url, const Options& o = {}) {
  try {
    targetfile::pathOf(url, o);
  } catch (const mysqlop::Error& e) {
    return std::string(mysqlop::statusName(e.status())) + ": " + e.what();
  }
  return "accepted";
}

std::string configErrorOf(std::string_view json) {
  try {
    targetfile::parseOptions(json);
  } catch (const mysqlop::Error& e) {
    return std::string(mysqlop::statusName(e.status())) + ": " + e.what();
  }
  return "accepted";
}

TEST(FileUrl, AnAbsolutePathIsItsObject) {
  EXPECT_EQ(targetfile::pathOf("file:///var/backups/c1/full.xbackup.gz", {}),
            "/var/backups/c1/full.xbackup.gz");
  EXPECT_EQ(targetfile::pathOf("file:///var//backups/./c1/", {}), "/var/backups/c1/");
  EXPECT_EQ(targetfile::urlOf("/var/backups/x"), "file:///var/backups/x");
}

TEST(FileUrl, EachBadUrlIsRefusedNamingIt) {
  EXPECT_EQ(errorOf("s3://bucket/x"),
            "InvalidConfig: URL s3://bucket/x does not start with file://");
  EXPECT_EQ(errorOf("file:relative"),
            "InvalidConfig: URL file:relative does not start with file://");
  EXPECT_EQ(errorOf("file://host/x"),
            "InvalidConfig: URL file://host/x must name an absolute path on this machine "
            "(file:///dir/name)");
  EXPECT_EQ(errorOf("file://"),
            "InvalidConfig: URL file:// must name an absolute path on this machine "
            "(file:///dir/name)");
  EXPECT_EQ(errorOf("file:///var/backups/../../etc/shadow"),
            "InvalidConfig: URL file:///var/backups/../../etc/shadow must not contain \"..\"");
}

TEST(FileUrl, TheRootConfinesEveryUrl) {
  Options o;
  o.root = "/var/backups";
  EXPECT_EQ(targetfile::pathOf("file:///var/backups/c1/x", o), "/var/backups/c1/x");
  EXPECT_EQ(errorOf("file:///var/backups-other/x", o),
            "Forbidden: URL file:///var/backups-other/x is outside the configured root "
            "/var/backups");
  EXPECT_EQ(errorOf("file:///etc/passwd", o),
            "Forbidden: URL file:///etc/passwd is outside the configured root /var/backups");
}

TEST(FileUrl, ConfigKeysAreChecked) {
  EXPECT_EQ(targetfile::parseOptions("{}").fsync, true);
  EXPECT_EQ(targetfile::parseOptions(R"({"root":"/srv/b/","fsync":false})").root, "/srv/b/");
  EXPECT_EQ(configErrorOf(R"({"root":"rel"})"),
            "InvalidConfig: config.root: expected an absolute path");
  EXPECT_EQ(configErrorOf(R"({"root":7})"),
            "InvalidConfig: config.root: expected an absolute path");
  EXPECT_EQ(configErrorOf(R"({"fsync":1})"), "InvalidConfig: config.fsync: expected true or false");
  EXPECT_EQ(configErrorOf(R"({"bucket":"x"})"),
            "InvalidConfig: config: unknown key \"bucket\" (known: root, fsync)");
  EXPECT_EQ(configErrorOf("[1]"), "InvalidConfig: config: expected a JSON object");
  EXPECT_EQ(configErrorOf("{"), "InvalidConfig: config: expected a JSON object");
}

TEST(FileUrl, TemporaryNamesAreHiddenBesideTheirObjectAndNeverListed) {
  const auto t = targetfile::temporaryFor("/b/c1/full.xbackup.gz");
  EXPECT_EQ(t.parent_path(), "/b/c1");
  EXPECT_EQ(t.filename().string().rfind(".full.xbackup.gz.tmp-", 0), 0U) << t;
  EXPECT_TRUE(targetfile::isTemporary(t));
  EXPECT_NE(targetfile::temporaryFor("/b/x"), targetfile::temporaryFor("/b/x"));
  EXPECT_FALSE(targetfile::isTemporary("/b/c1/full.xbackup.gz"));
  EXPECT_FALSE(targetfile::isTemporary("/b/c1/full.xbackup.gz.tmp"));  // bitpoke's own name
}

TEST(FileUrl, ErrnoDecidesTheStatus) {
  EXPECT_EQ(targetfile::statusOfErrno(EACCES), mysqlop_status_Forbidden);
  EXPECT_EQ(targetfile::statusOfErrno(EROFS), mysqlop_status_Forbidden);
  EXPECT_EQ(targetfile::statusOfErrno(ENOENT), mysqlop_status_NotFound);
  EXPECT_EQ(targetfile::statusOfErrno(EISDIR), mysqlop_status_InvalidConfig);
  EXPECT_EQ(targetfile::statusOfErrno(ENOSPC), mysqlop_status_Retry);
  EXPECT_EQ(targetfile::statusOfErrno(EIO), mysqlop_status_Retry);
}

}  // namespace
}  // namespace mysqlop::testing
