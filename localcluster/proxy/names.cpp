#include "localcluster/proxy/names.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/kube/informer_factory.h"
#include "localcluster/proxy/hosts_render.h"
#include "localcluster/proxy/in_place_file.h"
#include "localcluster/proxy/slices.h"

namespace mysqlop::local::names {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// Rewrites are coalesced: a burst of events (a StatefulSet scaling, slices churning) costs one
// round per 50 ms, not one per event.
constexpr auto kDebounce = std::chrono::milliseconds(50);

std::optional<json> parse(const kube::ObjectPtr& o) {
  auto j = json::parse(o->json, nullptr, false);
  if (j.is_discarded()) {
    return std::nullopt;
  }
  return j;
}

}  // namespace

// Named (not anonymous) because Impl holds them.
namespace detail {

struct TrackedPod {
  PodNames names;
  NameService::Files files;
};

// What informer handlers and the writer share. Handlers hold it by shared_ptr: informers may
// outlive the NameService, and a stopped model ignores their events.
struct Model {
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  std::map<std::string, ServiceNames> services;  // "ns/name"
  // slice "ns/name" -> its Service "ns/svc" and ready addresses.
  std::map<std::string, std::pair<std::string, std::vector<EndpointAddress>>> slices;
  std::map<std::string, TrackedPod> pods;  // by uid
  bool allDirty = false;
  std::set<std::string> dirtyPods;
  NameService::Stats stats;

  ClusterNames clusterLocked() const {
    ClusterNames c;
    for (const auto& [key, s] : services) {
      c.services.push_back(s);
    }
    for (const auto& [key, entry] : slices) {
      auto& v = c.endpoints[entry.first];
      v.insert(v.end(), entry.second.begin(), entry.second.end());
    }
    return c;
  }

  void markAllLocked() {
    allDirty = true;
    cv.notify_all();
  }
};

}  // namespace detail

using detail::Model;
using detail::TrackedPod;

struct NameService::Impl {
  kube::InformerFactory& informers;
  std::string dataDir;
  std::string domain;
  std::shared_ptr<Model> model = std::make_shared<Model>();
  std::mutex writeMu;  // one writer of pod files at a time (filesFor, forget, the worker)
  std::thread worker;
  bool started = false;

  Impl(kube::InformerFactory& f, std::string dir, std::string d)
      : informers(f), dataDir(std::move(dir)), domain(std::move(d)) {}

  void registerHandlers();
  void run();
  void writePod(const TrackedPod& pod, const ClusterNames& cluster, bool* wrote);
};

void NameService::Impl::registerHandlers() {
  std::shared_ptr<Model> m = model;

  auto serviceChanged = [m](const kube::ObjectPtr& o, bool deleted) {
    std::optional<ServiceNames> names;
    if (!deleted) {
      auto j = parse(o);
      if (j) {
        names = serviceNamesFrom(*j);
      }
    }
    std::lock_guard lock(m->mu);
    if (m->stopped) {
      return;
    }
    auto it = m->services.find(o->key());
    if (!names) {
      if (it != m->services.end()) {
        m->services.erase(it);
        m->markAllLocked();
      }
      return;
    }
    if (it == m->services.end() || !(it->second == *names)) {
      m->services[o->key()] = *names;
      m->markAllLocked();
    }
  };
  informers.forResource(kube::resources::kServices)
      .addHandlers(
          {[=](const kube::ObjectPtr& o) { serviceChanged(o, false); },
           [=](const kube::ObjectPtr&, const kube::ObjectPtr& o) { serviceChanged(o, false); },
           [=](const kube::ObjectPtr& o) { serviceChanged(o, true); }});

  auto sliceChanged = [m](const kube::ObjectPtr& o, bool deleted) {
    std::optional<std::pair<std::string, std::vector<EndpointAddress>>> entry;
    if (!deleted) {
      auto j = parse(o);
      std::string svc = j ? sliceServiceName(*j) : "";
      if (!svc.empty()) {
        auto addresses = readyAddressesFrom(*j);
        std::sort(addresses.begin(), addresses.end());
        entry.emplace(o->namespaceName + "/" + svc, std::move(addresses));
      }
    }
    std::lock_guard lock(m->mu);
    if (m->stopped) {
      return;
    }
    auto it = m->slices.find(o->key());
    if (!entry) {
      if (it != m->slices.end()) {
        m->slices.erase(it);
        m->markAllLocked();
      }
      return;
    }
    if (it == m->slices.end() || it->second != *entry) {
      m->slices[o->key()] = std::move(*entry);
      m->markAllLocked();
    }
  };
  informers.forResource(proxy::kEndpointSlices)
      .addHandlers(
          {[=](const kube::ObjectPtr& o) { sliceChanged(o, false); },
           [=](const kube::ObjectPtr&, const kube::ObjectPtr& o) { sliceChanged(o, false); },
           [=](const kube::ObjectPtr& o) { sliceChanged(o, true); }});

  // A tracked pod whose names changed (its IP once assigned, spec.hostAliases cannot change but
  // a recreated informer may deliver a fuller object) is rewritten; other pods are not ours.
  auto podChanged = [m](const kube::ObjectPtr& o) {
    {
      std::lock_guard lock(m->mu);
      if (m->stopped || m->pods.find(o->uid) == m->pods.end()) {
        return;
      }
    }
    auto j = parse(o);
    if (!j) {
      return;
    }
    std::lock_guard lock(m->mu);
    auto it = m->pods.find(o->uid);
    if (it == m->pods.end()) {
      return;
    }
    auto names = podNamesFrom(*j, "");
    if (!names.ok()) {
      names = podNamesFrom(*j, it->second.names.ip);  // no status.podIP yet: keep the given one
    }
    if (names.ok() && !(names.value() == it->second.names)) {
      it->second.names = names.value();
      m->dirtyPods.insert(o->uid);
      m->cv.notify_all();
    }
  };
  informers.forResource(kube::resources::kPods)
      .addHandlers({podChanged,
                    [=](const kube::ObjectPtr&, const kube::ObjectPtr& o) { podChanged(o); },
                    nullptr});
}

