#pragma once

#include <string>

#include "core/common/result.h"

namespace mysqlop::local::cluster {

// The text `status` prints: nodes, pods (namespace, name, phase, ready containers, IP, restarts)
// and Services (namespace, name, type, ClusterIP, ports), read through the kubeconfig.
Result<std::string> statusReport(const std::string& kubeconfigPath);

}  // namespace mysqlop::local::cluster
