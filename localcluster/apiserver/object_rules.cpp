// Rules every write path shares: system metadata, names, namespaces, defaulting, schema
// validation, kind-specific invariants and the CRD side effects.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/defaults.h"
#include "localcluster/apiserver/schema.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kDns1035Msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

bool isLowerAlnum(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
}

bool validLabel(const std::string& s) {
  if (s.empty() || s.size() > 63 || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) { return isLowerAlnum(c) || c == '-'; });
}

bool validSubdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) {
    return false;
  }
  std::size_t i = 0;
  while (true) {
    std::size_t j = s.find('.', i);
    std::string part = s.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (part.empty() || !isLowerAlnum(part.front()) || !isLowerAlnum(part.back()) ||
        !std::all_of(part.begin(), part.end(),
                     [](char c) { return isLowerAlnum(c) || c == '-'; })) {
      return false;
    }
    if (j == std::string::npos) {
      return true;
    }
    i = j + 1;
  }
}

std::vector<std::string> finalizersOf(const json& obj) {
  std::vector<std::string> out;
  if (obj.contains("metadata") && obj["metadata"].contains("finalizers") &&
      obj["metadata"]["finalizers"].is_array()) {
    for (const auto& f : obj["metadata"]["finalizers"]) {
      if (f.is_string()) {
        out.push_back(f.get<std::string>());
      }
    }
  }
  return out;
}

std::string goStringSlice(const std::vector<std::string>& v) {
  std::string s = "[]string{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    s += (i ? ", " : "") + json(v[i]).dump();
  }
  return s + "}";
}

}  // namespace

void ApiServer::checkWriteFault(const ResourceType& rt, const std::string& name) {
  auto code = faults_.takeWriteFailure(rt.group, rt.plural);
  if (!code) {
    return;
  }
  if (*code == 409) {
    raise(errOptimisticLock(rt.gr(), name));
  }
  raise(errInternal("injected fault"));
}

void ApiServer::checkNamespaceForCreate(const ResourceType& rt, const std::string& ns,
                                        const std::string& name) {
  if (!rt.namespaced) {
    return;
  }
  auto nsObj = store_.get("/namespaces", "", ns);
  if (!nsObj) {
    raise(errNotFound({"", "namespaces"}, ns));
  }
  if (nsObj->json["metadata"].contains("deletionTimestamp")) {
    std::string msg =
        "unable to create new content in namespace " + ns + " because it is being terminated";
    ApiError e = errForbidden(rt.gr(), name, msg);
    e.details["causes"] = json::array(
        {{{"reason", "NamespaceTerminating"}, {"message", msg}, {"field", "metadata.namespace"}}});
    raise(e);
  }
}

