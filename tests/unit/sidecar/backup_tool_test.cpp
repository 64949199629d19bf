#include "sidecar/backup_tool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mysqlop::sidecar {
namespace {

using Args = std::vector<std::string>;

Config flavored(mysql::Flavor f) {
  Config c;
  c.version.flavor = f;
  c.version.major = f == mysql::Flavor::MariaDB ? 10 : 8;
  c.dataDir = "/var/lib/mysql";
  c.replicationUser = {"sys_replication", "pw"};
  c.xtrabackupExtraArgs = {"--parallel=2"};
  c.xbstreamExtraArgs = {"--verbose"};
  c.xtrabackupPrepareExtraArgs = {"--use-memory=64M"};
  return c;
}

TEST(SidecarBackupTool, MariaDbUsesMariadbBackupAndMbstream) {
  Config c = flavored(mysql::Flavor::MariaDB);
  EXPECT_EQ(
      backupCommand(c, ""),
      (Args{"mariadb-backup", "--no-defaults", "--backup", "--slave-info", "--stream=xbstream",
            "--tables-exclude=sys_operator\\.status", "--datadir=/var/lib/mysql",
            "--host=127.0.0.1", "--port=3306", "--user=sys_replication", "--password=pw",
            "--target-dir=/tmp/xtrabackup_backupfiles/", "--parallel=2"}));
  EXPECT_EQ(backupCommand(c, "/etc/mysql/my.cnf")[1], "--defaults-file=/etc/mysql/my.cnf");
  EXPECT_EQ(extractCommand(c), (Args{"mbstream", "-x", "-C", "/var/lib/mysql", "--verbose"}));
  EXPECT_EQ(prepareCommand(c), (Args{"mariadb-backup", "--no-defaults", "--prepare",
                                     "--target-dir=/var/lib/mysql", "--use-memory=64M"}));
}

TEST(SidecarBackupTool, MySqlUsesXtrabackupAndXbstream) {
  Config c = flavored(mysql::Flavor::MySQL);
  EXPECT_EQ(backupCommand(c, "")[0], "xtrabackup");
  EXPECT_EQ(extractCommand(c),
            (Args{"xbstream", "--extract", "--directory=/var/lib/mysql", "--verbose"}));
  EXPECT_EQ(prepareCommand(c)[0], "xtrabackup");
}

struct BinlogInfo : ::testing::Test {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("sidecar-binlog-" + std::to_string(::getpid())))
          .string();
  BinlogInfo() { std::filesystem::create_directories(dir); }
  ~BinlogInfo() override { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir + "/" + name) << text;
  }
};

TEST_F(BinlogInfo, NoFileMeansNoGtid) { EXPECT_EQ(*backupGtid(dir), ""); }

TEST_F(BinlogInfo, MariaDbThirdField) {
  write("mariadb_backup_binlog_info", "mysql-bin.000001\t47043478\t0-1-245\n");
  write("xtrabackup_binlog_info", "mysql-bin.000001\t47043478\t0-1-999\n");
  EXPECT_EQ(*backupGtid(dir), "0-1-245");
}

TEST_F(BinlogInfo, MySqlGtidSetOverSeveralWords) {
  write("xtrabackup_binlog_info",
        "mysql-bin.000003\t194\t3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,\n"
        "F0C2CCA8-71CA-11E1-9E33-C80AA9429562:1-3\n");
  EXPECT_EQ(*backupGtid(dir),
            "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5,"
            "F0C2CCA8-71CA-11E1-9E33-C80AA9429562:1-3");
}

TEST_F(BinlogInfo, ARefusedGtid) {
  write("mariadb_backup_binlog_info", "mysql-bin.000001 4 0-1-2');DROP\n");
  auto r = backupGtid(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            dir + "/mariadb_backup_binlog_info: \"0-1-2');DROP\" is not a GTID set");
}

}  // namespace
}  // namespace mysqlop::sidecar
