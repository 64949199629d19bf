// The pod worker's thread: inbox, the reconcile loop, and the end of a pod (deletion or stop).
#include "localcluster/kubelet/pod_worker.h"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "core/kube/client.h"
#include "localcluster/kubelet/termination_message.h"
#include "localcluster/proxy/names.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// Without news, a worker looks at its pod this often (status of probes, back-off ends, re-reads
// of projected volumes). Probes and back-offs wake it sooner through nextWake_.
constexpr milliseconds kResync{1000};

std::vector<ContainerRun> containerRuns(const json& spec, const char* list, bool init) {
  std::vector<ContainerRun> runs;
  for (const auto& c : spec.value(list, json::array())) {
    ContainerRun r;
    r.name = c.value("name", "");
    r.init = init;
    r.spec = c;
    r.waitingReason = init ? "PodInitializing" : "ContainerCreating";
    runs.push_back(std::move(r));
  }
  if (init && !runs.empty()) {
    runs.front().waitingReason = "ContainerCreating";
  }
  return runs;
}

}  // namespace

PodWorker::PodWorker(KubeletContext& ctx, json pod) : ctx_(ctx), pod_(std::move(pod)) {
  uid_ = pod_["metadata"].value("uid", "");
  const json spec = pod_.value("spec", json::object());
  initContainers_ = containerRuns(spec, "initContainers", true);
  containers_ = containerRuns(spec, "containers", false);
  if (!initContainers_.empty()) {
    for (auto& c : containers_) {
      c.waitingReason = "PodInitializing";
    }
  }
  seedFromStatus(pod_.value("status", json::object()));
}

PodWorker::~PodWorker() { join(); }

void PodWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void PodWorker::update(json pod) {
  std::lock_guard lock(mu_);
  inboxPod_ = std::move(pod);
  hasInboxPod_ = true;
  cv_.notify_all();
}

void PodWorker::objectDeleted() {
  std::lock_guard lock(mu_);
  deleted_ = true;
  cv_.notify_all();
}

void PodWorker::referencedObjectsChanged() {
  std::lock_guard lock(mu_);
  reproject_ = true;
  cv_.notify_all();
}

void PodWorker::containerExited(const std::string& container, const node::ExitStatus& status) {
  std::lock_guard lock(mu_);
  exits_.push_back({container, status});
  cv_.notify_all();
}

void PodWorker::requestStop() {
  std::lock_guard lock(mu_);
  stopRequested_ = true;
  cv_.notify_all();
}

bool PodWorker::finished() const {
  std::lock_guard lock(mu_);
  return finished_;
}

void PodWorker::join() {
  if (thread_.joinable()) {
    thread_.join();
  }
}

void PodWorker::wakeAt(SteadyTime t) {
  if (nextWake_ == SteadyTime{} || t < nextWake_) {
    nextWake_ = t;
  }
}

void PodWorker::run() {
  for (;;) {
    nextWake_ = SteadyTime{};
    bool more = true;
    try {
      more = syncOnce();
    } catch (const std::exception& e) {
      // A bug must not end the node: log it and look again at the next tick.
      spdlog::error("kubelet: pod {}: sync failed: {}", podDescription(pod_), e.what());
    }
    if (!more) {
      break;
    }
    auto deadline = std::chrono::steady_clock::now() + kResync;
    if (nextWake_ != SteadyTime{} && nextWake_ < deadline) {
      deadline = nextWake_;
    }
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] {
      return hasInboxPod_ || deleted_ || stopRequested_ || reproject_ || !exits_.empty();
    });
  }
  std::lock_guard lock(mu_);
  finished_ = true;
}

void PodWorker::drainInbox() {
  std::deque<Exit> exits;
  {
    std::lock_guard lock(mu_);
    if (hasInboxPod_) {
      pod_ = std::move(inboxPod_);
      hasInboxPod_ = false;
    }
    exits.swap(exits_);
  }
  for (const auto& e : exits) {
    applyExit(e);
  }
}

ContainerRun* PodWorker::find(const std::string& name) {
  for (auto* c : allContainers()) {
    if (c->name == name) {
      return c;
    }
  }
  return nullptr;
}

std::vector<ContainerRun*> PodWorker::allContainers() {
  std::vector<ContainerRun*> all;
  for (auto& c : initContainers_) {
    all.push_back(&c);
  }
  for (auto& c : containers_) {
    all.push_back(&c);
  }
  return all;
}

void PodWorker::applyExit(const Exit& e) {
  ContainerRun* c = find(e.container);
  if (c == nullptr || c->state != ContainerRun::State::Running) {
    return;
  }
  c->state = ContainerRun::State::Terminated;
  c->exitCode = e.status.exitCode;
  c->signal = e.status.signal;
  c->exitReason =
      e.status.reason.empty() ? (e.status.exitCode == 0 ? "Completed" : "Error") : e.status.reason;
  c->finishedAt =
      e.status.finishedAt == SystemTime{} ? std::chrono::system_clock::now() : e.status.finishedAt;
  c->finishedSteady = std::chrono::steady_clock::now();
  c->ready = false;
  c->started = false;
  c->exitMessage = terminationMessage(
      c->spec, readHead(c->terminationFile, kMaxTerminationMessageBytes), c->exitCode,
      c->exitCode != 0 ? readTail(c->logPath, std::size_t{64} * 1024) : std::string());
  spdlog::info("kubelet: pod {}: container {} exited with {}{}", podDescription(pod_), c->name,
               c->exitCode, c->killing ? " (stopped by the kubelet)" : "");
}

