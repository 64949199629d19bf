#include "sidecar/env.h"

#include <cstdlib>
#include <sstream>

namespace mysqlop::sidecar {
namespace {

std::vector<std::string> splitFields(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) {
    out.push_back(w);
  }
  return out;
}

std::vector<std::string> splitStatements(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(" \t\r\n");
    if (b != std::string::npos) {
      auto e = cur.find_last_not_of(" \t\r\n");
      out.push_back(cur.substr(b, e - b + 1));
    }
    cur.clear();
  };
  for (char c : s) {
    if (c == ';') {
      flush();
    } else {
      cur.push_back(c == '\n' || c == '\r' ? ' ' : c);  // one statement per init-file line
    }
  }
  flush();
  return out;
}

std::optional<long> parseNumber(const std::string& s) {
  if (s.empty() || s.size() > 9) {
    return std::nullopt;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  return std::stol(s);
}

Result<std::string> required(const EnvLookup& env, const std::string& name) {
  auto v = env(name);
  if (!v || v->empty()) {
    return fail(Errc::Invalid, "missing environment variable " + name);
  }
  return *v;
}

std::string optionalOr(const EnvLookup& env, const std::string& name, const std::string& def) {
  auto v = env(name);
  return v && !v->empty() ? *v : def;
}

Result<std::uint16_t> port(const EnvLookup& env, const std::string& name, std::uint16_t def) {
  auto v = env(name);
  if (!v || v->empty()) {
    return def;
  }
  auto n = parseNumber(*v);
  if (!n || *n < 1 || *n > 65535) {
    return fail(Errc::Invalid, name + "=\"" + *v + "\": not a port number (1-65535)");
  }
  return static_cast<std::uint16_t>(*n);
}

Credentials credentials(const EnvLookup& env, const std::string& prefix) {
  return {optionalOr(env, prefix + "_USER", ""), optionalOr(env, prefix + "_PASSWORD", "")};
}

}  // namespace

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
      return std::nullopt;
    }
    return std::string(v);
  };
}

std::string Config::fqdn() const { return hostname + "." + serviceName + "." + nameSpace; }

