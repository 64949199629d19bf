#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "localcluster/apiserver/resources.h"

namespace mysqlop::local {

// Defaulting of the built-in kinds as kube-apiserver does it (pkg/apis/core/v1/defaults.go,
// pkg/apis/apps/v1/defaults.go, ...), so that a controller that compares what it wrote with what it
// reads back sees no permanent difference. Called on create and on every update.
void applyBuiltinDefaults(const ResourceType& type, nlohmann::json& object);

// Update-time canonicalisation: values the server allocated (a Service's clusterIP, clusterIPs,
// node ports) are kept when an update omits them.
void keepAllocatedValues(const ResourceType& type, const nlohmann::json& old,
                         nlohmann::json& object);

}  // namespace mysqlop::local
