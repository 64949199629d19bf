#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config/operator_config.h"
#include "core/host/cluster_access.h"
#include "core/host/plugin_manager.h"
#include "core/http/router.h"
#include "core/metrics/registry.h"

namespace mysqlop::testing {

// Path of a fixture plugin built by tests/fixtures/plugins.
inline std::string fixturePath(const std::string& name) {
  return std::string(MYSQLOP_BINARY_DIR) + "/tests/fixtures/" + name + ".so";
}

inline config::PluginEntry entry(const std::string& name, const std::string& path,
                                 const std::string& configJson = "{}") {
  config::PluginEntry e;
  e.name = name;
  e.path = path;
  e.configJson = configJson;
  e.origin = "test";
  return e;
}

// A plugin host without Kubernetes, as mysql-operator --standalone runs it.
struct HostFixture {
  metrics::Registry registry;
  http::Router router;
  host::UnavailableClusterAccess cluster;
  std::unique_ptr<host::PluginManager> manager;

  explicit HostFixture(const std::string& operatorJson = "{}")
      : manager(std::make_unique<host::PluginManager>(registry, router, cluster, operatorJson)) {}

  void load(const std::vector<config::PluginEntry>& entries) { manager->loadAll(entries); }

  double counter(const std::string& family, const std::vector<std::string>& labels) {
    auto f = registry.add(metrics::Kind::Counter, family, "", labelNamesOf(family));
    return f.ok() ? (*f)->value(labels) : -1;
  }

 private:
  static std::vector<std::string> labelNamesOf(const std::string& family) {
    if (family == "mysqlop_plugin_load_errors_total") {
      return {"plugin", "reason"};
    }
    if (family == "mysqlop_reconcile_total") {
      return {"plugin", "result"};
    }
    return {"plugin"};
  }
};

}  // namespace mysqlop::testing
