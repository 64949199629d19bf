#pragma once

#include <memory>
#include <string>

#include "core/config/operator_config.h"
#include "core/host/cluster_access.h"
#include "core/host/plugin_manager.h"
#include "core/http/router.h"
#include "core/http/server.h"
#include "core/metrics/registry.h"

namespace mysqlop {

// The operator process minus main(): metrics, health, plugin host and their wiring. Tests run it
// in-process; main() adds flags, logging and signals.
class Operator {
 public:
  explicit Operator(config::OperatorConfig cfg);
  ~Operator();
  Operator(const Operator&) = delete;
  Operator& operator=(const Operator&) = delete;

  // Starts the HTTP servers, loads the plugins and starts their work. Fails (with a message
  // naming the address) only when a server cannot listen; refused plugins do not fail start.
  Result<void> start();
  void stop();

  host::PluginManager& plugins() { return *plugins_; }
  metrics::Registry& registry() { return registry_; }
  std::uint16_t metricsPort() const { return metricsServer_.port(); }
  std::uint16_t healthPort() const;

 private:
  config::OperatorConfig cfg_;
  metrics::Registry registry_;
  http::Router metricsRouter_;
  http::Router healthRouter_;
  http::Server metricsServer_;
  http::Server healthServer_;
  bool sharedServer_ = false;
  std::unique_ptr<host::ClusterAccess> cluster_;
  std::unique_ptr<host::PluginManager> plugins_;
  bool started_ = false;
};

}  // namespace mysqlop
