#include "plugins/cluster/src/reconciler.h"

#include <tuple>

#include "plugins/cluster/src/adoption.h"
#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/merge.h"
#include "plugins/cluster/src/naming.h"
#include "plugins/cluster/src/restore.h"
#include "plugins/cluster/src/status.h"
#include "plugins/common/kube/base64.h"
#include "plugins/common/kube/conditions.h"
#include "plugins/common/kube/events.h"
#include "plugins/common/kube/labels.h"
#include "plugins/common/kube/names.h"
#include "plugins/common/kube/owner.h"
#include "plugins/common/kube/resources.h"
#include "plugins/common/kube/time.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;
namespace res = kube::res;

std::string key(std::string_view ns, std::string_view name) {
  return std::string(ns) + "/" + std::string(name);
}

// The host hands back JSON text; anything but an object is a host fault, not a user's.
std::optional<json> parseObject(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return std::nullopt;
  }
  return j;
}

const char* const kInvalidJson = "the host returned invalid JSON";

// Ends the pass with a retry after telling the user: a Warning Event on the cluster with the
// step's reason, naming the object and the cause.
mysqlop::Outcome failed(mysqlop::Call& call, const json& cluster, const std::string& reason,
                        const std::string& what, const std::string& error) {
  const std::string message = what + ": " + error;
  kube::recordEvent(call, cluster, mysqlop_event_Warning, reason, message);
  return mysqlop::Outcome::retry(message);
}

// bitpoke's two persisted spec changes: the upgrader's version annotation on new clusters and
// initBucketURI copied into initBucketURL.
json specMigrations(const json& cluster) {
  json patch = json::object();
  const json& meta = cluster["metadata"];
  const json annotations = meta.value("annotations", json::object());
  const std::string version =
      annotations.contains(kVersionAnnotation) && annotations[kVersionAnnotation].is_string()
          ? annotations[kVersionAnnotation].get<std::string>()
          : "";
  if (version.empty() || std::strtol(version.c_str(), nullptr, 10) < 300) {
    patch["metadata"]["annotations"][kVersionAnnotation] = "300";
  }
  const json spec = cluster.value("spec", json::object());
  if (spec.value("initBucketURL", json()).is_null() && spec.contains("initBucketURI") &&
      spec["initBucketURI"].is_string() && !spec["initBucketURI"].get<std::string>().empty()) {
    patch["spec"]["initBucketURL"] = spec["initBucketURI"];
  }
  return patch;
}

std::string objectName(const json& cluster) {
  const json& meta = cluster["metadata"];
  return "MysqlCluster " + key(meta.value("namespace", ""), meta.value("name", ""));
}

std::string eventMessage(const json& obj, const char* op) {
  const json& meta = obj["metadata"];
  return obj.value("kind", "") + " " + meta.value("namespace", "") + "/" + meta.value("name", "") +
         " " + op + " successfully";
}

}  // namespace

