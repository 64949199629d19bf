// A pod's containers: start, restart with back-off, probes, hooks and stop.
#include <csignal>
#include <thread>

#include <spdlog/spdlog.h>

#include "localcluster/kubelet/image_ref.h"
#include "localcluster/kubelet/pod_worker.h"
#include "localcluster/kubelet/probe.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr seconds kBackoffInitial{10};
constexpr seconds kBackoffMax{300};
// A container that ran this long before it ended starts its back-off afresh.
constexpr std::chrono::minutes kBackoffReset{10};

milliseconds remaining(SteadyTime deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : milliseconds(0);
}

}  // namespace

bool PodWorker::shouldRestart(const ContainerRun& c) const {
  const std::string policy = pod_["spec"].value("restartPolicy", "Always");
  if (policy == "Always") {
    return true;
  }
  if (policy == "OnFailure") {
    return c.exitCode != 0;
  }
  return false;
}

void PodWorker::announceLocalVersion(const std::string& image) {
  const ImageProfile* profile = ctx_.profiles->find(image);
  if (profile == nullptr || profile->localVersionCommand.empty() ||
      versionsAnnounced_.count(image) != 0) {
    return;
  }
  versionsAnnounced_.insert(image);
  const std::string tag = parseImageReference(image).tag;
  const std::string local = ctx_.localVersions->of(*profile);
  if (local.empty() || !tagNamesOtherVersion(tag, local)) {
    return;
  }
  // Normal, not Warning: the pod runs as asked and nothing can be done about it locally; the
  // event only says which server answers (describe shows it beside the pod's other events).
  recordEvent(
      ctx_, pod_, "Normal", "LocalVersion",
      "image \"" + image + "\" runs " + profile->localVersionName + " " + local + " locally");
}

void PodWorker::startContainer(ContainerRun& c) {
  // A restart counts once the new process is really attempted (a container waiting on a missing
  // ConfigMap does not pile up restarts).
  const bool restart = c.everStarted;
  const int attempt = c.restartCount + (restart ? 1 : 0);
  const int saved = c.restartCount;
  c.restartCount = attempt;  // spawnSpec names the log file after it
  std::string reason;
  auto spec = spawnSpec(c, &reason);
  if (!spec.ok()) {
    c.restartCount = saved;
    if (c.waitingReason != reason || c.waitingMessage != spec.error().message) {
      recordEvent(ctx_, pod_, "Warning", "Failed", "Error: " + spec.error().message);
    }
    c.state = ContainerRun::State::Waiting;
    c.waitingReason = reason;
    c.waitingMessage = spec.error().message;
    return;
  }
  const std::string image = c.spec.value("image", "");
  if (!c.everStarted) {
    recordEvent(ctx_, pod_, "Normal", "Pulled",
                "Container image \"" + image + "\" already present on machine");
    announceLocalVersion(image);
  }
  c.containerId = "local://" + uid_ + "/" + c.name + "/" + std::to_string(attempt);
  c.everStarted = true;
  c.killing = false;
  auto pid = ctx_.supervisor->spawn(*spec);
  auto now = std::chrono::system_clock::now();
  if (!pid.ok()) {
    // As a runtime reports a process that could not start: terminated, StartError, 128.
    c.state = ContainerRun::State::Terminated;
    c.exitCode = 128;
    c.signal = 0;
    c.exitReason = "StartError";
    c.exitMessage = pid.error().message;
    c.startedAt = SystemTime{};
    c.finishedAt = now;
    c.finishedSteady = std::chrono::steady_clock::now();
    recordEvent(ctx_, pod_, "Warning", "Failed", "Error: " + pid.error().message);
    return;
  }
  c.state = ContainerRun::State::Running;
  c.startedAt = now;
  c.exitMessage.clear();
  c.waitingMessage.clear();
  c.runningSince = std::chrono::steady_clock::now();
  c.ready = false;
  c.started = !c.spec.contains("startupProbe");
  // Without a readiness probe a started container is ready at once (no wait for the next sync).
  c.ready = c.started && !c.spec.contains("readinessProbe");
  auto steadyNow = std::chrono::steady_clock::now();
  for (auto [field, st] :
       {std::pair{"startupProbe", &c.startup}, std::pair{"livenessProbe", &c.liveness},
        std::pair{"readinessProbe", &c.readiness}}) {
    *st = ProbeState{};
    if (c.spec.contains(field)) {
      st->next = steadyNow + seconds(probeTiming(c.spec[field]).initialDelaySeconds);
      wakeAt(st->next);
    }
  }
  recordEvent(ctx_, pod_, "Normal", "Created", "Created container " + c.name);
  recordEvent(ctx_, pod_, "Normal", "Started", "Started container " + c.name);
  const json lifecycle = c.spec.value("lifecycle", json::object());
  if (lifecycle.contains("postStart")) {
    auto out = runAction(lifecycle["postStart"], c.spec, *ctx_.supervisor, spec->key, podIp_,
                         milliseconds(30000));
    if (!out.success) {
      recordEvent(ctx_, pod_, "Warning", "FailedPostStartHook",
                  "PostStartHook failed: " + out.output);
      killContainer(c, "FailedPostStartHook",
                    "Container " + c.name + " failed its postStart hook, will be killed",
                    graceOf());
    }
  }
}

