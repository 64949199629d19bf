// The kubelet: informer handlers, the pod workers by uid, the scheduler queue and the node's
// heartbeat (one housekeeping thread).
#include "localcluster/kubelet/kubelet.h"

#include <sys/statfs.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <linux/magic.h>
#include <spdlog/spdlog.h>

#include "core/kube/client.h"
#include "core/kube/event_recorder.h"
#include "core/kube/informer_factory.h"
#include "localcluster/kubelet/kubelet_internal.h"
#include "localcluster/kubelet/node_streams.h"
#include "localcluster/kubelet/pod_worker.h"
#include "localcluster/node/network.h"
#include "localcluster/node/supervisor.h"
#include "localcluster/proxy/names.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;
using std::chrono::seconds;

namespace {

constexpr seconds kLeaseInterval{10};
// The Node's status (Ready's lastHeartbeatTime) is refreshed less often than the Lease, as the
// kubelet does (nodeStatusReportFrequency): every node watcher sees each write.
constexpr seconds kNodeStatusInterval{60};

// Why limits are not enforced on this machine: the unified hierarchy would need a subtree
// delegated to us; a v1 hierarchy belongs to the machine and is never written.
void describeCgroups(KubeletContext& ctx) {
  struct statfs s {};
  bool v2 = statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
  if (v2) {
    ctx.limitsNotEnforcedReason = "CgroupV2NotDelegated";
    ctx.limitsNotEnforcedMessage =
        "resource limits are recorded but not enforced: no cgroup v2 subtree is delegated to "
        "the local cluster";
  } else {
    ctx.limitsNotEnforcedReason = "CgroupV1NotDelegated";
    ctx.limitsNotEnforcedMessage =
        "resource limits are recorded but not enforced: this machine uses cgroup v1 "
        "hierarchies, which belong to the machine and are never written by the local cluster";
  }
}

json parse(const kube::ObjectPtr& o) { return json::parse(o->json); }

}  // namespace

struct Kubelet::Impl {
  // Informer handlers cannot be removed, and the factory may outlive the kubelet: handlers reach
  // the kubelet through this gate, closed by ~Kubelet.
  struct HandlerGate {
    std::mutex mu;
    Impl* impl = nullptr;
    template <class F>
    void with(F&& f) {
      std::lock_guard lock(mu);
      if (impl != nullptr) {
        f(*impl);
      }
    }
  };

  kube::Client& client;
  kube::InformerFactory& informers;
  KubeletContext ctx;
  ImageProfiles profiles;
  LocalVersions localVersions;
  std::unique_ptr<kube::EventRecorder> events;
  std::unique_ptr<node::Supervisor> supervisor;

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::shared_ptr<PodWorker>> workers;  // by pod uid
  std::set<std::string> done;          // uids whose worker ended: later events of them are stale
  std::map<std::string, json> toBind;  // "ns/name" -> pod
  bool running = false;
  bool stopping = false;
  bool handlersAdded = false;
  std::shared_ptr<HandlerGate> gate = std::make_shared<HandlerGate>();
  std::thread housekeeping;
  NodeStreams streams{ctx};

  Impl(kube::Client& c, kube::InformerFactory& f) : client(c), informers(f) {}

  bool ours(const json& pod) const {
    return pod.value("spec", json::object()).value("nodeName", "") == ctx.options.nodeName;
  }

  void onPod(const json& pod) {
    std::string uid = pod["metadata"].value("uid", "");
    std::lock_guard lock(mu);
    if (stopping) {
      return;
    }
    if (wantsScheduling(pod)) {
      toBind[pod["metadata"].value("namespace", "") + "/" + pod["metadata"].value("name", "")] =
          pod;
      cv.notify_all();
      return;
    }
    if (!ours(pod)) {
      return;
    }
    const bool deleting = pod["metadata"].contains("deletionTimestamp");
    auto it = workers.find(uid);
    if (it != workers.end() && it->second->finished()) {
      // Its thread is over (the pod ended): the worker is forgotten now, not at the next tick.
      it->second->join();
      done.insert(uid);
      workers.erase(it);
      it = workers.end();
    }
    if (it != workers.end()) {
      it->second->update(pod);
      return;
    }
    if (done.count(uid) != 0 && !deleting) {
      return;  // ended, and nothing new to do until it is deleted
    }
    done.erase(uid);
    auto worker = std::make_shared<PodWorker>(ctx, pod);
    workers[uid] = worker;
    worker->start();
  }

