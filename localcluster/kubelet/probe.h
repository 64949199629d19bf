#pragma once
// One probe or lifecycle-hook action (exec, httpGet, tcpSocket) run from the kubelet's side:
// exec inside the container (Supervisor::exec), httpGet and tcpSocket against the pod IP.

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace mysqlop::local::node {
class Supervisor;
}

namespace mysqlop::local::kubelet {

struct ProbeOutcome {
  bool success = false;
  std::string output;  // what the Unhealthy event shows on failure
};

// Runs the action of a probe or a handler ({"exec"|"httpGet"|"tcpSocket": ...}). `container` is
// the container's spec (its ports name the probe's named ports); `key` its supervisor key.
ProbeOutcome runAction(const nlohmann::json& action, const nlohmann::json& container,
                       node::Supervisor& supervisor, const std::string& key,
                       const std::string& podIp, std::chrono::milliseconds timeout);

// The port of a probe (a number, or the name of one of the container's ports); 0 if unknown.
int resolvePort(const nlohmann::json& port, const nlohmann::json& container);

// Timing fields of a probe with Kubernetes' defaults.
struct ProbeTiming {
  int initialDelaySeconds = 0;
  int periodSeconds = 10;
  int timeoutSeconds = 1;
  int successThreshold = 1;
  int failureThreshold = 3;
};
ProbeTiming probeTiming(const nlohmann::json& probe);

}  // namespace mysqlop::local::kubelet
