#include "sidecar/config_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <spdlog/spdlog.h>

#include "sidecar/backup_tool.h"
#include "sidecar/init_sql.h"

namespace mysqlop::sidecar {
namespace {

namespace fs = std::filesystem;

std::string randomPassword(size_t n) {
  static const char* chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device rd;
  std::uniform_int_distribution<int> pick(0, 61);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += chars[pick(rd)];
  }
  return out;
}

// Writes through a temporary file and a rename, so that a crash leaves the old file or the new.
// Files with passwords are 0600: only the pod's mysql user reads them.
Result<void> writeFile(const fs::path& path, const std::string& content, bool secret) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return fail(Errc::Unavailable,
                "cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) {
      return fail(Errc::Unavailable, "cannot write " + path.string());
    }
    out << content;
    if (!out.flush()) {
      return fail(Errc::Unavailable, "cannot write " + path.string());
    }
  }
  chmod(tmp.c_str(), secret ? 0600 : 0644);
  fs::rename(tmp, path, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot write " + path.string() + ": " + ec.message());
  }
  return {};
}

Result<std::string> readFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    return fail(Errc::Unavailable, "cannot read " + path.string());
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

std::string identityCnf(const Config& cfg) {
  return "[mysqld]\nserver-id=" + std::to_string(cfg.serverId()) + "\nreport-host=" + cfg.fqdn() +
         "\n";
}

std::string initFileCnf(const Config& cfg) {
  return "[mysqld]\ninit-file=" +
         (fs::path(cfg.confDir) / "conf.d" / "operator-init.sql").string() + "\n";
}

std::string clientConf(const Config& cfg, const std::string& user, const std::string& password) {
  return "[client]\nhost=" + cfg.mysqlHost + "\nport=" + std::to_string(cfg.mysqlPort) +
         "\nuser=" + user + "\npassword=" + password + "\n";
}

Result<void> writeConfigFiles(const Config& cfg) { return writeConfigFiles(cfg, false); }

Result<void> writeConfigFiles(const Config& cfg, bool restoredFromBucket) {
  fs::path conf(cfg.confDir), src(cfg.confSourceDir);
  auto myCnf = readFile(src / "my.cnf");
  if (!myCnf) {
    return myCnf.error();
  }
  if (auto r = writeFile(conf / "my.cnf", *myCnf, false); !r) {
    return r;
  }
  // bitpoke copies pre-shutdown-ha.sh unconditionally and fails when the ConfigMap omits it
  // (podSpec.mysqlLifecycle set): we copy it only when present.
  std::error_code ec;
  if (fs::exists(src / "pre-shutdown-ha.sh", ec)) {
    auto script = readFile(src / "pre-shutdown-ha.sh");
    if (!script) {
      return script.error();
    }
    if (auto r = writeFile(conf / "pre-shutdown-ha.sh", *script, false); !r) {
      return r;
    }
    chmod((conf / "pre-shutdown-ha.sh").c_str(), 0755);
  }

  InitFacts facts;
  facts.heartbeatPassword = randomPassword(10);
  facts.statusTableFileExists =
      fs::exists(fs::path(cfg.dataDir) / "sys_operator" / "status.ibd", ec);
  auto gtid = backupGtid(cfg.dataDir);
  if (!gtid) {
    return gtid.error();
  }
  facts.backupGtidPurged = *gtid;
  facts.restoredFromBucket = restoredFromBucket;

  fs::path confD = conf / "conf.d";
  if (auto r = writeFile(confD / "10-identity.cnf", identityCnf(cfg), false); !r) {
    return r;
  }
  if (auto r = writeFile(confD / "operator-init.sql", initFileContent(cfg, facts), true); !r) {
    return r;
  }
  if (auto r = writeFile(confD / "10-init-file.cnf", initFileCnf(cfg), false); !r) {
    return r;
  }
  if (auto r = writeFile(conf / "client.conf",
                         clientConf(cfg, cfg.operatorUser.user, cfg.operatorUser.password), true);
      !r) {
    return r;
  }
  if (auto r = writeFile(conf / "heartbeat.conf",
                         clientConf(cfg, "sys_heartbeat", facts.heartbeatPassword), true);
      !r) {
    return r;
  }
  spdlog::info("configuration written in {} (server-id {}, report-host {}{})", cfg.confDir,
               cfg.serverId(), cfg.fqdn(),
               facts.backupGtidPurged.empty() ? "" : ", backup GTID " + facts.backupGtidPurged);
  return {};
}

}  // namespace mysqlop::sidecar
