#pragma once

// Helpers for the objects of the MysqlDatabase and MysqlUser kinds (JSON as the API server sends
// it): their cluster reference, finalizers, deletion policy and Ready condition, shaped as
// bitpoke's controllers shape them.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mysqlop::mysql {

inline constexpr std::string_view kDeletionPolicyAnnotation =
    "mysql-operator.presslabs.org/resourceDeletionPolicy";
inline constexpr std::string_view kReadyCondition = "Ready";
inline constexpr std::string_view kProvisionSucceeded = "ProvisionSucceeded";
inline constexpr std::string_view kProvisionFailed = "ProvisionFailed";

struct ClusterRef {
  std::string ns;
  std::string name;

  std::string key() const { return ns + "/" + name; }
};

// "namespace/name" of an object.
std::string objectKey(const nlohmann::json& obj);
std::string objectNamespace(const nlohmann::json& obj);

// spec.clusterRef {name, namespace}; the namespace defaults to the object's own. nullopt with
// *error naming the field when the name is missing or not a string.
std::optional<ClusterRef> clusterRefOf(const nlohmann::json& obj, std::string* error);

// A string field of `parent` (an object): nullopt when absent or null; *error names the field
// when it is present with another type.
std::optional<std::string> stringField(const nlohmann::json& parent, std::string_view key,
                                       std::string_view fieldPath, std::string* error);

bool isDeleting(const nlohmann::json& obj);
bool hasFinalizer(const nlohmann::json& obj, std::string_view finalizer);
// Return true when the object changed.
bool addFinalizer(nlohmann::json& obj, std::string_view finalizer);
bool removeFinalizer(nlohmann::json& obj, std::string_view finalizer);
// True when annotated mysql-operator.presslabs.org/resourceDeletionPolicy: retain (any case).
bool retainOnDelete(const nlohmann::json& obj);

// Sets the Ready condition (with lastUpdateTime, as bitpoke's MysqlDatabase and MysqlUser do).
// Returns true when the status changed.
bool setReady(nlohmann::json& obj, bool ready, std::string_view reason, std::string_view message);
// The Ready condition's status ("True", "False", "Unknown", or "" when absent).
std::string readyStatus(const nlohmann::json& obj);
std::string readyMessage(const nlohmann::json& obj);

}  // namespace mysqlop::mysql
