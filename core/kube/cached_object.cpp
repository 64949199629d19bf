#include "core/kube/cached_object.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/kube/json_fields.h"

namespace mysqlop::kube {

std::string objectKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

ObjectPtr makeCachedObject(const nlohmann::json& object) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return nullptr;
  }
  auto out = std::make_shared<CachedObject>();
  out->name = stringField(*meta, "name");
  if (out->name.empty()) {
    return nullptr;
  }
  out->namespaceName = stringField(*meta, "namespace");
  out->uid = stringField(*meta, "uid");
  out->resourceVersion = stringField(*meta, "resourceVersion");
  if (const auto labels = meta->find("labels"); labels != meta->end() && labels->is_object()) {
    out->labels.reserve(labels->size());
    for (const auto& [k, v] : labels->items()) {
      out->labels.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
    }
    std::sort(out->labels.begin(), out->labels.end());
  }
  if (const auto owners = meta->find("ownerReferences");
      owners != meta->end() && owners->is_array()) {
    for (const auto& o : *owners) {
      if (o.is_object() && o.value("controller", false)) {
        out->controller = OwnerRef{stringField(o, "apiVersion"), stringField(o, "kind"),
                                   stringField(o, "name"), stringField(o, "uid")};
        break;
      }
    }
  }
  out->json = object.dump();
  out->json.shrink_to_fit();
  return out;
}

}  // namespace mysqlop::kube
