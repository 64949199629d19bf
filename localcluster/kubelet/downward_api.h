#pragma once
// The downward API's values: fieldRef (pod fields) and resourceFieldRef (container resources), as
// the kubelet computes them for env (podFieldSelectorRuntimeValue) and for downwardAPI volumes
// (fieldpath.ExtractFieldPathAsString). Internal to the kubelet's plan library.

#include <string>

#include <nlohmann/json.hpp>

#include "core/common/go_quote.h"
#include "core/common/result.h"
#include "localcluster/kubelet/container_plan.h"

namespace mysqlop::local::kubelet {

// metadata.name/namespace/uid, metadata.labels/annotations (all, as k="v" lines, or ['key']).
// Anything else fails with the kubelet's message ("unsupported fieldPath: spec.nodeName").
Result<std::string> podMetadataField(const nlohmann::json& pod, const std::string& fieldPath);

// A fieldRef for an env var: the fields of podMetadataField plus spec.nodeName,
// spec.serviceAccountName, status.podIP(s), status.hostIP(s). apiVersion "" means v1.
Result<std::string> envFieldRef(const nlohmann::json& pod, const nlohmann::json& fieldRef);

// A resourceFieldRef (limits/requests of cpu, memory, ephemeral-storage, divided by divisor and
// rounded up). containerName "" means `container`. A container without a limit gets the node's
// allocatable (lookups.nodeAllocatable*), as the kubelet's defaultPodLimitsForDownwardAPI does.
Result<std::string> resourceFieldRef(const nlohmann::json& pod, const nlohmann::json* container,
                                     const nlohmann::json& ref, const Lookups& lookups);

// validation.IsQualifiedName: "" when valid, else the apimachinery messages joined with ";".
std::string qualifiedNameError(const std::string& value);

}  // namespace mysqlop::local::kubelet
