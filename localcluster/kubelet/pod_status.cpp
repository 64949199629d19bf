// A pod's status from what the worker observed (phase, conditions, container statuses), written
// with updateStatus only when it changed.
#include <spdlog/spdlog.h>

#include "core/kube/client.h"
#include "localcluster/kubelet/pod_worker.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

json terminatedState(const ContainerRun& c) {
  json t = {{"exitCode", c.exitCode},
            {"reason", c.exitReason},
            {"startedAt", c.startedAt == SystemTime{} ? json() : json(rfc3339(c.startedAt))},
            {"finishedAt", rfc3339(c.finishedAt)}};
  if (!c.containerId.empty()) {
    t["containerID"] = c.containerId;
  }
  if (c.signal != 0) {
    t["signal"] = c.signal;
  }
  if (!c.exitMessage.empty()) {
    t["message"] = c.exitMessage;
  }
  return t;
}

json PodWorker::containerStatus(const ContainerRun& c) const {
  json state;
  switch (c.state) {
    case ContainerRun::State::Waiting: {
      json w = {{"reason", c.waitingReason}};
      if (!c.waitingMessage.empty()) {
        w["message"] = c.waitingMessage;
      }
      state = {{"waiting", w}};
      break;
    }
    case ContainerRun::State::Running:
      state = {{"running", {{"startedAt", rfc3339(c.startedAt)}}}};
      break;
    case ContainerRun::State::Terminated: state = {{"terminated", terminatedState(c)}}; break;
  }
  const std::string image = c.spec.value("image", "");
  const ImageProfile* profile = ctx_.profiles->find(image);
  json s = {{"name", c.name},
            {"state", state},
            {"lastState", c.lastState},
            {"ready", c.ready},
            {"restartCount", c.restartCount},
            {"image", image},
            {"imageID", profile != nullptr ? "local-profile://" + profile->source : ""},
            {"started", c.state == ContainerRun::State::Running && c.started}};
  if (!c.containerId.empty()) {
    s["containerID"] = c.containerId;
  }
  return s;
}

std::string PodWorker::computePhase() const {
  if (!terminalPhase_.empty()) {
    return terminalPhase_;
  }
  const std::string policy = pod_["spec"].value("restartPolicy", "Always");
  for (const auto& c : initContainers_) {
    bool done = c.state == ContainerRun::State::Terminated && c.exitCode == 0;
    if (!done) {
      if (c.state == ContainerRun::State::Terminated && policy == "Never") {
        return "Failed";
      }
      return "Pending";
    }
  }
  // The kubelet's getPhase: a container waiting after it ran once counts as stopped.
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& c : containers_) {
    switch (c.state) {
      case ContainerRun::State::Running: ++running; break;
      case ContainerRun::State::Terminated:
        ++stopped;
        succeeded += c.exitCode == 0 ? 1 : 0;
        break;
      case ContainerRun::State::Waiting:
        if (c.lastState.contains("terminated")) {
          ++stopped;
          succeeded += c.lastState["terminated"].value("exitCode", 1) == 0 ? 1 : 0;
        } else {
          ++waiting;
        }
        break;
    }
  }
  if (waiting > 0) {
    return "Pending";
  }
  if (running > 0) {
    return "Running";
  }
  if (stopped > 0) {
    if (policy == "Always") {
      return "Running";
    }
    if (stopped == succeeded) {
      return "Succeeded";
    }
    if (policy == "Never") {
      return "Failed";
    }
    return "Running";
  }
  return "Pending";
}

