#include "plugins/backup/src/job.h"

#include "plugins/backup/src/naming.h"
#include "plugins/backup/src/spec.h"
#include "plugins/common/kube/owner.h"

namespace mysqlop::backup {
namespace {

using nlohmann::json;

const json& podSpecOf(const json& cluster) {
  static const json kEmpty = json::object();
  if (cluster.is_object() && cluster.contains("spec") && cluster["spec"].is_object() &&
      cluster["spec"].contains("podSpec") && cluster["spec"]["podSpec"].is_object()) {
    return cluster["spec"]["podSpec"];
  }
  return kEmpty;
}

bool present(const json& podSpec, const char* key) {
  return podSpec.contains(key) && !podSpec[key].is_null() &&
         !(podSpec[key].is_string() && podSpec[key].get<std::string>().empty()) &&
         !((podSpec[key].is_array() || podSpec[key].is_object()) && podSpec[key].empty());
}

// backupX, falling back to X (bitpoke's backup pod placement).
void placement(json& pod, const json& podSpec, const char* backupKey, const char* key,
               const char* target) {
  if (present(podSpec, backupKey)) {
    pod[target] = podSpec[backupKey];
  } else if (present(podSpec, key)) {
    pod[target] = podSpec[key];
  }
}

// The default affinity of the cluster's pods (a preferred anti-affinity on the node), which
// bitpoke's backup pod falls back to: the backup runs on another node than MySQL when it can.
json defaultAffinity(const std::string& cluster) {
  return {
      {"podAntiAffinity",
       {{"preferredDuringSchedulingIgnoredDuringExecution",
         json::array({{{"weight", 100},
                       {"podAffinityTerm",
                        {{"topologyKey", "kubernetes.io/hostname"},
                         {"labelSelector",
                          {{"matchLabels",
                            {{"mysql.presslabs.org/cluster", cluster},
                             {"app.kubernetes.io/name", "mysql"},
                             {"app.kubernetes.io/managed-by", "mysql.presslabs.org"}}}}}}}}})}}}};
}

json secretEnv(const std::string& name, const std::string& secret) {
  return {{"name", name},
          {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", name}, {"optional", true}}}}}};
}

// What both Jobs share: metadata with the owner, restartPolicy, pull secrets, service account.
json jobSkeleton(const JobInputs& in, const std::string& name, const json& labels,
                 const Options& options) {
  const json& podSpec = podSpecOf(in.cluster);
  json pod = {{"restartPolicy", "Never"}};
  if (present(podSpec, "imagePullSecrets")) {
    pod["imagePullSecrets"] = podSpec["imagePullSecrets"];
  } else if (!options.imagePullSecret.empty()) {
    pod["imagePullSecrets"] = json::array({{{"name", options.imagePullSecret}}});
  }
  if (present(podSpec, "serviceAccountName")) {
    pod["serviceAccountName"] = podSpec["serviceAccountName"];
  }
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata",
           {{"name", name},
            {"namespace", text(in.backup, {"metadata", "namespace"})},
            {"labels", labels},
            {"ownerReferences", json::array({kube::controllerRef(in.backup)})}}},
          {"spec", {{"template", {{"metadata", {{"labels", labels}}}, {"spec", pod}}}}}};
}

json container(const JobInputs& in, const char* name, json args, json env, const Options& options) {
  if (!in.targetsJson.empty()) {
    env.push_back({{"name", "MYSQLOP_BACKUP_TARGETS"}, {"value", in.targetsJson}});
  }
  json c = {{"name", name},
            {"image", in.image},
            {"imagePullPolicy", options.imagePullPolicy},
            {"args", std::move(args)},
            {"env", std::move(env)}};
  const std::string secret = text(in.backup, {"spec", "backupSecretName"});
  if (!secret.empty()) {
    c["envFrom"] = json::array({{{"secretRef", {{"name", secret}}}}});
  }
  return c;
}

}  // namespace

std::string sidecarImage(const json& statefulSet, const json& cluster, const Options& options) {
  const json containers =
      json::object({{"s", statefulSet}})
          .value(json::json_pointer("/s/spec/template/spec/containers"), json::array());
  if (containers.is_array()) {
    for (const json& c : containers) {
      if (c.is_object() && c.value("name", "") == "sidecar" && c.contains("image") &&
          c["image"].is_string() && !c["image"].get<std::string>().empty()) {
        return c["image"].get<std::string>();
      }
    }
  }
  const std::string own = text(cluster, {"spec", "sidecarImage"});
  return own.empty() ? options.sidecarImage : own;
}

json backupJob(const JobInputs& in, const std::string& sourceHost, const Options& options) {
  const std::string cluster = text(in.backup, {"spec", "clusterName"});
  const std::string backup = text(in.backup, {"metadata", "name"});
  json job = jobSkeleton(in, backupJobName(backup), {{kClusterLabel, cluster}}, options);
  if (options.backoffLimit) {
    job["spec"]["backoffLimit"] = *options.backoffLimit;
  }
  json& pod = job["spec"]["template"]["spec"];
  const json& podSpec = podSpecOf(in.cluster);
  placement(pod, podSpec, "backupAffinity", "affinity", "affinity");
  if (!pod.contains("affinity")) {
    pod["affinity"] = defaultAffinity(cluster);
  }
  placement(pod, podSpec, "backupNodeSelector", "nodeSelector", "nodeSelector");
  placement(pod, podSpec, "backupPriorityClassName", "priorityClassName", "priorityClassName");
  placement(pod, podSpec, "backupTolerations", "tolerations", "tolerations");
  const std::string operated = operatedSecretName(cluster);
  pod["containers"] = json::array({container(
      in, "backup", {"take-backup-to", sourceHost, text(in.backup, {"spec", "backupURL"})},
      json::array({secretEnv("BACKUP_USER", operated), secretEnv("BACKUP_PASSWORD", operated)}),
      options)});
  return job;
}

json cleanupJob(const JobInputs& in, const Options& options) {
  const std::string backup = text(in.backup, {"metadata", "name"});
  json job = jobSkeleton(in, cleanupJobName(backup),
                         {{kBackupLabel, backup}, {kCleanupJobLabel, "true"}}, options);
  job["spec"]["template"]["spec"]["containers"] = json::array(
      {container(in, "delete", {"remove-backup", text(in.backup, {"spec", "backupURL"})},
                 json::array(), options)});
  return job;
}

}  // namespace mysqlop::backup
