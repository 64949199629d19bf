#include "localcluster/apiserver/lifecycle.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "localcluster/apiserver/api_error.h"
#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr const char* kCrdCleanup = "customresourcecleanup.apiextensions.k8s.io";
constexpr const char* kOrphanFinalizer = "orphan";
constexpr const char* kForegroundFinalizer = "foregroundDeletion";
constexpr const char* kNamespacesKey = "/namespaces";
constexpr const char* kCrdsKey = "apiextensions.k8s.io/customresourcedefinitions";

bool deleting(const json& obj) { return obj["metadata"].contains("deletionTimestamp"); }

bool hasFinalizer(const json& obj, const char* f) {
  const json& fin = obj["metadata"].value("finalizers", json::array());
  return std::find(fin.begin(), fin.end(), f) != fin.end();
}

json withoutFinalizer(const json& obj, const char* f) {
  json out = obj;
  json fin = out["metadata"].value("finalizers", json::array());
  fin.erase(std::remove(fin.begin(), fin.end(), f), fin.end());
  out["metadata"]["finalizers"] = fin;
  return out;
}

// The object's ownerReferences, or null; no copy.
const json* ownerRefsOf(const ObjPtr& o) {
  if (!o) {
    return nullptr;
  }
  const auto meta = o->json.find("metadata");
  if (meta == o->json.end() || !meta->is_object()) {
    return nullptr;
  }
  const auto refs = meta->find("ownerReferences");
  return refs == meta->end() || !refs->is_array() || refs->empty() ? nullptr : &*refs;
}

bool ownersChanged(const ChangeEvent& ev) {
  const json* now = ownerRefsOf(ev.object);
  const json* before = ownerRefsOf(ev.previous);
  if (!now || !before) {
    return now != before;
  }
  return *now != *before;
}

// Whether the dependent blocks its owner's foreground deletion (blockOwnerDeletion: true).
bool blocksOwner(const json& dependent, const std::string& ownerUid) {
  for (const auto& r : dependent["metadata"].value("ownerReferences", json::array())) {
    if (r.value("uid", "") == ownerUid && r.value("blockOwnerDeletion", false)) {
      return true;
    }
  }
  return false;
}

// The object without the owner references `drop` says to drop; erases the field when none stay.
json keepOwners(const json& obj, const std::function<bool(const std::string& uid)>& drop) {
  json out = obj;
  json keep = json::array();
  for (const auto& r : obj["metadata"].value("ownerReferences", json::array())) {
    if (!drop(r.value("uid", ""))) {
      keep.push_back(r);
    }
  }
  if (keep.empty()) {
    out["metadata"].erase("ownerReferences");
  } else {
    out["metadata"]["ownerReferences"] = keep;
  }
  return out;
}

}  // namespace

