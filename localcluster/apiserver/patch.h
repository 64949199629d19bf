#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/common/result.h"

namespace mysqlop::local {

// RFC 7386 JSON merge patch: objects merge recursively, null deletes, arrays replace.
// Fails (Errc::Invalid) when the patch is not a JSON object.
Result<nlohmann::json> applyMergePatch(const nlohmann::json& original, const nlohmann::json& patch);

// RFC 6902 JSON patch. Errc::Invalid: the patch document itself is malformed (HTTP 400);
// Errc::Conflict: it is well formed but cannot be applied (failed test, missing path; HTTP 422).
Result<nlohmann::json> applyJsonPatch(const nlohmann::json& original, const nlohmann::json& patch);

// Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch) for the built-in kinds:
// lists with a merge key (containers by name, ports by containerPort or port, conditions by type,
// ...) merge element by element, metadata.finalizers merge as a set, other lists replace.
// Directives: $patch (delete, replace, merge), $setElementOrder/<list>,
// $deleteFromPrimitiveList/<list>, $retainKeys. Errc::Invalid for a malformed patch.
Result<nlohmann::json> applyStrategicMergePatch(const nlohmann::json& original,
                                                const nlohmann::json& patch);

// The merge key of a list field at a path of field names ({"spec","template","spec",
// "containers"}); "" for atomic lists; "$primitive" for primitive lists merged as sets.
std::string strategicMergeKey(const std::vector<std::string>& path);

}  // namespace mysqlop::local
