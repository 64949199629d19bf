#include "localcluster/apiserver/quantity.h"

#include <nlohmann/json.hpp>

#include "plugins/common/kube/quantity.h"

namespace mysqlop::local {

using nlohmann::json;

std::optional<std::string> canonicalQuantity(const std::string& text) {
  auto q = kube::Quantity::parse(text);
  return q ? q->canonical() : std::nullopt;
}

namespace {

void canonicalMap(json& m) {
  if (!m.is_object()) {
    return;
  }
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it.value().is_string()) {
      if (auto c = canonicalQuantity(it.value().get<std::string>())) {
        it.value() = *c;
      }
    } else if (it.value().is_number()) {
      // A JSON number is accepted and stored as its canonical string.
      std::string text = it.value().is_number_float() ? it.value().dump()
                                                      : std::to_string(it.value().get<long long>());
      if (auto c = canonicalQuantity(text)) {
        it.value() = *c;
      }
    }
  }
}

void canonicalResources(json& resources) {
  if (!resources.is_object()) {
    return;
  }
  for (const char* k : {"requests", "limits"}) {
    if (resources.contains(k)) {
      canonicalMap(resources[k]);
    }
  }
}

void canonicalPodSpec(json& spec) {
  if (!spec.is_object()) {
    return;
  }
  for (const char* list : {"containers", "initContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (auto& c : spec[list]) {
        if (c.is_object() && c.contains("resources")) {
          canonicalResources(c["resources"]);
        }
      }
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (auto& v : spec["volumes"]) {
      if (v.is_object() && v.contains("emptyDir") && v["emptyDir"].is_object() &&
          v["emptyDir"].contains("sizeLimit") && v["emptyDir"]["sizeLimit"].is_string()) {
        if (auto c = canonicalQuantity(v["emptyDir"]["sizeLimit"].get<std::string>())) {
          v["emptyDir"]["sizeLimit"] = *c;
        }
      }
    }
  }
}

void canonicalPvcSpec(json& spec) {
  if (spec.is_object() && spec.contains("resources")) {
    canonicalResources(spec["resources"]);
  }
}

}  // namespace

void canonicalizeQuantities(const std::string& group, const std::string& resource, json& obj) {
  if (!obj.contains("spec") || !obj["spec"].is_object()) {
    return;
  }
  json& spec = obj["spec"];
  if (group.empty() && resource == "pods") {
    canonicalPodSpec(spec);
  } else if (group.empty() && resource == "persistentvolumeclaims") {
    canonicalPvcSpec(spec);
  } else if ((group == "apps" || group == "batch") && spec.contains("template") &&
             spec["template"].is_object() && spec["template"].contains("spec")) {
    canonicalPodSpec(spec["template"]["spec"]);
  }
  if (group == "apps" && resource == "statefulsets" && spec.contains("volumeClaimTemplates") &&
      spec["volumeClaimTemplates"].is_array()) {
    for (auto& vct : spec["volumeClaimTemplates"]) {
      if (vct.is_object() && vct.contains("spec")) {
        canonicalPvcSpec(vct["spec"]);
      }
    }
  }
}

}  // namespace mysqlop::local
