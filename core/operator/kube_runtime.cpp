#include "core/operator/kube_runtime.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <set>

namespace mysqlop {

namespace {

// controller-runtime's default SyncPeriod: cached objects are re-delivered every 10 hours.
constexpr std::chrono::hours kResyncPeriod{10};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) {
    s.pop_back();
  }
  return s;
}

}  // namespace

Result<std::shared_ptr<kube::HttpTransport>> connectKube(const config::OperatorConfig& cfg) {
  auto rc = kube::resolveRestConfig(kube::ConfigSources::fromEnvironment(cfg.kubeconfig));
  if (!rc.ok()) {
    return rc.error();
  }
  auto t = kube::HttpTransport::create(*rc);
  if (!t.ok()) {
    return fail(t.code(), rc->source + ": " + t.error().message);
  }
  spdlog::info("Kubernetes API server {} ({})", rc->server, rc->source);
  return t;
}

std::string leaderElectionNamespace(const config::OperatorConfig& cfg) {
  if (!cfg.leaderElectionNamespace.empty()) {
    return cfg.leaderElectionNamespace;
  }
  for (const char* var : {"KUBE_NAMESPACE", "MY_POD_NAMESPACE"}) {
    if (const char* v = std::getenv(var); v && *v) {
      return v;
    }
  }
  const auto sources = kube::ConfigSources::fromEnvironment("");
  auto ns =
      kube::readFile((std::filesystem::path(sources.serviceAccountDir) / "namespace").string());
  if (ns.ok() && !trim(*ns).empty()) {
    return trim(*ns);
  }
  return "default";
}

KubeRuntime::KubeRuntime(const config::OperatorConfig& cfg,
                         std::shared_ptr<kube::HttpTransport> transport,
                         metrics::Registry& registry)
    : cfg_(cfg), registry_(registry), transport_(std::move(transport)) {
  client_ = std::make_unique<kube::Client>(transport_, &registry_);
  kube::InformerOptions io;
  io.namespaceName = cfg_.watchNamespace;
  io.resyncPeriod = std::chrono::duration_cast<std::chrono::milliseconds>(kResyncPeriod);
  informers_ = std::make_unique<kube::InformerFactory>(*client_, io, &registry_);
  recorder_ =
      std::make_unique<kube::EventRecorder>(*client_, kube::EventRecorder::Options{}, &registry_);
  auto mode = kube::parseEndpointMode(cfg_.mysqlEndpointMode);
  access_ = std::make_unique<kube::KubeClusterAccess>(
      *client_, informers_.get(), recorder_.get(), mode.ok() ? *mode : kube::EndpointMode::PodIp);
}

KubeRuntime::~KubeRuntime() {
  stopElection();
  stopInformers();
}

void KubeRuntime::watchPluginResources(host::PluginManager& plugins) {
  std::set<kube::Resource> seen;
  for (const auto& p : plugins.plugins()) {
    if (!p->created || !p->hasPrimary) {
      continue;
    }
    std::vector<host::ResourceRef> refs = {p->primary};
    refs.insert(refs.end(), p->owned.begin(), p->owned.end());
    refs.insert(refs.end(), p->watches.begin(), p->watches.end());
    for (const host::ResourceRef& ref : refs) {
      const kube::Resource r = kube::toResource(ref);
      if (!seen.insert(r).second) {
        continue;
      }
      kube::Informer& inf = informers_->forResource(r);
      host::PluginManager* pm = &plugins;
      kube::EventHandlers h;
      h.onAdd = [pm, ref](const kube::ObjectPtr& o) { pm->onObjectEvent(ref, o->json); };
      h.onUpdate = [pm, ref](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
        pm->onObjectEvent(ref, o->json);
      };
      h.onDelete = [pm, ref](const kube::ObjectPtr& o) { pm->onObjectEvent(ref, o->json); };
      inf.addHandlers(std::move(h));
      spdlog::info("watching {} ({}){}", r.groupResource(), r.apiVersion(),
                   inf.watchedNamespace().empty() ? std::string()
                                                  : " in namespace " + inf.watchedNamespace());
    }
  }
}

Result<void> KubeRuntime::startInformers(std::chrono::milliseconds syncTimeout) {
  informers_->start();
  if (informers_->waitForCacheSync(syncTimeout)) {
    return {};
  }
  return fail(Errc::Timeout, "informer caches did not sync within " +
                                 std::to_string(syncTimeout.count() / 1000) +
                                 " s: " + unsyncedReport());
}

std::string KubeRuntime::unsyncedReport() const {
  std::string missing;
  for (const kube::Resource& r : informers_->resources()) {
    if (const kube::Informer* i = informers_->find(r); i && !i->hasSynced()) {
      missing.append(missing.empty() ? "" : ", ").append(r.groupResource());
      if (const std::string e = i->lastError(); !e.empty()) {
        missing.append(" (").append(e).append(")");
      }
    }
  }
  return missing;
}

Result<void> KubeRuntime::startElection(std::function<void()> onStartedLeading,
                                        std::function<void()> onLost) {
  if (!cfg_.leaderElection) {
    spdlog::info("leader election is disabled (--leader-election=false)");
    onStartedLeading();
    return {};
  }
  const std::string ns = leaderElectionNamespace(cfg_);
  election::LeaderElectionConfig lc;
  lc.lock = std::make_shared<election::KubeLeaseLock>(*client_, ns, cfg_.leaderElectionId,
                                                      election::defaultIdentity());
  lc.name = cfg_.leaderElectionId;
  lc.onStartedLeading = std::move(onStartedLeading);
  lc.onStoppedLeading = std::move(onLost);
  auto e = election::LeaderElector::create(std::move(lc), &registry_);
  if (!e.ok()) {
    return fail(e.code(), "leader election: " + e.error().message);
  }
  elector_ = std::move(e).value();
  spdlog::info("leader election on Lease {}/{} as {}", ns, cfg_.leaderElectionId,
               elector_->identity());
  elector_->start();
  return {};
}

void KubeRuntime::stopElection() {
  if (elector_) {
    elector_->stop();
  }
}

void KubeRuntime::stopInformers() {
  if (informers_) {
    informers_->stop();
  }
}

}  // namespace mysqlop
