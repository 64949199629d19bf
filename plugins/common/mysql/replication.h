#pragma once

// Every statement of node initialisation, read-only handling and probing (compat.md 3.3-3.5, 3.7),
// in the flavor's syntax. The orchestrator plugin builds no replication SQL of its own; unit tests
// pin every text per flavor and integration tests run the MariaDB ones against mariadbd.
//
// Differences that matter:
//   - joining a master: MySQL MASTER_AUTO_POSITION=1, MariaDB MASTER_USE_GTID=slave_pos;
//   - starting from a backup's GTID set: MySQL RESET MASTER + GTID_PURGED, MariaDB gtid_slave_pos
//     (a MariaDB clone has no binlog of its own to reset, and gtid_slave_pos is where a
//     slave_pos replica starts);
//   - read-only: MySQL has SUPER_READ_ONLY; MariaDB has only READ_ONLY, which since 10.11 also
//     blocks SUPER unless the account has READ_ONLY ADMIN (the sidecar grants it to the operator
//     and topology users), and never blocks the replication threads;
//   - GTID variables: MySQL server_uuid / gtid_executed, MariaDB server_id / gtid_current_pos.
// Values are `?` placeholders rendered by the client (client.h), never spliced.

#include <string>
#include <vector>

#include "plugins/common/mysql/flavor.h"

namespace mysqlop::mysql {

class ReplicationSql {
 public:
  explicit ReplicationSql(Flavor flavor) : flavor_(flavor) {}
  Flavor flavor() const { return flavor_; }

  // ---- Probing ----
  // One row: read_only, server_id (MySQL: the uuid), gtid_executed (MariaDB gtid_current_pos),
  // gtid_slave_pos (MySQL ''), super_read_only (MariaDB 0), uptime is separate (below).
  std::string selectVariables() const;
  // Two columns Variable_name, Value: the seconds since the server started.
  static std::string showUptime();
  // The replication status; columns read by name (slaveStatusColumns).
  static std::string showSlaveStatus();
  // bitpoke's orchestrator SlaveLagQuery: one column `drift`, the seconds since the newest
  // pt-heartbeat row.
  static std::string selectHeartbeatLag();
  // One row (value) when sys_operator.status has configured set; no row otherwise.
  static std::string selectConfigured();
  // The value of a sys_operator.status key (arg: name); no row when absent.
  static std::string selectStatusValue();

  // ---- Node initialisation (compat.md 3.5) ----
  // First statement of every init session (bitpoke prefixes each statement with it).
  static std::string disableBinlog();
  // read_only on before anything else (MySQL: with super_read_only off until finishing()).
  std::vector<std::string> beginInit() const;
  // The last statements of an init: MySQL turns super_read_only back on; MariaDB nothing.
  std::vector<std::string> finishInit() const;
  // Starts from a clone's GTID set (arg: the set), recording it as set_gtid_purged so that it
  // is done once. Each vector entry is one statement; run them in order on one session.
  std::vector<std::string> applyBackupGtid() const;
  static std::string stopSlave();
  static std::string startSlave();
  // CHANGE MASTER TO ... (args: host, user, password).
  std::string changeMaster() const;
  // MySQL bug 83713: when START SLAVE fails after CHANGE MASTER (a relay log left by a clone).
  static std::vector<std::string> startSlaveRetry();
  static std::string markConfigured();

  // ---- Read-only handling (compat.md 3.4) ----
  std::vector<std::string> setReadOnly(bool readOnly) const;

 private:
  Flavor flavor_;
};

}  // namespace mysqlop::mysql
