#include "plugins/cluster/src/reconciler.h"

#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/merge.h"
#include "plugins/cluster/src/naming.h"
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

json parseObject(const std::string& text, const std::string& what) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    throw mysqlop::Error(mysqlop_status_Retry, what + ": the host returned invalid JSON");
  }
  return j;
}

[[noreturn]] void retry(const std::string& what, const mysqlop::Reply& r) {
  throw mysqlop::Error(mysqlop_status_Retry, what + ": " + r.error);
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

std::string eventMessage(const json& obj, const char* op) {
  const json& meta = obj["metadata"];
  return obj.value("kind", "") + " " + meta.value("namespace", "") + "/" + meta.value("name", "") +
         " " + op + " successfully";
}

}  // namespace

mysqlop::Outcome Reconciler::reconcile(mysqlop::Call& call, std::string_view ns,
                                       std::string_view name) const {
  mysqlop::Reply got = call.get(res::kMysqlCluster, ns, name);
  if (got.notFound()) {
    return mysqlop::Outcome::done();
  }
  if (!got.ok()) {
    return mysqlop::Outcome::retry("reading MysqlCluster " + key(ns, name) + ": " + got.error);
  }
  json cluster = parseObject(got.data, "MysqlCluster " + key(ns, name));
  if (cluster["metadata"].contains("deletionTimestamp")) {
    // Children go with their owner references; PVCs follow volumeSpec.keepAfterDelete.
    return mysqlop::Outcome::done();
  }
  if (json patch = specMigrations(cluster); !patch.empty()) {
    mysqlop::Reply patched =
        call.patch(res::kMysqlCluster, ns, name, mysqlop_patch_Merge, patch.dump());
    if (!patched.ok()) {
      return mysqlop::Outcome::retry("updating MysqlCluster " + key(ns, name) + ": " +
                                     patched.error);
    }
    cluster = parseObject(patched.data, "MysqlCluster " + key(ns, name));
  }

  ParsedCluster parsed = parseCluster(cluster, options_);
  if (parsed.spec) {
    checkUserSecret(call, *parsed.spec, &parsed.errors);
  }
  if (!parsed.errors.empty()) {
    return reportInvalid(call, cluster, parsed.errors);
  }
  const ClusterSpec& c = *parsed.spec;

  const json configMap = sync(call, cluster, res::kConfigMap, "ConfigMap", buildConfigMap(c), true);
  mysqlop::Reply secretNow = call.get(res::kSecret, ns, operatedSecretName(c.name));
  if (!secretNow.ok() && !secretNow.notFound()) {
    retry("reading Secret " + key(ns, operatedSecretName(c.name)), secretNow);
  }
  const json existingData =
      secretNow.ok() ? parseObject(secretNow.data, "Secret").value("data", json::object()) : json();
  const json secret = sync(call, cluster, res::kSecret, "OperatedSecret",
                           buildOperatedSecret(c, options_, existingData), true);
  sync(call, cluster, res::kService, "HeadlessSVC", buildHeadlessService(c.namespaceName), false);
  sync(call, cluster, res::kService, "MasterSVC", buildMasterService(c), true);
  sync(call, cluster, res::kService, "HealthySVC", buildHealthyService(c), true);
  sync(call, cluster, res::kService, "HealthyReplicasSVC", buildReplicasService(c), true);
  const json sts =
      sync(call, cluster, res::kStatefulSet, "StatefulSet",
           buildStatefulSet(c, options_, configMap["metadata"].value("resourceVersion", ""),
                            secret["metadata"].value("resourceVersion", "")),
           true);
  syncPdb(call, cluster, c);

  const json status = cluster.value("status", json::object());
  syncPodLabels(call, c, status.value("nodes", json::array()));
  cleanClaims(call, cluster, c);
  const json stsStatus = sts.value("status", json::object());
  return writeStatus(call, cluster, c, stsStatus.value("readyReplicas", 0));
}

