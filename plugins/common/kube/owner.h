#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace mysqlop::kube {

// The controller ownerReference that points at `owner` (an object with apiVersion, kind,
// metadata.name and metadata.uid): controller=true and blockOwnerDeletion=true, as
// controllerutil.SetControllerReference writes it.
nlohmann::json controllerRef(const nlohmann::json& owner);

// True when obj's ownerReferences contain a controller reference with this uid.
bool isControlledBy(const nlohmann::json& obj, std::string_view ownerUid);

// True when obj has an ownerReference of this kind and name (any uid, controller or not).
bool hasOwner(const nlohmann::json& obj, std::string_view kind, std::string_view name);

// Adds ref to obj.metadata.ownerReferences unless a reference with its uid is there. A different
// controller reference stays (the API server refuses two controllers); returns false then.
bool ensureOwnerRef(nlohmann::json& obj, const nlohmann::json& ref);

}  // namespace mysqlop::kube
