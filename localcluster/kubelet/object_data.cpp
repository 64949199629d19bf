#include "localcluster/kubelet/object_data.h"

#include "plugins/common/kube/base64.h"

namespace mysqlop::local::kubelet {

namespace {

Result<StringMap> stringMap(const nlohmann::json& obj, const char* field, bool base64,
                            const std::string& what) {
  StringMap out;
  auto it = obj.find(field);
  if (it == obj.end() || !it->is_object()) {
    return out;
  }
  for (const auto& [key, value] : it->items()) {
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (base64) {
      auto decoded = kube::base64Decode(text);
      if (!decoded) {
        return fail(Errc::Invalid, what + ": " + field + "[" + key + "] is not valid base64");
      }
      text = std::move(*decoded);
    }
    out.emplace(key, std::move(text));
  }
  return out;
}

}  // namespace

std::string podNamespace(const nlohmann::json& pod) {
  auto meta = pod.find("metadata");
  std::string ns = meta != pod.end() && meta->is_object() ? meta->value("namespace", "") : "";
  return ns.empty() ? "default" : ns;
}

Result<ConfigMapContents> getConfigMap(const Lookups& lookups, const std::string& ns,
                                       const std::string& name) {
  if (!lookups.configMap) {
    return fail(Errc::Unavailable,
                "couldn't get configMap " + ns + "/" + name + ", no kubeClient defined");
  }
  auto obj = lookups.configMap(ns, name);
  if (!obj) {
    return fail(Errc::NotFound, "configmap \"" + name + "\" not found");
  }
  const std::string what = "configmap " + ns + "/" + name;
  auto data = stringMap(*obj, "data", false, what);
  auto binary = stringMap(*obj, "binaryData", true, what);
  if (!binary) {
    return binary.error();
  }
  return ConfigMapContents{std::move(*data), std::move(*binary)};
}

Result<StringMap> getSecret(const Lookups& lookups, const std::string& ns,
                            const std::string& name) {
  if (!lookups.secret) {
    return fail(Errc::Unavailable,
                "couldn't get secret " + ns + "/" + name + ", no kubeClient defined");
  }
  auto obj = lookups.secret(ns, name);
  if (!obj) {
    return fail(Errc::NotFound, "secret \"" + name + "\" not found");
  }
  return stringMap(*obj, "data", true, "secret " + ns + "/" + name);
}

}  // namespace mysqlop::local::kubelet
