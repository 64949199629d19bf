#include <gtest/gtest.h>

#include "cluster_test_util.h"
#include "plugins/cluster/src/mycnf.h"

namespace mysqlop::cluster {
namespace {

using nlohmann::json;
using testing::validSpec;

std::string confValue(const ClusterSpec& c, const std::string& key) {
  for (const auto& [k, v] : computedMysqlConf(c)) {
    if (k == key) {
      return v;
    }
  }
  return "<unset>";
}

ClusterSpec withMemory(const std::string& memory) {
  return validSpec({{"podSpec", {{"resources", {{"requests", {{"memory", memory}}}}}}}});
}

// compat.md 2.1.4's table, from bitpoke's tests.
TEST(MyCnf, BufferPoolFromMemoryRequest) {
  EXPECT_EQ(confValue(withMemory("514Mi"), "innodb-buffer-pool-size"), "129M");
  EXPECT_EQ(confValue(withMemory("3Gi"), "innodb-buffer-pool-size"), "2112M");
  EXPECT_EQ(confValue(withMemory("4Gi"), "innodb-buffer-pool-size"), "2880M");
  EXPECT_EQ(confValue(withMemory("4.8Gi"), "innodb-buffer-pool-size"), "3522M");
  EXPECT_EQ(confValue(withMemory("5.5Gi"), "innodb-buffer-pool-size"), "4G");
  EXPECT_EQ(confValue(withMemory("12Gi"), "innodb-buffer-pool-size"), "9420M");
  EXPECT_EQ(confValue(withMemory("512Mi"), "innodb-buffer-pool-size"), "<unset>");
  EXPECT_EQ(confValue(withMemory("1Gi"), "innodb-buffer-pool-size"), "384M");
}

TEST(MyCnf, LogFileSizeFromMemoryRequest) {
  EXPECT_EQ(confValue(withMemory("512Mi"), "innodb-log-file-size"), "48M");
  EXPECT_EQ(confValue(withMemory("1Gi"), "innodb-log-file-size"), "128M");
  EXPECT_EQ(confValue(withMemory("4Gi"), "innodb-log-file-size"), "128M");
  EXPECT_EQ(confValue(withMemory("8Gi"), "innodb-log-file-size"), "512M");
  EXPECT_EQ(confValue(withMemory("16Gi"), "innodb-log-file-size"), "1G");
  EXPECT_EQ(confValue(withMemory("17Gi"), "innodb-log-file-size"), "2G");
  // The default request (1Gi) applies when podSpec.resources has no requests.
  EXPECT_EQ(confValue(validSpec(json::object()), "innodb-log-file-size"), "128M");
  EXPECT_EQ(confValue(validSpec(json::object()), "innodb-buffer-pool-size"), "384M");
}

TEST(MyCnf, LimitsStandInForMissingRequests) {
  // Kubernetes defaults a missing request to its limit; the InnoDB sizes follow it.
  ClusterSpec c = validSpec({{"podSpec", {{"resources", {{"limits", {{"memory", "3Gi"}}}}}}}});
  EXPECT_EQ(c.resources["requests"], json({{"cpu", "200m"}, {"memory", "3Gi"}}));
  EXPECT_EQ(confValue(c, "innodb-buffer-pool-size"), "2112M");
}

TEST(MyCnf, BufferPoolInstancesFromCpuLimit) {
  auto spec = [](const char* mem, const char* cpu) {
    return validSpec(
        {{"podSpec",
          {{"resources", {{"requests", {{"memory", mem}}}, {"limits", {{"cpu", cpu}}}}}}}});
  };
  EXPECT_EQ(confValue(spec("12Gi", "4"), "innodb-buffer-pool-instances"), "4");
  EXPECT_EQ(confValue(spec("12Gi", "2500m"), "innodb-buffer-pool-instances"), "3");
  EXPECT_EQ(confValue(spec("3Gi", "8"), "innodb-buffer-pool-instances"), "2");
  EXPECT_EQ(confValue(spec("512Mi", "8"), "innodb-buffer-pool-instances"), "1");
  EXPECT_EQ(confValue(withMemory("12Gi"), "innodb-buffer-pool-instances"), "<unset>");
}

ClusterSpec withStorage(const std::string& storage, const std::string& image = "") {
  json spec = {
      {"volumeSpec",
       {{"persistentVolumeClaim", {{"resources", {{"requests", {{"storage", storage}}}}}}}}}};
  if (!image.empty()) {
    spec["image"] = image;
  }
  return validSpec(spec);
}

TEST(MyCnf, BinlogLimitsFromVolumeSize) {
  // S >= 2G: space limit S/2, max size min(S/8, 1G).
  EXPECT_EQ(confValue(withStorage("4Gi"), "max-binlog-size"), "512M");
  EXPECT_EQ(confValue(withStorage("4Gi"), "binlog-space-limit"), "2G");
  EXPECT_EQ(confValue(withStorage("10Gi"), "max-binlog-size"), "1G");
  EXPECT_EQ(confValue(withStorage("10Gi"), "binlog-space-limit"), "5G");
  // S < 2G: S/3 and min(S/9, 1G), humanized without rounding (1Gi/9 is 116508.44K).
  EXPECT_EQ(confValue(withStorage("1Gi"), "max-binlog-size"), "116508K");
  EXPECT_EQ(confValue(withStorage("1Gi"), "binlog-space-limit"), "341M");
  // No PVC size given: the 1Gi default applies.
  EXPECT_EQ(confValue(validSpec({{"volumeSpec", {{"persistentVolumeClaim", json::object()}}}}),
                      "max-binlog-size"),
            "116508K");
  // binlog-space-limit is a Percona option: not for other images, never for MariaDB.
  EXPECT_EQ(confValue(withStorage("4Gi", "mysql:5.7"), "binlog-space-limit"), "<unset>");
  EXPECT_EQ(confValue(withStorage("4Gi", "mysql:5.7"), "max-binlog-size"), "512M");
  EXPECT_EQ(confValue(validSpec({{"mysqlVersion", "mariadb-10.11"},
                                 {"volumeSpec",
                                  {{"persistentVolumeClaim",
                                    {{"resources", {{"requests", {{"storage", "4Gi"}}}}}}}}}}),
                      "binlog-space-limit"),
            "<unset>");
  // emptyDir clusters have no binlog limits.
  EXPECT_EQ(confValue(validSpec(json::object()), "max-binlog-size"), "<unset>");
}

TEST(MyCnf, UserMysqlConfWinsOverComputedKeys) {
  ClusterSpec c =
      validSpec({{"mysqlConf", {{"innodb-buffer-pool-size", "1G"}, {"max-connections", 900}}},
                 {"podSpec", {{"resources", {{"requests", {{"memory", "12Gi"}}}}}}}});
  EXPECT_EQ(confValue(c, "innodb-buffer-pool-size"), "<unset>");
  const std::string cnf = buildMyCnf(c);
  EXPECT_NE(cnf.find("innodb-buffer-pool-size = 1G\n"), std::string::npos);
  EXPECT_EQ(cnf.find("innodb-buffer-pool-size = 9420M"), std::string::npos);
  // An override of a common key replaces it in place: one line, the user's value.
  EXPECT_NE(cnf.find("max-connections = 900\n"), std::string::npos);
  EXPECT_EQ(cnf.find("max-connections = 500"), std::string::npos);
}

TEST(MyCnf, WholeFileForMysql57) {
  ClusterSpec c = validSpec({{"mysqlConf", {{"innodb-io-capacity", "400"}}}});
  EXPECT_EQ(buildMyCnf(c),
            "[mysqld]\n"
            "expire-logs-days = 14\n"
            "query-cache-size = 0\n"
            "query-cache-type = 0\n"
            "sql-mode = STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,"
            "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
            "ONLY_FULL_GROUP_BY\n"
            "skip-host-cache\n"
            "skip-name-resolve\n"
            "binlog-format = ROW\n"
            "character-set-server = utf8mb4\n"
            "collation-server = utf8mb4_unicode_ci\n"
            "default-storage-engine = InnoDB\n"
            "enforce-gtid-consistency = on\n"
            "gtid-mode = on\n"
            "innodb-file-per-table = 1\n"
            "innodb-flush-log-at-trx-commit = 2\n"
            "innodb-flush-method = O_DIRECT\n"
            "innodb-log-files-in-group = 2\n"
            "key-buffer-size = 32M\n"
            "log-bin = /var/lib/mysql/mysql-bin\n"
            "log-slave-updates = on\n"
            "master-info-repository = TABLE\n"
            "max-allowed-packet = 16M\n"
            "max-connect-errors = 1000000\n"
            "max-connections = 500\n"
            "max-heap-table-size = 32M\n"
            "myisam-recover-options = FORCE,BACKUP\n"
            "open-files-limit = 65535\n"
            "relay-log-info-repository = TABLE\n"
            "relay-log-recovery = on\n"
            "skip-slave-start = on\n"
            "sync-binlog = 1\n"
            "sysdate-is-now = 1\n"
            "table-definition-cache = 4096\n"
            "table-open-cache = 4096\n"
            "thread-cache-size = 50\n"
            "tmp-table-size = 32M\n"
            "innodb-buffer-pool-size = 384M\n"
            "innodb-io-capacity = 400\n"
            "innodb-log-file-size = 128M\n"
            "!includedir /etc/mysql/conf.d\n");
}

TEST(MyCnf, Mysql8Keys) {
  const std::string cnf = buildMyCnf(validSpec({{"mysqlVersion", "8.0"}}));
  EXPECT_NE(cnf.find("binlog_expire_logs_seconds = 1209600\n"), std::string::npos);
  EXPECT_NE(cnf.find("default-authentication-plugin = mysql_native_password\n"), std::string::npos);
  EXPECT_EQ(cnf.find("NO_AUTO_CREATE_USER"), std::string::npos);
  EXPECT_EQ(cnf.find("query-cache"), std::string::npos);
  EXPECT_NE(cnf.find("skip-host-cache\n"), std::string::npos);
  EXPECT_NE(cnf.find("gtid-mode = on\n"), std::string::npos);
  // 8.3 removed --skip-host-cache.
  const std::string cnf83 =
      buildMyCnf(validSpec({{"mysqlVersion", "8.3.0"}, {"image", "mysql:8.3"}}));
  EXPECT_EQ(cnf83.find("skip-host-cache"), std::string::npos);
}

TEST(MyCnf, MariaDbKeys) {
  const std::string cnf = buildMyCnf(validSpec({{"mysqlVersion", "mariadb-10.11"}}));
  for (const char* absent : {"gtid-mode", "enforce-gtid-consistency", "master-info-repository",
                             "relay-log-info-repository", "innodb-log-files-in-group",
                             "default-authentication-plugin", "binlog-space-limit"}) {
    EXPECT_EQ(cnf.find(absent), std::string::npos) << absent;
  }
  EXPECT_NE(cnf.find("gtid-strict-mode = on\n"), std::string::npos);
  EXPECT_NE(cnf.find("relay-log = /var/lib/mysql/mysql-relay-bin\n"), std::string::npos);
  EXPECT_NE(cnf.find("log-bin = /var/lib/mysql/mysql-bin\n"), std::string::npos);
  EXPECT_NE(cnf.find("expire-logs-days = 14\n"), std::string::npos);
  EXPECT_NE(cnf.find("skip-host-cache\n"), std::string::npos);
  // MariaDB 10.6 removed innodb-buffer-pool-instances.
  ClusterSpec c = validSpec(
      {{"mysqlVersion", "mariadb-10.11"},
       {"podSpec",
        {{"resources", {{"requests", {{"memory", "12Gi"}}}, {"limits", {{"cpu", "4"}}}}}}}});
  EXPECT_EQ(confValue(c, "innodb-buffer-pool-instances"), "<unset>");
  EXPECT_EQ(confValue(c, "innodb-buffer-pool-size"), "9420M");
}

TEST(MyCnf, PreShutdownScriptUsesTheFlavorsClient) {
  const std::string mysqlScript = preShutdownScript("mysql");
  EXPECT_EQ(mysqlScript.rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_NE(mysqlScript.find("client() { mysql --defaults-file=/etc/mysql/client.conf -NB"),
            std::string::npos);
  EXPECT_NE(
      mysqlScript.find("${ORCH_HTTP_API}/graceful-master-takeover-auto/${ORCH_CLUSTER_ALIAS}"),
      std::string::npos);
  EXPECT_NE(preShutdownScript("mariadb").find("client() { mariadb --defaults-file"),
            std::string::npos);
}

// The orchestrator call is best effort and only with ORCH_HTTP_API; then the script waits for the
// switchover (read_only=1 and replicating), every 0.2 s, until 25 s after it started (the pod's
// grace is 30 s). tests/integration/cluster/pre_shutdown_test.cpp runs it against mariadbd.
TEST(MyCnf, PreShutdownScriptWaitsUntilSwitchedOver) {
  const std::string s = preShutdownScript("mariadb");
  EXPECT_NE(s.find("if [ -n \"${ORCH_HTTP_API:-}\" ]; then"), std::string::npos);
  EXPECT_NE(s.find("curl -sf --max-time 20 \"${ORCH_HTTP_API}/graceful-master-takeover-auto/"
                   "${ORCH_CLUSTER_ALIAS}\" || true"),
            std::string::npos);
  EXPECT_NE(s.find("DEADLINE=\"${PRE_SHUTDOWN_WAIT_SECONDS:-25}\""), std::string::npos);
  EXPECT_NE(
      s.find("while [ \"$SECONDS\" -lt \"$DEADLINE\" ]; do\n"
             "  ro=\"$(client -e 'SELECT @@read_only' 2>/dev/null || true)\"\n"
             "  if [ \"$ro\" = \"1\" ] && [ -n \"$(client -e 'SHOW SLAVE STATUS' 2>/dev/null || "
             "true)\" ]; then"),
      std::string::npos);
  EXPECT_NE(s.find("  if [ \"$ro\" = \"0\" ] && [ \"$SECONDS\" -ge \"$START\" ]; then"),
            std::string::npos);
  EXPECT_NE(s.find("START=\"${PRE_SHUTDOWN_START_SECONDS:-8}\""), std::string::npos);
  EXPECT_NE(s.find("  sleep 0.2\n"), std::string::npos);
  EXPECT_EQ(s.find("sleep 5"), std::string::npos);  // bitpoke's blind wait is gone
  // Replicas are counted by their dump threads (SHOW SLAVE HOSTS needs a privilege the operator
  // user lacks on MariaDB).
  EXPECT_NE(
      s.find("replica_hosts=\"$(client -e \"SELECT COUNT(*) FROM information_schema.PROCESSLIST "
             "WHERE COMMAND LIKE 'Binlog Dump%'\")\""),
      std::string::npos);
  EXPECT_EQ(s.find("client -e 'SHOW SLAVE HOSTS"), std::string::npos);
}

}  // namespace
}  // namespace mysqlop::cluster
