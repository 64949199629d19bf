// resolveEnv: a container's environment as the kubelet builds it (makeEnvironmentVariables), on
// top of the image's (the profile's) default env as the runtime merges them.

#include <algorithm>
#include <regex>

#include "localcluster/kubelet/container_plan.h"
#include "localcluster/kubelet/downward_api.h"
#include "localcluster/kubelet/expansion.h"
#include "localcluster/kubelet/object_data.h"

namespace mysqlop::local::kubelet {

namespace {

// validation.IsEnvVarName (the classic rule; RelaxedEnvironmentVariableValidation is not modelled).
bool isEnvVarName(const std::string& name) {
  static const std::regex kEnvVarName("[-._a-zA-Z][-._a-zA-Z0-9]*");
  return std::regex_match(name, kEnvVarName);
}

bool optional(const nlohmann::json& ref) {
  auto it = ref.find("optional");
  return it != ref.end() && it->is_boolean() && it->get<bool>();
}

class EnvBuilder {
 public:
  EnvBuilder(const nlohmann::json& pod, const nlohmann::json& container, const Lookups& lookups)
      : pod_(pod), container_(container), lookups_(lookups), ns_(podNamespace(pod)) {}

  // The kubelet's part: envFrom, then env, then the service env it adds itself.
  Result<EnvMap> build() {
    if (auto it = container_.find("envFrom"); it != container_.end() && it->is_array()) {
      for (const auto& source : *it) {
        if (auto r = addEnvFrom(source); !r) {
          return r.error();
        }
      }
    }
    if (auto it = container_.find("env"); it != container_.end() && it->is_array()) {
      for (const auto& var : *it) {
        if (auto r = addEnv(var); !r) {
          return r.error();
        }
      }
    }
    for (const auto& [k, v] : lookups_.serviceEnv) {
      env_.emplace(k, v);  // only where the container did not set it
    }
    return env_;
  }

 private:
  Result<void> addEnvFrom(const nlohmann::json& source) {
    const std::string prefix = source.value("prefix", "");
    StringMap data;
    std::string kind;
    std::string name;
    if (auto ref = source.find("configMapRef"); ref != source.end() && ref->is_object()) {
      kind = "configMap";
      name = ref->value("name", "");
      auto cm = configMap(name);
      if (!cm) {
        return cm.is(Errc::NotFound) && optional(*ref) ? Result<void>() : cm.error();
      }
      data = cm->data;  // binaryData is not offered as env
    } else if (auto sref = source.find("secretRef"); sref != source.end() && sref->is_object()) {
      kind = "secret";
      name = sref->value("name", "");
      auto s = secret(name);
      if (!s) {
        return s.is(Errc::NotFound) && optional(*sref) ? Result<void>() : s.error();
      }
      data = *s;
    } else {
      return {};
    }
    std::vector<std::string> invalid;
    for (const auto& [key, value] : data) {
      const std::string full = prefix + key;
      if (!isEnvVarName(full)) {
        invalid.push_back(full);
        continue;
      }
      env_[full] = value;
    }
    if (!invalid.empty() && lookups_.warning) {
      std::sort(invalid.begin(), invalid.end());
      std::string keys;
      for (const auto& k : invalid) {
        keys += (keys.empty() ? "" : ", ") + k;
      }
      lookups_.warning("InvalidEnvironmentVariableNames",
                       "Keys [" + keys + "] from the EnvFrom " + kind + " " + ns_ + "/" + name +
                           " were skipped since they are considered invalid environment "
                           "variable names.");
    }
    return {};
  }

  Result<void> addEnv(const nlohmann::json& var) {
    const std::string name = var.value("name", "");
    const std::string value = var.contains("value") && var["value"].is_string()
                                  ? var["value"].get<std::string>()
                                  : std::string();
    if (!value.empty()) {
      // Earlier env (and envFrom) first, then the service env; the image's env is not visible.
      env_[name] = expandVars(value, {&env_, &lookups_.serviceEnv});
      return {};
    }
    auto from = var.find("valueFrom");
    if (from == var.end() || !from->is_object()) {
      env_[name] = "";
      return {};
    }
    if (auto ref = from->find("fieldRef"); ref != from->end() && ref->is_object()) {
      auto v = envFieldRef(pod_, *ref);
      if (!v) {
        return v.error();
      }
      env_[name] = *v;
    } else if (auto rref = from->find("resourceFieldRef");
               rref != from->end() && rref->is_object()) {
      auto v = resourceFieldRef(pod_, &container_, *rref, lookups_);
      if (!v) {
        return v.error();
      }
      env_[name] = *v;
    } else if (auto cref = from->find("configMapKeyRef");
               cref != from->end() && cref->is_object()) {
      const std::string objName = cref->value("name", "");
      const std::string key = cref->value("key", "");
      auto cm = configMap(objName);
      if (!cm) {
        return cm.is(Errc::NotFound) && optional(*cref) ? Result<void>() : cm.error();
      }
      auto it = cm->data.find(key);
      if (it == cm->data.end()) {
        if (optional(*cref)) {
          return {};
        }
        return fail(Errc::NotFound,
                    "couldn't find key " + key + " in ConfigMap " + ns_ + "/" + objName);
      }
      env_[name] = it->second;
    } else if (auto sref = from->find("secretKeyRef"); sref != from->end() && sref->is_object()) {
      const std::string objName = sref->value("name", "");
      const std::string key = sref->value("key", "");
      auto s = secret(objName);
      if (!s) {
        return s.is(Errc::NotFound) && optional(*sref) ? Result<void>() : s.error();
      }
      auto it = s->find(key);
      if (it == s->end()) {
        if (optional(*sref)) {
          return {};
        }
        return fail(Errc::NotFound,
                    "couldn't find key " + key + " in Secret " + ns_ + "/" + objName);
      }
      env_[name] = it->second;
    } else {
      env_[name] = "";
    }
    return {};
  }

  // Each object is read once per container, as the kubelet caches them within one call.
  Result<ConfigMapContents> configMap(const std::string& name) {
    auto it = configMaps_.find(name);
    if (it == configMaps_.end()) {
      it = configMaps_.emplace(name, getConfigMap(lookups_, ns_, name)).first;
    }
    return it->second;
  }
  Result<StringMap> secret(const std::string& name) {
    auto it = secrets_.find(name);
    if (it == secrets_.end()) {
      it = secrets_.emplace(name, getSecret(lookups_, ns_, name)).first;
    }
    return it->second;
  }

  const nlohmann::json& pod_;
  const nlohmann::json& container_;
  const Lookups& lookups_;
  const std::string ns_;
  EnvMap env_;
  std::map<std::string, Result<ConfigMapContents>> configMaps_;
  std::map<std::string, Result<StringMap>> secrets_;
};

}  // namespace

Result<std::map<std::string, std::string>> resolveEnv(const nlohmann::json& pod,
                                                      const nlohmann::json& container,
                                                      const ImageProfile& profile,
                                                      const Lookups& lookups) {
  auto kubeletEnv = EnvBuilder(pod, container, lookups).build();
  if (!kubeletEnv) {
    return kubeletEnv.error();
  }
  // The runtime starts from the image's env; the kubelet's variables replace same-named ones.
  EnvMap env;
  for (const auto& [k, v] : profile.env) {
    env[k] = v;
  }
  for (auto& [k, v] : *kubeletEnv) {
    env[k] = std::move(v);
  }
  return env;
}

}  // namespace mysqlop::local::kubelet
