#include "sidecar/init_sql.h"

namespace mysqlop::sidecar {
namespace {

using mysql::Flavor;

// requireCredentials has refused quotes, backslashes and line breaks in these values.
std::string account(const std::string& user, const std::string& host) {
  return "'" + user + "'@'" + host + "'";
}

struct User {
  std::string name, password, host;
  std::vector<std::string> grants;  // "<privileges> ON <target>"
  std::string alter;                // an ALTER USER suffix, or ""
};

std::vector<User> operatedUsers(const Config& c, const InitFacts& f) {
  const bool maria = c.version.flavor == Flavor::MariaDB;
  const bool mysql8 = !maria && c.version.major >= 8;
  // MariaDB 10.5 split REPLICATION CLIENT (now BINLOG MONITOR) from SHOW SLAVE STATUS (SLAVE
  // MONITOR), and 10.11 took READ_ONLY ADMIN out of SUPER: without it the operator and
  // orchestrator could not write sys_operator.status or flip read_only as SUPER does on MySQL.
  std::string operatorExtra = maria ? ", SLAVE MONITOR, READ_ONLY ADMIN" : "";
  std::string monitorExtra = maria ? ", SLAVE MONITOR" : "";

  std::vector<User> users;
  users.push_back(
      {c.operatorUser.user,
       c.operatorUser.password,
       "%",
       {"SUPER, SHOW DATABASES, PROCESS, RELOAD, CREATE, SELECT" + operatorExtra + " ON *.*",
        "REPLICATION SLAVE ON *.*", "ALL ON sys_operator.*"},
       ""});
  User orc{
      c.orcTopologyUser.user,
      c.orcTopologyUser.password,
      "%",
      {"SUPER, PROCESS, REPLICATION SLAVE, REPLICATION CLIENT, RELOAD" + operatorExtra + " ON *.*"},
      ""};
  // MariaDB keeps replication state in the relay log info, not in mysql.slave_master_info.
  if (!maria) {
    orc.grants.emplace_back("SELECT ON mysql.slave_master_info");
  }
  orc.grants.emplace_back("SELECT, CREATE ON sys_operator.heartbeat");
  users.push_back(orc);
  users.push_back({c.replicationUser.user,
                   c.replicationUser.password,
                   "%",
                   {"SELECT, PROCESS, RELOAD, LOCK TABLES, REPLICATION CLIENT, REPLICATION SLAVE" +
                    std::string(mysql8 ? ", BACKUP_ADMIN" : "") + monitorExtra + " ON *.*"},
                   ""});
  users.push_back({c.exporterUser.user,
                   c.exporterUser.password,
                   "127.0.0.1",
                   {"SELECT, PROCESS, REPLICATION CLIENT" + monitorExtra + " ON *.*",
                    "SELECT, CREATE ON sys_operator.heartbeat"},
                   "WITH MAX_USER_CONNECTIONS 3"});
  users.push_back({"sys_heartbeat",
                   f.heartbeatPassword,
                   "127.0.0.1",
                   // pt-heartbeat --update reads SHOW SLAVE STATUS (the relay position it
                   // records): SLAVE MONITOR on MariaDB, or it exits before its first write.
                   {"CREATE, SELECT, DELETE, UPDATE, INSERT ON sys_operator.heartbeat",
                    "REPLICATION CLIENT" + monitorExtra + " ON *.*"},
                   ""});
  return users;
}

}  // namespace

std::vector<std::string> initStatements(const Config& cfg, const InitFacts& facts) {
  std::vector<std::string> s = {"SET @@SESSION.SQL_LOG_BIN = 0", "SET GLOBAL READ_ONLY = 1",
                                "CREATE DATABASE IF NOT EXISTS sys_operator"};
  for (const User& u : operatedUsers(cfg, facts)) {
    std::string who = account(u.name, u.host);
    s.push_back("DROP USER IF EXISTS " + who);
    s.push_back("CREATE USER " + who + " IDENTIFIED BY '" + u.password + "'");
    for (const std::string& g : u.grants) {
      s.push_back("GRANT " + g + " TO " + who);
    }
    if (!u.alter.empty()) {
      s.push_back("ALTER USER " + who + " " + u.alter);
    }
  }
  // The backup leaves sys_operator.status out; a table definition without its file is dropped.
  if (!facts.statusTableFileExists) {
    s.emplace_back("DROP TABLE IF EXISTS sys_operator.status");
  }
  s.emplace_back(
      "CREATE TABLE IF NOT EXISTS sys_operator.status (name varchar(64) PRIMARY KEY, "
      "value varchar(8192) NOT NULL)");
  s.emplace_back("REPLACE INTO sys_operator.status VALUES ('configured','0')");
  if (!facts.backupGtidPurged.empty()) {
    s.push_back("REPLACE INTO sys_operator.status VALUES ('backup_gtid_purged','" +
                facts.backupGtidPurged + "')");
  }
  if (facts.restoredFromBucket) {
    s.emplace_back("RESET SLAVE ALL");
  }
  for (const std::string& extra : cfg.initFileExtraSql) {
    s.push_back(extra);
  }
  return s;
}

std::string initFileContent(const Config& cfg, const InitFacts& facts) {
  std::string out;
  for (const std::string& st : initStatements(cfg, facts)) {
    out += st + ";\n";
  }
  return out;
}

}  // namespace mysqlop::sidecar
