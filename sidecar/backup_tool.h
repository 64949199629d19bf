#pragma once

// The flavor switch for the backup programs: MariaDB streams with mariadb-backup and mbstream,
// MySQL with xtrabackup and xbstream (docs/flavors.md). Pure: builds argument vectors and reads
// the binlog info a backup leaves in the data directory.

#include <string>
#include <vector>

#include "sidecar/env.h"

namespace mysqlop::sidecar {

// `mariadb-backup --backup --slave-info --stream=xbstream ...` or `xtrabackup ...`, writing the
// stream to stdout. defaultsFile: the server's option file ("" for --no-defaults).
std::vector<std::string> backupCommand(const Config& cfg, const std::string& defaultsFile);
// `mbstream -x -C <datadir>` or `xbstream --extract --directory=<datadir>`, reading stdin.
std::vector<std::string> extractCommand(const Config& cfg);
// `mariadb-backup --prepare --target-dir=<datadir>` or `xtrabackup --prepare ...`.
std::vector<std::string> prepareCommand(const Config& cfg);

// The GTID a prepared backup in dataDir was taken at: the words from the third on of
// mariadb_backup_binlog_info (MariaDB) or xtrabackup_binlog_info, concatenated (a MySQL GTID set
// may be split over several words). "" when there is no such file. Fails when the file holds
// characters a GTID cannot have.
Result<std::string> backupGtid(const std::string& dataDir);

}  // namespace mysqlop::sidecar