json PodWorker::condition(const std::string& type, bool value, const std::string& reason,
                          const std::string& message) {
  auto it = conditionsSeen_.find(type);
  if (it == conditionsSeen_.end() || it->second.first != value) {
    conditionsSeen_[type] = {value, rfc3339(std::chrono::system_clock::now())};
  }
  json c = {{"type", type},
            {"status", value ? "True" : "False"},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", conditionsSeen_[type].second}};
  if (!reason.empty()) {
    c["reason"] = reason;
  }
  if (!message.empty()) {
    c["message"] = message;
  }
  return c;
}

json PodWorker::computeStatus() {
  std::string phase = computePhase();
  std::vector<std::string> incompleteInit;
  for (const auto& c : initContainers_) {
    if (!(c.state == ContainerRun::State::Terminated && c.exitCode == 0)) {
      incompleteInit.push_back(c.name);
    }
  }
  std::vector<std::string> unready;
  for (const auto& c : containers_) {
    if (!c.ready) {
      unready.push_back(c.name);
    }
  }
  auto listed = [](const std::vector<std::string>& names) {
    std::string s = "[";
    for (std::size_t i = 0; i < names.size(); ++i) {
      s += (i ? " " : "") + names[i];
    }
    return s + "]";
  };
  json conditions = json::array();
  bool limits = false;
  for (const auto& c : containers_) {
    limits = limits ||
             !c.spec.value("resources", json::object()).value("limits", json::object()).empty();
  }
  if (limits && !ctx_.limitsNotEnforcedReason.empty()) {
    conditions.push_back(condition("ResourceLimitsEnforced", false, ctx_.limitsNotEnforcedReason,
                                   ctx_.limitsNotEnforcedMessage));
  }
  bool initialized = incompleteInit.empty();
  conditions.push_back(
      condition("Initialized", initialized, initialized ? "" : "ContainersNotInitialized",
                initialized ? "" : "containers with incomplete status: " + listed(incompleteInit)));
  bool completed = phase == "Succeeded";
  bool ready = unready.empty() && !completed && phase == "Running";
  std::string reason = ready ? "" : (completed ? "PodCompleted" : "ContainersNotReady");
  std::string message =
      ready || completed ? "" : "containers with unready status: " + listed(unready);
  conditions.push_back(condition("Ready", ready, reason, message));
  conditions.push_back(condition("ContainersReady", ready, reason, message));
  conditions.push_back(condition("PodScheduled", true, "", ""));

  json status = {{"phase", phase},
                 {"conditions", conditions},
                 {"hostIP", ctx_.hostIp},
                 {"hostIPs", json::array({{{"ip", ctx_.hostIp}}})}};
  if (!podIp_.empty()) {
    status["podIP"] = podIp_;
    status["podIPs"] = json::array({{{"ip", podIp_}}});
  }
  if (startTime_ != SystemTime{}) {
    status["startTime"] = rfc3339(startTime_);
  }
  json current = pod_.value("status", json::object());
  if (current.contains("qosClass")) {
    status["qosClass"] = current["qosClass"];
  }
  json statuses = json::array();
  for (const auto& c : containers_) {
    statuses.push_back(containerStatus(c));
  }
  status["containerStatuses"] = statuses;
  if (!initContainers_.empty()) {
    json init = json::array();
    for (const auto& c : initContainers_) {
      init.push_back(containerStatus(c));
    }
    status["initContainerStatuses"] = init;
  }
  return status;
}

namespace {

// The conditions the kubelet computes; any other type (a controller's, such as the failover
// engine's mysql.presslabs.org/NodeInitialized, or a readiness gate's) belongs to its writer and is
// kept as the API server has it, as the real kubelet does.
bool kubeletOwnsCondition(const std::string& type) {
  return type == "Initialized" || type == "Ready" || type == "ContainersReady" ||
         type == "PodScheduled" || type == "ResourceLimitsEnforced";
}

json withForeignConditions(json status, const json& current) {
  const json currentStatus = current.value("status", json::object());
  for (const json& c : currentStatus.value("conditions", json::array())) {
    if (c.is_object() && !kubeletOwnsCondition(c.value("type", ""))) {
      status["conditions"].push_back(c);
    }
  }
  return status;
}

}  // namespace

void PodWorker::writeStatus() {
  if (statusFromBefore_) {
    return;
  }
  json status = computeStatus();
  if (status == lastWritten_) {
    return;
  }
  json object = pod_;
  for (int attempt = 0; attempt < 5; ++attempt) {
    object["status"] = withForeignConditions(status, object);
    auto r = ctx_.client->updateStatus(kube::resources::kPods, object);
    if (r.ok()) {
      lastWritten_ = status;
      // The written object is the newest we know: the next write starts from its
      // resourceVersion instead of conflicting on the cache's older one.
      pod_ = std::move(r.value());
      return;
    }
    if (r.is(Errc::NotFound)) {
      return;  // deleted: the informer tells the worker next
    }
    if (!r.is(Errc::Conflict)) {
      spdlog::warn("kubelet: pod {}: status not written: {}", podDescription(pod_),
                   r.error().message);
      return;  // the next sync tries again (lastWritten_ is unchanged)
    }
    const json meta = pod_["metadata"];
    auto fresh = ctx_.client->get(kube::resources::kPods, meta.value("namespace", ""),
                                  meta.value("name", ""));
    if (!fresh.ok() || (*fresh)["metadata"].value("uid", "") != uid_) {
      return;
    }
    object = *fresh;
  }
}

void PodWorker::seedFromStatus(const json& status) {
  if (auto t = parseRfc3339(status.value("startTime", "")); t) {
    startTime_ = *t;
  }
  preferredIp_ = status.value("podIP", "");
  for (const auto& c : status.value("conditions", json::array())) {
    conditionsSeen_[c.value("type", "")] = {c.value("status", "") == "True",
                                            c.value("lastTransitionTime", "")};
  }
  std::string phase = status.value("phase", "");
  if (phase == "Succeeded" || phase == "Failed") {
    // It ended under an earlier `up`: nothing runs again; its status stays as it was written.
    terminalPhase_ = phase;
    podIp_ = preferredIp_;
    lastWritten_ = status;
    statusFromBefore_ = true;
  }
  // A new sandbox runs the init containers again, as Kubernetes does after a node restart: their
  // counts are kept, their states are not (terminal pods run nothing, their status stays).
  auto seed = [&](const char* list, std::vector<ContainerRun>& runs, bool keepState) {
    for (const auto& s : status.value(list, json::array())) {
      for (auto& c : runs) {
        if (c.name != s.value("name", "")) {
          continue;
        }
        c.restartCount = s.value("restartCount", 0);
        c.lastState = s.value("lastState", json::object());
        c.containerId = s.value("containerID", "");
        c.everStarted = !c.containerId.empty();
        const json state = s.value("state", json::object());
        if (state.contains("terminated") && keepState) {
          const json& t = state["terminated"];
          c.state = ContainerRun::State::Terminated;
          c.exitCode = t.value("exitCode", 0);
          c.signal = t.value("signal", 0);
          c.exitReason = t.value("reason", "");
          c.exitMessage = t.value("message", "");
          c.startedAt = parseRfc3339(t.value("startedAt", "")).value_or(SystemTime{});
          c.finishedAt = parseRfc3339(t.value("finishedAt", "")).value_or(SystemTime{});
          c.finishedSteady = std::chrono::steady_clock::now();
        }
      }
    }
  };
  seed("initContainerStatuses", initContainers_, statusFromBefore_);
  seed("containerStatuses", containers_, true);
}

}  // namespace mysqlop::local::kubelet
