// The StatefulSet sync loop (README.md, "StatefulSet"; kubernetes updateStatefulSet).
#include "localcluster/controllers/statefulset_controller.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/kube/client.h"
#include "core/kube/informer_factory.h"
#include "core/kube/selector.h"
#include "localcluster/controllers/resources.h"

namespace mysqlop::local::controllers {

StatefulSetController::StatefulSetController(kube::Client& client, int workers)
    : Controller("statefulset", workers),
      client_(client),
      events_(client, eventOptions("statefulset-controller")) {}

void StatefulSetController::enqueueOwner(const kube::ObjectPtr& o) {
  if (o && o->controller && o->controller->kind == "StatefulSet") {
    enqueue(keyOf(o->namespaceName, o->controller->name));
  }
}

void StatefulSetController::registerHandlers(kube::InformerFactory& informers) {
  sets_ = cache(informers, res::kStatefulSets);
  pods_ = cache(informers, res::kPods);
  claims_ = cache(informers, res::kClaims);
  revisions_ = cache(informers, res::kControllerRevisions);
  kube::EventHandlers own;
  own.onAdd = [this](const kube::ObjectPtr& o) { enqueue(o->key()); };
  own.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) { enqueue(o->key()); };
  own.onDelete = [this](const kube::ObjectPtr& o) { enqueue(o->key()); };
  sets_->addHandlers(own);
  kube::EventHandlers owned;
  owned.onAdd = [this](const kube::ObjectPtr& o) { enqueueOwner(o); };
  owned.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& o) {
    enqueueOwner(o);
    if (!o->controller || (old->controller && old->controller->uid != o->controller->uid)) {
      enqueueOwner(old);
    }
  };
  owned.onDelete = [this](const kube::ObjectPtr& o) { enqueueOwner(o); };
  pods_->addHandlers(owned);
  revisions_->addHandlers(owned);
  // A claim that goes may be what a set waits for ("pvc ... is being deleted"); claims carry no
  // reference to their set, so the sets of the namespace that would name it are asked.
  kube::EventHandlers claims;
  claims.onDelete = [this](const kube::ObjectPtr& o) {
    for (const auto& s : sets_->store().list(o->namespaceName)) {
      const json set = parseObject(s);
      for (const auto& ct : set["spec"].value("volumeClaimTemplates", json::array())) {
        const std::string prefix = metaString(ct, "name") + "-";
        if (o->name.rfind(prefix, 0) == 0 &&
            ordinalOf(s->name, o->name.substr(prefix.size())) >= 0) {
          enqueue(s->key());
        }
      }
    }
  };
  claims_->addHandlers(claims);
}

namespace {

bool isFinished(const json& pod) {
  const std::string phase = podPhase(pod);
  return phase == "Failed" || phase == "Succeeded";
}

std::string podRevision(const json& pod) {
  const auto labels = labelsOf(pod);
  auto it = labels.find("controller-revision-hash");
  return it == labels.end() ? "" : it->second;
}

}  // namespace

