#pragma once

// Request bodies in Kubernetes' protobuf encoding ("k8s\0" + runtime.Unknown), as client-go's
// typed clients send them for built-in kinds (application/vnd.kubernetes.protobuf). Helm's
// release storage creates and updates its Secrets (or ConfigMaps) this way, so `helm install`,
// `upgrade` and `uninstall` need them. Decoded: core/v1 Secret and ConfigMap, with the
// ObjectMeta fields a client sets (name, generateName, namespace, uid, resourceVersion, labels,
// annotations, ownerReferences, finalizers), and the DeleteOptions of a DELETE. Any other kind
// answers 415 Unsupported Media Type, naming the kind, so a client falls back on nothing silently.

#include <nlohmann/json.hpp>

#include <string>

namespace mysqlop::local {

// True when the body starts with the protobuf envelope's magic "k8s\0".
bool isProtobufBody(const std::string& body);

// The object as JSON (apiVersion, kind, metadata, data...). Raises ApiException: 400 for a
// malformed message, 415 for a kind it does not decode.
nlohmann::json decodeProtobufBody(const std::string& body);

}  // namespace mysqlop::local
