#pragma once

// The sidecar's configuration, read from the pod's environment as bitpoke's sidecar reads it
// (compat.md 4), plus MYSQLOP_* overrides so that tests can point it at local directories and
// URLs (README.md lists them). Parsing is pure: the environment comes in as a lookup function.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "plugins/common/mysql/flavor.h"

namespace mysqlop::sidecar {

// Returns the value of an environment variable, or nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (getenv).
EnvLookup processEnv();

struct Credentials {
  std::string user;
  std::string password;
};

struct Config {
  // Identity.
  std::string hostname;          // HOSTNAME: <cluster>-mysql-<ordinal>
  int ordinal = 0;               // from HOSTNAME
  std::string clusterName;       // MY_CLUSTER_NAME
  std::string nameSpace;         // MY_NAMESPACE
  std::string serviceName;       // MY_SERVICE_NAME (the headless Service, "mysql")
  int serverIdOffset = 100;      // MY_SERVER_ID_OFFSET
  mysql::ServerVersion version;  // MY_MYSQL_VERSION with MY_MYSQL_FLAVOR
  std::string initBucketUri;     // INIT_BUCKET_URI

  // Credentials (empty when unset; requireCredentials checks the ones a subcommand needs).
  Credentials operatorUser, replicationUser, exporterUser, orcTopologyUser, backupUser;

  // Tool settings (XBSTREAM_EXTRA_ARGS ... split on blanks, as Go's strings.Fields).
  std::vector<std::string> xbstreamExtraArgs, xtrabackupExtraArgs, xtrabackupPrepareExtraArgs;
  std::string xtrabackupTargetDir = "/tmp/xtrabackup_backupfiles/";
  std::vector<std::string> initFileExtraSql;  // INITFILE_EXTRA_SQL split on ';'

  // Paths and addresses (MYSQLOP_* overrides; defaults are bitpoke's).
  std::string dataDir = "/var/lib/mysql";
  std::string confDir = "/etc/mysql";
  std::string confSourceDir = "/mnt/conf";
  std::string listenAddress = "0.0.0.0";
  std::uint16_t serverPort = 8080;
  std::string mysqlHost = "127.0.0.1";
  std::uint16_t mysqlPort = 3306;
  std::string replicasUrl;  // http://<c>-mysql-replicas:8080
  std::string masterUrl;    // http://<c>-mysql-master:8080

  int serverId() const { return ordinal + serverIdOffset; }
  // <hostname>.<service>.<namespace>: report-host and the name other nodes use.
  std::string fqdn() const;
};

// Reads the configuration. Fails (Errc::Invalid) with a one-line message naming the variable on
// a missing identity variable, a HOSTNAME without an ordinal, or a bad number or version.
Result<Config> loadConfig(const EnvLookup& env);

enum class Role { Operator, Replication, Exporter, OrcTopology, Backup };

// Fails naming the first variable of these roles that is empty, or a value the init-file
// cannot carry (a quote, a backslash or a line break).
Result<void> requireCredentials(const Config& cfg, const std::vector<Role>& roles);

}  // namespace mysqlop::sidecar
