#pragma once

#include <nlohmann/json.hpp>

#include <ctime>
#include <string>
#include <vector>

#include "localcluster/apiserver/resources.h"

namespace mysqlop::local {

// Server-side printing for `kubectl get`: a meta.k8s.io/v1 Table when the Accept header asks for
// one (as=Table). Columns: a CRD's additionalPrinterColumns (simple JSONPaths), a few built-in
// kinds' usual columns (pods, statefulsets, deployments, services, jobs, namespaces, configmaps,
// secrets, persistentvolumeclaims), else Name and Age.
bool wantsTable(const std::string& accept);

// `listMeta` is the list's metadata (or null for a single object); rows get PartialObjectMetadata.
nlohmann::json makeTable(const ResourceType& rt, const std::vector<const nlohmann::json*>& objects,
                         const nlohmann::json& listMeta, bool withColumns);

// k8s.io/apimachinery/pkg/util/duration.HumanDuration of the time since an RFC 3339 timestamp.
std::string humanAge(const std::string& rfc3339, std::time_t now);

}  // namespace mysqlop::local
