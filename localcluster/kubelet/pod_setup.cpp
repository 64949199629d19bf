// A pod's sandbox: its network namespace, its /etc/hosts and resolv.conf, its volumes, and the
// SpawnSpec of each of its containers.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "core/kube/client.h"
#include "localcluster/kubelet/pod_worker.h"
#include "localcluster/kubelet/termination_message.h"
#include "localcluster/node/network.h"
#include "localcluster/proxy/names.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
// Not a valid volume name (a DNS label has no dot), so it never meets a volume of the pod.
constexpr const char* kServiceAccountVolume = ".kube-api-access";

std::string readFile(const std::string& path) {
  if (path.empty()) {
    return "";
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool isProjectedSource(const json& volume) {
  return volume.contains("configMap") || volume.contains("secret") ||
         volume.contains("downwardAPI") || volume.contains("projected");
}

// The token volume is mounted unless the pod opts out or a container mounts that path itself.
bool automountToken(const json& pod) {
  const json spec = pod.value("spec", json::object());
  if (spec.contains("automountServiceAccountToken") &&
      spec["automountServiceAccountToken"].is_boolean()) {
    return spec["automountServiceAccountToken"].get<bool>();
  }
  return true;
}

// $(VAR) in subPathExpr from the container's environment.
std::string expandVars(const std::string& s, const std::map<std::string, std::string>& env) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '(') {
      auto close = s.find(')', i + 2);
      if (close != std::string::npos) {
        auto it = env.find(s.substr(i + 2, close - i - 2));
        if (it != env.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

std::string PodWorker::podDir() const { return ctx_.options.dataDir + "/pods/" + uid_; }

std::string PodWorker::logDir() const {
  const json meta = pod_.value("metadata", json::object());
  return ctx_.options.dataDir + "/pods/" + meta.value("namespace", "") + "_" +
         meta.value("name", "") + "_" + uid_;
}

// The pod as env and downward-API volumes see it: with the IPs this worker knows already (the
// status in the API may not carry them yet).
static json podView(const json& pod, const std::string& podIp, const std::string& hostIp,
                    const std::string& nodeName) {
  json view = pod;
  if (!podIp.empty()) {
    view["status"]["podIP"] = podIp;
    view["status"]["podIPs"] = json::array({{{"ip", podIp}}});
  }
  view["status"]["hostIP"] = hostIp;
  view["spec"]["nodeName"] = nodeName;
  return view;
}

Result<std::string> PodWorker::volumeSourceDir(const json& volume) {
  const std::string name = volume.value("name", "");
  const std::string ns = pod_["metadata"].value("namespace", "");
  const std::string own = podDir() + "/volumes/" + name;
  if (volume.contains("emptyDir") || isProjectedSource(volume)) {
    return own;
  }
  if (volume.contains("hostPath")) {
    const json& hp = volume["hostPath"];
    std::string path = hp.value("path", "");
    std::string type = hp.value("type", "");
    if (type == "DirectoryOrCreate") {
      std::error_code ec;
      fs::create_directories(path, ec);
    }
    if (!fs::exists(path)) {
      return fail(Errc::NotFound, "hostPath " + path + " does not exist");
    }
    return path;
  }
  if (volume.contains("persistentVolumeClaim")) {
    std::string claim = volume["persistentVolumeClaim"].value("claimName", "");
    auto pvc = ctx_.client->get(res::kPvcs, ns, claim);
    if (pvc.is(Errc::NotFound)) {
      return fail(Errc::Unavailable, "persistentvolumeclaim \"" + claim + "\" not found");
    }
    if (!pvc.ok()) {
      return fail(Errc::Unavailable, pvc.error().message);
    }
    std::string phase = pvc->value("status", json::object()).value("phase", "Pending");
    std::string pvName = pvc->value("spec", json::object()).value("volumeName", "");
    if (phase != "Bound" || pvName.empty()) {
      return fail(Errc::Unavailable, "persistentvolumeclaim \"" + claim +
                                         "\" is not bound (phase " + phase +
                                         "): waiting for the provisioner");
    }
    auto pv = ctx_.client->get(res::kPvs, "", pvName);
    if (!pv.ok()) {
      return fail(Errc::Unavailable, "persistentvolume \"" + pvName + "\" of claim \"" + claim +
                                         "\": " + pv.error().message);
    }
    const json spec = pv->value("spec", json::object());
    std::string path = spec.value("hostPath", json::object()).value("path", "");
    if (path.empty()) {
      path = spec.value("local", json::object()).value("path", "");
    }
    if (path.empty()) {
      return fail(Errc::Invalid, "persistentvolume \"" + pvName +
                                     "\" has neither hostPath nor local: the local kubelet mounts "
                                     "only directories");
    }
    std::error_code ec;
    fs::create_directories(path, ec);
    return path;
  }
  return fail(Errc::Invalid, "volume \"" + name +
                                 "\": its type is not supported by the local kubelet (emptyDir, "
                                 "hostPath, configMap, secret, downwardAPI, projected, "
                                 "persistentVolumeClaim are)");
}

Result<void> PodWorker::projectVolumes(std::string* failedVolume) {
  ServiceAccountFiles sa{"", readFile(ctx_.options.caCertPath), nullptr};
  sa.tokenFor = [this](const std::string& audience, long long lifetime) {
    return serviceAccountToken(audience, lifetime);
  };
  json view = podView(pod_, podIp_, ctx_.hostIp, ctx_.options.nodeName);
  Lookups lookups = ctx_.lookups(view);
  for (const auto& v : pod_["spec"].value("volumes", json::array())) {
    if (!isProjectedSource(v)) {
      continue;
    }
    *failedVolume = v.value("name", "");
    auto files = projectVolume(v, view, lookups, sa);
    if (!files.ok()) {
      return files.error();
    }
    auto w = writeAtomically(volumeDirs_[v.value("name", "")], *files);
    if (!w.ok()) {
      return w.error();
    }
  }
  if (automountToken(pod_)) {
    // What the ServiceAccount admission plugin would add (kube-api-access-*), projected here.
    *failedVolume = kServiceAccountVolume;
    auto files = projectVolume(serviceAccountVolume(kServiceAccountVolume), view, lookups, sa);
    if (!files.ok()) {
      return files.error();
    }
    auto w = writeAtomically(volumeDirs_[kServiceAccountVolume], *files);
    if (!w.ok()) {
      return w.error();
    }
  }
  return {};
}

void PodWorker::markWaiting(const std::string& reason, const std::string& message) {
  for (auto* c : allContainers()) {
    if (c->state == ContainerRun::State::Waiting) {
      c->waitingReason = reason;
      c->waitingMessage = message;
    }
  }
}

bool PodWorker::imagesCanRun() {
  // Checked before anything starts: running the init containers first would only show their own
  // failures (a sidecar cannot initialise a MySQL server that will never run) instead of why.
  std::string first;
  for (auto* c : allContainers()) {
    const std::string image = c->spec.value("image", "");
    const ImageProfile* profile = ctx_.profiles->find(image);
    if (profile == nullptr || profile->unavailable.empty()) {
      continue;
    }
    c->waitingReason = "ImageNotAvailableLocally";
    c->waitingMessage = "image \"" + image + "\" is not available locally: " + profile->unavailable;
    if (first.empty()) {
      first = c->waitingMessage;
    }
  }
  if (first.empty()) {
    return true;
  }
  if (first != pendingReason_) {
    recordEvent(ctx_, pod_, "Warning", "Failed", "Error: " + first);
  }
  pendingReason_ = first;
  nextPendingRetry_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  return false;
}

bool PodWorker::setUpSandbox() {
  if (!imagesCanRun()) {
    return false;
  }
  // Volumes first: a pod whose claim is not bound yet should not hold an IP while it waits.
  volumeDirs_.clear();
  for (const auto& v : pod_["spec"].value("volumes", json::array())) {
    auto dir = volumeSourceDir(v);
    if (!dir.ok()) {
      bool waitForIt = dir.is(Errc::Unavailable);
      std::string message = "Unable to attach or mount volumes: volume \"" + v.value("name", "") +
                            "\": " + dir.error().message;
      if (message != pendingReason_) {
        recordEvent(ctx_, pod_, "Warning", "FailedMount", message);
      }
      pendingReason_ = message;
      markWaiting(waitForIt ? "ContainerCreating" : "CreateContainerConfigError",
                  waitForIt ? "" : dir.error().message);
      nextPendingRetry_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      return false;
    }
    volumeDirs_[v.value("name", "")] = *dir;
    std::error_code ec;
    fs::create_directories(*dir, ec);
  }
  if (automountToken(pod_)) {
    volumeDirs_[kServiceAccountVolume] = podDir() + "/volumes/" + kServiceAccountVolume;
    std::error_code ec;
    fs::create_directories(volumeDirs_[kServiceAccountVolume], ec);
  }

  if (hostNetwork()) {
    // The host's network namespace: the pod's IP is the node's, as on a real node.
    podIp_ = ctx_.hostIp;
    netns_.clear();
    return finishSandbox();
  }
  auto net = ctx_.network->addPod(uid_, preferredIp_);
  if (!net.ok()) {
    std::string message = "Failed to create pod sandbox: " + net.error().message;
    if (message != pendingReason_) {
      recordEvent(ctx_, pod_, "Warning", "FailedCreatePodSandBox", message);
    }
    pendingReason_ = message;
    nextPendingRetry_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    return false;
  }
  podIp_ = net->ip;
  netns_ = net->netns;
  preferredIp_ = podIp_;
  return finishSandbox();
}

bool PodWorker::hostNetwork() const {
  const json spec = pod_.value("spec", json::object());
  return spec.contains("hostNetwork") && spec["hostNetwork"].is_boolean() &&
         spec["hostNetwork"].get<bool>();
}

bool PodWorker::finishSandbox() {
  std::string volume;
  auto projected = projectVolumes(&volume);
  if (!projected.ok()) {
    // The event as the kubelet's volume manager words it; the containers wait with the cause.
    std::string message = projected.error().message;
    std::string event = mountFailureMessage(volume, message);
    if (event != pendingReason_) {
      recordEvent(ctx_, pod_, "Warning", "FailedMount", event);
    }
    pendingReason_ = event;
    markWaiting("CreateContainerConfigError", message);
    nextPendingRetry_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    return false;
  }
  if (startTime_ == SystemTime{}) {
    startTime_ = std::chrono::system_clock::now();
  }
  pendingReason_.clear();
  sandboxReady_ = true;
  for (auto* c : allContainers()) {
    if (c->state == ContainerRun::State::Waiting && c->waitingReason == "ContainerCreating") {
      c->waitingMessage.clear();
    }
  }
  return true;
}

Result<node::SpawnSpec> PodWorker::spawnSpec(ContainerRun& c, std::string* waitingReason) {
  const std::string image = c.spec.value("image", "");
  const ImageProfile* profile = ctx_.profiles->find(image);
  if (profile == nullptr) {
    *waitingReason = "ImageNotAvailableLocally";
    return fail(Errc::NotFound,
                "image \"" + image + "\" has no profile in " + ctx_.profiles->filesForMessage());
  }
  if (!profile->unavailable.empty()) {
    *waitingReason = "ImageNotAvailableLocally";
    return fail(Errc::NotFound,
                "image \"" + image + "\" is not available locally: " + profile->unavailable);
  }
  json view = podView(pod_, podIp_, ctx_.hostIp, ctx_.options.nodeName);
  auto env = resolveEnv(view, c.spec, *profile, ctx_.lookups(view));
  if (!env.ok()) {
    *waitingReason = "CreateContainerConfigError";
    return env.error();
  }
  // The in-cluster environment the kubelet adds for the kubernetes Service; the container's own
  // variables win.
  if (!ctx_.options.kubernetesServiceHost.empty()) {
    const std::string host = ctx_.options.kubernetesServiceHost;
    const std::string port = std::to_string(ctx_.options.kubernetesServicePort);
    env->emplace("KUBERNETES_SERVICE_HOST", host);
    env->emplace("KUBERNETES_SERVICE_PORT", port);
    env->emplace("KUBERNETES_SERVICE_PORT_HTTPS", port);
    env->emplace("KUBERNETES_PORT", "tcp://" + host + ":" + port);
    env->emplace("KUBERNETES_PORT_" + port + "_TCP", "tcp://" + host + ":" + port);
    env->emplace("KUBERNETES_PORT_" + port + "_TCP_PROTO", "tcp");
    env->emplace("KUBERNETES_PORT_" + port + "_TCP_PORT", port);
    env->emplace("KUBERNETES_PORT_" + port + "_TCP_ADDR", host);
  }
  const json spec = pod_.value("spec", json::object());
  std::string hostname = spec.value("hostname", "");
  if (hostname.empty()) {
    hostname = pod_["metadata"].value("name", "");
  }
  if (hostname.size() > 63) {
    hostname = hostname.substr(0, 63);
  }
  env->emplace("HOSTNAME", hostname);
  env->emplace("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

  node::SpawnSpec s;
  s.key = uid_ + "/" + c.name;
  s.argv = resolveArgv(c.spec, *profile, *env);
  if (s.argv.empty()) {
    *waitingReason = "CreateContainerConfigError";
    return fail(Errc::Invalid, "container \"" + c.name +
                                   "\" has no command and the profile of image \"" + image +
                                   "\" (" + profile->source + ") has no entrypoint");
  }
  for (const auto& [k, v] : *env) {
    s.env.push_back(k + "=" + v);
  }
  s.workingDir = c.spec.value("workingDir", profile->workingDir);
  s.netns = netns_;
  s.hostname = hostname;
  for (const auto& [source, target] : profile->readOnlyBinds) {
    s.binds.push_back({source, target, true});
  }
  // Fresh at every start, as a new container's writable layer; before the volume mounts, which
  // win at the same path.
  for (size_t i = 0; i < profile->scratchDirs.size(); ++i) {
    const std::string dir = podDir() + "/scratch/" + c.name + "/" + std::to_string(i);
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::all | fs::perms::sticky_bit, ec);
    if (ec) {
      *waitingReason = "CreateContainerConfigError";
      return fail(Errc::Unavailable, "cannot make the scratch directory " + dir + " for " +
                                         profile->scratchDirs[i] + ": " + ec.message());
    }
    s.binds.push_back({dir, profile->scratchDirs[i], false});
  }
  bool ownServiceAccountMount = false;
  for (const auto& m : c.spec.value("volumeMounts", json::array())) {
    std::string name = m.value("name", "");
    auto it = volumeDirs_.find(name);
    if (it == volumeDirs_.end()) {
      *waitingReason = "CreateContainerConfigError";
      return fail(Errc::Invalid,
                  "cannot find volume \"" + name + "\" to mount into container \"" + c.name + "\"");
    }
    std::string source = it->second;
    std::string sub = m.value("subPath", "");
    if (m.contains("subPathExpr")) {
      sub = expandVars(m.value("subPathExpr", ""), *env);
    }
    if (!sub.empty()) {
      if (sub.find("..") != std::string::npos || sub[0] == '/') {
        *waitingReason = "CreateContainerConfigError";
        return fail(Errc::Invalid, "subPath \"" + sub + "\" must be a relative path without '..'");
      }
      source += "/" + sub;
      std::error_code ec;
      if (!fs::exists(source)) {
        fs::create_directories(source, ec);  // the kubelet creates a missing subPath directory
      }
    }
    std::string target = m.value("mountPath", "");
    ownServiceAccountMount = ownServiceAccountMount || target == kServiceAccountPath;
    s.binds.push_back({source, target, m.value("readOnly", false)});
  }
  if (automountToken(pod_) && !ownServiceAccountMount) {
    s.binds.push_back({volumeDirs_[kServiceAccountVolume], kServiceAccountPath, true});
  }
  auto files = ctx_.names->filesFor(view, podIp_);
  if (!files.ok()) {
    *waitingReason = "CreateContainerConfigError";
    return files.error();
  }
  s.binds.push_back({files->hosts, "/etc/hosts", false});
  s.binds.push_back({files->resolvConf, "/etc/resolv.conf", false});
  // The termination-message file: an empty one of its own at every start, read when it exits
  // (termination_message.h).
  {
    const std::string dir = podDir() + "/termination/" + c.name;
    const std::string file = dir + "/" + std::to_string(c.restartCount);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !std::ofstream(file, std::ios::trunc)) {
      *waitingReason = "CreateContainerConfigError";
      return fail(Errc::Unavailable, "cannot make the termination-message file " + file);
    }
    c.terminationFile = file;
    s.binds.push_back({file, terminationMessagePath(c.spec), false});
  }
  // The container's root is the host's /: a target under a symlink (/var/run -> /run) must be
  // given resolved, bwrap does not create directories through symlinks.
  for (auto& b : s.binds) {
    std::error_code ec;
    auto resolved = fs::weakly_canonical(b.target, ec);
    if (!ec) {
      b.target = resolved.string();
    }
  }
  std::string dir = logDir() + "/" + c.name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  s.logPath = dir + "/" + std::to_string(c.restartCount) + ".log";
  c.logPath = s.logPath;
  return s;
}

void PodWorker::tearDownSandbox() {
  if (hostNetwork()) {
    sandboxReady_ = false;
    return;
  }
  auto r = ctx_.network->removePod(uid_);
  if (!r.ok()) {
    spdlog::warn("kubelet: pod {}: network not removed: {}", podDescription(pod_),
                 r.error().message);
  }
  sandboxReady_ = false;
}

}  // namespace mysqlop::local::kubelet