milliseconds PodWorker::graceOf() const {
  const json meta = pod_.value("metadata", json::object());
  long long grace = 30;
  if (meta.contains("deletionGracePeriodSeconds") &&
      meta["deletionGracePeriodSeconds"].is_number_integer()) {
    grace = meta["deletionGracePeriodSeconds"].get<long long>();
  } else {
    grace = pod_.value("spec", json::object()).value("terminationGracePeriodSeconds", 30LL);
  }
  return milliseconds(std::max(0LL, grace) * 1000);
}

bool PodWorker::syncOnce() {
  drainInbox();
  bool deleted = false;
  bool stop = false;
  {
    std::lock_guard lock(mu_);
    deleted = deleted_;
    stop = stopRequested_;
  }
  if (stop) {
    // `up` is going down: processes and namespaces go, the pod object stays as it is.
    stopAll(graceOf(), false);
    tearDownSandbox();
    return false;
  }
  if (deleted || pod_["metadata"].contains("deletionTimestamp")) {
    return !terminate();
  }
  if (!terminalPhase_.empty()) {
    writeStatus();
    return !terminalStatusWritten();
  }
  if (!sandboxReady_) {
    if (std::chrono::steady_clock::now() < nextPendingRetry_ || !setUpSandbox()) {
      writeStatus();
      return true;
    }
  }
  bool reproject = false;
  {
    std::lock_guard lock(mu_);
    reproject = reproject_;
    reproject_ = false;
  }
  reproject = tokenRefreshDue() || reproject;
  if (reproject) {
    std::string volume;
    auto r = projectVolumes(&volume);
    if (!r.ok()) {
      recordEvent(ctx_, pod_, "Warning", "FailedMount",
                  mountFailureMessage(volume, r.error().message));
    }
  }

  // Init containers one at a time, in order; each must succeed before the next.
  bool initialized = true;
  const std::string policy = pod_["spec"].value("restartPolicy", "Always");
  for (auto& c : initContainers_) {
    if (c.state == ContainerRun::State::Terminated && c.exitCode == 0 && !c.killing) {
      continue;
    }
    initialized = false;
    if (c.state == ContainerRun::State::Waiting) {
      if (c.everStarted) {
        restartOrBackOff(c);  // a crash loop of an init container backs off too
      } else {
        startContainer(c);
      }
    } else if (c.state == ContainerRun::State::Terminated) {
      if (policy == "Never") {
        terminalPhase_ = "Failed";
      } else {
        restartOrBackOff(c);
      }
    }
    break;
  }
  if (initialized && terminalPhase_.empty()) {
    for (auto& c : containers_) {
      switch (c.state) {
        case ContainerRun::State::Waiting:
          if (c.everStarted) {
            restartOrBackOff(c);
          } else {
            startContainer(c);
          }
          break;
        case ContainerRun::State::Running: runProbes(c); break;
        case ContainerRun::State::Terminated:
          if (shouldRestart(c)) {
            restartOrBackOff(c);
          }
          break;
      }
    }
    std::string phase = computePhase();
    if (phase == "Succeeded" || phase == "Failed") {
      terminalPhase_ = phase;
    }
  }
  if (!terminalPhase_.empty()) {
    // Nothing will run again: give back the namespace and its IP (the status keeps podIP).
    stopAll(graceOf(), false);
    tearDownSandbox();
  }
  writeStatus();
  // A pod that ended needs no thread: the kubelet starts one again if it is deleted.
  return terminalPhase_.empty() || !terminalStatusWritten();
}

bool PodWorker::terminalStatusWritten() const {
  return statusFromBefore_ || lastWritten_.value("phase", "") == terminalPhase_;
}

bool PodWorker::terminate() {
  if (!terminating_) {
    spdlog::info("kubelet: pod {}: deleting (grace {} ms)", podDescription(pod_),
                 graceOf().count());
  }
  stopAll(graceOf(), true);
  tearDownSandbox();
  if (!terminating_ && terminalPhase_.empty() && !statusFromBefore_) {
    // As the kubelet does since 1.27: a deleted pod whose containers are stopped is terminal
    // (Succeeded only if every container exited 0), written before the object goes.
    bool allZero = true;
    for (auto* c : allContainers()) {
      allZero = allZero && (c->state != ContainerRun::State::Terminated || c->exitCode == 0);
    }
    terminalPhase_ = allZero ? "Succeeded" : "Failed";
    writeStatus();
  }
  terminating_ = true;
  ctx_.names->forget(uid_);
  std::error_code ec;
  std::filesystem::remove_all(podDir(), ec);
  std::filesystem::remove_all(logDir(), ec);
  bool deleted = false;
  {
    std::lock_guard lock(mu_);
    deleted = deleted_;
  }
  if (deleted) {
    return true;  // the object is already gone (a forced delete)
  }
  kube::DeleteOptions options;
  options.gracePeriodSeconds = 0;
  options.preconditionUid = uid_;
  const json meta = pod_["metadata"];
  auto r = ctx_.client->remove(kube::resources::kPods, meta.value("namespace", ""),
                               meta.value("name", ""), options);
  if (!r.ok() && !r.is(Errc::NotFound) && !r.is(Errc::Conflict)) {
    // NotFound: gone already; Conflict: the uid precondition names another pod of that name.
    spdlog::warn("kubelet: pod {}: final delete failed (retried): {}", podDescription(pod_),
                 r.error().message);
    return false;
  }
  return true;
}

}  // namespace mysqlop::local::kubelet
