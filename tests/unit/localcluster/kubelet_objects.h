#pragma once
// Test objects for the kubelet's plan: a pod, and Lookups over ConfigMaps and Secrets held in
// maps (the lookups are plain functions over data; nothing is mocked).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "localcluster/kubelet/container_plan.h"
#include "plugins/common/kube/base64.h"

namespace mysqlop::local::kubelet::testing {

class Objects {
 public:
  void configMap(const std::string& ns, const std::string& name, nlohmann::json data,
                 nlohmann::json binaryData = nullptr) {
    nlohmann::json cm{{"metadata", {{"namespace", ns}, {"name", name}}}, {"data", std::move(data)}};
    if (!binaryData.is_null()) {
      for (auto& [k, v] : binaryData.items()) {
        v = kube::base64Encode(v.get<std::string>());
      }
      cm["binaryData"] = std::move(binaryData);
    }
    configMaps_[{ns, name}] = std::move(cm);
  }
  // data in clear: stored base64-encoded, as the API server returns Secrets.
  void secret(const std::string& ns, const std::string& name,
              const std::map<std::string, std::string>& data) {
    nlohmann::json encoded = nlohmann::json::object();
    for (const auto& [k, v] : data) {
      encoded[k] = kube::base64Encode(v);
    }
    secrets_[{ns, name}] = {{"metadata", {{"namespace", ns}, {"name", name}}}, {"data", encoded}};
  }

  Lookups lookups() {
    Lookups l;
    l.configMap = [this](const std::string& ns,
                         const std::string& name) -> std::optional<nlohmann::json> {
      auto it = configMaps_.find({ns, name});
      return it == configMaps_.end() ? std::nullopt : std::optional(it->second);
    };
    l.secret = [this](const std::string& ns,
                      const std::string& name) -> std::optional<nlohmann::json> {
      auto it = secrets_.find({ns, name});
      return it == secrets_.end() ? std::nullopt : std::optional(it->second);
    };
    l.warning = [this](const std::string& reason, const std::string& message) {
      warnings.emplace_back(reason, message);
    };
    return l;
  }

  std::vector<std::pair<std::string, std::string>> warnings;

 private:
  std::map<std::pair<std::string, std::string>, nlohmann::json> configMaps_;
  std::map<std::pair<std::string, std::string>, nlohmann::json> secrets_;
};

// A scheduled, running pod "web" in namespace "shop" with one container "app".
inline nlohmann::json testPod() {
  return nlohmann::json::parse(R"({
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1",
                 "labels": {"app": "web", "tier": "front"},
                 "annotations": {"note": "say \"hi\"\n", "example.com/owner": "ops"}},
    "spec": {"nodeName": "local", "serviceAccountName": "runner", "restartPolicy": "Always",
             "containers": [
               {"name": "app", "resources": {"limits": {"cpu": "500m", "memory": "256Mi"},
                                             "requests": {"cpu": "250m", "memory": "128Mi"}}},
               {"name": "side"}],
             "initContainers": [{"name": "init", "resources": {"limits": {"cpu": "2"}}}]},
    "status": {"phase": "Running", "podIP": "198.18.0.5", "podIPs": [{"ip": "198.18.0.5"}],
               "hostIP": "198.18.0.1", "hostIPs": [{"ip": "198.18.0.1"}]}
  })");
}

}  // namespace mysqlop::local::kubelet::testing
