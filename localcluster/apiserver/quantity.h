#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace mysqlop::local {

// The canonical text of a Kubernetes resource quantity (k8s.io/apimachinery/pkg/api/resource),
// as the API server stores it: "1024Mi" -> "1Gi", "1000m" -> "1", "0.5" -> "500m",
// "1.5Gi" -> "1536Mi", "1000" -> "1k". nullopt when the text is not a quantity (left as is).
// Binary-suffixed values that are not whole numbers fall back to decimal SI, as upstream does.
std::optional<std::string> canonicalQuantity(const std::string& text);

// Canonicalises the quantities the built-in kinds carry: container resources (pods and pod
// templates), PVC requests and limits (also in StatefulSet volumeClaimTemplates).
void canonicalizeQuantities(const std::string& group, const std::string& resource,
                            nlohmann::json& object);

}  // namespace mysqlop::local
