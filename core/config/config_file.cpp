// The operator config file: strict YAML. Every unknown key, wrong type or bad value stops the
// operator with one line "FILE:LINE:COL: KEY: what was expected".
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/config/operator_config.h"
#include "core/config/yaml_json.h"

namespace mysqlop::config {

namespace {

namespace fs = std::filesystem;

class FileReader {
 public:
  explicit FileReader(std::string path) : path_(std::move(path)) {}

  std::string where(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    if (m.is_null()) {
      return path_;
    }
    return path_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key,
                         const std::string& what) const {
    throw ConfigError(where(node) + ": " + key + ": " + what);
  }

  static std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Scalar: return "\"" + node.Scalar() + "\"";
      case YAML::NodeType::Sequence: return "a list";
      case YAML::NodeType::Map: return "a mapping";
      default: return "nothing";
    }
  }

  std::string str(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) {
      fail(node, key, "expected a string, got " + describe(node));
    }
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, const std::string& key) const {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      if (s == "true") {
        return true;
      }
      if (s == "false") {
        return false;
      }
    }
    fail(node, key, "expected a boolean (true or false), got " + describe(node));
  }

  int integer(const YAML::Node& node, const std::string& key, int min, int max) const {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      int v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) {
        if (v < min || v > max) {
          fail(node, key,
               "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", got " + s);
        }
        return v;
      }
    }
    fail(node, key, "expected an integer, got " + describe(node));
  }

  // Calls handlers[key] for every key of the mapping; an unknown key is an error listing the
  // known ones.
  void mapping(
      const YAML::Node& node, const std::string& prefix,
      const std::map<std::string, std::function<void(const YAML::Node&)>>& handlers) const {
    if (!node.IsMap()) {
      fail(node, prefix.empty() ? "document" : prefix, "expected a mapping, got " + describe(node));
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
      auto it = handlers.find(key);
      if (it == handlers.end()) {
        std::string known;
        for (const auto& h : handlers) {
          known += (known.empty() ? "" : ", ") + h.first;
        }
        throw ConfigError(where(kv.first) + ": " + (prefix.empty() ? "" : prefix + ".") + key +
                          ": unknown key (expected one of: " + known + ")");
      }
      it->second(kv.second);
    }
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::regex& pluginNamePattern() {
  static const std::regex kName("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  return kName;
}

void readPlugins(const FileReader& f, const YAML::Node& node, OperatorConfig* cfg) {
  if (!node.IsSequence()) {
    f.fail(node, "plugins",
           "expected a list of {name, path, enabled, workers, config}, got " +
               FileReader::describe(node));
  }
  const fs::path baseDir = fs::absolute(fs::path(f.path())).parent_path();
  std::size_t index = 0;
  for (const auto& item : node) {
    const std::string key = "plugins[" + std::to_string(index++) + "]";
    PluginOverride p;
    p.index = index - 1;
    p.origin = f.where(item);
    bool hasName = false;
    f.mapping(item, key,
              {{"name",
                [&](const YAML::Node& n) {
                  p.name = f.str(n, key + ".name");
                  if (!std::regex_match(p.name, pluginNamePattern())) {
                    f.fail(n, key + ".name",
                           "expected lower-case letters, digits and '-' (at most 63), got \"" +
                               p.name + "\"");
                  }
                  hasName = true;
                }},
               {"path",
                [&](const YAML::Node& n) {
                  const std::string raw = f.str(n, key + ".path");
                  if (raw.empty()) {
                    f.fail(n, key + ".path", "expected a file path, got an empty string");
                  }
                  p.path = (baseDir / raw).lexically_normal().string();
                  p.pathOrigin = f.where(n);
                }},
               {"enabled",
                [&](const YAML::Node& n) {
                  p.enabled = f.boolean(n, key + ".enabled");
                  p.hasEnabled = true;
                }},
               {"workers",
                [&](const YAML::Node& n) { p.workers = f.integer(n, key + ".workers", 1, 64); }},
               {"config", [&](const YAML::Node& n) {
                  if (!n.IsMap() && !n.IsNull()) {
                    f.fail(n, key + ".config",
                           "expected a mapping, got " + FileReader::describe(n));
                  }
                  p.configJson = n.IsNull() ? "{}" : yamlToJson(n).dump();
                }}});
    if (!hasName) {
      f.fail(item, key + ".name", "required key is missing");
    }
    for (const auto& other : cfg->pluginOverrides) {
      if (other.name == p.name) {
        f.fail(item, key + ".name",
               "plugin \"" + p.name + "\" is listed twice (first at " + other.origin + ")");
      }
    }
    cfg->pluginOverrides.push_back(std::move(p));
  }
}

}  // namespace

void applyConfigFile(const std::string& path, OperatorConfig* cfg) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path + ": cannot read the config file");
  } catch (const YAML::ParserException& e) {
    throw ConfigError(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  }
  if (root.IsNull()) {
    return;  // an empty file is a valid, empty config
  }
  FileReader f(path);
  auto str = [&](std::string* dst, const char* key) {
    return [&f, dst, key](const YAML::Node& n) { *dst = f.str(n, key); };
  };
  auto boolean = [&](bool* dst, const char* key) {
    return [&f, dst, key](const YAML::Node& n) { *dst = f.boolean(n, key); };
  };
  f.mapping(
      root, "",
      {{"watchNamespace", str(&cfg->watchNamespace, "watchNamespace")},
       {"kubeconfig", str(&cfg->kubeconfig, "kubeconfig")},
       {"leaderElection",
        [&](const YAML::Node& n) {
          f.mapping(n, "leaderElection",
                    {{"enabled", boolean(&cfg->leaderElection, "leaderElection.enabled")},
                     {"namespace", str(&cfg->leaderElectionNamespace, "leaderElection.namespace")},
                     {"id", str(&cfg->leaderElectionId, "leaderElection.id")}});
        }},
       {"metricsAddr", str(&cfg->metricsAddr, "metricsAddr")},
       {"healthzAddr", str(&cfg->healthzAddr, "healthzAddr")},
       {"logFormat",
        [&](const YAML::Node& n) {
          cfg->logFormat = f.str(n, "logFormat");
          if (cfg->logFormat != "text" && cfg->logFormat != "json") {
            f.fail(n, "logFormat", "expected text or json, got \"" + cfg->logFormat + "\"");
          }
        }},
       {"debug", boolean(&cfg->debug, "debug")},
       {"pluginDir",
        [&](const YAML::Node& n) {
          const fs::path base = fs::absolute(fs::path(path)).parent_path();
          cfg->pluginDir = (base / f.str(n, "pluginDir")).lexically_normal().string();
        }},
       {"sidecarImage", str(&cfg->sidecarImage, "sidecarImage")},
       {"sidecarMysql8Image", str(&cfg->sidecarMysql8Image, "sidecarMysql8Image")},
       {"metricsExporterImage", str(&cfg->metricsExporterImage, "metricsExporterImage")},
       {"imagePullPolicy",
        [&](const YAML::Node& n) {
          cfg->imagePullPolicy = f.str(n, "imagePullPolicy");
          if (cfg->imagePullPolicy != "Always" && cfg->imagePullPolicy != "IfNotPresent" &&
              cfg->imagePullPolicy != "Never") {
            f.fail(n, "imagePullPolicy",
                   "expected Always, IfNotPresent or Never, got \"" + cfg->imagePullPolicy + "\"");
          }
        }},
       {"imagePullSecret", str(&cfg->imagePullSecret, "imagePullSecret")},
       {"orchestrator",
        [&](const YAML::Node& n) {
          f.mapping(
              n, "orchestrator",
              {{"uri", str(&cfg->orchestratorUri, "orchestrator.uri")},
               {"topologyUser", str(&cfg->orchestratorTopologyUser, "orchestrator.topologyUser")},
               {"topologyPassword",
                str(&cfg->orchestratorTopologyPassword, "orchestrator.topologyPassword")},
               {"concurrentReconciles", [&](const YAML::Node& v) {
                  cfg->orchestratorConcurrentReconciles =
                      f.integer(v, "orchestrator.concurrentReconciles", 1, 1000);
                }}});
        }},
       {"failoverBeforeShutdown", boolean(&cfg->failoverBeforeShutdown, "failoverBeforeShutdown")},
       {"allowCrossNamespaceUser",
        boolean(&cfg->allowCrossNamespaceUser, "allowCrossNamespaceUser")},
       {"allowCrossNamespaceDatabase",
        boolean(&cfg->allowCrossNamespaceDatabase, "allowCrossNamespaceDatabase")},
       {"mysqlVersionsToImage",
        [&](const YAML::Node& n) {
          if (!n.IsMap()) {
            f.fail(n, "mysqlVersionsToImage",
                   "expected a mapping of version to image, got " + FileReader::describe(n));
          }
          for (const auto& kv : n) {
            const std::string version = f.str(kv.first, "mysqlVersionsToImage");
            cfg->mysqlVersionsToImage[version] =
                f.str(kv.second, "mysqlVersionsToImage." + version);
          }
        }},
       {"plugins", [&](const YAML::Node& n) { readPlugins(f, n, cfg); }}});
}

}  // namespace mysqlop::config
