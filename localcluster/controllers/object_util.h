#pragma once
// Small readers and builders of Kubernetes objects shared by the controllers. Objects come from
// the informer caches as compact JSON; a missing or mistyped field reads as unset.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/kube/cached_object.h"
#include "core/kube/event_recorder.h"
#include "core/kube/resource.h"
#include "core/kube/store.h"

namespace mysqlop::local::controllers {

using nlohmann::json;
using SystemTime = std::chrono::system_clock::time_point;

json parseObject(const kube::ObjectPtr& o);

// "namespace/name" and back.
std::string keyOf(const std::string& ns, const std::string& name);
std::pair<std::string, std::string> splitKey(const std::string& key);

std::string rfc3339(SystemTime t);
std::string nowRfc3339();
std::optional<SystemTime> parseRfc3339(const std::string& s);

std::string str(const json& obj, const char* key);
std::string metaString(const json& obj, const char* key);
std::int64_t intField(const json& obj, const char* key, std::int64_t fallback);
std::map<std::string, std::string> labelsOf(const json& obj);

// A controller ownerReference, as NewControllerRef builds it.
json controllerRef(const std::string& apiVersion, const std::string& kind, const json& owner);
// The uid of obj's controller ownerReference ("" if none).
std::string controllerUid(const json& obj);

// Records an Event about obj (of resource res) as kube-controller-manager does; a failure to
// write it is logged, never returned: Events are best effort.
kube::EventRecorder::Options eventOptions(const char* component);
void recordEvent(kube::EventRecorder& recorder, const kube::Resource& res, const json& obj,
                 const char* type, const std::string& reason, const std::string& message);

// Pods.
std::string podPhase(const json& pod);
bool isTerminating(const json& obj);
bool isPodReady(const json& pod);
bool isRunningAndReady(const json& pod);
// When the Ready condition last became True (nullopt when not ready).
std::optional<SystemTime> readySince(const json& pod);

// Sets (or replaces) condition `type` in status.conditions, keeping lastTransitionTime when the
// status did not flip. Returns true if anything changed.
bool setCondition(json& status, const std::string& type, const std::string& conditionStatus,
                  const std::string& reason, const std::string& message);
bool hasTrueCondition(const json& status, const std::string& type);

// Whether a pod expectation still waits on the cache: "name" (a create) waits until the pod is
// there; "name@uid" (a delete) until that pod is gone or terminating.
bool expectationPending(const kube::Store& pods, const std::string& ns, const std::string& entry);

// kube-controller-manager's expectations: names an owner created or deleted and waits to see in
// its cache. An owner with pending expectations is not acted on (its sync would act on a stale
// cache); they expire after `ttl` so that a lost event never blocks an owner forever.
class Expectations {
 public:
  explicit Expectations(std::chrono::seconds ttl = std::chrono::seconds(30)) : ttl_(ttl) {}
  void expect(const std::string& owner, const std::string& entry);
  // Drops what the cache now shows: `pending(entry)` says whether the cache does not show that
  // expectation met yet. True when nothing is pending any more.
  template <class Pending>
  bool satisfied(const std::string& owner, const Pending& pending) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(owner);
    if (it == pending_.end()) {
      return true;
    }
    if (std::chrono::steady_clock::now() - it->second.since > ttl_) {
      pending_.erase(it);
      return true;
    }
    auto& p = it->second;
    for (auto n = p.entries.begin(); n != p.entries.end();) {
      n = pending(*n) ? std::next(n) : p.entries.erase(n);
    }
    if (p.entries.empty()) {
      pending_.erase(it);
      return true;
    }
    return false;
  }
  void forget(const std::string& owner);

 private:
  struct Pending {
    std::set<std::string> entries;
    std::chrono::steady_clock::time_point since;
  };
  Pending& entry(const std::string& owner);

  std::chrono::seconds ttl_;
  std::mutex mu_;
  std::map<std::string, Pending> pending_;
};

}  // namespace mysqlop::local::controllers
