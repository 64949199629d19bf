// The pods and claims of a StatefulSet: stable names, identity, storage and the claims'
// ownerReferences under persistentVolumeClaimRetentionPolicy (kubernetes stateful_set_utils.go).
#include <algorithm>
#include <cctype>

#include "localcluster/controllers/statefulset_controller.h"

namespace mysqlop::local::controllers {

std::string podName(const std::string& set, int ordinal) {
  return set + "-" + std::to_string(ordinal);
}

int ordinalOf(const std::string& set, const std::string& pod) {
  if (pod.size() <= set.size() + 1 || pod.compare(0, set.size(), set) != 0 ||
      pod[set.size()] != '-') {
    return -1;
  }
  const std::string digits = pod.substr(set.size() + 1);
  if (digits.empty() || digits.size() > 9 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(c) != 0; }) ||
      (digits.size() > 1 && digits[0] == '0')) {
    return -1;
  }
  return std::stoi(digits);
}

std::string claimName(const json& claimTemplate, const std::string& set, int ordinal) {
  return metaString(claimTemplate, "name") + "-" + podName(set, ordinal);
}

json newPod(const json& set, const std::string& revisionName, int ordinal) {
  const std::string setName = metaString(set, "name");
  const std::string name = podName(setName, ordinal);
  const json& tmpl = set["spec"]["template"];
  json meta = tmpl.value("metadata", json::object());
  meta.erase("name");
  meta.erase("generateName");
  meta["name"] = name;
  meta["namespace"] = metaString(set, "namespace");
  json& labels = meta["labels"];
  if (!labels.is_object()) {
    labels = json::object();
  }
  labels["controller-revision-hash"] = revisionName;
  labels["statefulset.kubernetes.io/pod-name"] = name;
  labels["apps.kubernetes.io/pod-index"] = std::to_string(ordinal);
  meta["ownerReferences"] = json::array({controllerRef("apps/v1", "StatefulSet", set)});
  json spec = tmpl.value("spec", json::object());
  spec["hostname"] = name;
  const std::string service = str(set["spec"], "serviceName");
  if (!service.empty()) {
    spec["subdomain"] = service;
  }
  // Storage: each claim template replaces the template's volume of the same name.
  json volumes = spec.value("volumes", json::array());
  for (const auto& ct : set["spec"].value("volumeClaimTemplates", json::array())) {
    const std::string volume = metaString(ct, "name");
    volumes.erase(std::remove_if(volumes.begin(), volumes.end(),
                                 [&](const json& v) { return str(v, "name") == volume; }),
                  volumes.end());
    volumes.push_back(
        {{"name", volume},
         {"persistentVolumeClaim", {{"claimName", claimName(ct, setName, ordinal)}}}});
  }
  if (!volumes.empty()) {
    spec["volumes"] = volumes;
  }
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
}

json newClaim(const json& set, const json& claimTemplate, int ordinal) {
  json meta = claimTemplate.value("metadata", json::object());
  meta["name"] = claimName(claimTemplate, metaString(set, "name"), ordinal);
  meta["namespace"] = metaString(set, "namespace");
  json& labels = meta["labels"];
  if (!labels.is_object()) {
    labels = json::object();
  }
  const json& match = set["spec"]["selector"].value("matchLabels", json::object());
  for (auto it = match.begin(); it != match.end(); ++it) {
    labels[it.key()] = it.value();
  }
  return {{"apiVersion", "v1"},
          {"kind", "PersistentVolumeClaim"},
          {"metadata", meta},
          {"spec", claimTemplate.value("spec", json::object())}};
}

namespace {

// setOwnerRef / removeOwnerRef of stateful_set_utils.go: plain (non-controller) references.
bool setRef(json& claim, const std::string& apiVersion, const std::string& kind,
            const json& owner) {
  json& refs = claim["metadata"]["ownerReferences"];
  if (!refs.is_array()) {
    refs = json::array();
  }
  const std::string uid = metaString(owner, "uid");
  for (const auto& r : refs) {
    if (str(r, "uid") == uid) {
      return false;
    }
  }
  refs.push_back({{"apiVersion", apiVersion},
                  {"kind", kind},
                  {"name", metaString(owner, "name")},
                  {"uid", uid}});
  return true;
}

bool removeRef(json& claim, const json& owner) {
  json& meta = claim["metadata"];
  if (!meta.contains("ownerReferences") || !meta["ownerReferences"].is_array()) {
    return false;
  }
  json& refs = meta["ownerReferences"];
  const std::string uid = metaString(owner, "uid");
  const auto before = refs.size();
  refs.erase(
      std::remove_if(refs.begin(), refs.end(), [&](const json& r) { return str(r, "uid") == uid; }),
      refs.end());
  const bool removed = refs.size() != before;
  if (refs.empty()) {
    meta.erase("ownerReferences");  // invalidates refs
  }
  return removed;
}

}  // namespace

bool setClaimOwnerRefs(json& claim, const json& set, const json* pod, bool podInRange) {
  const json policy = set["spec"].value("persistentVolumeClaimRetentionPolicy", json::object());
  const bool deleteWhenScaled = str(policy, "whenScaled") == "Delete";
  const bool deleteWhenDeleted = str(policy, "whenDeleted") == "Delete";
  bool changed = false;
  if (deleteWhenDeleted && (podInRange || !deleteWhenScaled)) {
    changed = setRef(claim, "apps/v1", "StatefulSet", set) || changed;
  } else {
    changed = removeRef(claim, set) || changed;
  }
  if (pod != nullptr && !metaString(*pod, "uid").empty()) {
    if (deleteWhenScaled && !podInRange) {
      changed = setRef(claim, "v1", "Pod", *pod) || changed;
    } else {
      changed = removeRef(claim, *pod) || changed;
    }
  }
  return changed;
}

}  // namespace mysqlop::local::controllers
