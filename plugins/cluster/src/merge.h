#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mysqlop::cluster {

// A field of a child object that the cluster plugin owns.
struct OwnedField {
  enum class Mode {
    Replace,  // the value is ours: replaced when it differs semantically
    MergeMap  // a map whose keys we set are ours; other keys belong to others and stay
  };
  std::string pointer;  // JSON pointer, e.g. "/spec/template/spec"
  Mode mode = Mode::Replace;
  bool removeWhenAbsent = false;  // ours even when we do not want it: delete it then
};

// The fields a kind's syncer owns, besides metadata.labels/annotations (merged) and our
// controller ownerReference. Immutable fields (StatefulSet selector, serviceName,
// volumeClaimTemplates; a Service's clusterIP) are never listed: they are set at creation only.
const std::vector<OwnedField>& ownedFields(const std::string& kind);

// Read-modify-write: returns `existing` with every owned field of `desired` applied, or nullopt
// when everything we own is already in place (so no write is needed). Fields other controllers or
// users added stay untouched. A Service keeps the node ports the API server allocated.
std::optional<nlohmann::json> mergeForUpdate(const nlohmann::json& existing,
                                             const nlohmann::json& desired);

}  // namespace mysqlop::cluster
