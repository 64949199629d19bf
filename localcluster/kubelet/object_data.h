#pragma once
// Reading the ConfigMaps and Secrets a pod refers to, with the kubelet's messages when one is
// missing. Internal to the kubelet's plan library.

#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/common/result.h"
#include "localcluster/kubelet/container_plan.h"

namespace mysqlop::local::kubelet {

using StringMap = std::map<std::string, std::string>;

// metadata.namespace of a pod, "default" when absent.
std::string podNamespace(const nlohmann::json& pod);

// The kubelet's object managers report a missing object with the singular resource name:
// `configmap "x" not found`, `secret "x" not found` (Errc::NotFound). nullopt is never returned
// with ok: a found object's contents come back decoded.
struct ConfigMapContents {
  StringMap data;        // .data
  StringMap binaryData;  // .binaryData, base64-decoded
};
Result<ConfigMapContents> getConfigMap(const Lookups& lookups, const std::string& ns,
                                       const std::string& name);
// .data of a Secret, base64-decoded (stringData is never present on read).
Result<StringMap> getSecret(const Lookups& lookups, const std::string& ns, const std::string& name);

}  // namespace mysqlop::local::kubelet
