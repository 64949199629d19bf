// Command-line flags, named as bitpoke/mysql-operator names them (compat.md section 7), parsed the
// way Go's flag package does: -flag, --flag, --flag=value, --flag value; booleans take no value
// or =true/=false.
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <vector>

#include "core/config/operator_config.h"

namespace mysqlop::config {

namespace {

enum class FlagType { String, Bool, Int, Map };

struct Flag {
  const char* name;
  FlagType type;
  const char* help;
  std::function<void(OperatorConfig*, const std::string&)> apply;
};

bool parseBool(const std::string& v, bool* out) {
  if (v == "true" || v == "1" || v == "t" || v == "TRUE" || v == "True") {
    *out = true;
    return true;
  }
  if (v == "false" || v == "0" || v == "f" || v == "FALSE" || v == "False") {
    *out = false;
    return true;
  }
  return false;
}

template <class Member>
std::function<void(OperatorConfig*, const std::string&)> setString(Member member) {
  return [member](OperatorConfig* c, const std::string& v) { c->*member = v; };
}

std::function<void(OperatorConfig*, const std::string&)> setBool(bool OperatorConfig::*member,
                                                                 const char* name) {
  return [member, name](OperatorConfig* c, const std::string& v) {
    bool b = false;
    if (!parseBool(v, &b)) {
      throw ConfigError(std::string("--") + name + ": expected true or false, got \"" + v + "\"");
    }
    c->*member = b;
  };
}

const std::vector<Flag>& flags() {
  static const std::vector<Flag> kFlags = {
      {"config", FlagType::String, "operator config file (YAML)",
       setString(&OperatorConfig::configFile)},
      {"kubeconfig", FlagType::String,
       "kubeconfig file (default: in-cluster, $KUBECONFIG, ~/.kube/config)",
       setString(&OperatorConfig::kubeconfig)},
      {"standalone", FlagType::Bool, "run without Kubernetes (plugin development, SDK demo)",
       setBool(&OperatorConfig::standalone, "standalone")},
      {"namespace", FlagType::String, "namespace to watch (watchNamespace); empty = all",
       setString(&OperatorConfig::watchNamespace)},
      {"leader-election", FlagType::Bool, "elect a leader on a Lease (default true)",
       setBool(&OperatorConfig::leaderElection, "leader-election")},
      {"leader-election-namespace", FlagType::String, "namespace of the leader-election Lease",
       setString(&OperatorConfig::leaderElectionNamespace)},
      {"leader-election-id", FlagType::String, "name of the leader-election Lease",
       setString(&OperatorConfig::leaderElectionId)},
      {"mysql-endpoint-mode", FlagType::String,
       "how plugins reach MySQL: pod-ip (the ready master pod) or service-dns",
       [](OperatorConfig* c, const std::string& v) {
         if (v != "pod-ip" && v != "service-dns") {
           throw ConfigError("--mysql-endpoint-mode: expected pod-ip or service-dns, got \"" + v +
                             "\"");
         }
         c->mysqlEndpointMode = v;
       }},
      {"metrics-addr", FlagType::String, "address of /metrics and plugin routes (\"0\" disables)",
       setString(&OperatorConfig::metricsAddr)},
      {"healthz-addr", FlagType::String, "address of /healthz and /readyz (\"0\" disables)",
       setString(&OperatorConfig::healthzAddr)},
      {"log-format", FlagType::String, "text or json",
       [](OperatorConfig* c, const std::string& v) {
         if (v != "text" && v != "json") {
           throw ConfigError("--log-format: expected text or json, got \"" + v + "\"");
         }
         c->logFormat = v;
       }},
      {"debug", FlagType::Bool, "debug logging", setBool(&OperatorConfig::debug, "debug")},
      {"plugin-dir", FlagType::String,
       "directory of the bundled plugins (default <binary dir>/plugins)",
       [](OperatorConfig* c, const std::string& v) {
         c->pluginDir = std::filesystem::absolute(v).lexically_normal().string();
       }},
      {"failover-before-shutdown", FlagType::Bool, "fail over before a master pod shuts down",
       setBool(&OperatorConfig::failoverBeforeShutdown, "failover-before-shutdown")},
      {"sidecar-image", FlagType::String, "sidecar image for MySQL 5.7 and MariaDB",
       setString(&OperatorConfig::sidecarImage)},
      {"sidecar-mysql8-image", FlagType::String, "sidecar image for MySQL 8.0",
       setString(&OperatorConfig::sidecarMysql8Image)},
      {"metrics-exporter-image", FlagType::String, "mysqld-exporter image",
       setString(&OperatorConfig::metricsExporterImage)},
      {"image-pull-secret", FlagType::String, "default imagePullSecret of MySQL pods",
       setString(&OperatorConfig::imagePullSecret)},
      {"image-pull-policy", FlagType::String, "Always, IfNotPresent or Never",
       [](OperatorConfig* c, const std::string& v) {
         if (v != "Always" && v != "IfNotPresent" && v != "Never") {
           throw ConfigError("--image-pull-policy: expected Always, IfNotPresent or Never, got \"" +
                             v + "\"");
         }
         c->imagePullPolicy = v;
       }},
      {"orchestrator-uri", FlagType::String,
       "accepted for compatibility; the failover engine is built in",
       setString(&OperatorConfig::orchestratorUri)},
      {"orchestrator-topology-user", FlagType::String,
       "MySQL user of the failover engine (env ORC_TOPOLOGY_USER)",
       setString(&OperatorConfig::orchestratorTopologyUser)},
      {"orchestrator-topology-password", FlagType::String,
       "password of that user (env ORC_TOPOLOGY_PASSWORD)",
       setString(&OperatorConfig::orchestratorTopologyPassword)},
      {"orchestrator-concurrent-reconciles", FlagType::Int,
       "clusters polled at once by the failover engine",
       [](OperatorConfig* c, const std::string& v) {
         int n = 0;
         auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
         if (ec != std::errc() || p != v.data() + v.size() || n < 1 || n > 1000) {
           throw ConfigError(
               "--orchestrator-concurrent-reconciles: expected an integer from 1 to 1000, got \"" +
               v + "\"");
         }
         c->orchestratorConcurrentReconciles = n;
       }},
      {"mysql-versions-to-image", FlagType::Map, "version=image pairs, comma separated",
       [](OperatorConfig* c, const std::string& v) {
         std::size_t start = 0;
         while (start <= v.size()) {
           const std::size_t comma = std::min(v.find(',', start), v.size());
           const std::string pair = v.substr(start, comma - start);
           const auto eq = pair.find('=');
           if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
             throw ConfigError("--mysql-versions-to-image: expected version=image pairs, got \"" +
                               pair + "\"");
           }
           c->mysqlVersionsToImage[pair.substr(0, eq)] = pair.substr(eq + 1);
           start = comma + 1;
         }
       }},
      {"allow-cross-namespace-user", FlagType::Bool,
       "let MysqlUsers use clusters of other namespaces",
       setBool(&OperatorConfig::allowCrossNamespaceUser, "allow-cross-namespace-user")},
      {"allow-cross-namespace-database", FlagType::Bool,
       "let MysqlDatabases use clusters of other namespaces",
       setBool(&OperatorConfig::allowCrossNamespaceDatabase, "allow-cross-namespace-database")},
  };
  return kFlags;
}

const Flag* findFlag(const std::string& name) {
  for (const Flag& f : flags()) {
    if (name == f.name) {
      return &f;
    }
  }
  return nullptr;
}

struct ParsedFlag {
  const Flag* flag;
  std::string value;
};

}  // namespace

