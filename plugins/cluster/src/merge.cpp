#include "plugins/cluster/src/merge.h"

#include <map>

#include "plugins/common/kube/owner.h"
#include "plugins/common/kube/semantic.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;
using Mode = OwnedField::Mode;

bool mergeMap(json& target, const json& desired) {
  bool changed = false;
  if (!target.is_object()) {
    target = json::object();
  }
  for (auto it = desired.begin(); it != desired.end(); ++it) {
    if (!target.contains(it.key()) || target[it.key()] != *it) {
      target[it.key()] = *it;
      changed = true;
    }
  }
  return changed;
}

// Keeps the nodePort the server allocated to each port of the same name, so that reshaping a
// NodePort Service does not move its ports.
void keepNodePorts(json& out, const json& existing, const json& desired) {
  if (!out["spec"]["ports"].is_array()) {
    return;
  }
  if (out["spec"].value("type", "ClusterIP") == "ClusterIP") {
    // A ClusterIP Service may carry neither node ports nor an external traffic policy.
    for (json& p : out["spec"]["ports"]) {
      p.erase("nodePort");
    }
    if (!desired["spec"].contains("externalTrafficPolicy")) {
      out["spec"].erase("externalTrafficPolicy");
    }
    return;
  }
  std::map<std::string, json> allocated;
  for (const json& p : existing["spec"].value("ports", json::array())) {
    if (p.contains("nodePort")) {
      allocated[p.value("name", "")] = p["nodePort"];
    }
  }
  for (json& p : out["spec"]["ports"]) {
    if (!p.contains("nodePort")) {
      if (auto it = allocated.find(p.value("name", "")); it != allocated.end()) {
        p["nodePort"] = it->second;
      }
    }
  }
}

}  // namespace

const std::vector<OwnedField>& ownedFields(const std::string& kind) {
  static const std::map<std::string, std::vector<OwnedField>> kOwned = {
      {"StatefulSet",
       {{"/spec/replicas", Mode::Replace, false},
        {"/spec/template/metadata/labels", Mode::MergeMap, false},
        {"/spec/template/metadata/annotations", Mode::MergeMap, false},
        {"/spec/template/spec", Mode::Replace, false}}},
      {"Service",
       {{"/spec/type", Mode::Replace, false},
        {"/spec/selector", Mode::Replace, false},
        {"/spec/ports", Mode::Replace, false},
        {"/spec/publishNotReadyAddresses", Mode::Replace, false},
        {"/spec/loadBalancerSourceRanges", Mode::Replace, true},
        {"/spec/externalTrafficPolicy", Mode::Replace, false}}},
      {"ConfigMap",
       {{"/data/my.cnf", Mode::Replace, false}, {"/data/pre-shutdown-ha.sh", Mode::Replace, true}}},
      {"Secret", {{"/data", Mode::MergeMap, false}}},
      {"PodDisruptionBudget",
       {{"/spec/minAvailable", Mode::Replace, false}, {"/spec/selector", Mode::Replace, false}}},
  };
  static const std::vector<OwnedField> kNone;
  auto it = kOwned.find(kind);
  return it == kOwned.end() ? kNone : it->second;
}

std::optional<json> mergeForUpdate(const json& existing, const json& desired) {
  json out = existing;
  bool changed = false;
  const json& dmeta = desired.value("metadata", json::object());
  for (const char* key : {"labels", "annotations"}) {
    if (dmeta.contains(key) && dmeta[key].is_object()) {
      changed = mergeMap(out["metadata"][key], dmeta[key]) || changed;
    }
  }
  for (const json& ref : dmeta.value("ownerReferences", json::array())) {
    if (!kube::isControlledBy(out, ref.value("uid", ""))) {
      kube::ensureOwnerRef(out, ref);
      changed = true;
    }
  }
  const std::string kind = desired.value("kind", "");
  for (const OwnedField& f : ownedFields(kind)) {
    const json::json_pointer ptr(f.pointer);
    const bool want = desired.contains(ptr);
    const bool have = out.contains(ptr);
    if (!want) {
      if (f.removeWhenAbsent && have) {
        out.at(ptr.parent_pointer()).erase(ptr.back());
        changed = true;
      }
      continue;
    }
    if (f.mode == Mode::MergeMap) {
      json& target = out[ptr];
      changed = mergeMap(target, desired.at(ptr)) || changed;
      continue;
    }
    if (!have || !kube::isSemanticSubset(desired.at(ptr), out.at(ptr))) {
      out[ptr] = desired.at(ptr);
      changed = true;
    }
  }
  if (kind == "Service" && changed) {
    keepNodePorts(out, existing, desired);
  }
  if (!changed) {
    return std::nullopt;
  }
  return out;
}

}  // namespace mysqlop::cluster
