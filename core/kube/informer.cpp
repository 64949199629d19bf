#include "core/kube/informer.h"

#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "core/kube/status.h"
#include "core/metrics/registry.h"

namespace mysqlop::kube {

using nlohmann::json;

namespace {

std::string metaRV(const json& obj) {
  const auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) {
    return {};
  }
  return m->value("resourceVersion", "");
}

}  // namespace

void Informer::ensureTypeMeta(json& object) const {
  // Items of built-in lists carry no apiVersion/kind; cached objects always do, so that consumers
  // (Event recorders, plugins) can name them.
  if (!object.contains("kind")) {
    object["kind"] = resource_.kind;
  }
  if (!object.contains("apiVersion")) {
    object["apiVersion"] = resource_.apiVersion();
  }
}

Informer::Informer(Client& client, Resource resource, InformerOptions options,
                   metrics::Registry* registry)
    : client_(client),
      resource_(std::move(resource)),
      options_(std::move(options)),
      backoff_(options_.backoffInitial, options_.backoffMax) {
  if (registry) {
    const std::string gr = resource_.groupResource();
    auto& events = registry->counter("mysqlop_informer_events_total",
                                     "Changes delivered by informers to their handlers, by "
                                     "resource and event.",
                                     {"resource", "event"});
    adds_ = events.series({gr, "add"});
    updates_ = events.series({gr, "update"});
    deletes_ = events.series({gr, "delete"});
    relists_ = registry
                   ->counter("mysqlop_informer_lists_total",
                             "Full lists made by informers (the first one and every relist).",
                             {"resource"})
                   .series({gr});
    objects_ =
        registry
            ->gauge("mysqlop_informer_objects", "Objects in each informer's cache.", {"resource"})
            .series({gr});
  }
}

Informer::~Informer() { stop(); }

std::string Informer::watchedNamespace() const {
  return resource_.namespaced ? options_.namespaceName : std::string();
}

std::string Informer::lastResourceVersion() const {
  std::lock_guard<std::mutex> lock(rvMu_);
  return lastRV_;
}

std::string Informer::lastError() const {
  std::lock_guard<std::mutex> lock(rvMu_);
  return lastError_;
}

void Informer::setLastError(const std::string& e) {
  std::lock_guard<std::mutex> lock(rvMu_);
  lastError_ = e;
}

void Informer::setLastResourceVersion(const std::string& rv) {
  if (rv.empty()) {
    return;
  }
  std::lock_guard<std::mutex> lock(rvMu_);
  lastRV_ = rv;
}

void Informer::addHandlers(EventHandlers handlers) {
  std::lock_guard<std::mutex> lock(dispatchMu_);
  if (synced_.load() && handlers.onAdd) {
    for (const ObjectPtr& o : store_.list("")) {
      handlers.onAdd(o);
    }
  }
  handlers_.push_back(std::move(handlers));
}

void Informer::start() {
  if (thread_.joinable()) {
    return;
  }
  stopping_.store(false);
  thread_ = std::thread([this] { run(); });
  if (options_.resyncPeriod.count() > 0) {
    resyncThread_ = std::thread([this] { resyncLoop(); });
  }
}

void Informer::stop() {
  {
    std::lock_guard<std::mutex> lock(stopMu_);
    stopping_.store(true);
  }
  stopCv_.notify_all();
  {
    std::lock_guard<std::mutex> lock(watchMu_);
    if (currentWatch_) {
      currentWatch_->cancel();
    }
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  if (resyncThread_.joinable()) {
    resyncThread_.join();
  }
}

bool Informer::waitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(syncMu_);
  return syncCv_.wait_for(lock, timeout, [this] { return synced_.load(); });
}

bool Informer::sleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(stopMu_);
  return !stopCv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void Informer::deliverAdd(const ObjectPtr& o) {
  if (adds_) {
    adds_->add(1);
  }
  for (const auto& h : handlers_) {
    if (h.onAdd) {
      try {
        h.onAdd(o);
      } catch (const std::exception& e) {
        spdlog::error("informer {}: add handler for {} threw: {}", resource_.groupResource(),
                      o->key(), e.what());
      }
    }
  }
}

void Informer::deliverUpdate(const ObjectPtr& oldObject, const ObjectPtr& newObject) {
  if (updates_) {
    updates_->add(1);
  }
  for (const auto& h : handlers_) {
    if (h.onUpdate) {
      try {
        h.onUpdate(oldObject, newObject);
      } catch (const std::exception& e) {
        spdlog::error("informer {}: update handler for {} threw: {}", resource_.groupResource(),
                      newObject->key(), e.what());
      }
    }
  }
}

