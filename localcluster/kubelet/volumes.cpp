// projectVolume: the files of configMap, secret, downwardAPI and projected volumes, as the
// kubelet's volume plugins compute their payload (configmap.MakePayload, secret.MakePayload,
// downwardapi.CollectData, projected collectData). Paths are checked when written
// (writeAtomically), as the kubelet's AtomicWriter does.

#include <set>

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/downward_api.h"
#include "localcluster/kubelet/object_data.h"

namespace mysqlop::local::kubelet {

namespace {

constexpr int kDefaultMode = 0644;  // the API's default for defaultMode (420)
constexpr const char* kRootCaConfigMap = "kube-root-ca.crt";

using Payload = std::map<std::string, ProjectedFile>;

bool isOptional(const nlohmann::json& source) {
  auto it = source.find("optional");
  return it != source.end() && it->is_boolean() && it->get<bool>();
}

int modeOf(const nlohmann::json& obj, const char* field, int fallback) {
  auto it = obj.find(field);
  return it != obj.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

std::string serviceAccountName(const nlohmann::json& pod) {
  auto spec = pod.find("spec");
  std::string name =
      spec != pod.end() && spec->is_object() ? spec->value("serviceAccountName", "") : "";
  return name.empty() ? "default" : name;
}

// filepath.Clean for relative paths, as downwardapi.CollectData applies to its items' paths.
std::string cleanPath(const std::string& path) {
  if (path.empty()) {
    return ".";
  }
  const bool absolute = path[0] == '/';
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) {
      slash = path.size();
    }
    const std::string part = path.substr(start, slash - start);
    if (part.empty() || part == ".") {
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i > 0 ? "/" : "") + parts[i];
  }
  return out.empty() ? "." : out;
}

// The payload of a key->value source: every key as a file, or only the items (key -> path, mode).
// A missing item key fails with `missingKey` + key unless the source is optional.
Result<void> keyPayload(const nlohmann::json& source, const StringMap& data, int defaultMode,
                        bool optional, const std::string& missingKey, Payload& out) {
  auto items = source.find("items");
  if (items == source.end() || !items->is_array() || items->empty()) {
    for (const auto& [key, value] : data) {
      out[key] = ProjectedFile{key, value, defaultMode};
    }
    return {};
  }
  for (const auto& item : *items) {
    if (!item.is_object()) {
      continue;
    }
    const std::string key = item.value("key", "");
    auto it = data.find(key);
    if (it == data.end()) {
      if (optional) {
        continue;
      }
      return fail(Errc::NotFound, missingKey + key);
    }
    const std::string path = item.value("path", "");
    out[path] = ProjectedFile{path, it->second, modeOf(item, "mode", defaultMode)};
  }
  return {};
}

StringMap merged(const ConfigMapContents& cm) {
  StringMap all = cm.binaryData;
  for (const auto& [k, v] : cm.data) {
    all[k] = v;  // a key in both: data first, as MakePayload looks there first
  }
  return all;
}

Result<void> configMapPayload(const nlohmann::json& source, const std::string& name,
                              const nlohmann::json& pod, const Lookups& lookups,
                              const ServiceAccountFiles& sa, int defaultMode, Payload& out) {
  const bool optional = isOptional(source);
  auto cm = getConfigMap(lookups, podNamespace(pod), name);
  StringMap data;
  if (cm) {
    data = merged(*cm);
  } else if (cm.is(Errc::NotFound) && name == kRootCaConfigMap && !sa.caCrt.empty()) {
    // kube-root-ca.crt is published in every namespace by kube-controller-manager; here the
    // kubelet's own CA stands in for it, so kube-api-access volumes work without a publisher.
    data["ca.crt"] = sa.caCrt;
  } else if (!(cm.is(Errc::NotFound) && optional)) {
    return cm.error();
  }
  return keyPayload(source, data, defaultMode, optional,
                    "configmap references non-existent config key: ", out);
}

Result<void> secretPayload(const nlohmann::json& source, const std::string& name,
                           const nlohmann::json& pod, const Lookups& lookups, int defaultMode,
                           Payload& out) {
  const bool optional = isOptional(source);
  auto secret = getSecret(lookups, podNamespace(pod), name);
  StringMap data;
  if (secret) {
    data = std::move(*secret);
  } else if (!(secret.is(Errc::NotFound) && optional)) {
    return secret.error();
  }
  return keyPayload(source, data, defaultMode, optional,
                    "references non-existent secret key: ", out);
}

// downwardapi.CollectData: every item is tried; the errors are returned together.
void downwardApiPayload(const nlohmann::json& source, const nlohmann::json& pod,
                        const Lookups& lookups, int defaultMode, Payload& out,
                        std::vector<std::string>& errors) {
  auto items = source.find("items");
  if (items == source.end() || !items->is_array()) {
    return;
  }
  for (const auto& item : *items) {
    if (!item.is_object()) {
      continue;
    }
    const std::string path = cleanPath(item.value("path", ""));
    ProjectedFile file{path, "", modeOf(item, "mode", defaultMode)};
    if (auto ref = item.find("fieldRef"); ref != item.end() && ref->is_object()) {
      auto v = podMetadataField(pod, ref->value("fieldPath", ""));
      if (v) {
        file.content = *v;
      } else {
        errors.push_back(v.error().message);
      }
    } else if (auto rref = item.find("resourceFieldRef"); rref != item.end() && rref->is_object()) {
      auto v = resourceFieldRef(pod, nullptr, *rref, lookups);
      if (v) {
        file.content = *v;
      } else {
        errors.push_back(v.error().message);
      }
    }
    out[path] = std::move(file);
  }
}

// utilerrors.NewAggregate(...).Error(): one message as it is, several distinct ones in brackets.
Result<void> aggregate(const std::vector<std::string>& errors) {
  if (errors.empty()) {
    return {};
  }
  if (errors.size() == 1) {
    return fail(Errc::Invalid, errors[0]);
  }
  std::set<std::string> seen;
  std::string text;
  for (const auto& e : errors) {
    if (seen.insert(e).second) {
      text += (seen.size() > 1 ? ", " : "") + e;
    }
  }
  return fail(Errc::Invalid, seen.size() == 1 ? text : "[" + text + "]");
}

Result<void> projectedPayload(const nlohmann::json& source, const nlohmann::json& pod,
                              const Lookups& lookups, const ServiceAccountFiles& sa, Payload& out) {
  const int defaultMode = modeOf(source, "defaultMode", kDefaultMode);
  std::vector<std::string> errors;
  auto sources = source.find("sources");
  if (sources == source.end() || !sources->is_array()) {
    return {};
  }
  for (const auto& s : *sources) {
    Payload part;
    Result<void> r;
    if (auto cm = s.find("configMap"); cm != s.end() && cm->is_object()) {
      r = configMapPayload(*cm, cm->value("name", ""), pod, lookups, sa, defaultMode, part);
    } else if (auto sec = s.find("secret"); sec != s.end() && sec->is_object()) {
      r = secretPayload(*sec, sec->value("name", ""), pod, lookups, defaultMode, part);
    } else if (auto d = s.find("downwardAPI"); d != s.end() && d->is_object()) {
      std::vector<std::string> itemErrors;
      downwardApiPayload(*d, pod, lookups, defaultMode, part, itemErrors);
      r = aggregate(itemErrors);
    } else if (auto t = s.find("serviceAccountToken"); t != s.end() && t->is_object()) {
      const std::string path = t->value("path", "");
      if (sa.tokenFor) {
        long long ttl = 3600;
        if (auto e = t->find("expirationSeconds"); e != t->end() && e->is_number_integer()) {
          ttl = e->get<long long>();
        }
        auto token = sa.tokenFor(t->value("audience", ""), ttl);
        if (!token.ok()) {
          r = fail(token.error().code, "failed to fetch token: " + token.error().message);
        } else {
          part[path] = ProjectedFile{path, *token, defaultMode};
        }
      } else if (sa.token.empty()) {
        r = fail(Errc::Unavailable, "failed to fetch token: no token for service account \"" +
                                        serviceAccountName(pod) + "\"");
      } else {
        part[path] = ProjectedFile{path, sa.token, defaultMode};
      }
    }
    if (!r) {
      errors.push_back(r.error().message);
      continue;  // a failed source adds nothing; the others are still collected
    }
    for (auto& [path, file] : part) {
      out[path] = std::move(file);
    }
  }
  return aggregate(errors);
}

}  // namespace

