#include "sidecar/config_files.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace mysqlop::sidecar {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct ConfigFiles : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("sidecar-conf-" + std::to_string(::getpid()));
  Config c;
  ConfigFiles() {
    fs::create_directories(dir / "mnt");
    fs::create_directories(dir / "data");
    c.hostname = "c-mysql-0";
    c.clusterName = "c";
    c.nameSpace = "ns";
    c.serviceName = "mysql";
    c.version.flavor = mysql::Flavor::MariaDB;
    c.version.major = 10;
    c.operatorUser = {"sys_operator", "op"};
    c.replicationUser = {"sys_replication", "repl"};
    c.exporterUser = {"sys_exporter", "exp"};
    c.orcTopologyUser = {"orchestrator", "orc"};
    c.dataDir = (dir / "data").string();
    c.confDir = (dir / "conf").string();
    c.confSourceDir = (dir / "mnt").string();
  }
  ~ConfigFiles() override { fs::remove_all(dir); }
};

TEST_F(ConfigFiles, WritesEveryFile) {
  std::ofstream(dir / "mnt" / "my.cnf") << "[mysqld]\nport=3306\n";
  fs::create_directories(dir / "data" / "sys_operator");
  std::ofstream(dir / "data" / "sys_operator" / "status.ibd") << "x";
  ASSERT_TRUE(writeConfigFiles(c).ok());
  EXPECT_EQ(slurp(dir / "conf" / "my.cnf"), "[mysqld]\nport=3306\n");
  EXPECT_FALSE(fs::exists(dir / "conf" / "pre-shutdown-ha.sh"));
  EXPECT_EQ(slurp(dir / "conf" / "conf.d" / "10-identity.cnf"),
            "[mysqld]\nserver-id=100\nreport-host=c-mysql-0.mysql.ns\n");
  std::string init = slurp(dir / "conf" / "conf.d" / "operator-init.sql");
  EXPECT_EQ(init.find("DROP TABLE IF EXISTS sys_operator.status"), std::string::npos);
  EXPECT_EQ(init.find("backup_gtid_purged"), std::string::npos);
  EXPECT_EQ(slurp(dir / "conf" / "client.conf"),
            "[client]\nhost=127.0.0.1\nport=3306\nuser=sys_operator\npassword=op\n");
  std::string hb = slurp(dir / "conf" / "heartbeat.conf");
  EXPECT_EQ(hb.rfind("[client]\nhost=127.0.0.1\nport=3306\nuser=sys_heartbeat\npassword=", 0), 0u);
  std::string pw = hb.substr(hb.find("password=") + 9);
  pw.pop_back();
  EXPECT_EQ(pw.size(), 10u);
  EXPECT_NE(init.find("CREATE USER 'sys_heartbeat'@'127.0.0.1' IDENTIFIED BY '" + pw + "'"),
            std::string::npos);
  struct stat st {};
  ASSERT_EQ(stat((dir / "conf" / "client.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(ConfigFiles, CopiesThePreShutdownScriptWhenTheConfigMapHasIt) {
  std::ofstream(dir / "mnt" / "my.cnf") << "[mysqld]\n";
  std::ofstream(dir / "mnt" / "pre-shutdown-ha.sh") << "#!/bin/sh\n";
  ASSERT_TRUE(writeConfigFiles(c).ok());
  EXPECT_EQ(slurp(dir / "conf" / "pre-shutdown-ha.sh"), "#!/bin/sh\n");
}

TEST_F(ConfigFiles, AMissingMyCnfIsNamed) {
  auto r = writeConfigFiles(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot read " + (dir / "mnt" / "my.cnf").string());
}

}  // namespace
}  // namespace mysqlop::sidecar