void Informer::deliverDelete(const ObjectPtr& o) {
  if (deletes_) {
    deletes_->add(1);
  }
  for (const auto& h : handlers_) {
    if (h.onDelete) {
      try {
        h.onDelete(o);
      } catch (const std::exception& e) {
        spdlog::error("informer {}: delete handler for {} threw: {}", resource_.groupResource(),
                      o->key(), e.what());
      }
    }
  }
}

Result<void> Informer::relist(const std::string& resourceVersion) {
  ListOptions lo;
  lo.labelSelector = options_.labelSelector;
  lo.resourceVersion = resourceVersion;
  // client-go pages the first list (RV=0, which a watch cache serves whole anyway) and a
  // consistent one (RV=""), but not a relist from a known RV, so that it can come from the cache.
  lo.limit = resourceVersion.empty() || resourceVersion == "0" ? options_.pageSize : 0;
  std::map<std::string, ObjectPtr> fresh;
  lists_.fetch_add(1);
  if (relists_) {
    relists_->add(1);
  }
  auto meta = client_.listAll(
      resource_, watchedNamespace(), lo,
      [&](json&& item) {
        ensureTypeMeta(item);
        if (ObjectPtr o = makeCachedObject(item)) {
          std::string key = o->key();
          fresh[std::move(key)] = std::move(o);
        }
      },
      [&] { fresh.clear(); });
  if (!meta.ok()) {
    setLastError(meta.error().message);
    return meta.error();
  }
  setLastError("");
  std::lock_guard<std::mutex> lock(dispatchMu_);
  // Deletions first (objects gone from the list), then adds and changes in key order.
  for (const std::string& key : store_.keys()) {
    if (fresh.find(key) == fresh.end()) {
      if (ObjectPtr old = store_.remove(key)) {
        deliverDelete(old);
      }
    }
  }
  for (auto& [key, o] : fresh) {
    ObjectPtr old = store_.get(key);
    if (!old) {
      store_.upsert(o);
      deliverAdd(o);
    } else if (old->resourceVersion != o->resourceVersion) {
      store_.upsert(o);
      deliverUpdate(old, o);
    }
  }
  if (objects_) {
    objects_->set(static_cast<double>(store_.size()));
  }
  setLastResourceVersion(meta->resourceVersion);
  if (!synced_.load()) {
    {
      std::lock_guard<std::mutex> s(syncMu_);
      synced_.store(true);
    }
    syncCv_.notify_all();
    spdlog::info("informer {}: synced {} objects at resourceVersion {}", resource_.groupResource(),
                 store_.size(), meta->resourceVersion);
  }
  return {};
}

void Informer::handleEvent(const std::string& type, json& object) {
  ensureTypeMeta(object);
  ObjectPtr o = makeCachedObject(object);
  if (!o) {
    spdlog::warn("informer {}: {} event without metadata.name ignored", resource_.groupResource(),
                 type);
    return;
  }
  std::lock_guard<std::mutex> lock(dispatchMu_);
  const std::string key = o->key();
  if (type == "DELETED") {
    if (store_.remove(key)) {
      deliverDelete(o);
    }
  } else {
    ObjectPtr old = store_.get(key);
    if (old && old->resourceVersion == o->resourceVersion) {
      // Already applied (seen in a relist or an earlier watch): never deliver twice.
    } else {
      store_.upsert(o);
      if (old) {
        deliverUpdate(old, o);
      } else {
        deliverAdd(o);
      }
    }
  }
  if (objects_) {
    objects_->set(static_cast<double>(store_.size()));
  }
  setLastResourceVersion(o->resourceVersion);
}

