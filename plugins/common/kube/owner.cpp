#include "plugins/common/kube/owner.h"

#include <nlohmann/json.hpp>

namespace mysqlop::kube {

namespace {

const nlohmann::json& ownerRefs(const nlohmann::json& obj) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  if (!obj.is_object()) {
    return kEmpty;
  }
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) {
    return kEmpty;
  }
  auto refs = meta->find("ownerReferences");
  return refs != meta->end() && refs->is_array() ? *refs : kEmpty;
}

}  // namespace

nlohmann::json controllerRef(const nlohmann::json& owner) {
  const auto& meta = owner.at("metadata");
  return {{"apiVersion", owner.value("apiVersion", "")},
          {"kind", owner.value("kind", "")},
          {"name", meta.value("name", "")},
          {"uid", meta.value("uid", "")},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

bool isControlledBy(const nlohmann::json& obj, std::string_view ownerUid) {
  for (const auto& r : ownerRefs(obj)) {
    if (r.value("controller", false) && r.value("uid", "") == ownerUid) {
      return true;
    }
  }
  return false;
}

bool hasOwner(const nlohmann::json& obj, std::string_view kind, std::string_view name) {
  for (const auto& r : ownerRefs(obj)) {
    if (r.value("kind", "") == kind && r.value("name", "") == name) {
      return true;
    }
  }
  return false;
}

bool ensureOwnerRef(nlohmann::json& obj, const nlohmann::json& ref) {
  nlohmann::json& refs = obj["metadata"]["ownerReferences"];
  if (!refs.is_array()) {
    refs = nlohmann::json::array();
  }
  const std::string uid = ref.value("uid", "");
  for (const auto& r : refs) {
    if (r.value("uid", "") == uid) {
      return true;
    }
    if (ref.value("controller", false) && r.value("controller", false)) {
      return false;
    }
  }
  refs.push_back(ref);
  return true;
}

}  // namespace mysqlop::kube
