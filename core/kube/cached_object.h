#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "core/kube/selector.h"

namespace mysqlop::kube {

struct OwnerRef {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
};

// One object as an informer keeps it: the compact JSON text (what plugins receive anyway) plus
// the few metadata fields the cache indexes. Parsed JSON trees cost five to ten times the text,
// so the cache never keeps them. Immutable once built; shared between the store and handlers.
struct CachedObject {
  std::string json;
  std::string namespaceName;
  std::string name;
  std::string uid;
  std::string resourceVersion;
  Labels labels;
  std::optional<OwnerRef> controller;  // the ownerReference with controller: true

  std::string key() const { return namespaceName.empty() ? name : namespaceName + "/" + name; }
};

using ObjectPtr = std::shared_ptr<const CachedObject>;

// Builds the cached form of an object; nullptr if it has no metadata.name.
ObjectPtr makeCachedObject(const nlohmann::json& object);

// "ns/name" or "name".
std::string objectKey(const std::string& ns, const std::string& name);

}  // namespace mysqlop::kube
