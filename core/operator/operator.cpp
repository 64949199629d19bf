#include "core/operator/operator.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <future>

#include "core/common/assert.h"
#include "core/log/redactor.h"
#include "core/operator/kube_runtime.h"

namespace mysqlop {

namespace {

// controller-runtime's CacheSyncTimeout.
constexpr std::chrono::minutes kCacheSyncTimeout{2};

// How long a replica that lost the lease lets its plugins' work stop (workers cancelled, services
// stopped, exactly once) before it exits anyway: the lease duration (15 s) minus the renew
// deadline (10 s), the earliest a successor can take the lease after this replica gave up.
constexpr std::chrono::seconds kStopBudgetOnLostLease{5};

void exitOnLostLeadership() {
  spdlog::critical("lost the leader-election lease: exiting so that no reconcile runs without it");
  spdlog::default_logger()->flush();
  std::_Exit(1);
}

}  // namespace

Operator::Operator(config::OperatorConfig cfg, std::shared_ptr<kube::HttpTransport> kube)
    : cfg_(std::move(cfg)),
      metricsServer_(metricsRouter_),
      healthServer_(healthRouter_),
      onLostLeadership_(exitOnLostLeadership) {
  log::Redactor::global().addSecret(cfg_.orchestratorTopologyPassword);
  registry_.addCollector(metrics::renderProcessMetrics);
  registry_.addCollector([](std::string& out) {
    out +=
        "# HELP mysqlop_bugs_total Internal invariant violations reported by the core.\n"
        "# TYPE mysqlop_bugs_total counter\nmysqlop_bugs_total " +
        std::to_string(detail::bugCount()) + "\n";
  });
  host::ClusterAccess* access = nullptr;
  if (!cfg_.standalone) {
    if (!kube) {
      auto t = connectKube(cfg_);
      if (t.ok()) {
        kube = std::move(t).value();
      } else {
        kubeError_ = t.error().message;
      }
    }
    if (kube) {
      kube_ = std::make_unique<KubeRuntime>(cfg_, std::move(kube), registry_);
      access = &kube_->clusterAccess();
    }
  }
  if (!access) {
    cluster_ = std::make_unique<host::UnavailableClusterAccess>();
    access = cluster_.get();
  }
  plugins_ = std::make_unique<host::PluginManager>(registry_, metricsRouter_, *access,
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
  health.add("GET", "/healthz",
             [](const http::Request&, http::Response& resp) { resp.body = "ok\n"; });
  health.add("GET", "/readyz", [this](const http::Request&, http::Response& resp) {
    const bool synced = !kube_ || kube_->synced();
    if (plugins_->ready() && synced) {
      resp.body = "ok\n";
    } else {
      resp.status = 503;
      resp.body =
          plugins_->readinessReport() +
          (synced ? std::string()
                  // Names each informer and why (a 403 names the missing RBAC rule).
                  : "informer caches are not synced yet: " + kube_->unsyncedReport() + "\n");
    }
  });
}

Operator::~Operator() { stop(); }

std::uint16_t Operator::healthPort() const {
  return sharedServer_ ? metricsServer_.port() : healthServer_.port();
}

Result<void> Operator::start() {
  if (!cfg_.standalone && !kube_) {
    return fail(Errc::Unavailable, kubeError_);
  }
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
  started_ = true;
  if (!kube_) {
    plugins_->startWork();
    return {};
  }
  kube_->watchPluginResources(*plugins_);
  if (auto r = kube_->startInformers(kCacheSyncTimeout); !r.ok()) {
    return r;
  }
  return kube_->startElection(
      [this] {
        std::lock_guard<std::mutex> lock(leadMu_);
        if (!stopping_) {
          spdlog::info("leading: starting the reconcilers and services");
          plugins_->startWork();
        }
      },
      [this] {
        {
          std::lock_guard<std::mutex> lock(leadMu_);
          if (stopping_) {
            return;  // a clean shutdown released the lease
          }
        }
        // No reconcile may start without the lease, and every service is stopped once, in the
        // shutdown order, before the process exits; a stop that hangs does not hold the exit.
        auto stopped = std::make_shared<std::promise<void>>();
        std::future<void> done = stopped->get_future();
        lostLeaseStopper_ = std::thread([this, stopped] {
          plugins_->stopWork();
          stopped->set_value();
        });
        if (done.wait_for(kStopBudgetOnLostLease) != std::future_status::ready) {
          spdlog::error("the plugins' work did not stop within {} s of losing the lease",
                        kStopBudgetOnLostLease.count());
        }
        onLostLeadership_();
      });
}

void Operator::stop() {
  if (!started_) {
    return;
  }
  started_ = false;
  {
    std::lock_guard<std::mutex> lock(leadMu_);
    stopping_ = true;
  }
  // Workers stop taking keys and drain, then services stop; the lease is released only then, so
  // that a successor never runs while we still do (client-go's ReleaseOnCancel after the
  // controllers' context ends). destroyAll removes the plugin routes, waiting for their running
  // handlers, before it destroys the instances; /metrics and the health checks are served to the
  // end. core/host/README.md has the whole order.
  plugins_->stopWork();
  if (kube_) {
    kube_->stopElection();  // after this no lease-loss handler runs
    kube_->stopInformers();
  }
  if (lostLeaseStopper_.joinable()) {
    lostLeaseStopper_.join();
  }
  plugins_->destroyAll();
  metricsServer_.stop();
  healthServer_.stop();
}

}  // namespace mysqlop
