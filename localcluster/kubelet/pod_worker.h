#pragma once
// One pod's worker: a thread that reconciles the pod object (desired) with its processes and
// namespace (actual), runs its probes and writes its status. Everything but the inbox is touched
// by the worker's thread only, so the pod's state needs no lock.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "localcluster/kubelet/kubelet_internal.h"
#include "localcluster/node/supervisor.h"

namespace mysqlop::local::kubelet {

struct ProbeState {
  int successes = 0;
  int failures = 0;
  SteadyTime next{};  // when it runs next
};

// One container (init or regular) as the worker tracks it.
struct ContainerRun {
  std::string name;
  bool init = false;
  nlohmann::json spec;
  enum class State { Waiting, Running, Terminated } state = State::Waiting;
  std::string waitingReason = "ContainerCreating";
  std::string waitingMessage;
  int restartCount = 0;
  bool everStarted = false;  // spawned at least once (by this worker or before a restart of up)
  std::string containerId;
  SystemTime startedAt{};
  SystemTime finishedAt{};
  SteadyTime finishedSteady{};
  int exitCode = 0;
  int signal = 0;
  std::string exitReason;
  std::string exitMessage;
  std::string terminationFile;  // host file bound at terminationMessagePath for this start
  std::string logPath;          // this start's CRI log
  nlohmann::json lastState = nlohmann::json::object();  // {"terminated": {...}} or {}
  bool ready = false;
  bool started = false;  // the startup probe passed (or there is none) while running
  bool killing = false;  // we stop it: its exit is not a crash
  // Back-off (the kubelet's flowcontrol.Backoff keyed by container).
  bool inBackoffTable = false;
  std::chrono::seconds backoff{0};
  SteadyTime lastRestart{};
  SteadyTime runningSince{};
  ProbeState startup, liveness, readiness;
};

// {"exitCode", "reason", "startedAt", "finishedAt", "containerID", ...} of a terminated container.
nlohmann::json terminatedState(const ContainerRun& c);

class PodWorker {
 public:
  PodWorker(KubeletContext& ctx, nlohmann::json pod);
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  void start();
  // Inbox (any thread).
  void update(nlohmann::json pod);
  void objectDeleted();
  void referencedObjectsChanged();  // a configMap or secret changed: re-project volumes
  void containerExited(const std::string& container, const node::ExitStatus& status);
  // Stops the containers (with the pod's grace) and the namespace; the object is not touched.
  void requestStop();
  // True once the thread ended (pod deleted, or stopped): the kubelet joins and forgets it.
  bool finished() const;
  void join();
  const std::string& uid() const { return uid_; }

 private:
  struct Exit {
    std::string container;
    node::ExitStatus status;
  };

  void run();
  // One reconcile pass; returns false when the worker is done.
  bool syncOnce();
  void drainInbox();
  void applyExit(const Exit& e);

  // pod_setup.cpp
  bool setUpSandbox();   // network, names, volumes; false = not yet (status says why)
  bool finishSandbox();  // after the network: projected volumes, start time
  // False when an image of the pod can never run here (a profile with `unavailable`): those
  // containers wait in ImageNotAvailableLocally with the profile's message, nothing starts.
  bool imagesCanRun();
  bool hostNetwork() const;
  bool terminalStatusWritten() const;
  // Every container that waits shows this reason and message (a sandbox that is not ready).
  void markWaiting(const std::string& reason, const std::string& message);
  // Writes every projected volume (and the token volume); on failure names the volume.
  Result<void> projectVolumes(std::string* failedVolume);
  // service_account_token.cpp: a token of the pod's ServiceAccount bound to the pod (TokenRequest),
  // cached per audience and lifetime, asked again once 80% of its lifetime has passed (as the
  // kubelet's token manager); tokenRefreshDue() says when a cached one must be replaced.
  Result<std::string> serviceAccountToken(const std::string& audience, long long lifetime);
  bool tokenRefreshDue();
  Result<std::string> volumeSourceDir(const nlohmann::json& volume);
  Result<node::SpawnSpec> spawnSpec(ContainerRun& c, std::string* waitingReason);
  void tearDownSandbox();
  std::string podDir() const;
  std::string logDir() const;

  // pod_containers.cpp
  void startContainer(ContainerRun& c);
  // Once per pod and image: a Normal LocalVersion event when the image's tag names another
  // version than the local program of its profile runs.
  void announceLocalVersion(const std::string& image);
  // A terminated container: restart now, or wait in CrashLoopBackOff.
  void restartOrBackOff(ContainerRun& c);
  bool shouldRestart(const ContainerRun& c) const;
  void runProbes(ContainerRun& c);
  void killContainer(ContainerRun& c, const std::string& reason, const std::string& message,
                     std::chrono::milliseconds grace);
  void runPreStop(ContainerRun& c, SteadyTime deadline);
  void stopAll(std::chrono::milliseconds grace, bool preStop);
  // Deletion: stop, tear down, delete the object with grace 0. False when the final delete failed
  // for a reason worth a retry (the worker tries again at its next sync).
  bool terminate();

  // pod_status.cpp
  nlohmann::json computeStatus();
  nlohmann::json containerStatus(const ContainerRun& c) const;
  std::string computePhase() const;
  void writeStatus();
  void seedFromStatus(const nlohmann::json& status);
  nlohmann::json condition(const std::string& type, bool value, const std::string& reason,
                           const std::string& message);

  std::chrono::milliseconds graceOf() const;
  std::vector<ContainerRun*> allContainers();
  ContainerRun* find(const std::string& name);
  void wakeAt(SteadyTime t);

  KubeletContext& ctx_;
  std::string uid_;

  // Inbox.
  mutable std::mutex mu_;
  std::condition_variable cv_;
  nlohmann::json inboxPod_;
  bool hasInboxPod_ = false;
  bool deleted_ = false;
  bool stopRequested_ = false;
  bool reproject_ = false;
  std::deque<Exit> exits_;
  bool finished_ = false;
  std::thread thread_;

  // Worker thread state.
  nlohmann::json pod_;
  std::vector<ContainerRun> initContainers_;
  std::vector<ContainerRun> containers_;
  bool sandboxReady_ = false;
  bool terminating_ = false;
  std::string podIp_;
  std::string netns_;
  std::string preferredIp_;
  SystemTime startTime_{};
  std::string terminalPhase_;  // "Succeeded"/"Failed" once reached: it never changes again
  std::string pendingReason_;  // why the sandbox is not up (an unbound PVC...), for logs
  std::map<std::string, std::string> volumeDirs_;  // volume name -> host directory
  std::map<std::string, std::pair<bool, std::string>> conditionsSeen_;  // type -> value, time
  nlohmann::json lastWritten_;
  bool statusFromBefore_ = false;  // a pod that ended before a restart of up: its status stays
  SteadyTime nextWake_{};
  SteadyTime nextPendingRetry_{};
  struct CachedToken {
    std::string token;
    std::chrono::system_clock::time_point refreshAt;
  };
  std::map<std::string, CachedToken> tokens_;  // "<audience>/<seconds>" -> token (worker thread)
  std::set<std::string> versionsAnnounced_;    // images whose LocalVersion event was recorded
};

}  // namespace mysqlop::local::kubelet
