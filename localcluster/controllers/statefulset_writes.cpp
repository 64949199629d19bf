// The StatefulSet controller's writes: pods, claims, adoption and status, each with the Event
// kube-controller-manager records for it.
#include <spdlog/spdlog.h>

#include <cctype>

#include "core/kube/client.h"
#include "core/kube/informer.h"
#include "core/kube/selector.h"
#include "localcluster/controllers/resources.h"
#include "localcluster/controllers/statefulset_controller.h"

namespace mysqlop::local::controllers {

void StatefulSetController::podEvent(const char* verb, const json& set, const std::string& pod,
                                     const Failure* error) {
  std::string v = verb;
  v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  const std::string what =
      std::string(verb) + " Pod " + pod + " in StatefulSet " + metaString(set, "name");
  if (error == nullptr) {
    recordEvent(events_, res::kStatefulSets, set, "Normal", "Successful" + v, what + " successful");
  } else {
    recordEvent(events_, res::kStatefulSets, set, "Warning", "Failed" + v,
                what + " failed error: " + error->message);
  }
}

Result<void> StatefulSetController::createPod(const std::string& key, const json& set,
                                              const json& pod) {
  const std::string name = metaString(pod, "name");
  expectations_.expect(key, name);
  auto r = client_.create(res::kPods, pod);
  if (!r.ok()) {
    expectations_.forget(key);
    podEvent("create", set, name, &r.error());
    return r.error();
  }
  podEvent("create", set, name, nullptr);
  spdlog::debug("statefulset {}: created pod {}", key, name);
  return {};
}

Result<void> StatefulSetController::deletePod(const std::string& key, const json& set,
                                              const json& pod) {
  const std::string name = metaString(pod, "name");
  expectations_.expect(key, name + "@" + metaString(pod, "uid"));
  kube::DeleteOptions options;
  options.preconditionUid = metaString(pod, "uid");
  auto r = client_.remove(res::kPods, metaString(pod, "namespace"), name, options);
  if (!r.ok() && !r.is(Errc::NotFound)) {
    expectations_.forget(key);
    podEvent("delete", set, name, &r.error());
    return r;
  }
  podEvent("delete", set, name, nullptr);
  spdlog::debug("statefulset {}: deleted pod {}", key, name);
  return {};
}

Result<void> StatefulSetController::syncClaims(const json& set, const json* pod, int ordinal,
                                               bool inRange) {
  const std::string ns = metaString(set, "namespace");
  for (const auto& ct : set["spec"].value("volumeClaimTemplates", json::array())) {
    const std::string name = claimName(ct, metaString(set, "name"), ordinal);
    auto cached = claims_->store().get(keyOf(ns, name));
    if (!cached) {
      if (!inRange) {
        continue;  // a condemned pod's claim that is already gone stays gone
      }
      json claim = newClaim(set, ct, ordinal);
      setClaimOwnerRefs(claim, set, pod, inRange);
      auto r = client_.create(res::kClaims, claim);
      const std::string what = " Claim " + name + (r.ok() ? " " : " for ") + "Pod " +
                               podName(metaString(set, "name"), ordinal) + " in StatefulSet " +
                               metaString(set, "name");
      if (r.ok()) {
        recordEvent(events_, res::kStatefulSets, set, "Normal", "SuccessfulCreate",
                    "create" + what + " success");
        continue;
      }
      if (r.is(Errc::AlreadyExists)) {
        // The claim exists but the cache has not seen it yet: it may be one that is going away,
        // which no pod may start on. Look again once the cache has it (as Kubernetes, whose
        // StatefulSet controller fails the sync on AlreadyExists), instead of starting the pod.
        return fail(Errc::Conflict, "pvc " + name + " exists but is not in the cache yet");
      }
      recordEvent(events_, res::kStatefulSets, set, "Warning", "FailedCreate",
                  "create" + what + " failed error: " + r.error().message);
      return r.error();
    }
    json claim = parseObject(cached);
    if (isTerminating(claim) && inRange) {
      // StatefulSet refuses to start a pod on a claim that is going away (it would lose it).
      Failure f = fail(Errc::Conflict, "pvc " + name + " is being deleted");
      podEvent("create", set, podName(metaString(set, "name"), ordinal), &f);
      return f;
    }
    if (setClaimOwnerRefs(claim, set, pod, inRange)) {
      auto r = client_.update(res::kClaims, claim);
      if (!r.ok()) {
        return r.error();
      }
    }
  }
  return {};
}

Result<void> StatefulSetController::adoptOrphans(const json& set) {
  // kubernetes ClaimPods: a pod of this set's name pattern that the selector picks and nobody
  // controls becomes the set's (for example after a delete with propagation Orphan).
  auto selector = kube::LabelSelector::fromJson(set["spec"].value("selector", json()));
  if (!selector.ok() || selector->empty()) {
    return {};
  }
  const std::string ns = metaString(set, "namespace");
  const std::string setName = metaString(set, "name");
  for (const auto& o : pods_->store().list(ns, &*selector)) {
    if (o->controller || ordinalOf(setName, o->name) < 0) {
      continue;
    }
    json pod = parseObject(o);
    if (isTerminating(pod)) {
      continue;
    }
    json& refs = pod["metadata"]["ownerReferences"];
    if (!refs.is_array()) {
      refs = json::array();
    }
    refs.push_back(controllerRef("apps/v1", "StatefulSet", set));
    auto r = client_.update(res::kPods, pod);
    if (!r.ok() && !r.is(Errc::NotFound)) {
      return r.error();
    }
    spdlog::info("statefulset {}/{}: adopted pod {}", ns, setName, o->name);
  }
  return {};
}

Result<void> StatefulSetController::repairIdentity(const json& set, const json& pod, int ordinal) {
  if (isTerminating(pod)) {
    return {};
  }
  const std::string name = metaString(pod, "name");
  const auto labels = labelsOf(pod);
  auto has = [&](const char* key, const std::string& value) {
    auto it = labels.find(key);
    return it != labels.end() && it->second == value;
  };
  if (has("statefulset.kubernetes.io/pod-name", name) &&
      has("apps.kubernetes.io/pod-index", std::to_string(ordinal))) {
    return {};
  }
  json fixed = pod;
  fixed["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = name;
  fixed["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = std::to_string(ordinal);
  auto r = client_.update(res::kPods, fixed);
  if (!r.ok()) {
    podEvent("update", set, name, &r.error());
    return r.error();
  }
  podEvent("update", set, name, nullptr);
  return {};
}

Result<void> StatefulSetController::writeStatus(const json& set, const json& status) {
  json current = set.value("status", json::object());
  json merged = current;
  for (auto it = status.begin(); it != status.end(); ++it) {
    merged[it.key()] = it.value();
  }
  if (merged == current) {
    return {};
  }
  json out = set;
  out["status"] = merged;
  auto r = client_.updateStatus(res::kStatefulSets, out);
  if (!r.ok()) {
    return r.error();
  }
  return {};
}

}  // namespace mysqlop::local::controllers