Result<std::vector<ProjectedFile>> projectVolume(const nlohmann::json& volume,
                                                 const nlohmann::json& pod, const Lookups& lookups,
                                                 const ServiceAccountFiles& serviceAccount) {
  Payload payload;
  Result<void> r;
  if (auto cm = volume.find("configMap"); cm != volume.end() && cm->is_object()) {
    r = configMapPayload(*cm, cm->value("name", ""), pod, lookups, serviceAccount,
                         modeOf(*cm, "defaultMode", kDefaultMode), payload);
  } else if (auto s = volume.find("secret"); s != volume.end() && s->is_object()) {
    r = secretPayload(*s, s->value("secretName", ""), pod, lookups,
                      modeOf(*s, "defaultMode", kDefaultMode), payload);
  } else if (auto d = volume.find("downwardAPI"); d != volume.end() && d->is_object()) {
    std::vector<std::string> errors;
    downwardApiPayload(*d, pod, lookups, modeOf(*d, "defaultMode", kDefaultMode), payload, errors);
    r = aggregate(errors);
  } else if (auto p = volume.find("projected"); p != volume.end() && p->is_object()) {
    r = projectedPayload(*p, pod, lookups, serviceAccount, payload);
  } else {
    return fail(Errc::Unsupported, "volume \"" + volume.value("name", "") +
                                       "\" is not a configMap, secret, downwardAPI or projected "
                                       "volume");
  }
  if (!r) {
    return r.error();
  }
  std::vector<ProjectedFile> files;
  files.reserve(payload.size());
  for (auto& [path, file] : payload) {
    files.push_back(std::move(file));
  }
  return files;
}

nlohmann::json serviceAccountVolume(const std::string& name) {
  return {
      {"name", name},
      {"projected",
       {{"defaultMode", kDefaultMode},
        {"sources",
         {{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
          {{"configMap",
            {{"name", kRootCaConfigMap}, {"items", {{{"key", "ca.crt"}, {"path", "ca.crt"}}}}}}},
          {{"downwardAPI",
            {{"items",
              {{{"path", "namespace"},
                {"fieldRef",
                 {{"apiVersion", "v1"}, {"fieldPath", "metadata.namespace"}}}}}}}}}}}}}};
}

std::string mountFailureMessage(const std::string& volumeName, const std::string& error) {
  return "MountVolume.SetUp failed for volume \"" + volumeName + "\" : " + error;
}

}  // namespace mysqlop::local::kubelet