Result<Config> loadConfig(const EnvLookup& env) {
  Config c;
  auto host = required(env, "HOSTNAME");
  if (!host) {
    return host.error();
  }
  c.hostname = *host;
  // The StatefulSet names pods <cluster>-mysql-<ordinal>: the ordinal is the last dash field.
  auto dash = c.hostname.rfind('-');
  auto ord = dash == std::string::npos ? std::nullopt : parseNumber(c.hostname.substr(dash + 1));
  if (!ord) {
    return fail(Errc::Invalid, "HOSTNAME=\"" + c.hostname +
                                   "\": no pod ordinal at its end (want <cluster>-mysql-<N>)");
  }
  c.ordinal = static_cast<int>(*ord);

  for (auto [name, field] :
       {std::pair{"MY_CLUSTER_NAME", &c.clusterName}, std::pair{"MY_NAMESPACE", &c.nameSpace},
        std::pair{"MY_SERVICE_NAME", &c.serviceName}}) {
    auto v = required(env, name);
    if (!v) {
      return v.error();
    }
    *field = *v;
  }

  if (auto v = env("MY_SERVER_ID_OFFSET"); v && !v->empty()) {
    auto n = parseNumber(*v);
    if (!n) {
      return fail(Errc::Invalid, "MY_SERVER_ID_OFFSET=\"" + *v + "\": not a number");
    }
    c.serverIdOffset = static_cast<int>(*n);
  }

  // One flavor switch with the plugins: MY_MYSQL_VERSION is the version label ("5.7.35",
  // "10.11.0") and MY_MYSQL_FLAVOR=mariadb marks MariaDB (docs/flavors.md, pod env).
  std::string version =
      optionalOr(env, "MY_MYSQL_VERSION", std::string(mysql::kDefaultMysqlVersion));
  std::string flavor = optionalOr(env, "MY_MYSQL_FLAVOR", "mysql");
  if (flavor == "mariadb") {
    if (version.rfind("mariadb-", 0) != 0) {
      version = "mariadb-" + version;
    }
  } else if (flavor != "mysql") {
    return fail(Errc::Invalid, "MY_MYSQL_FLAVOR=\"" + flavor + "\": want mysql or mariadb");
  }
  auto parsed = mysql::parseServerVersion(version);
  if (!parsed.ok()) {
    return fail(Errc::Invalid, "MY_MYSQL_VERSION: " + parsed.error);
  }
  c.version = *parsed.version;

  c.initBucketUri = optionalOr(env, "INIT_BUCKET_URI", "");
  c.operatorUser = credentials(env, "OPERATOR");
  c.replicationUser = credentials(env, "REPLICATION");
  c.exporterUser = credentials(env, "METRICS_EXPORTER");
  c.orcTopologyUser = credentials(env, "ORC_TOPOLOGY");
  c.backupUser = credentials(env, "BACKUP");

  c.xbstreamExtraArgs = splitFields(optionalOr(env, "XBSTREAM_EXTRA_ARGS", ""));
  c.xtrabackupExtraArgs = splitFields(optionalOr(env, "XTRABACKUP_EXTRA_ARGS", ""));
  c.xtrabackupPrepareExtraArgs = splitFields(optionalOr(env, "XTRABACKUP_PREPARE_EXTRA_ARGS", ""));
  c.xtrabackupTargetDir = optionalOr(env, "XTRABACKUP_TARGET_DIR", c.xtrabackupTargetDir);
  c.initFileExtraSql = splitStatements(optionalOr(env, "INITFILE_EXTRA_SQL", ""));

  c.dataDir = optionalOr(env, "MYSQLOP_DATA_DIR", c.dataDir);
  c.confDir = optionalOr(env, "MYSQLOP_CONF_DIR", c.confDir);
  c.confSourceDir = optionalOr(env, "MYSQLOP_CONF_SOURCE_DIR", c.confSourceDir);
  c.listenAddress = optionalOr(env, "MYSQLOP_LISTEN_ADDRESS", c.listenAddress);
  c.mysqlHost = optionalOr(env, "MYSQLOP_MYSQL_HOST", c.mysqlHost);
  auto sp = port(env, "MYSQLOP_SIDECAR_PORT", 8080);
  if (!sp) {
    return sp.error();
  }
  c.serverPort = *sp;
  auto mp = port(env, "MYSQLOP_MYSQL_PORT", 3306);
  if (!mp) {
    return mp.error();
  }
  c.mysqlPort = *mp;
  c.replicasUrl =
      optionalOr(env, "MYSQLOP_REPLICAS_URL", "http://" + c.clusterName + "-mysql-replicas:8080");
  c.masterUrl =
      optionalOr(env, "MYSQLOP_MASTER_URL", "http://" + c.clusterName + "-mysql-master:8080");
  return c;
}

Result<void> requireCredentials(const Config& cfg, const std::vector<Role>& roles) {
  for (Role r : roles) {
    const Credentials* c = nullptr;
    std::string prefix;
    switch (r) {
      case Role::Operator:
        c = &cfg.operatorUser;
        prefix = "OPERATOR";
        break;
      case Role::Replication:
        c = &cfg.replicationUser;
        prefix = "REPLICATION";
        break;
      case Role::Exporter:
        c = &cfg.exporterUser;
        prefix = "METRICS_EXPORTER";
        break;
      case Role::OrcTopology:
        c = &cfg.orcTopologyUser;
        prefix = "ORC_TOPOLOGY";
        break;
      case Role::Backup:
        c = &cfg.backupUser;
        prefix = "BACKUP";
        break;
    }
    for (auto [suffix, value] :
         {std::pair{"_USER", &c->user}, std::pair{"_PASSWORD", &c->password}}) {
      std::string name = prefix + suffix;
      if (value->empty()) {
        return fail(Errc::Invalid, "missing environment variable " + name);
      }
      // The init-file and the option files carry these values between quotes, unescaped.
      if (value->find_first_of("'\\\n\r\"") != std::string::npos) {
        return fail(Errc::Invalid, name +
                                       ": contains a quote, a backslash or a line break, which "
                                       "the init-file cannot carry");
      }
    }
  }
  return {};
}

}  // namespace mysqlop::sidecar