void NameService::Impl::writePod(const TrackedPod& pod, const ClusterNames& cluster, bool* wrote) {
  auto r = writeInPlace(pod.files.hosts, renderHosts(pod.names, cluster, domain));
  if (!r.ok()) {
    spdlog::warn("names: pod {}/{}: {}", pod.names.namespaceName, pod.names.name,
                 r.error().message);
    return;
  }
  *wrote = r.value();
}

void NameService::Impl::run() {
  Clock::time_point lastRound{};
  std::unique_lock lock(model->mu);
  for (;;) {
    model->cv.wait(lock,
                   [&] { return model->stopped || model->allDirty || !model->dirtyPods.empty(); });
    if (model->stopped) {
      return;
    }
    auto due = lastRound + kDebounce;
    if (Clock::now() < due && model->cv.wait_until(lock, due, [&] { return model->stopped; })) {
      return;
    }
    // The snapshot is taken under writeMu, so a filesFor() in between cannot be overwritten
    // with an older view (lock order everywhere: writeMu, then model->mu).
    lock.unlock();
    std::uint64_t writes = 0;
    {
      std::lock_guard w(writeMu);
      ClusterNames cluster;
      std::vector<TrackedPod> pods;
      {
        std::lock_guard l(model->mu);
        cluster = model->clusterLocked();
        for (const auto& [uid, pod] : model->pods) {
          if (model->allDirty || model->dirtyPods.count(uid) != 0) {
            pods.push_back(pod);
          }
        }
        model->allDirty = false;
        model->dirtyPods.clear();
      }
      for (const auto& pod : pods) {
        bool wrote = false;
        writePod(pod, cluster, &wrote);
        writes += wrote ? 1 : 0;
      }
    }
    lastRound = Clock::now();
    lock.lock();
    model->stats.renders++;
    model->stats.writes += writes;
  }
}

NameService::NameService(kube::InformerFactory& informers, std::string dataDir,
                         std::string clusterDomain)
    : impl_(std::make_unique<Impl>(informers, std::move(dataDir), std::move(clusterDomain))) {}

NameService::~NameService() { stop(); }

void NameService::start() {
  if (impl_->started) {
    return;
  }
  impl_->started = true;
  impl_->registerHandlers();
  impl_->worker = std::thread([this] { impl_->run(); });
}

void NameService::stop() {
  {
    std::lock_guard lock(impl_->model->mu);
    impl_->model->stopped = true;
    impl_->model->cv.notify_all();
  }
  if (impl_->worker.joinable()) {
    impl_->worker.join();
  }
}

Result<NameService::Files> NameService::filesFor(const json& pod, const std::string& podIp) {
  auto names = podNamesFrom(pod, podIp);
  if (!names.ok()) {
    return names.error();
  }
  std::string uid;
  if (pod["metadata"].contains("uid") && pod["metadata"]["uid"].is_string()) {
    uid = pod["metadata"]["uid"].get<std::string>();
  }
  if (uid.empty()) {
    return fail(Errc::Invalid,
                "pod " + names->namespaceName + "/" + names->name + " has no metadata.uid");
  }
  std::string dir = impl_->dataDir + "/pods/" + uid;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return fail(Errc::Unavailable, "cannot create " + dir + ": " + ec.message());
  }
  TrackedPod tracked{names.value(), Files{dir + "/etc-hosts", dir + "/etc-resolv.conf"}};

  std::lock_guard w(impl_->writeMu);
  ClusterNames cluster;
  {
    std::lock_guard lock(impl_->model->mu);
    impl_->model->pods[uid] = tracked;
    cluster = impl_->model->clusterLocked();
  }
  auto hosts =
      writeInPlace(tracked.files.hosts, renderHosts(tracked.names, cluster, impl_->domain));
  if (!hosts.ok()) {
    return hosts.error();
  }
  auto resolv =
      writeInPlace(tracked.files.resolvConf, renderResolvConf(names->namespaceName, impl_->domain));
  if (!resolv.ok()) {
    return resolv.error();
  }
  return tracked.files;
}

void NameService::forget(const std::string& podUid) {
  std::lock_guard w(impl_->writeMu);
  std::lock_guard lock(impl_->model->mu);
  impl_->model->pods.erase(podUid);
  impl_->model->dirtyPods.erase(podUid);
}

NameService::Stats NameService::stats() const {
  std::lock_guard lock(impl_->model->mu);
  return impl_->model->stats;
}

}  // namespace mysqlop::local::names
