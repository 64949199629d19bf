#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace mysqlop::local {

// OpenAPI v3 as kube-apiserver publishes it (/openapi/v3, /openapi/v3/apis/<g>/<v>): one
// document per group-version whose components.schemas hold each kind (marked with
// x-kubernetes-group-version-kind) and every definition it refers to. `kubectl explain` reads
// them. The documents' patch operations declare no request body, so kubectl does not compute
// strategic merge patches from these schemas (it keeps its built-in ones).

// Adds the schemas of built-in kinds of group/version (kind, description), openapi_builtin.cpp.
void addBuiltinSchemas(const std::string& group, const std::string& version,
                       const std::vector<std::pair<std::string, std::string>>& kinds,
                       nlohmann::json& schemas);
// ObjectMeta and what it refers to (the custom kinds' metadata).
void addObjectMetaSchema(nlohmann::json& schemas);
std::string objectMetaRef();

// The component schema of a custom kind from its CRD's openAPIV3Schema for `version`, with
// apiVersion, kind and metadata as kube-apiserver adds them; null when the version has none.
nlohmann::json customKindSchema(const nlohmann::json& crd, const std::string& version);
// "mysql.presslabs.org", "v1alpha1", "MysqlCluster" -> "org.presslabs.mysql.v1alpha1.MysqlCluster"
std::string customSchemaName(const std::string& group, const std::string& version,
                             const std::string& kind);

}  // namespace mysqlop::local