mysqlop::Outcome Reconciler::reconcile(mysqlop::Call& call, std::string_view ns,
                                       std::string_view name) const {
  const std::string self = "MysqlCluster " + key(ns, name);
  mysqlop::Reply got = call.get(res::kMysqlCluster, ns, name);
  if (got.notFound()) {
    return mysqlop::Outcome::done();
  }
  if (!got.ok()) {
    // No object to put an Event on: the host logs and counts the retry.
    return mysqlop::Outcome::retry("reading " + self + ": " + got.error);
  }
  std::optional<json> read = parseObject(got.data);
  if (!read) {
    return mysqlop::Outcome::retry("reading " + self + ": " + kInvalidJson);
  }
  json cluster = std::move(*read);
  if (std::optional<json> kept = finalizersWithoutBitpokes(cluster)) {
    // Before the deletion check: a cluster adopted from bitpoke's operator and then deleted
    // waits on this finalizer, which only we can remove now (adoption.h).
    json updated = cluster;
    updated["metadata"]["finalizers"] = std::move(*kept);
    mysqlop::Reply r = call.update(res::kMysqlCluster, updated.dump());
    if (r.status == mysqlop_status_Conflict) {
      return mysqlop::Outcome::retry(self + " changed meanwhile; will retry");
    }
    if (r.notFound()) {
      return mysqlop::Outcome::done();  // it was being deleted, and that finalizer was the last
    }
    if (!r.ok()) {
      return failed(call, cluster, "FinalizerRemovalFailed",
                    std::string("removing bitpoke's finalizer ") + kBitpokeOrchestratorFinalizer +
                        " from " + self,
                    r.error);
    }
    std::optional<json> stored = parseObject(r.data);
    if (!stored) {
      return mysqlop::Outcome::retry(self + ": " + kInvalidJson);
    }
    cluster = std::move(*stored);
  }
  if (cluster["metadata"].contains("deletionTimestamp")) {
    // Children go with their owner references; PVCs follow volumeSpec.keepAfterDelete.
    return mysqlop::Outcome::done();
  }
  if (json patch = specMigrations(cluster); !patch.empty()) {
    mysqlop::Reply patched =
        call.patch(res::kMysqlCluster, ns, name, mysqlop_patch_Merge, patch.dump());
    if (patched.status == mysqlop_status_Conflict) {
      return mysqlop::Outcome::retry(self + " changed meanwhile; will retry");
    }
    if (!patched.ok()) {
      return failed(call, cluster, "SpecUpdateFailed", "updating " + self, patched.error);
    }
    std::optional<json> stored = parseObject(patched.data);
    if (!stored) {
      return failed(call, cluster, "SpecUpdateFailed", "updating " + self, kInvalidJson);
    }
    cluster = std::move(*stored);
  }

  ParsedCluster parsed = parseCluster(cluster, options_);
  if (parsed.spec) {
    if (Stop stop = checkUserSecret(call, cluster, *parsed.spec, &parsed.errors)) {
      return *stop;
    }
  }
  if (!parsed.errors.empty()) {
    return reportInvalid(call, cluster, parsed.errors);
  }
  ClusterSpec& c = *parsed.spec;
  if (!c.initBucketUrl.empty() && catalog_) {
    c.backupTargetsJson = catalog_(call);
  }

  json configMap;
  json secret;
  json sts;
  Stop stop =
      sync(call, cluster, res::kConfigMap, "ConfigMap", buildConfigMap(c), true, &configMap);
  if (!stop) {
    stop = syncOperatedSecret(call, cluster, c, &secret);
  }
  for (const auto& [syncer, service, owned] :
       {std::tuple{"HeadlessSVC", buildHeadlessService(c.namespaceName), false},
        std::tuple{"MasterSVC", buildMasterService(c), true},
        std::tuple{"HealthySVC", buildHealthyService(c), true},
        std::tuple{"HealthyReplicasSVC", buildReplicasService(c), true}}) {
    if (!stop) {
      json ignored;
      stop = sync(call, cluster, res::kService, syncer, service, owned, &ignored);
    }
  }
  if (!stop) {
    stop = sync(call, cluster, res::kStatefulSet, "StatefulSet",
                buildStatefulSet(c, options_, configMap["metadata"].value("resourceVersion", ""),
                                 secret["metadata"].value("resourceVersion", "")),
                true, &sts);
  }
  if (!stop) {
    stop = syncPdb(call, cluster, c);
  }
  if (!stop) {
    const json status = cluster.value("status", json::object());
    stop = syncPodLabels(call, cluster, c, status.value("nodes", json::array()));
  }
  if (!stop) {
    stop = cleanClaims(call, cluster, c);
  }
  if (stop) {
    return *stop;
  }
  std::optional<std::string> restoreFailed;
  if (!c.initBucketUrl.empty()) {
    restoreFailed = reportRestoreFailure(call, cluster, c);
  }
  const json stsStatus = sts.value("status", json::object());
  return writeStatus(call, cluster, c, stsStatus.value("readyReplicas", 0), restoreFailed);
}

