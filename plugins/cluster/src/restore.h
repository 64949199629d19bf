#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace mysqlop::cluster {

// The Warning Event reason on a MysqlCluster whose pod 0 failed to restore from initBucketURL.
inline constexpr const char* kRestoreFailed = "RestoreFailed";

// Why pod 0's restore from initBucketURL failed, from the pod's `init` container status (its
// current or last terminated state with a non-zero exit code). The init container runs with
// terminationMessagePolicy FallbackToLogsOnError, so its message is the tail of the sidecar's
// log; the line the sidecar writes for a failed restore ("mysql-operator-sidecar: restore from
// <url>: <cause>; <datadir> emptied") is picked out of it, else the message's last non-empty line.
// The result reads "pod <ns>/<pod>: the init container exited with code <n>: <line>"; nullopt when
// the container has not failed.
std::optional<std::string> restoreFailure(const nlohmann::json& pod);

}  // namespace mysqlop::cluster
