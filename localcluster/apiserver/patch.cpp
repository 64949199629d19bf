#include "localcluster/apiserver/patch.h"

#include <algorithm>

namespace mysqlop::local {

using nlohmann::json;

Result<json> applyMergePatch(const json& original, const json& patch) {
  if (!patch.is_object()) {
    return fail(Errc::Invalid, "merge patch must be a JSON object");
  }
  json out = original;
  out.merge_patch(patch);
  return out;
}

Result<json> applyJsonPatch(const json& original, const json& patch) {
  if (!patch.is_array()) {
    return fail(Errc::Invalid,
                "json: cannot unmarshal object into Go value of type "
                "jsonpatch.Patch");
  }
  for (const auto& op : patch) {
    if (!op.is_object() || !op.contains("op") || !op["op"].is_string()) {
      return fail(Errc::Invalid, "unexpected kind of JSON patch operation");
    }
    static const char* kOps[] = {"add", "remove", "replace", "move", "copy", "test"};
    std::string name = op["op"].get<std::string>();
    if (std::none_of(std::begin(kOps), std::end(kOps), [&](const char* k) { return name == k; })) {
      return fail(Errc::Invalid, "Unexpected kind: " + name);
    }
    if (!op.contains("path") || !op["path"].is_string()) {
      return fail(Errc::Invalid, "operation missing path: " + op.dump());
    }
  }
  try {
    return original.patch(patch);
  } catch (const json::parse_error& e) {
    return fail(Errc::Invalid, e.what());
  } catch (const json::exception& e) {
    return fail(Errc::Conflict, e.what());
  }
}

std::string strategicMergeKey(const std::vector<std::string>& path) {
  if (path.empty()) {
    return "";
  }
  const std::string& field = path.back();
  auto under = [&](const char* name) {
    return std::find(path.begin(), path.end() - 1, name) != path.end() - 1;
  };
  bool inContainer = under("containers") || under("initContainers") || under("ephemeralContainers");
  if (field == "finalizers" && path.size() == 2 && path[0] == "metadata") {
    return "$primitive";
  }
  if (field == "ownerReferences" && path.size() == 2 && path[0] == "metadata") {
    return "uid";
  }
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" ||
      field == "env" || field == "imagePullSecrets" || field == "volumes" ||
      field == "resourceClaims" || field == "schedulingGates") {
    return "name";
  }
  if (field == "secrets" && path.size() == 1) {
    return "name";  // ServiceAccount.secrets
  }
  if (field == "volumeMounts") {
    return "mountPath";
  }
  if (field == "volumeDevices") {
    return "devicePath";
  }
  if (field == "ports") {
    if (inContainer) {
      return "containerPort";
    }
    if (path.size() == 2 && path[0] == "spec") {
      return "port";  // Service.spec.ports
    }
    return "";
  }
  if (field == "conditions" && under("status")) {
    return "type";
  }
  if (field == "addresses" && under("status")) {
    return "type";
  }
  if (field == "hostAliases" || field == "podIPs" || field == "hostIPs") {
    return "ip";
  }
  if (field == "topologySpreadConstraints") {
    return "topologyKey";
  }
  if (field == "podCIDRs") {
    return "$primitive";
  }
  return "";
}

namespace {

constexpr const char* kSetOrder = "$setElementOrder/";
constexpr const char* kDeletePrimitive = "$deleteFromPrimitiveList/";

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Drops directive keys from a value that is inserted as is (a new list element or map).
json strip(const json& v) {
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it.key().empty() && it.key()[0] == '$') {
        continue;
      }
      out[it.key()] = strip(it.value());
    }
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const auto& e : v) {
      if (e.is_object() && e.contains("$patch")) {
        continue;
      }
      out.push_back(strip(e));
    }
    return out;
  }
  return v;
}

Result<json> mergeMap(const json& original, const json& patch, std::vector<std::string>& path);

Result<json> mergeList(const json& original, const json& patch, std::vector<std::string>& path) {
  std::string key = strategicMergeKey(path);
  json orig = original.is_array() ? original : json::array();
  if (key.empty()) {
    // Atomic list, unless an element asks to replace explicitly (same result).
    return strip(patch);
  }
  if (key == "$primitive") {
    json out = orig;
    for (const auto& v : patch) {
      if (std::find(out.begin(), out.end(), v) == out.end()) {
        out.push_back(v);
      }
    }
    return out;
  }
  // A {"$patch": "replace"} element replaces the whole list with the other elements.
  for (const auto& e : patch) {
    if (e.is_object() && e.value("$patch", "") == "replace") {
      return strip(patch);
    }
  }
  json out = orig;
  for (const auto& e : patch) {
    if (!e.is_object()) {
      return fail(Errc::Invalid, "unable to find api field in struct for the list " + path.back() +
                                     ": elements must be objects");
    }
    if (!e.contains(key)) {
      return fail(Errc::Invalid,
                  "map: " + e.dump() + " does not contain declared merge key: " + key);
    }
    const json& kv = e[key];
    auto match = std::find_if(out.begin(), out.end(), [&](const json& o) {
      return o.is_object() && o.contains(key) && o[key] == kv;
    });
    std::string directive = e.value("$patch", "");
    if (directive == "delete") {
      if (match != out.end()) {
        out.erase(match);
      }
      continue;
    }
    if (!directive.empty() && directive != "merge") {
      return fail(Errc::Invalid, "Unknown patch type: " + directive + " in map: " + e.dump());
    }
    if (match == out.end()) {
      out.push_back(strip(e));
    } else {
      auto merged = mergeMap(*match, e, path);
      if (!merged.ok()) {
        return merged;
      }
      *match = std::move(merged.value());
    }
  }
  return out;
}

