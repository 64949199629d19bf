#pragma once

// The init-file (operator-init.sql) the server runs at every start: the operated users and their
// grants (compat.md 4, in the flavor's syntax) and the sys_operator.status table.

#include <string>
#include <vector>

#include "sidecar/env.h"

namespace mysqlop::sidecar {

struct InitFacts {
  std::string heartbeatPassword;       // sys_heartbeat's password (random per run)
  bool statusTableFileExists = false;  // <datadir>/sys_operator/status.ibd exists
  std::string backupGtidPurged;        // from the backup's binlog info ("" when none)
  bool restoredFromBucket = false;
};

// The statements, in bitpoke's order; joined by ";\n" one per line (MariaDB reads an init-file
// statement by statement, one line each).
std::vector<std::string> initStatements(const Config& cfg, const InitFacts& facts);
std::string initFileContent(const Config& cfg, const InitFacts& facts);

}  // namespace mysqlop::sidecar