void Reconciler::checkUserSecret(mysqlop::Call& call, const ClusterSpec& c,
                                 std::vector<FieldError>* errors) const {
  mysqlop::Reply r = call.get(res::kSecret, c.namespaceName, c.secretName);
  if (r.notFound()) {
    errors->push_back({"InvalidSecretName", "spec.secretName: Secret \"" + c.secretName +
                                                "\" not found in namespace \"" + c.namespaceName +
                                                "\""});
    return;
  }
  if (!r.ok()) {
    retry("reading Secret " + key(c.namespaceName, c.secretName), r);
  }
  const json secret = parseObject(r.data, "Secret " + key(c.namespaceName, c.secretName));
  const json data = secret.value("data", json::object());
  std::optional<std::string> root;
  if (data.is_object() && data.contains("ROOT_PASSWORD") && data["ROOT_PASSWORD"].is_string()) {
    root = kube::base64Decode(data["ROOT_PASSWORD"].get<std::string>());
  }
  if (!root || root->empty()) {
    errors->push_back({"InvalidSecretName", "spec.secretName: ROOT_PASSWORD not set in Secret \"" +
                                                c.secretName + "\""});
  }
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
    if (!r.ok()) {
      return mysqlop::Outcome::retry("updating the status of MysqlCluster: " + r.error);
    }
  }
  kube::recordEvent(call, cluster, mysqlop_event_Warning, reason, message);
  // A spec edit requeues the cluster by itself; a Secret the user creates later does not.
  return secretProblem ? mysqlop::Outcome::requeueAfter(kSecretRecheckMs)
                       : mysqlop::Outcome::done();
}

json Reconciler::sync(mysqlop::Call& call, const json& cluster, const mysqlop_type_resource& r,
                      const char* syncer, const json& desired, bool owned) const {
  const json& meta = desired["metadata"];
  const std::string ns = meta.value("namespace", "");
  const std::string name = meta.value("name", "");
  const std::string what = desired.value("kind", "") + " " + key(ns, name);
  auto failed = [&](const std::string& error) -> void {
    kube::recordEvent(call, cluster, mysqlop_event_Warning, std::string(syncer) + "SyncFailed",
                      what + ": " + error);
    throw mysqlop::Error(mysqlop_status_Retry, what + ": " + error);
  };
  mysqlop::Reply got = call.get(r, ns, name);
  if (got.notFound()) {
    const std::string body = desired.dump();
    mysqlop::Reply created = call.create(r, body);
    if (created.status == mysqlop_status_AlreadyExists) {
      // Our cache has not seen it yet: look again shortly rather than overwrite blindly.
      throw mysqlop::Error(mysqlop_status_Retry, what + " exists but is not in the cache yet");
    }
    if (!created.ok()) {
      failed("create: " + created.error);
    }
    kube::recordEvent(call, cluster, mysqlop_event_Normal, std::string(syncer) + "SyncSuccessfull",
                      eventMessage(desired, "created"));
    return created.data.empty() ? desired : parseObject(created.data, what);
  }
  if (!got.ok()) {
    failed("read: " + got.error);
  }
  json existing = parseObject(got.data, what);
  if (owned) {
    const std::string uid = cluster["metadata"].value("uid", "");
    for (const json& ref : existing["metadata"].value("ownerReferences", json::array())) {
      if (ref.value("controller", false) && ref.value("uid", "") != uid) {
        failed("it is controlled by " + ref.value("kind", "") + " " + ref.value("name", "") +
               ", not by this MysqlCluster");
      }
    }
  }
  std::optional<json> merged = mergeForUpdate(existing, desired);
  if (!merged) {
    return existing;
  }
  mysqlop::Reply updated = call.update(r, merged->dump());
  if (updated.status == mysqlop_status_Conflict) {
    throw mysqlop::Error(mysqlop_status_Retry, what + " changed meanwhile; will retry");
  }
  if (!updated.ok()) {
    failed("update: " + updated.error);
  }
  kube::recordEvent(call, cluster, mysqlop_event_Normal, std::string(syncer) + "SyncSuccessfull",
                    eventMessage(desired, "updated"));
  return updated.data.empty() ? *merged : parseObject(updated.data, what);
}