  void onPodDeleted(const json& pod) {
    std::string uid = pod["metadata"].value("uid", "");
    std::lock_guard lock(mu);
    done.erase(uid);
    toBind.erase(pod["metadata"].value("namespace", "") + "/" + pod["metadata"].value("name", ""));
    auto it = workers.find(uid);
    if (it != workers.end()) {
      it->second->objectDeleted();
    }
  }

  void onReferencedObject() {
    std::lock_guard lock(mu);
    for (auto& [uid, w] : workers) {
      w->referencedObjectsChanged();
    }
  }

  void onExit(const std::string& key, const node::ExitStatus& status) {
    auto slash = key.find('/');
    if (slash == std::string::npos) {
      return;
    }
    std::lock_guard lock(mu);
    auto it = workers.find(key.substr(0, slash));
    if (it != workers.end()) {
      it->second->containerExited(key.substr(slash + 1), status);
    }
  }

  void bindAndBeat(std::map<std::string, json>& bind, SteadyTime& nextLease,
                   SteadyTime& nextStatus) {
    for (auto& [key, pod] : bind) {
      auto r = bindPod(ctx, pod);
      if (!r.ok() && !r.is(Errc::NotFound) && !r.is(Errc::Conflict)) {
        spdlog::warn("kubelet: binding pod {} failed: {}", key, r.error().message);
        std::lock_guard again(mu);
        toBind.emplace(key, pod);  // retried at the next tick
      }
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= nextLease) {
      nextLease = now + kLeaseInterval;
      if (auto r = heartbeatLease(ctx); !r.ok()) {
        spdlog::warn("kubelet: lease not renewed: {}", r.error().message);
      }
    }
    if (now >= nextStatus) {
      nextStatus = now + kNodeStatusInterval;
      if (auto r = heartbeatNodeStatus(ctx); !r.ok()) {
        spdlog::warn("kubelet: node status not written: {}", r.error().message);
      }
    }
  }

  void housekeep() {
    auto nextLease = std::chrono::steady_clock::now() + kLeaseInterval;
    auto nextStatus = std::chrono::steady_clock::now() + kNodeStatusInterval;
    std::unique_lock lock(mu);
    while (!stopping) {
      cv.wait_for(lock, seconds(1), [&] { return stopping || !toBind.empty(); });
      if (stopping) {
        break;
      }
      std::map<std::string, json> bind;
      bind.swap(toBind);
      // Workers that ended: join them off the lock (their thread is over or about to be).
      std::vector<std::shared_ptr<PodWorker>> ended;
      for (auto it = workers.begin(); it != workers.end();) {
        if (it->second->finished()) {
          done.insert(it->first);
          ended.push_back(it->second);
          it = workers.erase(it);
        } else {
          ++it;
        }
      }
      lock.unlock();
      for (auto& w : ended) {
        w->join();
      }
      try {
        bindAndBeat(bind, nextLease, nextStatus);
      } catch (const std::exception& e) {
        // A malformed object must not end the node's heartbeat: log it, go on.
        spdlog::error("kubelet: housekeeping failed: {}", e.what());
      }
      lock.lock();
    }
  }
};

Kubelet::Kubelet(kube::Client& client, kube::InformerFactory& informers, node::Network& network,
                 node::Records& records, names::NameService& names, KubeletOptions options)
    : impl_(std::make_unique<Impl>(client, informers)) {
  impl_->ctx.client = &client;
  impl_->ctx.network = &network;
  impl_->ctx.records = &records;
  impl_->ctx.names = &names;
  impl_->ctx.options = std::move(options);
}

Kubelet::~Kubelet() {
  stop();
  {
    std::lock_guard lock(impl_->gate->mu);
    impl_->gate->impl = nullptr;
  }
  // Before the members its exit callback uses (mu, workers) go; streams see no supervisor.
  impl_->ctx.supervisor = nullptr;
  impl_->supervisor.reset();
}

