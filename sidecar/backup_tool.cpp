#include "sidecar/backup_tool.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace mysqlop::sidecar {
namespace {

bool maria(const Config& c) { return c.version.flavor == mysql::Flavor::MariaDB; }

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

}  // namespace

std::vector<std::string> backupCommand(const Config& cfg, const std::string& defaultsFile) {
  std::vector<std::string> argv = {maria(cfg) ? "mariadb-backup" : "xtrabackup"};
  // The option file must be the first argument; without one the tool would read the host's
  // /etc/mysql/my.cnf, which in a test is not the server's.
  argv.push_back(defaultsFile.empty() ? "--no-defaults" : "--defaults-file=" + defaultsFile);
  append(argv,
         {"--backup", "--slave-info", "--stream=xbstream", "--tables-exclude=sys_operator\\.status",
          "--datadir=" + cfg.dataDir, "--host=" + cfg.mysqlHost,
          "--port=" + std::to_string(cfg.mysqlPort), "--user=" + cfg.replicationUser.user,
          "--password=" + cfg.replicationUser.password, "--target-dir=" + cfg.xtrabackupTargetDir});
  append(argv, cfg.xtrabackupExtraArgs);
  return argv;
}

std::vector<std::string> extractCommand(const Config& cfg) {
  std::vector<std::string> argv;
  if (maria(cfg)) {
    argv = {"mbstream", "-x", "-C", cfg.dataDir};
  } else {
    argv = {"xbstream", "--extract", "--directory=" + cfg.dataDir};
  }
  append(argv, cfg.xbstreamExtraArgs);
  return argv;
}

std::vector<std::string> prepareCommand(const Config& cfg) {
  // The prepare reads backup-my.cnf from the backup itself; the server's my.cnf is not written yet.
  std::vector<std::string> argv = {maria(cfg) ? "mariadb-backup" : "xtrabackup", "--no-defaults",
                                   "--prepare", "--target-dir=" + cfg.dataDir};
  append(argv, cfg.xtrabackupPrepareExtraArgs);
  return argv;
}

Result<std::string> backupGtid(const std::string& dataDir) {
  namespace fs = std::filesystem;
  for (const char* name : {"mariadb_backup_binlog_info", "xtrabackup_binlog_info"}) {
    fs::path p = fs::path(dataDir) / name;
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      continue;
    }
    std::ifstream in(p);
    if (!in) {
      return fail(Errc::Unavailable, "cannot read " + p.string());
    }
    std::string word, gtid;
    for (int i = 0; in >> word; ++i) {
      if (i >= 2) {
        gtid += word;
      }
    }
    for (char ch : gtid) {
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == ':' || ch == ',')) {
        return fail(Errc::Invalid, p.string() + ": \"" + gtid + "\" is not a GTID set");
      }
    }
    return gtid;
  }
  return std::string();
}

}  // namespace mysqlop::sidecar
