#pragma once

#include <string>
#include <tuple>

namespace mysqlop::kube {

// A Kubernetes resource type: group ("" = core), version, kind and plural resource name.
struct Resource {
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;
  bool namespaced = true;

  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "pods", "statefulsets.apps": how the API server names the resource in its messages.
  std::string groupResource() const { return group.empty() ? plural : plural + "." + group; }
  // "/api/v1" or "/apis/apps/v1".
  std::string basePath() const {
    return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  bool operator<(const Resource& o) const {
    return std::tie(group, version, plural) < std::tie(o.group, o.version, o.plural);
  }
  bool operator==(const Resource& o) const {
    return group == o.group && version == o.version && plural == o.plural;
  }
};

namespace resources {
inline const Resource kPods{"", "v1", "Pod", "pods", true};
inline const Resource kServices{"", "v1", "Service", "services", true};
inline const Resource kSecrets{"", "v1", "Secret", "secrets", true};
inline const Resource kConfigMaps{"", "v1", "ConfigMap", "configmaps", true};
inline const Resource kEvents{"", "v1", "Event", "events", true};
inline const Resource kNamespaces{"", "v1", "Namespace", "namespaces", false};
inline const Resource kLeases{"coordination.k8s.io", "v1", "Lease", "leases", true};
inline const Resource kStatefulSets{"apps", "v1", "StatefulSet", "statefulsets", true};
inline const Resource kJobs{"batch", "v1", "Job", "jobs", true};
}  // namespace resources

}  // namespace mysqlop::kube
