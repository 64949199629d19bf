#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace mysqlop::local {

// The canonical text of a Kubernetes resource quantity (k8s.io/apimachinery/pkg/api/resource),
// as the API server stores it: "1024Mi" -> "1Gi", "1000m" -> "1", "0.5" -> "500m",
// "1.5Gi" -> "1536Mi", "1000" -> "1k" (kube::Quantity::canonical, shared with the plugins).
// nullopt when the text is not a quantity or too large to print exactly (left as is).
std::optional<std::string> canonicalQuantity(const std::string& text);

// Canonicalises the quantities the built-in kinds carry: container resources (pods and pod
// templates), PVC requests and limits (also in StatefulSet volumeClaimTemplates).
void canonicalizeQuantities(const std::string& group, const std::string& resource,
                            nlohmann::json& object);

}  // namespace mysqlop::local
