#pragma once

// What the MysqlDatabase and MysqlUser plugins share: a reconciler that reaches the cluster's
// master through the host's callbacks, the metrics of its connection pool, and the map that
// requeues the objects waiting for a MysqlCluster to turn Ready. A plugin derives from
// ObjectPlugin<its Reconciler>, names its kinds (kPrimary, kWatches) and maps its watches.

#include <string>
#include <string_view>
#include <utility>

#include "mysqlop/plugin.hpp"
#include "plugins/common/mysql/kube_gateway.h"
#include "plugins/common/mysql/pool_metrics.h"
#include "plugins/common/mysql/watch_map.h"

namespace mysqlop::mysql {

template <class Reconciler>
class ObjectPlugin : public mysqlop::Plugin {
 public:
  // metricsName: "database" or "user" (part of the pool metric names).
  template <class Options>
  ObjectPlugin(const mysqlop::Context& ctx, Options options, const std::string& metricsName)
      : Plugin(ctx),
        reconciler_(std::move(options),
                    [this](mysqlop_type_log_level level, const std::string& message) {
                      host().log(level, message);
                    }),
        metrics_(host(), metricsName) {}

  mysqlop::Outcome reconcile(mysqlop::Call& call, const mysqlop::Request& req) override {
    CallGateway kube(call);
    mysqlop::Outcome outcome = reconciler_.reconcile(kube, req.namespaceName, req.name);
    metrics_.update(reconciler_.pool().stats());
    return outcome;
  }

 protected:
  // The objects of `primary` that wait for the MysqlCluster in clusterJson, when it turned Ready.
  ObjectKeys waitingForCluster(CallGateway& kube, const mysqlop_type_resource& primary,
                               std::string_view clusterJson) {
    return readiness_.referencesToRequeue(kube, primary, clusterJson);
  }

 private:
  Reconciler reconciler_;
  ClusterReadiness readiness_;
  PoolMetrics metrics_;
};

}  // namespace mysqlop::mysql