Reconciler::Stop Reconciler::checkUserSecret(mysqlop::Call& call, const json& cluster,
                                             const ClusterSpec& c,
                                             std::vector<FieldError>* errors) const {
  const std::string what = "reading Secret " + key(c.namespaceName, c.secretName);
  mysqlop::Reply r = call.get(res::kSecret, c.namespaceName, c.secretName);
  if (r.notFound()) {
    errors->push_back({"InvalidSecretName", "spec.secretName: Secret \"" + c.secretName +
                                                "\" not found in namespace \"" + c.namespaceName +
                                                "\""});
    return std::nullopt;
  }
  if (!r.ok()) {
    return failed(call, cluster, "SecretReadFailed", what, r.error);
  }
  const std::optional<json> secret = parseObject(r.data);
  if (!secret) {
    return failed(call, cluster, "SecretReadFailed", what, kInvalidJson);
  }
  const json data = secret->value("data", json::object());
  std::optional<std::string> root;
  if (data.is_object() && data.contains("ROOT_PASSWORD") && data["ROOT_PASSWORD"].is_string()) {
    root = kube::base64Decode(data["ROOT_PASSWORD"].get<std::string>());
  }
  if (!root || root->empty()) {
    errors->push_back({"InvalidSecretName", "spec.secretName: ROOT_PASSWORD not set in Secret \"" +
                                                c.secretName + "\""});
  }
  return std::nullopt;
}

mysqlop::Outcome Reconciler::reportInvalid(mysqlop::Call& call, json& cluster,
                                           const std::vector<FieldError>& errors) const {
  std::string message;
  bool secretProblem = false;
  for (const FieldError& e : errors) {
    message += (message.empty() ? "" : "; ") + e.message;
    secretProblem = secretProblem || e.reason == "InvalidSecretName";
  }
  const std::string& reason = errors.front().reason;
  json& status = cluster["status"];
  if (!status.is_object()) {
    status = json::object();
  }
  if (kube::setCondition(status["conditions"], {kReady, "False", reason, message},
                         kube::nowTime())) {
    mysqlop::Reply r = call.updateStatus(res::kMysqlCluster, cluster.dump());
    if (r.status == mysqlop_status_Conflict) {
      return mysqlop::Outcome::retry(objectName(cluster) + " changed meanwhile; will retry");
    }
    if (!r.ok() && !r.notFound()) {
      // The Event still tells what is invalid; the status is written again on the retry.
      kube::recordEvent(call, cluster, mysqlop_event_Warning, reason, message);
      return failed(call, cluster, "StatusUpdateFailed",
                    "updating the status of " + objectName(cluster), r.error);
    }
  }
  kube::recordEvent(call, cluster, mysqlop_event_Warning, reason, message);
  // A spec edit requeues the cluster by itself; a Secret the user creates later does not.
  return secretProblem ? mysqlop::Outcome::requeueAfter(kSecretRecheckMs)
                       : mysqlop::Outcome::done();
}