void ApiServer::prepareForCreate(const ResourceType& rt, json& obj) {
  json& meta = obj["metadata"];
  meta["uid"] = newUid();
  meta["creationTimestamp"] = nowRfc3339();
  for (const char* k :
       {"deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "resourceVersion"}) {
    meta.erase(k);
  }
  if (rt.tracksGeneration) {
    meta["generation"] = 1;
  } else {
    meta.erase("generation");
  }
  if (!rt.hasStatus) {
    return;
  }
  // Status is the controllers' business: create clears it (kinds with a status subresource).
  const std::string& r = rt.plural;
  if (rt.custom || (!rt.group.empty() && r != "customresourcedefinitions")) {
    obj.erase("status");
  }
  if (rt.group.empty() && r == "pods") {
    json status = {{"phase", "Pending"}};
    // QoS: Guaranteed when every container's requests equal its limits, BestEffort without any.
    bool any = false;
    bool guaranteed = true;
    for (const auto& c : obj["spec"].value("containers", json::array())) {
      json res = c.value("resources", json::object());
      json limits = res.value("limits", json::object());
      json requests = res.value("requests", limits);
      any = any || !limits.empty() || !requests.empty();
      guaranteed = guaranteed && !limits.empty() && limits.contains("cpu") &&
                   limits.contains("memory") && requests == limits;
    }
    status["qosClass"] = !any ? "BestEffort" : (guaranteed ? "Guaranteed" : "Burstable");
    obj["status"] = status;
  } else if (rt.group.empty() && r == "services") {
    obj["status"] = {{"loadBalancer", json::object()}};
  } else if (rt.group == "apps" && r == "statefulsets") {
    obj["status"] = {{"replicas", 0}, {"availableReplicas", 0}};
  } else if (rt.group == "policy") {
    obj["status"] = {{"disruptionsAllowed", 0},
                     {"currentHealthy", 0},
                     {"desiredHealthy", 0},
                     {"expectedPods", 0}};
  } else if (rt.group == "apps" || rt.group == "batch") {
    obj["status"] = json::object();
  }
}

void ApiServer::finishObject(const ResourceType& rt, const json* old, json& obj,
                             const std::string& fieldValidation,
                             ServiceIpAllocator::Reservation& ips) {
  applyBuiltinDefaults(rt, obj);
  if (old) {
    keepAllocatedValues(rt, *old, obj);
  }
  if (rt.group.empty() && rt.plural == "services" && obj["spec"].is_object()) {
    json& spec = obj["spec"];
    std::string type = spec.value("type", "ClusterIP");
    assignClusterIp(old, obj, ips);
    if ((type == "NodePort" || type == "LoadBalancer") && spec.contains("ports")) {
      for (auto& p : spec["ports"]) {
        if (p.is_object() && !p.contains("nodePort")) {
          p["nodePort"] = 30000 + static_cast<int>((ipCounter_++ + store_.currentRv()) % 2767);
        }
      }
    }
  }
  if (rt.custom && rt.schema) {
    auto unknown = rt.schema->prune(obj);
    if (!unknown.empty() && fieldValidation == "Strict") {
      std::string msg = rt.kind + " in version \"" + rt.version + "\" cannot be handled as a " +
                        rt.kind + ": strict decoding error: ";
      for (std::size_t i = 0; i < unknown.size(); ++i) {
        msg += (i ? ", " : "") + std::string("unknown field \"") + unknown[i] + "\"";
      }
      raise(errBadRequest(msg));
    }
    rt.schema->applyDefaults(obj);
  }
}

void ApiServer::assignClusterIp(const json* old, json& obj, ServiceIpAllocator::Reservation& ips) {
  json& spec = obj["spec"];
  if (spec.value("type", "ClusterIP") == "ExternalName") {
    return;
  }
  std::string requested = spec.contains("clusterIP") && spec["clusterIP"].is_string()
                              ? spec["clusterIP"].get<std::string>()
                              : "";
  if (requested.empty() && spec.contains("clusterIPs") && spec["clusterIPs"].is_array() &&
      !spec["clusterIPs"].empty() && spec["clusterIPs"][0].is_string()) {
    requested = spec["clusterIPs"][0].get<std::string>();
  }
  if (requested == "None") {
    return;  // headless
  }
  if (old && !(*old)["spec"].value("clusterIP", "").empty()) {
    return;  // allocated before (keepAllocatedValues kept it; a change is refused as immutable)
  }
  const std::string name = metaString(obj, "name");
  if (requested.empty()) {
    auto ip = ipAllocator_.allocateNext(ips);
    if (!ip.ok()) {
      raise(errInternal("failed to allocate a serviceIP: " + ip.error().message));
    }
    spec["clusterIP"] = *ip;
    spec["clusterIPs"] = json::array({*ip});
    return;
  }
  if (!parseIpv4(requested)) {
    raise(errInvalid(
        "Service", "", name,
        {fieldInvalid("spec.clusterIPs[0]", requested,
                      "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")}));
  }
  const bool kubernetes = name == "kubernetes" && metaString(obj, "namespace") == "default";
  if (auto r = ipAllocator_.allocate(requested, kubernetes, ips); !r.ok()) {
    // kube-apiserver prints the field's value as a Go []string.
    raise(errInvalid("Service", "", name,
                     {{"FieldValueInvalid", "spec.clusterIPs",
                       "Invalid value: []string{\"" + requested + "\"}: failed to allocate IP " +
                           requested + ": " + r.error().message}}));
  }
  spec["clusterIP"] = requested;
  spec["clusterIPs"] = json::array({requested});
}

void ApiServer::validateObject(const ResourceType& rt, const json* old, const json& obj) {
  std::vector<FieldError> errs;
  std::string name = metaString(obj, "name");
  bool labelName = rt.group.empty() && rt.plural == "namespaces";
  bool dns1035 = rt.group.empty() && rt.plural == "services";
  // RBAC objects only need a valid path segment ("system:discovery").
  bool pathSegment = rt.group == "rbac.authorization.k8s.io";
  if (!old && !name.empty()) {
    if (pathSegment) {
      if (name == "." || name == "..") {
        errs.push_back(fieldInvalid("metadata.name", name, "may not be '" + name + "'"));
      } else if (name.find('/') != std::string::npos || name.find('%') != std::string::npos) {
        errs.push_back(fieldInvalid("metadata.name", name,
                                    std::string("may not contain '") +
                                        (name.find('/') != std::string::npos ? "/" : "%") + "'"));
      }
    } else if (dns1035) {
      if (!validLabel(name) || !std::isalpha(static_cast<unsigned char>(name[0]))) {
        errs.push_back(fieldInvalid("metadata.name", name, kDns1035Msg));
      }
    } else if (labelName) {
      if (!validLabel(name)) {
        errs.push_back(fieldInvalid("metadata.name", name, kLabelMsg));
      }
    } else if (!validSubdomain(name)) {
      errs.push_back(fieldInvalid("metadata.name", name, kSubdomainMsg));
    }
  }
  const json& meta = obj["metadata"];
  if (meta.contains("labels") && !meta["labels"].is_null()) {
    if (!meta["labels"].is_object()) {
      errs.push_back(fieldInvalid("metadata.labels", meta["labels"], "must be a map"));
    } else {
      for (auto it = meta["labels"].begin(); it != meta["labels"].end(); ++it) {
        if (!it.value().is_string()) {
          errs.push_back(
              fieldInvalid("metadata.labels", it.value(), "label values must be strings"));
        }
      }
    }
  }
  if (old) {
    std::string oldUid = metaString(*old, "uid");
    std::string newUidValue = metaString(obj, "uid");
    if (!newUidValue.empty() && newUidValue != oldUid) {
      errs.push_back(fieldInvalid("metadata.uid", newUidValue, "field is immutable"));
    }
    if ((*old)["metadata"].contains("deletionTimestamp")) {
      auto before = finalizersOf(*old);
      std::vector<std::string> added;
      for (const auto& f : finalizersOf(obj)) {
        if (std::find(before.begin(), before.end(), f) == before.end()) {
          added.push_back(f);
        }
      }
      if (!added.empty()) {
        errs.push_back(fieldForbidden(
            "metadata.finalizers",
            "no new finalizers can be added if the object is being deleted, found new "
            "finalizers " +
                goStringSlice(added)));
      }
    }
    if (rt.group == "apps" && rt.plural == "statefulsets") {
      json a = (*old).value("spec", json::object());
      json b = obj.value("spec", json::object());
      for (const char* k :
           {"replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
            "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
        a.erase(k);
        b.erase(k);
      }
      if (a != b) {
        errs.push_back(fieldForbidden(
            "spec",
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
            "'template', 'updateStrategy', 'revisionHistoryLimit', "
            "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
      }
    }
    if (rt.group.empty() && rt.plural == "services") {
      std::string a = (*old)["spec"].value("clusterIP", "");
      std::string b = obj["spec"].value("clusterIP", "");
      if (!a.empty() && a != b) {
        errs.push_back(fieldInvalid("spec.clusterIP", b, "field is immutable"));
      }
    }
  }
  if (rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions") {
    auto crdErrs = validateCrd(obj);
    errs.insert(errs.end(), crdErrs.begin(), crdErrs.end());
    if (old && crdErrs.empty()) {
      if ((*old)["spec"].value("group", "") != obj["spec"].value("group", "")) {
        errs.push_back(
            fieldInvalid("spec.group", obj["spec"].value("group", ""), "field is immutable"));
      }
    }
  }
  if (rt.group.empty() && rt.plural == "pods" && !old) {
    const json& spec = obj.value("spec", json::object());
    if (!spec.contains("containers") || !spec["containers"].is_array() ||
        spec["containers"].empty()) {
      errs.push_back(fieldRequired("spec.containers"));
    }
  }
  if (rt.custom && rt.schema) {
    auto schemaErrs = rt.schema->validate(obj);
    errs.insert(errs.end(), schemaErrs.begin(), schemaErrs.end());
  }
  if (!errs.empty()) {
    raise(errInvalid(rt.kind, rt.group, name, errs));
  }
}

void ApiServer::afterWrite(const ResourceType& rt, const ObjPtr& obj, bool deleted) {
  if (rt.group.empty() && rt.plural == "namespaces") {
    if (!deleted && !obj->json["metadata"].contains("deletionTimestamp")) {
      ensureDefaultServiceAccount(metaString(obj->json, "name"));
    }
    return;
  }
  if (rt.group != "apiextensions.k8s.io" || rt.plural != "customresourcedefinitions") {
    return;
  }
  const json& spec = obj->json["spec"];
  if (deleted) {
    registry_.removeCrd(spec.value("group", ""), spec["names"].value("plural", ""));
    return;
  }
  if (obj->json["metadata"].contains("deletionTimestamp")) {
    return;  // still served until its custom resources are gone
  }
  try {
    registry_.applyCrd(obj->json);
  } catch (const std::exception& e) {
    spdlog::warn("cannot serve CRD {}: {}", metaString(obj->json, "name"), e.what());
  }
}

}  // namespace mysqlop::local
