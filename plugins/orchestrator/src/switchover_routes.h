#pragma once

// The switchover's HTTP routes (README "Planned switchover"): our POST /api/switchover, and the
// two orchestrator routes bitpoke's preStop script calls (api/master/<alias>,
// api/graceful-master-takeover-auto/<alias>), so existing scripts keep working. The parsing and
// the answers are free functions (unit-tested); the plugin supplies the backend.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/switchover.h"

namespace mysqlop::orchestrator {

// Parses {"cluster": "<ns>/<name>" | "<static name>", "to": "<pod>" | "host:port" | "auto"}.
// Returns "" or the 400 message:
//   "the body must be a JSON object: {\"cluster\": ..., \"to\": ...}"
//   "\"cluster\" must be a non-empty string: <namespace>/<name> or a static cluster's name"
//   "\"to\" must be a string: a pod name, host:port or \"auto\""
//   "unknown field \"<f>\" (known: cluster, to)"
std::string parseSwitchoverBody(std::string_view body, std::string* cluster, std::string* to);

// An orchestrator cluster alias "<name>.<namespace>" -> "<namespace>/<name>"; "" when it has no
// dot (a static cluster's name is used as it is).
std::string clusterKeyOfAlias(const std::string& alias);

// orchestrator's instance JSON, reduced: {"Key": {"Hostname", "Port"}}; id is "host:port".
nlohmann::json orchestratorInstance(const std::string& id);

struct SwitchoverBackend {
  // Runs a switchover of `cluster` ("ns/name" or a static name); nullopt: no such cluster.
  std::function<std::optional<SwitchoverAnswer>(mysqlop::Call& call, const std::string& cluster,
                                                const std::string& to)>
      run;
  // The master of a cluster as "host:port" ("" when it has none); nullopt: no such cluster.
  std::function<std::optional<std::string>(mysqlop::Call& call, const std::string& cluster)> master;
};

class SwitchoverRoutes {
 public:
  SwitchoverRoutes(const mysqlop::Host& host, SwitchoverBackend backend);
  // POST /api/switchover, GET /api/master/*, GET /api/graceful-master-takeover-auto/*.
  void registerAll();

 private:
  static mysqlop_type_status post(void* self, mysqlop_call_host_ptr call,
                                  const mysqlop_type_http_request* request,
                                  mysqlop_http_response_host_ptr response);
  static mysqlop_type_status master(void* self, mysqlop_call_host_ptr call,
                                    const mysqlop_type_http_request* request,
                                    mysqlop_http_response_host_ptr response);
  static mysqlop_type_status takeover(void* self, mysqlop_call_host_ptr call,
                                      const mysqlop_type_http_request* request,
                                      mysqlop_http_response_host_ptr response);
  void respond(mysqlop_http_response_host_ptr response, int code, std::string_view type,
               const std::string& body) const;
  // The cluster named by the last path segment after `prefix` (an alias or a static name).
  static std::string aliasOf(std::string_view path, std::string_view prefix);

  mysqlop::Host host_;
  SwitchoverBackend backend_;
};

}  // namespace mysqlop::orchestrator
