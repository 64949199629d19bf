#pragma once

// The sidecar's own init-file for a MariaDB 10.11 pod of cluster "c": the operated users (with
// the test passwords below) and sys_operator, as clone-and-init writes them. The orchestrator's
// tests create their servers' users with it, so the observer meets exactly the users it meets in
// a pod.

#include <string>

#include "sidecar/init_sql.h"

namespace mysqlop::testing::orchestrator {

inline std::string operatedInitFile(const std::string& hostname, const std::string& ns) {
  sidecar::Config c;
  c.hostname = hostname;
  c.clusterName = "c";
  c.nameSpace = ns;
  c.serviceName = "mysql";
  c.version = mysql::ServerVersion{mysql::Flavor::MariaDB, 10, 11, 0};
  c.operatorUser = {"sys_operator", "operatorpw1"};
  c.replicationUser = {"sys_replication", "replpw1"};
  c.exporterUser = {"sys_exporter", "exporterpw1"};
  c.orcTopologyUser = {"orchestrator", "orcpw1"};
  c.backupUser = {"sys_backup", "backuppw1"};
  sidecar::InitFacts f;
  f.heartbeatPassword = "heartbeatpw";
  return sidecar::initFileContent(c, f);
}

}  // namespace mysqlop::testing::orchestrator
