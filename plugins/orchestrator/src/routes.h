#pragma once

// The plugin's HTTP routes (README.md, "Audit and routes"): the topology from the observer's last
// passes, the recoveries from the audit store, and the read-only page. The JSON and the query
// parsing are free functions (unit-tested); Routes binds them to the host's register_route.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/audit.h"
#include "plugins/orchestrator/src/snapshot.h"

namespace mysqlop::orchestrator {

inline constexpr int kDefaultRecoveryLimit = 50;
inline constexpr int kMaxRecoveryLimit = 1000;

// The clusters the topology route shows: the observer's last passes (and, in standalone mode,
// whatever the engine adds).
using SnapshotSource = std::function<std::vector<std::shared_ptr<const ClusterSnapshot>>()>;

struct RouteQuery {
  std::string cluster;  // "ns/name", "" for all
  int limit = kDefaultRecoveryLimit;
};

// Parses a raw query string ("cluster=ns%2Fc&limit=5"); known: the parameters allowed ("cluster"
// always, "limit" for the recoveries). Returns "" or the 400 message: "limit must be an integer
// from 1 to 1000", "cluster must be <namespace>/<name>", "unknown query parameter \"p\" (known:
// cluster, limit)", "query parameter \"p\" is given twice".
std::string parseRouteQuery(std::string_view raw, bool allowLimit, RouteQuery* out);

nlohmann::json recoveryJson(const Recovery& r);
// {"id", "cluster", "analysis", "failedHost", "description", "at", "recoveryId" (null: no
// recovery followed)}
nlohmann::json detectionJson(const Detection& d);
// {"clusters": [...]}, sorted by namespace and name; only `cluster` when given.
nlohmann::json topologyJson(const std::vector<std::shared_ptr<const ClusterSnapshot>>& clusters,
                            const std::string& cluster);

class Routes {
 public:
  // store may be null (no audit): the recoveries route then answers 503.
  Routes(const mysqlop::Host& host, SnapshotSource snapshots, const AuditStore* store);
  // Registers GET /, /api/topology, /api/recoveries and /api/detections; throws mysqlop::Error
  // when refused.
  void registerAll();

 private:
  static mysqlop_type_status page(void* self, mysqlop_call_host_ptr call,
                                  const mysqlop_type_http_request* request,
                                  mysqlop_http_response_host_ptr response);
  static mysqlop_type_status topology(void* self, mysqlop_call_host_ptr call,
                                      const mysqlop_type_http_request* request,
                                      mysqlop_http_response_host_ptr response);
  static mysqlop_type_status recoveries(void* self, mysqlop_call_host_ptr call,
                                        const mysqlop_type_http_request* request,
                                        mysqlop_http_response_host_ptr response);
  static mysqlop_type_status detections(void* self, mysqlop_call_host_ptr call,
                                        const mysqlop_type_http_request* request,
                                        mysqlop_http_response_host_ptr response);
  void respond(mysqlop_http_response_host_ptr response, int code, std::string_view type,
               const std::string& body) const;

  mysqlop::Host host_;
  SnapshotSource snapshots_;
  const AuditStore* store_;
};

}  // namespace mysqlop::orchestrator
