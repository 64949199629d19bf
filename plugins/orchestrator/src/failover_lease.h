#pragma once

// Where a cluster's FailoverState lives (README "Engine state and leader takeover"): a
// coordination.k8s.io/v1 Lease `<c>-mysql-failover` in the cluster's namespace, owned by the
// MysqlCluster (garbage collected with it; no finalizer, so a deletion never waits on the
// engine), the state as JSON in the annotation `mysql.presslabs.org/failover-state`. Every
// write carries the resourceVersion it was read at: a Conflict means another leader wrote, and
// the writer must stop and read again (that also fences a stale leader).

#include <nlohmann/json.hpp>
#include <string>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/failover_state.h"

namespace mysqlop::orchestrator {

inline constexpr mysqlop_type_resource kLease =
    mysqlop::resource("coordination.k8s.io", "v1", "Lease", "leases");
inline constexpr const char* kFailoverStateAnnotation = "mysql.presslabs.org/failover-state";

std::string failoverLeaseName(const std::string& cluster);

struct LeaseRead {
  bool ok = false;      // false: the API failed (error says why); nothing may be decided
  bool exists = false;  // the Lease exists
  FailoverState state;  // the default when it does not exist or its annotation is bad
  std::string resourceVersion;
  std::string error;     // the API's failure
  std::string badState;  // the annotation's problem (decodeState's message), "" when fine
};

LeaseRead readFailoverLease(mysqlop::Call& call, const std::string& ns, const std::string& cluster);

enum class WriteResult { Written, Conflict, Failed };

// Creates (resourceVersion "") or updates the Lease with `state`; on Written sets
// *resourceVersion to the new one. *error gets the API's failure.
WriteResult writeFailoverLease(mysqlop::Call& call, const nlohmann::json& cluster,
                               const FailoverState& state, std::string* resourceVersion,
                               std::string* error);

}  // namespace mysqlop::orchestrator