// Reorders a merged list as $setElementOrder says; elements it does not name keep their relative
// order after the named ones.
json reorder(const json& list, const json& order, const std::string& key) {
  if (!list.is_array() || !order.is_array()) {
    return list;
  }
  json out = json::array();
  std::vector<bool> used(list.size(), false);
  for (const auto& o : order) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (used[i]) {
        continue;
      }
      bool same = key == "$primitive" || key.empty()
                      ? list[i] == o
                      : (list[i].is_object() && o.is_object() && list[i].contains(key) &&
                         o.contains(key) && list[i][key] == o[key]);
      if (same) {
        out.push_back(list[i]);
        used[i] = true;
        break;
      }
    }
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!used[i]) {
      out.push_back(list[i]);
    }
  }
  return out;
}

Result<json> mergeMap(const json& original, const json& patch, std::vector<std::string>& path) {
  if (!patch.is_object()) {
    return strip(patch);
  }
  std::string directive = patch.value("$patch", "");
  if (directive == "replace") {
    return strip(patch);
  }
  if (directive == "delete") {
    return json();  // the caller removes the key
  }
  if (!directive.empty() && directive != "merge") {
    return fail(Errc::Invalid, "Unknown patch type: " + directive + " in map: " + patch.dump());
  }
  json out = original.is_object() ? original : json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& k = it.key();
    if (k == "$patch" || k == "$retainKeys" || startsWith(k, kSetOrder) ||
        startsWith(k, kDeletePrimitive)) {
      continue;
    }
    if (!k.empty() && k[0] == '$') {
      return fail(Errc::Invalid, "unknown directive: " + k);
    }
    const json& v = it.value();
    if (v.is_null()) {
      out.erase(k);
      continue;
    }
    path.push_back(k);
    Result<json> merged = json();
    if (v.is_array()) {
      merged = mergeList(out.contains(k) ? out[k] : json(), v, path);
    } else if (v.is_object()) {
      if (v.value("$patch", "") == "delete") {
        out.erase(k);
        path.pop_back();
        continue;
      }
      merged = mergeMap(out.contains(k) ? out[k] : json(), v, path);
    } else {
      merged = v;
    }
    path.pop_back();
    if (!merged.ok()) {
      return merged;
    }
    out[k] = std::move(merged.value());
  }
  // $deleteFromPrimitiveList/<list>: remove these values.
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!startsWith(it.key(), kDeletePrimitive)) {
      continue;
    }
    std::string list = it.key().substr(std::string(kDeletePrimitive).size());
    if (!it.value().is_array()) {
      return fail(Errc::Invalid, "invalid value for " + it.key() + ": must be a list");
    }
    if (out.contains(list) && out[list].is_array()) {
      json kept = json::array();
      for (const auto& e : out[list]) {
        if (std::find(it.value().begin(), it.value().end(), e) == it.value().end()) {
          kept.push_back(e);
        }
      }
      out[list] = kept;
    }
  }
  // $setElementOrder/<list>: the final order of a merged list.
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!startsWith(it.key(), kSetOrder)) {
      continue;
    }
    std::string list = it.key().substr(std::string(kSetOrder).size());
    if (!it.value().is_array()) {
      return fail(Errc::Invalid, "invalid value for " + it.key() + ": must be a list");
    }
    if (out.contains(list)) {
      path.push_back(list);
      std::string key = strategicMergeKey(path);
      path.pop_back();
      out[list] = reorder(out[list], it.value(), key);
    }
  }
  // $retainKeys: keep only the listed keys.
  if (auto rk = patch.find("$retainKeys"); rk != patch.end()) {
    if (!rk->is_array()) {
      return fail(Errc::Invalid, "invalid value for $retainKeys: must be a list");
    }
    json kept = json::object();
    for (auto it = out.begin(); it != out.end(); ++it) {
      if (std::find(rk->begin(), rk->end(), it.key()) != rk->end()) {
        kept[it.key()] = it.value();
      }
    }
    out = kept;
  }
  return out;
}

}  // namespace

Result<json> applyStrategicMergePatch(const json& original, const json& patch) {
  if (!patch.is_object()) {
    return fail(Errc::Invalid, "strategic merge patch must be a JSON object");
  }
  std::vector<std::string> path;
  return mergeMap(original, patch, path);
}

}  // namespace mysqlop::local
