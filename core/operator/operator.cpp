#include "core/operator/operator.h"

#include <spdlog/spdlog.h>

#include "core/common/assert.h"
#include "core/log/redactor.h"

namespace mysqlop {

Operator::Operator(config::OperatorConfig cfg)
    : cfg_(std::move(cfg)), metricsServer_(metricsRouter_), healthServer_(healthRouter_) {
  log::Redactor::global().addSecret(cfg_.orchestratorTopologyPassword);
  registry_.addCollector(metrics::renderProcessMetrics);
  registry_.addCollector([](std::string& out) {
    out += "# HELP mysqlop_bugs_total Internal invariant violations reported by the core.\n"
           "# TYPE mysqlop_bugs_total counter\nmysqlop_bugs_total " +
           std::to_string(detail::bugCount()) + "\n";
  });
  cluster_ = std::make_unique<host::UnavailableClusterAccess>();
  plugins_ = std::make_unique<host::PluginManager>(registry_, metricsRouter_, *cluster_,
                                                   cfg_.operatorJson());
  // One server for both when they name the same fixed address; port 0 means "any free port",
  // so two such addresses are two servers.
  sharedServer_ = cfg_.metricsAddr == cfg_.healthzAddr && cfg_.metricsAddr.size() > 2 &&
                  cfg_.metricsAddr.substr(cfg_.metricsAddr.size() - 2) != ":0";
  http::Router& health = sharedServer_ ? metricsRouter_ : healthRouter_;

  metricsRouter_.add("GET", "/metrics", [this](const http::Request&, http::Response& resp) {
    resp.contentType = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = registry_.render();
  });
  health.add("GET", "/healthz", [](const http::Request&, http::Response& resp) {
    resp.body = "ok\n";
  });
  health.add("GET", "/readyz", [this](const http::Request&, http::Response& resp) {
    if (plugins_->ready()) {
      resp.body = "ok\n";
    } else {
      resp.status = 503;
      resp.body = plugins_->readinessReport();
    }
  });
}

Operator::~Operator() { stop(); }

std::uint16_t Operator::healthPort() const {
  return sharedServer_ ? metricsServer_.port() : healthServer_.port();
}

Result<void> Operator::start() {
  auto metricsAddr = http::parseAddress(cfg_.metricsAddr);
  if (!metricsAddr.ok()) {
    return fail(Errc::Invalid, "--metrics-addr: " + metricsAddr.error().message);
  }
  auto healthAddr = http::parseAddress(cfg_.healthzAddr);
  if (!healthAddr.ok()) {
    return fail(Errc::Invalid, "--healthz-addr: " + healthAddr.error().message);
  }
  if (!metricsAddr->disabled) {
    auto r = metricsServer_.start(*metricsAddr);
    if (!r.ok()) {
      return fail(r.code(), "metrics server: " + r.error().message);
    }
    spdlog::info("serving /metrics on {}:{}", metricsAddr->host, metricsServer_.port());
  }
  if (!sharedServer_ && !healthAddr->disabled) {
    auto r = healthServer_.start(*healthAddr);
    if (!r.ok()) {
      return fail(r.code(), "health server: " + r.error().message);
    }
    spdlog::info("serving /healthz and /readyz on {}:{}", healthAddr->host, healthServer_.port());
  }
  plugins_->loadAll(cfg_.plugins);
  plugins_->startWork();
  started_ = true;
  return {};
}

void Operator::stop() {
  if (!started_) {
    return;
  }
  started_ = false;
  plugins_->stopWork();
  plugins_->destroyAll();
  metricsServer_.stop();
  healthServer_.stop();
}

}  // namespace mysqlop
