#include "localcluster/apiserver/resources.h"

#include <algorithm>
#include <mutex>

#include "localcluster/apiserver/schema.h"

namespace mysqlop::local {

using nlohmann::json;

bool ResourceType::serves(const std::string& v) const {
  return std::find(versions.begin(), versions.end(), v) != versions.end();
}

namespace {

struct Builtin {
  const char* group;
  const char* version;
  const char* kind;
  const char* plural;
  bool namespaced;
  std::vector<std::string> shortNames;
  bool status;
  bool scale;
  bool generation;
  std::vector<std::string> categories;
};

ResourceType make(const Builtin& b) {
  ResourceType t;
  t.group = b.group;
  t.version = b.version;
  t.versions = {b.version};
  t.kind = b.kind;
  t.listKind = std::string(b.kind) + "List";
  t.plural = b.plural;
  std::string lower = b.kind;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  t.singular = lower;
  t.namespaced = b.namespaced;
  t.shortNames = b.shortNames;
  t.hasStatus = b.status;
  if (b.scale) {
    t.scale = ScaleSpec{};
  }
  t.tracksGeneration = b.generation;
  t.categories = b.categories;
  return t;
}

std::vector<ResourceType> builtins() {
  std::vector<Builtin> list = {
      {"", "v1", "Namespace", "namespaces", false, {"ns"}, true, false, false, {}},
      {"", "v1", "Pod", "pods", true, {"po"}, true, false, false, {"all"}},
      {"", "v1", "Service", "services", true, {"svc"}, true, false, false, {"all"}},
      {"", "v1", "Endpoints", "endpoints", true, {"ep"}, false, false, false, {}},
      {"", "v1", "ConfigMap", "configmaps", true, {"cm"}, false, false, false, {}},
      {"", "v1", "Secret", "secrets", true, {}, false, false, false, {}},
      {"", "v1", "Event", "events", true, {"ev"}, false, false, false, {}},
      {"",
       "v1",
       "PersistentVolumeClaim",
       "persistentvolumeclaims",
       true,
       {"pvc"},
       true,
       false,
       false,
       {}},
      {"", "v1", "PersistentVolume", "persistentvolumes", false, {"pv"}, true, false, false, {}},
      {"", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"}, false, false, false, {}},
      {"", "v1", "Node", "nodes", false, {"no"}, true, false, false, {}},
      {"apps", "v1", "StatefulSet", "statefulsets", true, {"sts"}, true, true, true, {"all"}},
      {"apps", "v1", "Deployment", "deployments", true, {"deploy"}, true, true, true, {"all"}},
      {"apps",
       "v1",
       "ControllerRevision",
       "controllerrevisions",
       true,
       {},
       false,
       false,
       false,
       {}},
      {"batch", "v1", "Job", "jobs", true, {}, true, false, true, {"all"}},
      {"policy",
       "v1",
       "PodDisruptionBudget",
       "poddisruptionbudgets",
       true,
       {"pdb"},
       true,
       false,
       true,
       {}},
      {"discovery.k8s.io",
       "v1",
       "EndpointSlice",
       "endpointslices",
       true,
       {},
       false,
       false,
       false,
       {}},
      {"storage.k8s.io",
       "v1",
       "StorageClass",
       "storageclasses",
       false,
       {"sc"},
       false,
       false,
       false,
       {}},
      {"coordination.k8s.io", "v1", "Lease", "leases", true, {}, false, false, false, {}},
      {"events.k8s.io", "v1", "Event", "events", true, {"ev"}, false, false, false, {}},
      {"apiextensions.k8s.io",
       "v1",
       "CustomResourceDefinition",
       "customresourcedefinitions",
       false,
       {"crd", "crds"},
       true,
       false,
       true,
       {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "ClusterRole",
       "clusterroles",
       false,
       {},
       false,
       false,
       false,
       {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "ClusterRoleBinding",
       "clusterrolebindings",
       false,
       {},
       false,
       false,
       false,
       {}},
      {"rbac.authorization.k8s.io", "v1", "Role", "roles", true, {}, false, false, false, {}},
      {"rbac.authorization.k8s.io",
       "v1",
       "RoleBinding",
       "rolebindings",
       true,
       {},
       false,
       false,
       false,
       {}},
      // Reviews: create-only, never stored (access_reviews.cpp answers them).
      {"authorization.k8s.io",
       "v1",
       "SelfSubjectAccessReview",
       "selfsubjectaccessreviews",
       false,
       {},
       false,
       false,
       false,
       {}},
      {"authorization.k8s.io",
       "v1",
       "SelfSubjectRulesReview",
       "selfsubjectrulesreviews",
       false,
       {},
       false,
       false,
       false,
       {}},
      {"authorization.k8s.io",
       "v1",
       "SubjectAccessReview",
       "subjectaccessreviews",
       false,
       {},
       false,
       false,
       false,
       {}},
      {"authorization.k8s.io",
       "v1",
       "LocalSubjectAccessReview",
       "localsubjectaccessreviews",
       true,
       {},
       false,
       false,
       false,
       {}},
      {"authentication.k8s.io",
       "v1",
       "SelfSubjectReview",
       "selfsubjectreviews",
       false,
       {},
       false,
       false,
       false,
       {}},
  };
  std::vector<ResourceType> out;
  for (const auto& b : list) {
    ResourceType t = make(b);
    if (t.plural == "pods") {
      t.returnDeletedObject = true;
      t.extraFieldSelectors = {"spec.nodeName",      "spec.restartPolicy",
                               "spec.schedulerName", "spec.serviceAccountName",
                               "spec.hostNetwork",   "status.phase",
                               "status.podIP",       "status.nominatedNodeName"};
      t.extraSubresources = {"log", "eviction", "binding", "exec"};
    } else if (t.plural == "events" && t.group.empty()) {
      t.extraFieldSelectors = {"involvedObject.kind",
                               "involvedObject.namespace",
                               "involvedObject.name",
                               "involvedObject.uid",
                               "involvedObject.apiVersion",
                               "involvedObject.resourceVersion",
                               "involvedObject.fieldPath",
                               "reason",
                               "reportingComponent",
                               "source",
                               "type"};
    } else if (t.plural == "events") {
      t.extraFieldSelectors = {"regarding.kind", "regarding.namespace",
                               "regarding.name", "regarding.uid",
                               "reason",         "type"};
    } else if (t.plural == "secrets") {
      t.extraFieldSelectors = {"type"};
    } else if (t.plural == "namespaces") {
      t.extraFieldSelectors = {"status.phase"};
      t.extraSubresources = {"finalize"};
    } else if (t.plural == "endpoints") {
      t.createOnUpdate = true;
    } else if (t.plural == "jobs") {
      t.orphanByDefault = true;
      t.extraFieldSelectors = {"status.successful"};
    } else if (t.group == "authorization.k8s.io" || t.group == "authentication.k8s.io") {
      t.createOnly = true;
    } else if (t.plural == "serviceaccounts") {
      t.extraSubresources = {"token"};
    } else if (t.plural == "nodes") {
      t.extraFieldSelectors = {"spec.unschedulable"};
    } else if (t.plural == "statefulsets" || t.plural == "deployments") {
      t.scale = ScaleSpec{".spec.replicas", ".status.replicas", ".status.selector"};
    }
    out.push_back(std::move(t));
  }
  return out;
}

const char* kBuiltinGroups[] = {"apps",
                                "batch",
                                "policy",
                                "discovery.k8s.io",
                                "storage.k8s.io",
                                "coordination.k8s.io",
                                "events.k8s.io",
                                "apiextensions.k8s.io",
                                "rbac.authorization.k8s.io",
                                "authorization.k8s.io",
                                "authentication.k8s.io"};

std::vector<std::string> stringList(const json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& s : v) {
      if (s.is_string()) {
        out.push_back(s.get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace

Registry::Registry() {
  for (auto& t : builtins()) {
    auto p = std::make_shared<const ResourceType>(std::move(t));
    byKey_[p->storageKey()] = p;
  }
  for (const char* g : kBuiltinGroups) {
    groupOrder_.emplace_back(g);
  }
}

ResourceTypePtr Registry::find(const std::string& group, const std::string& version,
                               const std::string& plural) const {
  std::shared_lock lock(mu_);
  auto it = byKey_.find(group + "/" + plural);
  if (it == byKey_.end() || !it->second->serves(version)) {
    return nullptr;
  }
  if (it->second->version == version) {
    return it->second;
  }
  // Another served version of a CRD: the same storage, shown under the requested version.
  auto copy = std::make_shared<ResourceType>(*it->second);
  copy->version = version;
  return copy;
}

ResourceTypePtr Registry::findByStorageKey(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = byKey_.find(key);
  return it == byKey_.end() ? nullptr : it->second;
}

std::vector<ResourceTypePtr> Registry::all() const {
  std::shared_lock lock(mu_);
  std::vector<ResourceTypePtr> out;
  for (const auto& [k, v] : byKey_) {
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> Registry::groups() const {
  std::shared_lock lock(mu_);
  return groupOrder_;
}

std::vector<std::string> Registry::groupVersions(const std::string& group) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [k, t] : byKey_) {
    if (t->group != group) {
      continue;
    }
    for (const auto& v : t->versions) {
      if (std::find(out.begin(), out.end(), v) == out.end()) {
        out.push_back(v);
      }
    }
  }
  return out;
}

std::vector<ResourceTypePtr> Registry::inGroupVersion(const std::string& group,
                                                      const std::string& version) const {
  std::vector<ResourceTypePtr> out;
  std::vector<std::string> keys;
  {
    std::shared_lock lock(mu_);
    for (const auto& [k, t] : byKey_) {
      if (t->group == group && t->serves(version)) {
        keys.push_back(t->plural);
      }
    }
  }
  for (const auto& plural : keys) {
    if (auto t = find(group, version, plural)) {
      out.push_back(t);
    }
  }
  return out;
}

std::vector<FieldError> validateCrd(const json& crd) {
  std::vector<FieldError> errs;
  const json& spec = crd.contains("spec") ? crd["spec"] : json();
  std::string name = crd.value("/metadata/name"_json_pointer, std::string());
  std::string group = spec.value("group", "");
  const json names = spec.value("names", json::object());
  std::string plural = names.value("plural", "");
  if (group.empty()) {
    errs.push_back(fieldRequired("spec.group"));
  }
  if (plural.empty()) {
    errs.push_back(fieldRequired("spec.names.plural"));
  }
  if (names.value("kind", "").empty()) {
    errs.push_back(fieldRequired("spec.names.kind"));
  }
  if (!group.empty() && !plural.empty() && name != plural + "." + group) {
    errs.push_back(
        fieldInvalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
  }
  std::string scope = spec.value("scope", "");
  if (scope != "Namespaced" && scope != "Cluster") {
    errs.push_back(fieldNotSupported("spec.scope", scope, {"\"Cluster\"", "\"Namespaced\""}));
  }
  const json versions = spec.value("versions", json::array());
  if (!versions.is_array() || versions.empty()) {
    errs.push_back(fieldInvalid("spec.versions", versions.is_null() ? json::array() : versions,
                                "must have exactly one version marked as storage version"));
  } else {
    int storage = 0;
    for (const auto& v : versions) {
      if (v.value("storage", false)) {
        ++storage;
      }
    }
    if (storage != 1) {
      errs.push_back(fieldInvalid("spec.versions", versions,
                                  "must have exactly one version marked as storage version"));
    }
  }
  return errs;
}

ResourceTypePtr Registry::applyCrd(const json& crd) {
  const json& spec = crd["spec"];
  const json& names = spec["names"];
  ResourceType t;
  t.custom = true;
  t.group = spec.value("group", "");
  t.kind = names.value("kind", "");
  t.plural = names.value("plural", "");
  t.singular = names.value("singular", "");
  if (t.singular.empty()) {
    t.singular = t.kind;
    std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(), ::tolower);
  }
  t.listKind = names.value("listKind", t.kind + "List");
  t.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
  t.shortNames = stringList(names.value("shortNames", json()));
  t.categories = stringList(names.value("categories", json()));
  t.tracksGeneration = true;
  t.allowUnconditionalUpdate = false;
  t.strategicMerge = false;
  for (const auto& v : spec["versions"]) {
    if (!v.value("served", true)) {
      continue;
    }
    std::string name = v.value("name", "");
    t.versions.push_back(name);
    bool isStorage = v.value("storage", false);
    if (isStorage || t.version.empty()) {
      t.version = name;
      const json sub = v.value("subresources", json::object());
      t.hasStatus = sub.contains("status");
      t.scale.reset();
      if (sub.contains("scale") && sub["scale"].is_object()) {
        ScaleSpec s;
        s.specReplicasPath = sub["scale"].value("specReplicasPath", ".spec.replicas");
        s.statusReplicasPath = sub["scale"].value("statusReplicasPath", ".status.replicas");
        s.labelSelectorPath = sub["scale"].value("labelSelectorPath", "");
        t.scale = s;
      }
      if (auto sch = v.find("schema"); sch != v.end() && sch->contains("openAPIV3Schema")) {
        t.schema = std::make_shared<const Schema>((*sch)["openAPIV3Schema"]);
      } else {
        t.schema.reset();
      }
      t.printerColumns = v.value("additionalPrinterColumns", json::array());
      for (const auto& f : v.value("selectableFields", json::array())) {
        std::string path = f.value("jsonPath", "");
        if (!path.empty() && path[0] == '.') {
          t.extraFieldSelectors.push_back(path.substr(1));
        }
      }
    }
  }
  auto p = std::make_shared<const ResourceType>(std::move(t));
  std::unique_lock lock(mu_);
  byKey_[p->storageKey()] = p;
  if (std::find(groupOrder_.begin(), groupOrder_.end(), p->group) == groupOrder_.end()) {
    groupOrder_.push_back(p->group);
  }
  return p;
}

void Registry::removeCrd(const std::string& group, const std::string& plural) {
  std::unique_lock lock(mu_);
  auto it = byKey_.find(group + "/" + plural);
  if (it == byKey_.end() || !it->second->custom) {
    return;
  }
  byKey_.erase(it);
  bool used = false;
  for (const auto& [k, t] : byKey_) {
    used = used || t->group == group;
  }
  if (!used) {
    groupOrder_.erase(std::remove(groupOrder_.begin(), groupOrder_.end(), group),
                      groupOrder_.end());
  }
}

}  // namespace mysqlop::local