Reconciler::Stop Reconciler::sync(mysqlop::Call& call, const json& cluster,
                                  const mysqlop_type_resource& r, const char* syncer,
                                  const json& desired, bool owned, json* stored) const {
  const json& meta = desired["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  const std::string what = desired.value("kind", "") + " " + key(ns, name);
  const std::string reason = std::string(syncer) + "SyncFailed";
  // The stored object, or the desired one when the host answered without a body.
  auto adopt = [&](const std::string& data, const json& fallback) -> Stop {
    if (data.empty()) {
      *stored = fallback;
      return std::nullopt;
    }
    std::optional<json> object = parseObject(data);
    if (!object) {
      return failed(call, cluster, reason, what, kInvalidJson);
    }
    *stored = std::move(*object);
    return std::nullopt;
  };
  mysqlop::Reply got = call.get(r, ns, name);
  if (got.notFound()) {
    mysqlop::Reply created = call.create(r, desired.dump());
    if (created.status == mysqlop_status_AlreadyExists) {
      // Our cache has not seen it yet: look again shortly rather than overwrite blindly.
      return mysqlop::Outcome::retry(what + " exists but is not in the cache yet");
    }
    if (!created.ok()) {
      return failed(call, cluster, reason, what, "create: " + created.error);
    }
    kube::recordEvent(call, cluster, mysqlop_event_Normal, std::string(syncer) + "SyncSuccessfull",
                      eventMessage(desired, "created"));
    return adopt(created.data, desired);
  }
  if (!got.ok()) {
    return failed(call, cluster, reason, what, "read: " + got.error);
  }
  std::optional<json> existing = parseObject(got.data);
  if (!existing) {
    return failed(call, cluster, reason, what, std::string("read: ") + kInvalidJson);
  }
  if (owned) {
    const std::string uid = cluster["metadata"].value("uid", "");
    for (const json& ref : (*existing)["metadata"].value("ownerReferences", json::array())) {
      if (ref.value("controller", false) && ref.value("uid", "") != uid) {
        return failed(call, cluster, reason, what,
                      "it is controlled by " + ref.value("kind", "") + " " + ref.value("name", "") +
                          ", not by this MysqlCluster");
      }
    }
  }
  std::optional<json> merged = mergeForUpdate(*existing, desired);
  if (!merged) {
    *stored = std::move(*existing);
    return std::nullopt;
  }
  mysqlop::Reply updated = call.update(r, merged->dump());
  if (updated.status == mysqlop_status_Conflict) {
    return mysqlop::Outcome::retry(what + " changed meanwhile; will retry");
  }
  if (!updated.ok()) {
    return failed(call, cluster, reason, what, "update: " + updated.error);
  }
  kube::recordEvent(call, cluster, mysqlop_event_Normal, std::string(syncer) + "SyncSuccessfull",
                    eventMessage(desired, "updated"));
  return adopt(updated.data, *merged);
}

Reconciler::Stop Reconciler::syncOperatedSecret(mysqlop::Call& call, const json& cluster,
                                                const ClusterSpec& c, json* stored) const {
  const std::string name = operatedSecretName(c.name);
  mysqlop::Reply now = call.get(res::kSecret, c.namespaceName, name);
  json existingData;
  if (now.ok()) {
    std::optional<json> secret = parseObject(now.data);
    if (!secret) {
      return failed(call, cluster, "OperatedSecretSyncFailed",
                    "Secret " + key(c.namespaceName, name), std::string("read: ") + kInvalidJson);
    }
    existingData = secret->value("data", json::object());
  } else if (!now.notFound()) {
    return failed(call, cluster, "OperatedSecretSyncFailed", "Secret " + key(c.namespaceName, name),
                  "read: " + now.error);
  }
  return sync(call, cluster, res::kSecret, "OperatedSecret",
              buildOperatedSecret(c, options_, existingData), true, stored);
}

Reconciler::Stop Reconciler::syncPdb(mysqlop::Call& call, const json& cluster,
                                     const ClusterSpec& c) const {
  if (!c.minAvailable.empty()) {
    json ignored;
    return sync(call, cluster, res::kPodDisruptionBudget, "PDB", buildPodDisruptionBudget(c), true,
                &ignored);
  }
  // No PDB wanted (one replica, no minAvailable): a PDB left from a larger cluster would block
  // every eviction of the single pod, so ours goes.
  const std::string what = "PodDisruptionBudget " + key(c.namespaceName, pdbName(c.name));
  mysqlop::Reply got = call.get(res::kPodDisruptionBudget, c.namespaceName, pdbName(c.name));
  if (got.notFound()) {
    return std::nullopt;
  }
  if (!got.ok()) {
    return failed(call, cluster, "PDBSyncFailed", what, "read: " + got.error);
  }
  std::optional<json> pdb = parseObject(got.data);
  if (!pdb) {
    return failed(call, cluster, "PDBSyncFailed", what, std::string("read: ") + kInvalidJson);
  }
  if (!kube::isControlledBy(*pdb, c.uid)) {
    return std::nullopt;
  }
  mysqlop::Reply removed = call.remove(res::kPodDisruptionBudget, c.namespaceName, pdbName(c.name));
  if (!removed.ok() && !removed.notFound()) {
    return failed(call, cluster, "PDBSyncFailed", what, "delete: " + removed.error);
  }
  return std::nullopt;
}

Reconciler::Stop Reconciler::syncPodLabels(mysqlop::Call& call, const json& cluster,
                                           const ClusterSpec& c, const json& nodes) const {
  for (const PodRole& role : podRoles(c.name, nodes)) {
    const std::string what = "Pod " + key(c.namespaceName, role.pod);
    mysqlop::Reply pod = call.get(res::kPod, c.namespaceName, role.pod);
    if (pod.notFound()) {
      continue;  // bitpoke ignores PodNotFound: the StatefulSet controller recreates it
    }
    if (!pod.ok()) {
      return failed(call, cluster, "PodLabelsSyncFailed", what, "read: " + pod.error);
    }
    std::optional<json> object = parseObject(pod.data);
    if (!object) {
      return failed(call, cluster, "PodLabelsSyncFailed", what,
                    std::string("read: ") + kInvalidJson);
    }
    if (kube::hasLabels(*object, {{"role", role.role}, {"healthy", role.healthy}})) {
      continue;
    }
    const json patch = {
        {"metadata", {{"labels", {{"role", role.role}, {"healthy", role.healthy}}}}}};
    mysqlop::Reply patched =
        call.patch(res::kPod, c.namespaceName, role.pod, mysqlop_patch_Merge, patch.dump());
    if (!patched.ok() && !patched.notFound()) {
      return failed(call, cluster, "PodLabelsSyncFailed", what, "label: " + patched.error);
    }
  }
  return std::nullopt;
}

Reconciler::Stop Reconciler::cleanClaims(mysqlop::Call& call, const json& cluster,
                                         const ClusterSpec& c) const {
  mysqlop::Reply list = call.list(res::kPersistentVolumeClaim, c.namespaceName,
                                  kube::selectorString(selectorLabels(c.name)));
  const std::string what = "PersistentVolumeClaims of " + key(c.namespaceName, c.name);
  if (!list.ok()) {
    return failed(call, cluster, "FailedPVCCleanup", what, "list: " + list.error);
  }
  const json claims = json::parse(list.data, nullptr, false);
  if (!claims.is_array()) {
    return failed(call, cluster, "FailedPVCCleanup", what, std::string("list: ") + kInvalidJson);
  }
  const std::string set = statefulSetName(c.name);
  for (const json& claim : claims) {
    const std::string claimName = claim["metadata"].value("name", "");
    if (!kube::hasOwner(claim, "MysqlCluster", c.name) ||
        claim["metadata"].contains("deletionTimestamp")) {
      continue;
    }
    const auto ordinal = kube::ordinalOf(claimName, "data-" + set);
    if (!ordinal || *ordinal == 0 || *ordinal < c.replicas) {
      continue;  // pod 0's data is never dropped: it is what a scale-up from 0 starts from
    }
    mysqlop::Reply removed = call.remove(res::kPersistentVolumeClaim, c.namespaceName, claimName);
    std::string message = "delete Claim ";
    message.append(claimName).append(" in StatefulSet ").append(set);
    if (removed.ok() || removed.notFound()) {
      message += " successful";
      kube::recordEvent(call, cluster, mysqlop_event_Normal, "SuccessfulPVCCleanup", message);
    } else {
      // bitpoke goes on with the pass; the claim is tried again on the next one.
      message.append(" failed: ").append(removed.error);
      kube::recordEvent(call, cluster, mysqlop_event_Warning, "FailedPVCCleanup", message);
    }
  }
  return std::nullopt;
}

mysqlop::Outcome Reconciler::writeStatus(mysqlop::Call& call, json& cluster, const ClusterSpec& c,
                                         int readyNodes,
                                         const std::optional<std::string>& restoreFailed) const {
  json& status = cluster["status"];
  if (!status.is_object()) {
    status = json::object();
  }
  const json before = status;
  const std::string now = kube::nowTime();
  status["readyNodes"] = readyNodes;
  json& conditions = status["conditions"];
  const json nodes = status.value("nodes", json::array());
  kube::Condition ready =
      readyCondition(c.name, c.namespaceName, c.replicas, c.readOnly, readyNodes, nodes);
  if (restoreFailed && ready.status != "True") {
    // Why the cluster is not ready, where users look first (kubectl get mysql, kubectl wait).
    ready = {kReady, "False", kRestoreFailed, *restoreFailed};
  }
  kube::setCondition(conditions, ready, now);
  if (auto ro = readOnlyCondition(nodes)) {
    kube::setCondition(conditions, *ro, now);
  }
  if (kube::findCondition(conditions, kPendingFailoverAck) == nullptr) {
    // bitpoke always shows it; the failover engine replaces it when a recovery needs an ack.
    kube::setCondition(conditions, noPendingFailoverAckCondition(), now);
  }
  if (c.replicas == 0 && readyNodes == 0 &&
      kube::conditionStatus(conditions, kFailoverInProgress) == "True") {
    kube::setCondition(conditions, failoverNotRunningCondition(), now);
  }
  if (status == before) {
    return mysqlop::Outcome::done();
  }
  mysqlop::Reply r = call.updateStatus(res::kMysqlCluster, cluster.dump());
  if (r.status == mysqlop_status_Conflict) {
    return mysqlop::Outcome::retry("MysqlCluster " + key(c.namespaceName, c.name) +
                                   " changed meanwhile; status will be written again");
  }
  if (!r.ok() && !r.notFound()) {
    return failed(call, cluster, "StatusUpdateFailed",
                  "updating the status of MysqlCluster " + key(c.namespaceName, c.name), r.error);
  }
  return mysqlop::Outcome::done();
}

void Reconciler::mapPodOrClaim(mysqlop::Call& call, const json& object) const {
  if (!object.is_object() || !object.contains("metadata")) {
    return;
  }
  const json& meta = object["metadata"];
  const json labels = meta.value("labels", json::object());
  if (!labels.is_object() || labels.value("app.kubernetes.io/managed-by", "") != kManagedBy) {
    return;
  }
  const std::string cluster = labels.value(kClusterLabel, "");
  if (!cluster.empty()) {
    call.emitKey(meta.value("namespace", ""), cluster);
  }
}

void Reconciler::mapHeadlessService(mysqlop::Call& call, const json& service) const {
  if (!service.is_object() || !service.contains("metadata")) {
    return;
  }
  const json& meta = service["metadata"];
  if (meta.value("name", "") != kHeadlessServiceName) {
    return;
  }
  const std::string ns = meta.value("namespace", "");
  mysqlop::Reply list = call.list(res::kMysqlCluster, ns);
  if (!list.ok()) {
    return;
  }
  const json clusters = json::parse(list.data, nullptr, false);
  if (clusters.is_array() && !clusters.empty()) {
    call.emitKey(ns, clusters[0]["metadata"].value("name", ""));
  }
}

std::optional<std::string> Reconciler::reportRestoreFailure(mysqlop::Call& call,
                                                            const json& cluster,
                                                            const ClusterSpec& c) const {
  // Only pod 0 restores (the others clone from it). A pod not yet there, or unreadable, says
  // nothing; its next change requeues the cluster (pods are watched).
  mysqlop::Reply r = call.get(res::kPod, c.namespaceName, podName(c.name, 0));
  if (!r.ok()) {
    return std::nullopt;
  }
  const std::optional<json> pod = parseObject(r.data);
  if (!pod) {
    return std::nullopt;
  }
  const std::optional<std::string> why = restoreFailure(*pod);
  if (!why) {
    return std::nullopt;
  }
  const std::string message = "restoring from " + c.initBucketUrl + " failed: " + *why;
  // Repeats of the same message are aggregated by the host's recorder (one Event, a count).
  kube::recordEvent(call, cluster, mysqlop_event_Warning, kRestoreFailed, message);
  return message;
}

}  // namespace mysqlop::cluster
