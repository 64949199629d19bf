#include "sidecar/init_sql.h"

#include <gtest/gtest.h>

#include "sidecar/config_files.h"

namespace mysqlop::sidecar {
namespace {

Config config(mysql::Flavor flavor, int major) {
  Config c;
  c.hostname = "c-mysql-1";
  c.ordinal = 1;
  c.clusterName = "c";
  c.nameSpace = "ns";
  c.serviceName = "mysql";
  c.version.flavor = flavor;
  c.version.major = major;
  c.version.minor = flavor == mysql::Flavor::MariaDB ? 11 : 0;
  c.operatorUser = {"sys_operator", "op"};
  c.replicationUser = {"sys_replication", "repl"};
  c.exporterUser = {"sys_exporter", "exp"};
  c.orcTopologyUser = {"orchestrator", "orc"};
  c.backupUser = {"sys_backup", "bk"};
  return c;
}

TEST(SidecarInitFile, MariaDbStatementsInOrder) {
  InitFacts f;
  f.heartbeatPassword = "hb";
  f.backupGtidPurged = "0-1-245";
  EXPECT_EQ(initFileContent(config(mysql::Flavor::MariaDB, 10), f),
            "SET @@SESSION.SQL_LOG_BIN = 0;\n"
            "SET GLOBAL READ_ONLY = 1;\n"
            "CREATE DATABASE IF NOT EXISTS sys_operator;\n"
            "DROP USER IF EXISTS 'sys_operator'@'%';\n"
            "CREATE USER 'sys_operator'@'%' IDENTIFIED BY 'op';\n"
            "GRANT SUPER, SHOW DATABASES, PROCESS, RELOAD, CREATE, SELECT, SLAVE MONITOR, "
            "READ_ONLY ADMIN ON *.* TO 'sys_operator'@'%';\n"
            "GRANT REPLICATION SLAVE ON *.* TO 'sys_operator'@'%';\n"
            "GRANT ALL ON sys_operator.* TO 'sys_operator'@'%';\n"
            "DROP USER IF EXISTS 'orchestrator'@'%';\n"
            "CREATE USER 'orchestrator'@'%' IDENTIFIED BY 'orc';\n"
            "GRANT SUPER, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT, RELOAD, SLAVE MONITOR, "
            "READ_ONLY ADMIN ON *.* TO 'orchestrator'@'%';\n"
            "GRANT SELECT, CREATE ON sys_operator.heartbeat TO 'orchestrator'@'%';\n"
            "DROP USER IF EXISTS 'sys_replication'@'%';\n"
            "CREATE USER 'sys_replication'@'%' IDENTIFIED BY 'repl';\n"
            "GRANT SELECT, PROCESS, RELOAD, LOCK TABLES, REPLICATION CLIENT, REPLICATION SLAVE, "
            "SLAVE MONITOR ON *.* TO 'sys_replication'@'%';\n"
            "DROP USER IF EXISTS 'sys_exporter'@'127.0.0.1';\n"
            "CREATE USER 'sys_exporter'@'127.0.0.1' IDENTIFIED BY 'exp';\n"
            "GRANT SELECT, PROCESS, REPLICATION CLIENT, SLAVE MONITOR ON *.* TO "
            "'sys_exporter'@'127.0.0.1';\n"
            "GRANT SELECT, CREATE ON sys_operator.heartbeat TO 'sys_exporter'@'127.0.0.1';\n"
            "ALTER USER 'sys_exporter'@'127.0.0.1' WITH MAX_USER_CONNECTIONS 3;\n"
            "DROP USER IF EXISTS 'sys_heartbeat'@'127.0.0.1';\n"
            "CREATE USER 'sys_heartbeat'@'127.0.0.1' IDENTIFIED BY 'hb';\n"
            "GRANT CREATE, SELECT, DELETE, UPDATE, INSERT ON sys_operator.heartbeat TO "
            "'sys_heartbeat'@'127.0.0.1';\n"
            "GRANT REPLICATION CLIENT, SLAVE MONITOR ON *.* TO 'sys_heartbeat'@'127.0.0.1';\n"
            "DROP TABLE IF EXISTS sys_operator.status;\n"
            "CREATE TABLE IF NOT EXISTS sys_operator.status (name varchar(64) PRIMARY KEY, value "
            "varchar(8192) NOT NULL);\n"
            "REPLACE INTO sys_operator.status VALUES ('configured','0');\n"
            "REPLACE INTO sys_operator.status VALUES ('backup_gtid_purged','0-1-245');\n");
}

TEST(SidecarInitFile, MySqlGrantsAsBitpoke) {
  InitFacts f;
  f.heartbeatPassword = "hb";
  f.statusTableFileExists = true;
  f.restoredFromBucket = true;
  Config c = config(mysql::Flavor::MySQL, 8);
  c.initFileExtraSql = {"SET GLOBAL x = 1"};
  auto s = initStatements(c, f);
  auto has = [&](const std::string& st) { return std::find(s.begin(), s.end(), st) != s.end(); };
  EXPECT_TRUE(has(
      "GRANT SUPER, SHOW DATABASES, PROCESS, RELOAD, CREATE, SELECT ON *.* TO 'sys_operator'@'%'"));
  EXPECT_TRUE(has("GRANT SELECT ON mysql.slave_master_info TO 'orchestrator'@'%'"));
  EXPECT_TRUE(
      has("GRANT SELECT, PROCESS, RELOAD, LOCK TABLES, REPLICATION CLIENT, REPLICATION SLAVE, "
          "BACKUP_ADMIN ON *.* TO 'sys_replication'@'%'"));
  EXPECT_FALSE(has("DROP TABLE IF EXISTS sys_operator.status"));
  EXPECT_EQ(s[s.size() - 2], "RESET SLAVE ALL");
  EXPECT_EQ(s.back(), "SET GLOBAL x = 1");
  c = config(mysql::Flavor::MySQL, 5);
  s = initStatements(c, f);
  EXPECT_TRUE(
      has("GRANT SELECT, PROCESS, RELOAD, LOCK TABLES, REPLICATION CLIENT, REPLICATION SLAVE ON "
          "*.* TO 'sys_replication'@'%'"));
}

TEST(SidecarConfigFiles, IdentityClientAndInitFileCnf) {
  Config c = config(mysql::Flavor::MariaDB, 10);
  c.confDir = "/etc/mysql";
  EXPECT_EQ(identityCnf(c), "[mysqld]\nserver-id=101\nreport-host=c-mysql-1.mysql.ns\n");
  EXPECT_EQ(initFileCnf(c), "[mysqld]\ninit-file=/etc/mysql/conf.d/operator-init.sql\n");
  EXPECT_EQ(clientConf(c, "sys_operator", "op"),
            "[client]\nhost=127.0.0.1\nport=3306\nuser=sys_operator\npassword=op\n");
}

}  // namespace
}  // namespace mysqlop::sidecar