void Lifecycle::start() {
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Lifecycle::stop() {
  stop_ = true;
  store_.wakeAll();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Lifecycle::loop() {
  Store& store = store_;
  std::uint64_t seen = store.floor();
  std::uint64_t wakeGen = store.wakeGeneration();
  bool first = true;
  while (!stop_) {
    // Decide from the changes since the last pass which controllers have work, so that a write
    // of an unrelated object costs no pass at all.
    bool tooOld = false;
    auto events = store.eventsAfter(seen, 100000, &tooOld);
    bool gc = first || tooOld;
    bool structure = gc;  // namespace and CRD cleanup
    for (const auto& ev : events) {
      seen = ev->rv;
      // Status churn (a Modified event without deletion or owner change) wakes neither.
      const bool deletion = ev->type == EventType::Deleted || deleting(ev->object->json);
      gc = gc || deletion || (ev->type != EventType::Deleted && ownersChanged(*ev));
      structure = structure || deletion || ev->key == kNamespacesKey || ev->key == kCrdsKey;
    }
    if (tooOld) {
      seen = store.currentRv();
    }
    first = false;
    try {
      if (structure) {
        namespaces();
        crds();
      }
      if (gc) {
        gcFinalizers();
        collectGarbage();
      }
    } catch (const std::exception& e) {
      spdlog::warn("lifecycle controllers: {}", e.what());
    }
    wakeGen = store.waitForChange(seen, wakeGen, std::chrono::milliseconds(500));
  }
}

void Lifecycle::runOnce() {
  namespaces();
  crds();
  gcFinalizers();
  collectGarbage();
}

void Lifecycle::namespaces() {
  auto nsType = registry_.find("", "v1", "namespaces");
  auto list = store_.list(nsType->storageKey(), "");
  for (const auto& nsObj : list.items) {
    if (!deleting(nsObj->json)) {
      continue;
    }
    std::string ns = metaString(nsObj->json, "name");
    auto contents = store_.objectsInNamespace(ns);
    for (const auto& [key, obj] : contents) {
      if (deleting(obj->json)) {
        continue;
      }
      auto rt = registry_.findByStorageKey(key);
      if (!rt) {
        continue;
      }
      try {
        writer_.remove(*rt, ns, metaString(obj->json, "name"), "Background");
      } catch (const ApiException& e) {
        spdlog::debug("namespace {} cleanup: {}", ns, e.what());
      }
    }
    if (!contents.empty()) {
      continue;
    }
    try {
      writer_.rewrite(*nsType, "", ns, "finalize", [](const json& old) {
        json obj = old;
        json fin = obj["spec"].value("finalizers", json::array());
        fin.erase(std::remove(fin.begin(), fin.end(), "kubernetes"), fin.end());
        obj["spec"]["finalizers"] = fin;
        return obj;
      });
    } catch (const ApiException& e) {
      spdlog::debug("namespace {} finalize: {}", ns, e.what());
    }
  }
}

void Lifecycle::crds() {
  auto crdType = registry_.find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  auto list = store_.list(crdType->storageKey(), "");
  for (const auto& crd : list.items) {
    if (!deleting(crd->json) || !hasFinalizer(crd->json, kCrdCleanup)) {
      continue;
    }
    const json& spec = crd->json["spec"];
    std::string key = spec.value("group", "") + "/" + spec["names"].value("plural", "");
    auto rt = registry_.findByStorageKey(key);
    auto crs = store_.list(key, "");
    if (rt) {
      for (const auto& cr : crs.items) {
        if (deleting(cr->json)) {
          continue;
        }
        try {
          writer_.remove(*rt, metaString(cr->json, "namespace"), metaString(cr->json, "name"),
                         "Background");
        } catch (const ApiException& e) {
          spdlog::debug("CRD cleanup: {}", e.what());
        }
      }
    }
    if (!crs.items.empty()) {
      continue;
    }
    try {
      writer_.rewrite(*crdType, "", metaString(crd->json, "name"), "",
                      [](const json& old) { return withoutFinalizer(old, kCrdCleanup); });
    } catch (const ApiException& e) {
      spdlog::debug("CRD finalize: {}", e.what());
    }
  }
}

void Lifecycle::gcFinalizers() {
  for (const ObjectRef& ownerRef : store_.gcFinalizing()) {
    ObjPtr owner = store_.get(ownerRef.key, ownerRef.ns, ownerRef.name);
    auto ownerRt = registry_.findByStorageKey(ownerRef.key);
    if (!owner || !ownerRt || !deleting(owner->json)) {
      continue;
    }
    const bool orphan = hasFinalizer(owner->json, kOrphanFinalizer);
    if (!orphan && !hasFinalizer(owner->json, kForegroundFinalizer)) {
      continue;
    }
    const char* finalizer = orphan ? kOrphanFinalizer : kForegroundFinalizer;
    const std::string uid = metaString(owner->json, "uid");
    try {
      bool blocked = false;
      for (const ObjectRef& dep : store_.dependentsOf(uid)) {
        auto depRt = registry_.findByStorageKey(dep.key);
        ObjPtr depObj = store_.get(dep.key, dep.ns, dep.name);
        if (!depRt || !depObj) {
          continue;
        }
        if (orphan) {
          writer_.rewrite(*depRt, dep.ns, dep.name, "", [&](const json& old) {
            return keepOwners(old, [&](const std::string& u) { return u == uid; });
          });
          continue;
        }
        if (!deleting(depObj->json)) {
          // Foreground all the way down: the dependent waits for its own blocking dependents.
          writer_.remove(*depRt, dep.ns, dep.name, "Foreground");
          depObj = store_.get(dep.key, dep.ns, dep.name);
        }
        blocked = blocked || (depObj && blocksOwner(depObj->json, uid));
      }
      if (!blocked) {
        writer_.rewrite(*ownerRt, ownerRef.ns, ownerRef.name, "",
                        [&](const json& old) { return withoutFinalizer(old, finalizer); });
      }
    } catch (const ApiException& e) {
      spdlog::debug("GC finalizer {} on {}: {}", finalizer, ownerRef.name, e.what());
    }
  }
}

void Lifecycle::collectGarbage() {
  for (const std::string& absent : store_.absentOwners()) {
    for (const ObjectRef& dep : store_.dependentsOf(absent)) {
      ObjPtr obj = store_.get(dep.key, dep.ns, dep.name);
      auto rt = registry_.findByStorageKey(dep.key);
      const json* refs = ownerRefsOf(obj);
      if (!obj || !rt || !refs || deleting(obj->json)) {
        continue;
      }
      std::size_t present = 0;
      for (const auto& r : *refs) {
        present += store_.uidExists(r.value("uid", "")) ? 1 : 0;
      }
      try {
        if (present == 0) {
          writer_.remove(*rt, dep.ns, dep.name, "Background");
        } else {
          writer_.rewrite(*rt, dep.ns, dep.name, "", [&](const json& old) {
            return keepOwners(old, [&](const std::string& u) { return !store_.uidExists(u); });
          });
        }
      } catch (const ApiException& e) {
        spdlog::debug("garbage collection of {}: {}", dep.name, e.what());
      }
    }
  }
}

}  // namespace mysqlop::local