void PodWorker::restartOrBackOff(ContainerRun& c) {
  auto now = std::chrono::steady_clock::now();
  if (c.inBackoffTable && c.finishedSteady - c.lastRestart > kBackoffReset) {
    c.inBackoffTable = false;  // it ran long enough: the back-off starts over
  }
  if (c.inBackoffTable && now - c.finishedSteady < c.backoff) {
    if (c.state == ContainerRun::State::Terminated) {
      c.lastState = {{"terminated", terminatedState(c)}};
    }
    if (c.state != ContainerRun::State::Waiting || c.waitingReason != "CrashLoopBackOff") {
      recordEvent(
          ctx_, pod_, "Warning", "BackOff",
          "Back-off restarting failed container " + c.name + " in pod " + podDescription(pod_));
    }
    c.state = ContainerRun::State::Waiting;
    c.waitingReason = "CrashLoopBackOff";
    c.waitingMessage = "back-off " + std::to_string(c.backoff.count()) +
                       "s restarting failed container=" + c.name + " pod=" + podDescription(pod_);
    wakeAt(c.finishedSteady + c.backoff);
    return;
  }
  if (c.state == ContainerRun::State::Terminated) {
    c.lastState = {{"terminated", terminatedState(c)}};
    c.state = ContainerRun::State::Waiting;
    c.waitingReason = "ContainerCreating";
  }
  startContainer(c);
  if (c.state != ContainerRun::State::Waiting) {
    // Attempted: the next failure waits (the first restart is immediate, as the kubelet's).
    c.backoff = c.inBackoffTable ? std::min(c.backoff * 2, kBackoffMax) : kBackoffInitial;
    c.inBackoffTable = true;
    c.lastRestart = now;
  }
}

void PodWorker::runProbes(ContainerRun& c) {
  const std::string key = uid_ + "/" + c.name;
  auto now = std::chrono::steady_clock::now();
  auto probeNow = [&](const char* field, ProbeState& st, ProbeOutcome* out) {
    const json& probe = c.spec[field];
    ProbeTiming t = probeTiming(probe);
    if (now < st.next) {
      wakeAt(st.next);
      return false;
    }
    *out = runAction(probe, c.spec, *ctx_.supervisor, key, podIp_,
                     milliseconds(t.timeoutSeconds * 1000));
    st.next = std::chrono::steady_clock::now() + seconds(t.periodSeconds);
    wakeAt(st.next);
    if (out->success) {
      ++st.successes;
      st.failures = 0;
    } else {
      ++st.failures;
      st.successes = 0;
    }
    return true;
  };
  auto killGrace = [&](const json& probe) {
    if (probe.contains("terminationGracePeriodSeconds") &&
        probe["terminationGracePeriodSeconds"].is_number_integer()) {
      return milliseconds(probe["terminationGracePeriodSeconds"].get<long long>() * 1000);
    }
    return milliseconds(pod_["spec"].value("terminationGracePeriodSeconds", 30LL) * 1000);
  };
  ProbeOutcome out;
  if (c.spec.contains("startupProbe") && !c.started) {
    if (probeNow("startupProbe", c.startup, &out)) {
      const json& probe = c.spec["startupProbe"];
      if (out.success) {
        c.started = true;
      } else {
        recordEvent(ctx_, pod_, "Warning", "Unhealthy", "Startup probe failed: " + out.output);
        if (c.startup.failures >= probeTiming(probe).failureThreshold) {
          killContainer(c, "Killing",
                        "Container " + c.name + " failed startup probe, will be restarted",
                        killGrace(probe));
          return;
        }
      }
    }
    if (!c.started) {
      return;  // liveness and readiness wait for the startup probe
    }
    now = std::chrono::steady_clock::now();
    // Liveness and readiness start after startup succeeded (their initial delays from now on).
    for (auto [field, st] :
         {std::pair{"livenessProbe", &c.liveness}, std::pair{"readinessProbe", &c.readiness}}) {
      if (c.spec.contains(field)) {
        st->next = now + seconds(probeTiming(c.spec[field]).initialDelaySeconds);
      }
    }
  }
  if (c.spec.contains("livenessProbe")) {
    if (probeNow("livenessProbe", c.liveness, &out) && !out.success) {
      const json& probe = c.spec["livenessProbe"];
      recordEvent(ctx_, pod_, "Warning", "Unhealthy", "Liveness probe failed: " + out.output);
      if (c.liveness.failures >= probeTiming(probe).failureThreshold) {
        killContainer(c, "Killing",
                      "Container " + c.name + " failed liveness probe, will be restarted",
                      killGrace(probe));
        return;
      }
    }
  }
  if (c.spec.contains("readinessProbe")) {
    if (probeNow("readinessProbe", c.readiness, &out)) {
      ProbeTiming t = probeTiming(c.spec["readinessProbe"]);
      if (out.success && c.readiness.successes >= t.successThreshold) {
        c.ready = true;
      } else if (!out.success) {
        recordEvent(ctx_, pod_, "Warning", "Unhealthy", "Readiness probe failed: " + out.output);
        if (c.readiness.failures >= t.failureThreshold) {
          c.ready = false;
        }
      }
    }
  } else {
    c.ready = c.started;
  }
}

