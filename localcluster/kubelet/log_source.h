#pragma once
// Which container instance `kubectl logs` reads, from the pod's status alone (the kubelet's
// validateContainerLogStatus, pkg/kubelet/kubelet_pods.go), and where its file is. Pure.

#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.h"

namespace mysqlop::local::kubelet {

struct LogSource {
  std::string containerId;  // "local://<uid>/<container>/<n>"
  int instance = 0;         // n: the file <n>.log
};

// The instance to read: with previous the last terminated one (lastState), else the running one,
// else the terminated one, else the last terminated one. Errors (Invalid), the kubelet's texts:
// `container "c" in pod "p" is not available`, `previous terminated container "c" in pod "p" not
// found`, `container "c" in pod "p" is waiting to start: REASON`, `container "c" in pod "p" is
// terminated`, `container "c" in pod "p" is waiting to start - no logs yet`.
Result<LogSource> containerLogSource(const nlohmann::json& pod, const std::string& container,
                                     bool previous);

// DIR/pods/<ns>_<name>_<uid>/<container>/<n>.log: where the kubelet has the supervisor write it.
std::string containerLogPath(const std::string& dataDir, const nlohmann::json& pod,
                             const std::string& container, int instance);

}  // namespace mysqlop::local::kubelet
