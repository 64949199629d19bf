#include "localcluster/kubelet/log_source.h"

#include <cctype>

namespace mysqlop::local::kubelet {

using nlohmann::json;

namespace {

const json* findStatus(const json& status, const char* field, const std::string& name) {
  auto it = status.find(field);
  if (it == status.end() || !it->is_array()) {
    return nullptr;
  }
  for (const auto& s : *it) {
    if (s.is_object() && s.value("name", "") == name) {
      return &s;
    }
  }
  return nullptr;
}

const json* stateOf(const json& parent, const char* field, const char* which) {
  auto s = parent.find(field);
  if (s == parent.end() || !s->is_object()) {
    return nullptr;
  }
  auto w = s->find(which);
  return w != s->end() && w->is_object() ? &*w : nullptr;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// "local://<uid>/<container>/<n>" -> n.
Result<LogSource> fromId(const std::string& id, const std::string& what) {
  const auto slash = id.rfind('/');
  if (id.rfind("local://", 0) != 0 || slash == std::string::npos || slash + 1 == id.size()) {
    return fail(Errc::Invalid, what + " has an unknown container ID \"" + id + "\"");
  }
  int n = 0;
  for (std::size_t i = slash + 1; i < id.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(id[i])) == 0 || n > 1000000) {
      return fail(Errc::Invalid, what + " has an unknown container ID \"" + id + "\"");
    }
    n = n * 10 + (id[i] - '0');
  }
  return LogSource{id, n};
}

}  // namespace

Result<LogSource> containerLogSource(const json& pod, const std::string& container, bool previous) {
  const std::string podName = pod.value("metadata", json::object()).value("name", "");
  const std::string what = "container " + quoted(container) + " in pod " + quoted(podName);
  const json status = pod.value("status", json::object());
  const json* cs = findStatus(status, "containerStatuses", container);
  if (cs == nullptr) {
    cs = findStatus(status, "initContainerStatuses", container);
  }
  if (cs == nullptr) {
    cs = findStatus(status, "ephemeralContainerStatuses", container);
  }
  if (cs == nullptr) {
    return fail(Errc::Invalid, what + " is not available");
  }
  const json* last = stateOf(*cs, "lastState", "terminated");
  const json* waiting = stateOf(*cs, "state", "waiting");
  const json* running = stateOf(*cs, "state", "running");
  const json* terminated = stateOf(*cs, "state", "terminated");
  const std::string lastId = last != nullptr ? last->value("containerID", "") : "";
  if (previous) {
    if (last == nullptr || lastId.empty()) {
      return fail(Errc::Invalid, "previous terminated container " + quoted(container) + " in pod " +
                                     quoted(podName) + " not found");
    }
    return fromId(lastId, what);
  }
  if (running != nullptr) {
    return fromId(cs->value("containerID", ""), what);
  }
  if (terminated != nullptr) {
    const std::string id = terminated->value("containerID", "");
    if (!id.empty()) {
      return fromId(id, what);
    }
    if (!lastId.empty()) {
      return fromId(lastId, what);
    }
    return fail(Errc::Invalid, what + " is terminated");
  }
  if (last != nullptr) {
    if (lastId.empty()) {
      return fail(Errc::Invalid, what + " is terminated");
    }
    return fromId(lastId, what);
  }
  if (waiting != nullptr) {
    const std::string reason = waiting->value("reason", "");
    if (reason == "ErrImagePull") {
      return fail(Errc::Invalid, what + " is waiting to start: image can't be pulled");
    }
    if (reason == "ImagePullBackOff") {
      return fail(Errc::Invalid, what + " is waiting to start: trying and failing to pull image");
    }
    return fail(Errc::Invalid, what + " is waiting to start: " + reason);
  }
  return fail(Errc::Invalid, what + " is waiting to start - no logs yet");
}

std::string containerLogPath(const std::string& dataDir, const json& pod,
                             const std::string& container, int instance) {
  const json meta = pod.value("metadata", json::object());
  return dataDir + "/pods/" + meta.value("namespace", "") + "_" + meta.value("name", "") + "_" +
         meta.value("uid", "") + "/" + container + "/" + std::to_string(instance) + ".log";
}

}  // namespace mysqlop::local::kubelet