Informer::Next Informer::watchOnce() {
  thread_local std::mt19937 rng(std::random_device{}());
  const int lo = options_.minWatchTimeoutSeconds;
  const int hi = std::max(lo + 1, options_.maxWatchTimeoutSeconds);
  WatchOptions wo;
  wo.labelSelector = options_.labelSelector;
  wo.resourceVersion = lastResourceVersion();
  wo.allowBookmarks = true;
  wo.timeoutSeconds = std::uniform_int_distribution<int>(lo, hi - 1)(rng);
  const std::string gr = resource_.groupResource();
  auto w = client_.watch(resource_, watchedNamespace(), wo);
  if (!w.ok()) {
    if (w.is(Errc::Gone)) {
      spdlog::info("informer {}: watch from {} expired ({}); relisting", gr, wo.resourceVersion,
                   w.error().message);
      return Next::Relist;
    }
    if (isTooLargeResourceVersion(w.error())) {
      spdlog::info("informer {}: {}; relisting", gr, w.error().message);
      return Next::RelistFromScratch;
    }
    const auto delay = backoff_.next();
    setLastError(w.error().message);
    spdlog::warn("informer {}: watch failed: {}; retrying in {} ms", gr, w.error().message,
                 delay.count());
    sleepFor(delay);
    return Next::Watch;
  }
  watches_.fetch_add(1);
  backoff_.reset();
  std::unique_ptr<WatchStream> stream = std::move(w).value();
  {
    std::lock_guard<std::mutex> lock(watchMu_);
    if (stopping_.load()) {
      return Next::Watch;
    }
    currentWatch_ = stream.get();
  }
  Next next = Next::Watch;
  for (;;) {
    WatchEvent ev;
    auto r = stream->next(&ev);
    if (!r.ok()) {
      if (!stopping_.load()) {
        const auto delay = backoff_.next();
        spdlog::warn("informer {}: watch broke: {}; resuming from {} in {} ms", gr,
                     r.error().message, lastResourceVersion(), delay.count());
        sleepFor(delay);
      }
      break;
    }
    if (!*r) {
      break;  // the server ended the watch (timeout): watch again from the last RV
    }
    if (ev.type == "BOOKMARK") {
      setLastResourceVersion(metaRV(*ev.object));
    } else if (ev.type == "ERROR") {
      const ApiError e = parseApiError(ev.object->value("code", 500), ev.object->dump());
      if (e.code == 410 || e.reason == "Expired" || e.reason == "Gone") {
        spdlog::info("informer {}: watch from {} expired ({}); relisting", gr,
                     lastResourceVersion(), e.message);
        next = Next::Relist;
      } else if (isTooLargeResourceVersion(e)) {
        next = Next::RelistFromScratch;
      } else {
        const auto delay = backoff_.next();
        spdlog::warn("informer {}: watch error {}: {}; retrying in {} ms", gr, e.code, e.message,
                     delay.count());
        sleepFor(delay);
      }
      break;
    } else if (ev.type == "ADDED" || ev.type == "MODIFIED" || ev.type == "DELETED") {
      handleEvent(ev.type, *ev.object);
    } else {
      spdlog::warn("informer {}: unknown watch event type \"{}\" ignored", gr, ev.type);
    }
  }
  {
    std::lock_guard<std::mutex> lock(watchMu_);
    currentWatch_ = nullptr;
  }
  return next;
}

void Informer::run() {
  const std::string gr = resource_.groupResource();
  // What the next list asks for: "0" first (any state, servable from a cache), the last seen RV
  // after a 410 (not older than it), "" (the current state) when that RV is unavailable too.
  std::string listRV = "0";
  bool needList = true;
  while (!stopping_.load()) {
    if (needList) {
      auto r = relist(listRV);
      if (!r.ok()) {
        if (stopping_.load()) {
          break;
        }
        if ((r.is(Errc::Gone) || isTooLargeResourceVersion(r.error())) && !listRV.empty()) {
          spdlog::info(
              "informer {}: list at resourceVersion {} failed ({}); listing the current "
              "state",
              gr, listRV, r.error().message);
          listRV.clear();
          continue;
        }
        const auto delay = backoff_.next();
        spdlog::warn("informer {}: list failed: {}; retrying in {} ms", gr, r.error().message,
                     delay.count());
        sleepFor(delay);
        continue;
      }
      needList = false;
    }
    switch (watchOnce()) {
      case Next::Watch: break;
      case Next::Relist:
        needList = true;
        listRV = lastResourceVersion();
        break;
      case Next::RelistFromScratch:
        needList = true;
        listRV.clear();
        break;
    }
  }
}

void Informer::resyncLoop() {
  while (sleepFor(options_.resyncPeriod)) {
    std::lock_guard<std::mutex> lock(dispatchMu_);
    for (const ObjectPtr& o : store_.list("")) {
      deliverUpdate(o, o);
    }
  }
}

}  // namespace mysqlop::kube