void PodWorker::killContainer(ContainerRun& c, const std::string& reason,
                              const std::string& message, milliseconds grace) {
  recordEvent(ctx_, pod_, "Normal", reason, message);
  auto deadline = std::chrono::steady_clock::now() + grace;
  c.killing = true;
  runPreStop(c, deadline);
  ctx_.supervisor->stop(uid_ + "/" + c.name, remaining(deadline));
  drainInbox();  // the supervisor reported the exit before stop() returned
  if (c.state == ContainerRun::State::Running) {
    // No exit came (the process was gone already): it is over all the same.
    c.state = ContainerRun::State::Terminated;
    c.exitCode = 137;
    c.signal = SIGKILL;
    c.exitReason = "Error";
    c.finishedAt = std::chrono::system_clock::now();
    c.finishedSteady = std::chrono::steady_clock::now();
    c.ready = false;
    c.started = false;
  }
}

void PodWorker::runPreStop(ContainerRun& c, SteadyTime deadline) {
  const json lifecycle = c.spec.value("lifecycle", json::object());
  if (!lifecycle.contains("preStop") || c.state != ContainerRun::State::Running) {
    return;
  }
  const json& hook = lifecycle["preStop"];
  if (hook.contains("sleep")) {
    auto s = seconds(hook["sleep"].value("seconds", 0));
    std::this_thread::sleep_for(std::min<milliseconds>(s, remaining(deadline)));
    return;
  }
  auto out = runAction(hook, c.spec, *ctx_.supervisor, uid_ + "/" + c.name, podIp_,
                       std::max(remaining(deadline), milliseconds(1)));
  if (!out.success) {
    recordEvent(ctx_, pod_, "Warning", "FailedPreStopHook", "PreStopHook failed: " + out.output);
  }
}

void PodWorker::stopAll(milliseconds grace, bool preStop) {
  auto deadline = std::chrono::steady_clock::now() + grace;
  std::vector<ContainerRun*> running;
  for (auto* c : allContainers()) {
    if (c->state == ContainerRun::State::Running) {
      running.push_back(c);
    }
  }
  if (running.empty()) {
    return;
  }
  // Every container gets the same deadline, its preStop hook and its stop in parallel.
  std::vector<std::thread> stops;
  for (auto* c : running) {
    c->killing = true;
    recordEvent(ctx_, pod_, "Normal", "Killing", "Stopping container " + c->name);
    stops.emplace_back([this, c, deadline, preStop] {
      if (preStop) {
        runPreStop(*c, deadline);
      }
      ctx_.supervisor->stop(uid_ + "/" + c->name, remaining(deadline));
    });
  }
  for (auto& t : stops) {
    t.join();
  }
  drainInbox();
  for (auto* c : running) {
    if (c->state == ContainerRun::State::Running) {
      c->state = ContainerRun::State::Terminated;
      c->exitCode = 137;
      c->signal = SIGKILL;
      c->exitReason = "Error";
      c->finishedAt = std::chrono::system_clock::now();
      c->finishedSteady = std::chrono::steady_clock::now();
      c->ready = false;
    }
  }
}

}  // namespace mysqlop::local::kubelet
