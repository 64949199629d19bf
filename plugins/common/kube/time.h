#pragma once

#include <ctime>
#include <string>

namespace mysqlop::kube {

// RFC 3339 in UTC with second precision, as Kubernetes writes metav1.Time: 2024-05-01T12:00:00Z.
std::string formatTime(std::time_t t);
std::string nowTime();

}  // namespace mysqlop::kube
