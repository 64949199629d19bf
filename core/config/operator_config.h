#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace mysqlop::config {

// A startup error: one line naming the file (or flag), the key and line, and what was expected.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The plugins bundled with mysql-operator, enabled by default when their file is in the plugin
// directory.
const std::vector<std::string>& bundledPluginNames();
// The file of a plugin named in the config, in the plugin directory (bundled targets are
// mysqlop_target_<name>.so, everything else mysqlop_<name>.so).
std::string bundledPluginFile(const std::string& name);

struct PluginEntry {
  std::string name;
  std::string path;  // absolute
  bool enabled = true;
  int workers = 1;                // concurrent reconciles
  std::string configJson = "{}";  // the entry's `config`, as a JSON object
  std::string origin;             // where it was declared: "bundled" or "file.yaml:12"
};

// A `plugins:` entry of the config file, before it is merged with the bundled plugins.
struct PluginOverride {
  std::size_t index = 0;  // position in the file's plugins list
  std::string name;
  std::string path;  // "" = not given; resolved against the file's directory
  bool hasEnabled = false;
  bool enabled = true;
  int workers = 0;         // 0 = not given
  std::string configJson;  // "" = not given
  std::string origin;      // "file.yaml:LINE:COL" of the entry
  std::string pathOrigin;  // "file.yaml:LINE:COL" of its path value
};

struct OperatorConfig {
  std::string configFile;
  std::string kubeconfig;
  // Run without Kubernetes: plugins' Kubernetes callbacks answer Unavailable. For plugin
  // development and the SDK demo; a production operator always talks to an API server.
  bool standalone = false;
  std::string watchNamespace;  // "" = all namespaces (bitpoke --namespace)

  bool leaderElection = true;
  std::string leaderElectionNamespace;  // "" = the pod's namespace, else "default"
  std::string leaderElectionId = "mysql-operator-leader-election";
  // How plugins reach MySQL: "pod-ip" (the ready pod behind <cluster>-mysql-master) or
  // "service-dns" (the name <cluster>-mysql-master.<ns>).
  std::string mysqlEndpointMode = "pod-ip";

  std::string metricsAddr = ":8080";
  std::string healthzAddr = ":8081";
  std::string logFormat = "text";
  bool debug = false;
  std::string pluginDir;  // "" = <directory of the binary>/plugins

  // Settings handed to plugins (bitpoke's flags).
  std::string sidecarImage;
  std::string sidecarMysql8Image;
  std::string metricsExporterImage = "prom/mysqld-exporter:v0.13.0";
  std::string imagePullPolicy = "IfNotPresent";
  std::string imagePullSecret;
  std::string orchestratorUri;
  std::string orchestratorTopologyUser;
  std::string orchestratorTopologyPassword;
  int orchestratorConcurrentReconciles = 10;
  bool failoverBeforeShutdown = true;
  bool allowCrossNamespaceUser = false;
  bool allowCrossNamespaceDatabase = false;
  std::map<std::string, std::string> mysqlVersionsToImage;

  std::vector<PluginOverride> pluginOverrides;  // from the file
  std::vector<PluginEntry> plugins;             // resolved by resolvePlugins

  // The settings plugins receive as operator_json (mysqlop_type_create_args).
  std::string operatorJson() const;
};

// Builds the configuration from flags, environment and the optional --config file. Precedence:
// flags, then environment (ORC_TOPOLOGY_USER / ORC_TOPOLOGY_PASSWORD), then the file, then
// defaults. exeDir is the directory of the running binary (for the default plugin directory).
// Throws ConfigError. Returns false (after printing usage to stdout) for --help.
bool loadConfig(int argc, const char* const* argv, const std::string& exeDir, OperatorConfig* out);

// Parses the YAML config file into cfg (used by loadConfig; exposed for tests).
void applyConfigFile(const std::string& path, OperatorConfig* cfg);

// Resolves the plugin list: every bundled plugin found in the plugin directory, overridden by
// name and extended by the file's entries. Fails on a missing plugin file of an enabled entry.
void resolvePlugins(OperatorConfig* cfg);

std::string usage();

}  // namespace mysqlop::config
