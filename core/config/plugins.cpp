#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/config/operator_config.h"

namespace mysqlop::config {

namespace fs = std::filesystem;

const std::vector<std::string>& bundledPluginNames() {
  static const std::vector<std::string> kNames = {"cluster", "orchestrator", "backup", "database",
                                                  "user",    "s3",           "file",   "azure",
                                                  "gs",      "rclone"};
  return kNames;
}

std::string bundledPluginFile(const std::string& name) {
  // The backup targets are built as mysqlop_target_<scheme>.so (plugins/target_*), the
  // reconcilers and the engine as mysqlop_<name>.so.
  static const std::vector<std::string> kTargets = {"s3", "file", "azure", "gs", "rclone"};
  for (const std::string& t : kTargets) {
    if (t == name) {
      return "mysqlop_target_" + name + ".so";
    }
  }
  return "mysqlop_" + name + ".so";
}

void resolvePlugins(OperatorConfig* cfg) {
  std::vector<PluginEntry> out;
  for (const std::string& name : bundledPluginNames()) {
    const fs::path p = fs::path(cfg->pluginDir) / bundledPluginFile(name);
    if (fs::exists(p)) {
      PluginEntry e;
      e.name = name;
      e.path = p.string();
      e.origin = "bundled";
      out.push_back(std::move(e));
    }
  }
  for (const PluginOverride& o : cfg->pluginOverrides) {
    PluginEntry* entry = nullptr;
    for (PluginEntry& e : out) {
      if (e.name == o.name) {
        entry = &e;
      }
    }
    if (!entry) {
      out.push_back(PluginEntry{});
      entry = &out.back();
      entry->name = o.name;
      entry->path = (fs::path(cfg->pluginDir) / bundledPluginFile(o.name)).string();
    }
    entry->origin = o.origin;
    if (!o.path.empty()) {
      entry->path = o.path;
    }
    if (o.hasEnabled) {
      entry->enabled = o.enabled;
    }
    if (o.workers > 0) {
      entry->workers = o.workers;
    }
    if (!o.configJson.empty()) {
      entry->configJson = o.configJson;
    }
    if (entry->enabled && !fs::exists(entry->path)) {
      const std::string where = o.path.empty() ? o.origin : o.pathOrigin;
      const std::string key = o.path.empty() ? "name" : "path";
      throw ConfigError(where + ": plugins[" + std::to_string(o.index) + "]." + key +
                        ": plugin file " + entry->path + " does not exist" +
                        (o.path.empty() ? " (no bundled plugin of that name in " + cfg->pluginDir +
                                              "; give a path)"
                                        : ""));
    }
  }
  cfg->plugins = std::move(out);
}

std::string OperatorConfig::operatorJson() const {
  nlohmann::json j = {
      {"namespace", watchNamespace},
      {"sidecarImage", sidecarImage},
      {"sidecarMysql8Image", sidecarMysql8Image},
      {"metricsExporterImage", metricsExporterImage},
      {"imagePullPolicy", imagePullPolicy},
      {"imagePullSecret", imagePullSecret},
      {"orchestratorTopologyUser", orchestratorTopologyUser},
      {"orchestratorTopologyPassword", orchestratorTopologyPassword},
      {"orchestratorConcurrentReconciles", orchestratorConcurrentReconciles},
      {"failoverBeforeShutdown", failoverBeforeShutdown},
      {"allowCrossNamespaceUser", allowCrossNamespaceUser},
      {"allowCrossNamespaceDatabase", allowCrossNamespaceDatabase},
      {"mysqlVersionsToImage", mysqlVersionsToImage},
      {"debug", debug},
  };
  return j.dump();
}

}  // namespace mysqlop::config