void Reconciler::syncPdb(mysqlop::Call& call, const json& cluster, const ClusterSpec& c) const {
  if (!c.minAvailable.empty()) {
    sync(call, cluster, res::kPodDisruptionBudget, "PDB", buildPodDisruptionBudget(c), true);
    return;
  }
  // No PDB wanted (one replica, no minAvailable): a PDB left from a larger cluster would block
  // every eviction of the single pod, so ours goes.
  mysqlop::Reply got = call.get(res::kPodDisruptionBudget, c.namespaceName, pdbName(c.name));
  if (got.ok() && kube::isControlledBy(parseObject(got.data, "PodDisruptionBudget"), c.uid)) {
    mysqlop::Reply removed =
        call.remove(res::kPodDisruptionBudget, c.namespaceName, pdbName(c.name));
    if (!removed.ok() && !removed.notFound()) {
      retry("deleting PodDisruptionBudget " + key(c.namespaceName, pdbName(c.name)), removed);
    }
  }
}

void Reconciler::syncPodLabels(mysqlop::Call& call, const ClusterSpec& c, const json& nodes) const {
  for (const PodRole& role : podRoles(c.name, nodes)) {
    mysqlop::Reply pod = call.get(res::kPod, c.namespaceName, role.pod);
    if (pod.notFound()) {
      continue;  // bitpoke ignores PodNotFound: the StatefulSet controller recreates it
    }
    if (!pod.ok()) {
      retry("reading Pod " + key(c.namespaceName, role.pod), pod);
    }
    if (kube::hasLabels(parseObject(pod.data, "Pod"),
                        {{"role", role.role}, {"healthy", role.healthy}})) {
      continue;
    }
    const json patch = {
        {"metadata", {{"labels", {{"role", role.role}, {"healthy", role.healthy}}}}}};
    mysqlop::Reply patched =
        call.patch(res::kPod, c.namespaceName, role.pod, mysqlop_patch_Merge, patch.dump());
    if (!patched.ok() && !patched.notFound()) {
      retry("labelling Pod " + key(c.namespaceName, role.pod), patched);
    }
  }
}

void Reconciler::cleanClaims(mysqlop::Call& call, const json& cluster, const ClusterSpec& c) const {
  mysqlop::Reply list = call.list(res::kPersistentVolumeClaim, c.namespaceName,
                                  kube::selectorString(selectorLabels(c.name)));
  if (!list.ok()) {
    retry("listing PersistentVolumeClaims of " + key(c.namespaceName, c.name), list);
  }
  const json claims = json::parse(list.data, nullptr, false);
  if (!claims.is_array()) {
    return;
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
      message.append(" failed: ").append(removed.error);
      kube::recordEvent(call, cluster, mysqlop_event_Warning, "FailedPVCCleanup", message);
    }
  }
}

mysqlop::Outcome Reconciler::writeStatus(mysqlop::Call& call, json& cluster, const ClusterSpec& c,
                                         int readyNodes) const {
  json& status = cluster["status"];
  if (!status.is_object()) {
    status = json::object();
  }
  const json before = status;
  const std::string now = kube::nowTime();
  status["readyNodes"] = readyNodes;
  json& conditions = status["conditions"];
  const json nodes = status.value("nodes", json::array());
  kube::setCondition(
      conditions,
      readyCondition(c.name, c.namespaceName, c.replicas, c.readOnly, readyNodes, nodes), now);
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
    return mysqlop::Outcome::retry("updating the status of MysqlCluster " +
                                   key(c.namespaceName, c.name) + ": " + r.error);
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

}  // namespace mysqlop::cluster