Result<void> Kubelet::start() {
  Impl& m = *impl_;
  if (m.running) {
    return {};
  }
  auto profiles = ImageProfiles::load(m.ctx.options.imageProfileFiles, {m.ctx.options.binDir});
  if (!profiles.ok()) {
    return profiles.error();
  }
  m.profiles = std::move(*profiles);
  m.ctx.profiles = &m.profiles;
  m.ctx.localVersions = &m.localVersions;
  m.ctx.hostIp = m.ctx.network->subnets().gateway;
  const json capacity = machineCapacity(m.ctx.options.dataDir);
  m.ctx.allocatableCpu = capacity.value("cpu", "");
  m.ctx.allocatableMemory = capacity.value("memory", "");
  m.ctx.allocatableStorage = capacity.value("ephemeral-storage", "");
  describeCgroups(m.ctx);
  kube::EventRecorder::Options eo;
  eo.component = "kubelet";
  eo.host = m.ctx.options.nodeName;
  m.events = std::make_unique<kube::EventRecorder>(m.client, eo);
  m.ctx.events = m.events.get();
  if (m.supervisor == nullptr) {
    m.supervisor = std::make_unique<node::Supervisor>(
        *m.ctx.records,
        [&m](const std::string& key, const node::ExitStatus& status) { m.onExit(key, status); });
  }
  m.ctx.supervisor = m.supervisor.get();

  auto registered = registerNode(m.ctx);
  if (!registered.ok()) {
    return fail(registered.code(),
                "registering node " + m.ctx.options.nodeName + ": " + registered.error().message);
  }
  {
    std::lock_guard lock(m.mu);
    m.stopping = false;
  }
  m.ctx.configMaps = &m.informers.forResource(kube::resources::kConfigMaps);
  m.ctx.secrets = &m.informers.forResource(kube::resources::kSecrets);
  m.ctx.services = &m.informers.forResource(kube::resources::kServices);
  kube::Informer& pods = m.informers.forResource(kube::resources::kPods);
  if (!m.handlersAdded) {
    // Handlers added once: informers cannot remove them, so a start after a stop reuses them.
    m.handlersAdded = true;
    m.gate->impl = &m;
    auto gate = m.gate;
    for (kube::Informer* i : {m.ctx.configMaps, m.ctx.secrets}) {
      i->addHandlers(
          {[gate](const kube::ObjectPtr&) { gate->with([](Impl& k) { k.onReferencedObject(); }); },
           [gate](const kube::ObjectPtr&, const kube::ObjectPtr&) {
             gate->with([](Impl& k) { k.onReferencedObject(); });
           },
           [gate](const kube::ObjectPtr&) {
             gate->with([](Impl& k) { k.onReferencedObject(); });
           }});
    }
    pods.addHandlers(
        {[gate](const kube::ObjectPtr& o) { gate->with([&](Impl& k) { k.onPod(parse(o)); }); },
         [gate](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
           gate->with([&](Impl& k) { k.onPod(parse(o)); });
         },
         [gate](const kube::ObjectPtr& o) {
           gate->with([&](Impl& k) { k.onPodDeleted(parse(o)); });
         }});
  } else {
    // Started again: the pods bound here run again (resume), from the cache.
    for (const auto& o : pods.store().list("")) {
      m.onPod(parse(o));
    }
  }
  m.housekeeping = std::thread([&m] { m.housekeep(); });
  m.informers.start();
  m.running = true;
  spdlog::info("kubelet: node {} ready (host IP {})", m.ctx.options.nodeName, m.ctx.hostIp);
  return {};
}

PodStreams& Kubelet::streams() { return impl_->streams; }

void Kubelet::stop() {
  Impl& m = *impl_;
  if (!m.running) {
    return;
  }
  std::vector<std::shared_ptr<PodWorker>> workers;
  {
    std::lock_guard lock(m.mu);
    m.stopping = true;
    m.cv.notify_all();
    for (auto& [uid, w] : m.workers) {
      workers.push_back(w);
    }
  }
  if (m.housekeeping.joinable()) {
    m.housekeeping.join();
  }
  // Every pod stops in parallel, each with its own grace.
  for (auto& w : workers) {
    w->requestStop();
  }
  for (auto& w : workers) {
    w->join();
  }
  {
    std::lock_guard lock(m.mu);
    m.workers.clear();
    m.done.clear();
    m.toBind.clear();
  }
  // Informer handlers stay registered (informers have no removal); with `stopping` set they do
  // nothing. The supervisor goes last: it kills whatever a worker could not stop.
  m.supervisor->stopAll(std::chrono::seconds(1));
  m.running = false;
}

}  // namespace mysqlop::local::kubelet
