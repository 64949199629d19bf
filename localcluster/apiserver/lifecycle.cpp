#include "localcluster/apiserver/lifecycle.h"

#include <spdlog/spdlog.h>

#include <set>
#include <unordered_map>
#include <unordered_set>

#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr const char* kCrdCleanup = "customresourcecleanup.apiextensions.k8s.io";

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

struct Ref {
  ResourceTypePtr rt;
  std::string ns;
  std::string name;
};

}  // namespace

void Lifecycle::start() {
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Lifecycle::stop() {
  stop_ = true;
  server_.store().wakeAll();
  if (thread_.joinable()) {
    thread_.join();
  }
}

namespace {

bool ownersChanged(const ChangeEvent& ev) {
  auto refs = [](const ObjPtr& o) {
    return o ? o->json["metadata"].value("ownerReferences", json::array()) : json::array();
  };
  return refs(ev.object) != refs(ev.previous);
}

}  // namespace

void Lifecycle::loop() {
  Store& store = server_.store();
  std::uint64_t seen = store.floor();
  std::uint64_t wakeGen = store.wakeGeneration();
  bool first = true;
  while (!stop_) {
    // Decide from the changes since the last pass which controllers have work, so that a write
    // of an unrelated object costs no scan of the whole store.
    bool tooOld = false;
    auto events = store.eventsAfter(seen, 100000, &tooOld);
    bool gc = first || tooOld;
    for (const auto& ev : events) {
      seen = ev->rv;
      const json& obj = ev->object->json;
      gc = gc || ev->type == EventType::Deleted || deleting(obj) ||
           (ev->type != EventType::Deleted && ownersChanged(*ev));
    }
    if (tooOld) {
      seen = store.currentRv();
    }
    first = false;
    if (!events.empty() || gc) {
      try {
        namespaces();
        crds();
        if (gc) {
          gcFinalizers();
          collectGarbage();
        }
      } catch (const std::exception& e) {
        spdlog::warn("lifecycle controllers: {}", e.what());
      }
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
  auto nsType = server_.registry().find("", "v1", "namespaces");
  auto list = server_.store().list(nsType->storageKey(), "");
  for (const auto& nsObj : list.items) {
    if (!deleting(nsObj->json)) {
      continue;
    }
    std::string ns = metaString(nsObj->json, "name");
    auto contents = server_.store().objectsInNamespace(ns);
    for (const auto& [key, obj] : contents) {
      if (deleting(obj->json)) {
        continue;
      }
      auto rt = server_.registry().findByStorageKey(key);
      if (!rt) {
        continue;
      }
      try {
        ApiServer::DeleteOptions opts;
        opts.propagationPolicy = "Background";
        server_.doDelete(*rt, ns, metaString(obj->json, "name"), opts);
      } catch (const ApiException& e) {
        spdlog::debug("namespace {} cleanup: {}", ns, e.what());
      }
    }
    if (!contents.empty()) {
      continue;
    }
    try {
      server_.doUpdate(
          *nsType, "", ns, "finalize",
          [](const json& old) {
            json obj = old;
            json fin = obj["spec"].value("finalizers", json::array());
            fin.erase(std::remove(fin.begin(), fin.end(), "kubernetes"), fin.end());
            obj["spec"]["finalizers"] = fin;
            return obj;
          },
          false, false, "");
    } catch (const ApiException& e) {
      spdlog::debug("namespace {} finalize: {}", ns, e.what());
    }
  }
}

void Lifecycle::crds() {
  auto crdType = server_.registry().find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  auto list = server_.store().list(crdType->storageKey(), "");
  for (const auto& crd : list.items) {
    if (!deleting(crd->json) || !hasFinalizer(crd->json, kCrdCleanup)) {
      continue;
    }
    const json& spec = crd->json["spec"];
    std::string key = spec.value("group", "") + "/" + spec["names"].value("plural", "");
    auto rt = server_.registry().findByStorageKey(key);
    auto crs = server_.store().list(key, "");
    if (rt) {
      for (const auto& cr : crs.items) {
        if (deleting(cr->json)) {
          continue;
        }
        try {
          ApiServer::DeleteOptions opts;
          opts.propagationPolicy = "Background";
          server_.doDelete(*rt, metaString(cr->json, "namespace"), metaString(cr->json, "name"),
                           opts);
        } catch (const ApiException& e) {
          spdlog::debug("CRD cleanup: {}", e.what());
        }
      }
    }
    if (!crs.items.empty()) {
      continue;
    }
    try {
      server_.doUpdate(
          *crdType, "", metaString(crd->json, "name"), "",
          [](const json& old) { return withoutFinalizer(old, kCrdCleanup); }, false, false, "");
    } catch (const ApiException& e) {
      spdlog::debug("CRD finalize: {}", e.what());
    }
  }
}

void Lifecycle::gcFinalizers() {
  // Owners being deleted with a GC finalizer, and every object's owner references.
  std::vector<std::pair<Ref, ObjPtr>> owners;
  std::unordered_map<std::string, std::vector<std::pair<Ref, ObjPtr>>> dependents;
  for (const auto& rt : server_.registry().all()) {
    for (const auto& o : server_.store().list(rt->storageKey(), "").items) {
      const json& meta = o->json["metadata"];
      Ref ref{rt, meta.value("namespace", ""), meta.value("name", "")};
      if (deleting(o->json) &&
          (hasFinalizer(o->json, "orphan") || hasFinalizer(o->json, "foregroundDeletion"))) {
        owners.emplace_back(ref, o);
      }
      for (const auto& owner : meta.value("ownerReferences", json::array())) {
        dependents[owner.value("uid", "")].emplace_back(ref, o);
      }
    }
  }
  for (const auto& [owner, obj] : owners) {
    std::string uid = metaString(obj->json, "uid");
    auto& deps = dependents[uid];
    const char* finalizer = hasFinalizer(obj->json, "orphan") ? "orphan" : "foregroundDeletion";
    try {
      for (const auto& [dep, depObj] : deps) {
        if (std::string(finalizer) == "orphan") {
          server_.doUpdate(
              *dep.rt, dep.ns, dep.name, "",
              [&](const json& old) {
                json out = old;
                json refs = json::array();
                for (const auto& r : old["metadata"].value("ownerReferences", json::array())) {
                  if (r.value("uid", "") != uid) {
                    refs.push_back(r);
                  }
                }
                if (refs.empty()) {
                  out["metadata"].erase("ownerReferences");
                } else {
                  out["metadata"]["ownerReferences"] = refs;
                }
                return out;
              },
              false, false, "");
        } else if (!deleting(depObj->json)) {
          ApiServer::DeleteOptions opts;
          opts.propagationPolicy = "Foreground";
          server_.doDelete(*dep.rt, dep.ns, dep.name, opts);
        }
      }
      if (std::string(finalizer) == "orphan" || deps.empty()) {
        server_.doUpdate(
            *owner.rt, owner.ns, owner.name, "",
            [&](const json& old) { return withoutFinalizer(old, finalizer); }, false, false, "");
      }
    } catch (const ApiException& e) {
      spdlog::debug("GC finalizer {} on {}: {}", finalizer, owner.name, e.what());
    }
  }
}

void Lifecycle::collectGarbage() {
  std::unordered_set<std::string> uids;
  std::vector<std::pair<Ref, ObjPtr>> owned;
  for (const auto& rt : server_.registry().all()) {
    for (const auto& o : server_.store().list(rt->storageKey(), "").items) {
      uids.insert(metaString(o->json, "uid"));
      const json& meta = o->json["metadata"];
      if (meta.contains("ownerReferences") && meta["ownerReferences"].is_array() &&
          !meta["ownerReferences"].empty() && !deleting(o->json)) {
        owned.emplace_back(Ref{rt, meta.value("namespace", ""), meta.value("name", "")}, o);
      }
    }
  }
  for (const auto& [ref, obj] : owned) {
    const json& refs = obj->json["metadata"]["ownerReferences"];
    std::size_t absent = 0;
    for (const auto& r : refs) {
      absent += uids.count(r.value("uid", "")) ? 0 : 1;
    }
    if (absent == 0) {
      continue;
    }
    try {
      if (absent == refs.size()) {
        ApiServer::DeleteOptions opts;
        opts.propagationPolicy = "Background";
        server_.doDelete(*ref.rt, ref.ns, ref.name, opts);
      } else {
        server_.doUpdate(
            *ref.rt, ref.ns, ref.name, "",
            [&](const json& old) {
              json out = old;
              json keep = json::array();
              for (const auto& r : old["metadata"]["ownerReferences"]) {
                if (uids.count(r.value("uid", ""))) {
                  keep.push_back(r);
                }
              }
              out["metadata"]["ownerReferences"] = keep;
              return out;
            },
            false, false, "");
      }
    } catch (const ApiException& e) {
      spdlog::debug("garbage collection of {}: {}", ref.name, e.what());
    }
  }
}

}  // namespace mysqlop::local