Result<void> StatefulSetController::sync(const std::string& key) {
  auto cached = sets_->store().get(key);
  if (!cached) {
    expectations_.forget(key);
    return {};
  }
  const json set = parseObject(cached);
  if (isTerminating(set)) {
    return {};  // the garbage collector removes what it owns
  }
  const auto [keyNs, setName] = splitKey(key);
  const std::string ns = keyNs;  // a named copy: lambdas below capture it
  const std::string uid = metaString(set, "uid");

  // Wait until the cache shows this controller's own writes.
  const bool settled = expectations_.satisfied(
      key, [&](const std::string& e) { return expectationPending(pods_->store(), ns, e); });
  if (!settled) {
    enqueueAfter(key, std::chrono::seconds(1));
    return {};
  }

  const json& spec = set["spec"];
  const int replicas = static_cast<int>(intField(spec, "replicas", 1));
  // spec.ordinals.start: the ordinals are start .. start+replicas-1.
  const int start = static_cast<int>(intField(spec.value("ordinals", json::object()), "start", 0));
  auto inRange = [&](int ordinal) { return ordinal >= start && ordinal < start + replicas; };
  const bool parallel = str(spec, "podManagementPolicy") == "Parallel";
  const json strategy = spec.value("updateStrategy", json::object());
  const bool rolling = str(strategy, "type") != "OnDelete";
  const int partition = rolling
                            ? static_cast<int>(intField(
                                  strategy.value("rollingUpdate", json::object()), "partition", 0))
                            : 0;
  const std::int64_t minReadySeconds = intField(spec, "minReadySeconds", 0);

  // The pods this set controls, by ordinal.
  std::map<int, json> byOrdinal;
  std::vector<json> owned;
  for (const auto& o : pods_->store().byControllerOwner(ns, "StatefulSet", setName)) {
    if (!o->controller || o->controller->uid != uid) {
      continue;
    }
    const int ordinal = ordinalOf(setName, o->name);
    if (ordinal < 0) {
      continue;
    }
    byOrdinal[ordinal] = parseObject(o);
    owned.push_back(byOrdinal[ordinal]);
  }

  auto adopted = adoptOrphans(set);
  if (!adopted.ok()) {
    return adopted;
  }

  auto revisions = syncRevisions(set, owned);
  if (!revisions.ok()) {
    return revisions.error();
  }
  const Revision& currentRev = revisions->current;
  const Revision& updateRev = revisions->update;
  const json currentSet = applyRevision(set, currentRev);
  const json updateSet = applyRevision(set, updateRev);

  auto now = std::chrono::system_clock::now();
  std::optional<std::chrono::milliseconds> recheck;  // minReadySeconds still running
  auto isAvailable = [&](const json& pod) {
    if (!isRunningAndReady(pod)) {
      return false;
    }
    if (minReadySeconds <= 0) {
      return true;
    }
    auto since = readySince(pod);
    auto due = *since + std::chrono::seconds(minReadySeconds);
    if (due <= now) {
      return true;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - now) +
                std::chrono::milliseconds(100);
    recheck = recheck ? std::min(*recheck, wait) : wait;
    return false;
  };

  // Status as the cache shows the pods now (kubernetes computeReplicaStatus).
  json status = {{"observedGeneration", intField(set["metadata"], "generation", 0)},
                 {"currentRevision", currentRev.name},
                 {"updateRevision", updateRev.name},
                 {"collisionCount", revisions->collisionCount}};
  int created = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const auto& [ordinal, pod] : byOrdinal) {
    ++created;
    if (isRunningAndReady(pod)) {
      ++ready;
      available += isAvailable(pod) ? 1 : 0;
    }
    if (!isTerminating(pod)) {
      current += podRevision(pod) == currentRev.name ? 1 : 0;
      updated += podRevision(pod) == updateRev.name ? 1 : 0;
    }
  }
  status["replicas"] = created;
  status["readyReplicas"] = ready;
  status["availableReplicas"] = available;
  status["currentReplicas"] = current;
  status["updatedReplicas"] = updated;
  if (rolling && updated == created && ready == created) {
    // kubernetes completeRollingUpdate
    status["currentReplicas"] = updated;
    status["currentRevision"] = updateRev.name;
  }
  auto statusWritten = writeStatus(set, status);
  if (!statusWritten.ok()) {
    return statusWritten;
  }
  if (recheck) {
    enqueueAfter(key, *recheck);
  }

  // kubernetes isUnavailable: not Running and Ready, being deleted, or not yet minReadySeconds.
  auto unavailable = [&](const json& pod) { return isTerminating(pod) || !isAvailable(pod); };
  // The first unavailable pod in Kubernetes' order: replicas by ordinal, then condemned by
  // ordinal. In OrderedReady, of the condemned pods only that one may go while unavailable.
  const json* firstUnavailable = nullptr;
  for (const bool condemned : {false, true}) {
    for (const auto& [ordinal, pod] : byOrdinal) {
      if (firstUnavailable == nullptr && inRange(ordinal) != condemned && unavailable(pod)) {
        firstUnavailable = &pod;
      }
    }
  }

  // 1. Replicas in ordinal order.
  for (int i = start; i < start + replicas; ++i) {
    auto it = byOrdinal.find(i);
    if (it == byOrdinal.end()) {
      const bool fromCurrent = rolling && i - start < partition;
      const json& source = fromCurrent ? currentSet : updateSet;
      json pod = newPod(source, fromCurrent ? currentRev.name : updateRev.name, i);
      auto claims = syncClaims(set, nullptr, i, true);
      if (!claims.ok()) {
        return claims;
      }
      auto made = createPod(key, set, pod);
      if (!made.ok()) {
        return made;
      }
      if (!parallel) {
        return {};
      }
      continue;
    }
    const json& pod = it->second;
    if (isFinished(pod)) {
      // A failed (or finished) pod is deleted; a later sync creates it again.
      if (!isTerminating(pod)) {
        auto gone = deletePod(key, set, pod);
        if (!gone.ok()) {
          return gone;
        }
      }
      if (!parallel) {
        return {};
      }
      continue;
    }
    auto claims = syncClaims(set, &pod, i, true);
    if (!claims.ok()) {
      return claims;
    }
    if (!parallel && (isTerminating(pod) || !isAvailable(pod))) {
      return {};
    }
    auto identity = repairIdentity(set, pod, i);
    if (!identity.ok()) {
      return identity;
    }
  }

  // 2. Condemned pods, highest ordinal first.
  for (auto it = byOrdinal.rbegin(); it != byOrdinal.rend(); ++it) {
    if (inRange(it->first)) {
      continue;
    }
    const json& pod = it->second;
    if (isTerminating(pod)) {
      if (!parallel) {
        return {};
      }
      continue;
    }
    if (!parallel && !isAvailable(pod) && firstUnavailable != &pod) {
      return {};
    }
    // whenScaled=Delete: the claims follow the pod through the garbage collector.
    auto claims = syncClaims(set, &pod, it->first, false);
    if (!claims.ok()) {
      return claims;
    }
    auto gone = deletePod(key, set, pod);
    if (!gone.ok()) {
      return gone;
    }
    if (!parallel) {
      return {};
    }
  }

  // 3. Rolling update: the highest pod not at the update revision, down to the partition.
  if (!rolling) {
    return {};
  }
  for (int i = start + replicas - 1; i >= start + partition; --i) {
    auto it = byOrdinal.find(i);
    if (it == byOrdinal.end()) {
      return {};
    }
    const json& pod = it->second;
    if (podRevision(pod) != updateRev.name && !isTerminating(pod)) {
      return deletePod(key, set, pod);
    }
    if (unavailable(pod)) {
      return {};  // wait for the updated pod to be Ready (and available)
    }
  }
  return {};
}

}  // namespace mysqlop::local::controllers