std::string usage() {
  std::string out =
      "Usage: mysql-operator [flags]\n\n"
      "Runs the mysql-operator core and its plugins. Flags override the --config file.\n\n";
  for (const Flag& f : flags()) {
    std::string left = std::string("  --") + f.name;
    if (f.type != FlagType::Bool) {
      left += " VALUE";
    }
    left.resize(std::max<std::size_t>(left.size() + 1, 44), ' ');
    out += left + f.help + "\n";
  }
  out += "  --help                                    show this help\n";
  return out;
}

bool loadConfig(int argc, const char* const* argv, const std::string& exeDir, OperatorConfig* out) {
  OperatorConfig cfg;
  std::vector<ParsedFlag> parsed;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::cout << usage();
      return false;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      throw ConfigError("unexpected argument \"" + arg + "\" (flags start with --; see --help)");
    }
    arg = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    const Flag* f = findFlag(arg);
    if (!f) {
      throw ConfigError("unknown flag --" + arg + " (see --help)");
    }
    if (!value) {
      if (f->type == FlagType::Bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        throw ConfigError("--" + arg + ": a value is required");
      }
    }
    parsed.push_back({f, *value});
  }
  // --config first, so that every other flag overrides the file.
  for (const ParsedFlag& p : parsed) {
    if (std::string(p.flag->name) == "config") {
      cfg.configFile = p.value;
    }
  }
  if (!cfg.configFile.empty()) {
    applyConfigFile(cfg.configFile, &cfg);
  }
  if (const char* u = std::getenv("ORC_TOPOLOGY_USER"); u && *u) {
    cfg.orchestratorTopologyUser = u;
  }
  if (const char* p = std::getenv("ORC_TOPOLOGY_PASSWORD"); p && *p) {
    cfg.orchestratorTopologyPassword = p;
  }
  for (const ParsedFlag& p : parsed) {
    p.flag->apply(&cfg, p.value);
  }
  if (cfg.pluginDir.empty()) {
    cfg.pluginDir = (std::filesystem::path(exeDir) / "plugins").lexically_normal().string();
  }
  resolvePlugins(&cfg);
  *out = std::move(cfg);
  return true;
}

}  // namespace mysqlop::config
