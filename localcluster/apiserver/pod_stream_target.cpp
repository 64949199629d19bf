#include "localcluster/apiserver/pod_stream_target.h"

#include <vector>

#include "localcluster/apiserver/store.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

// Container names in the order podutil.VisitContainers gives them.
std::vector<std::string> containerNames(const json& pod) {
  std::vector<std::string> names;
  const json spec = pod.value("spec", json::object());
  for (const char* field : {"initContainers", "containers", "ephemeralContainers"}) {
    for (const auto& c : spec.value(field, json::array())) {
      names.push_back(c.value("name", ""));
    }
  }
  return names;
}

// Go's fmt %s of a []string: "[a b c]".
std::string goList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : " ") + items[i];
  }
  return out + "]";
}

}  // namespace

json podForStream(Store& store, const std::string& ns, const std::string& name) {
  ObjPtr obj = store.get("/pods", ns, name);
  if (!obj) {
    raise(errNotFound(GroupResource{"", "pods"}, name));
  }
  return obj->json;
}

std::string containerForStream(const json& pod, const std::string& requested) {
  const std::string podName = pod["metadata"].value("name", "");
  if (requested.empty()) {
    const json containers = pod.value("spec", json::object()).value("containers", json::array());
    if (containers.size() == 1) {
      return containers[0].value("name", "");
    }
    if (containers.empty()) {
      raise(errBadRequest("a container name must be specified for pod " + podName));
    }
    raise(errBadRequest("a container name must be specified for pod " + podName +
                        ", choose one of: " + goList(containerNames(pod))));
  }
  for (const auto& name : containerNames(pod)) {
    if (name == requested) {
      return requested;
    }
  }
  raise(errBadRequest("container " + requested + " is not valid for pod " + podName));
}

bool podHasNode(const json& pod, PodStreamKind kind) {
  if (!pod.value("spec", json::object()).value("nodeName", "").empty()) {
    return true;
  }
  if (kind == PodStreamKind::Log) {
    return false;
  }
  raise(
      errBadRequest("pod " + pod["metadata"].value("name", "") + " does not have a host assigned"));
}

}  // namespace mysqlop::local
