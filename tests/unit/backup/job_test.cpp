// The backup and cleanup Jobs (contracts 3 and 5 of docs/backups.md).
#include "plugins/backup/src/job.h"

#include <gtest/gtest.h>

namespace mysqlop::backup {
namespace {

using nlohmann::json;

const char* kTargets =
    R"({"targets":[{"name":"s3","path":"/p/mysqlop_target_s3.so","config":{}}]})";

json theBackup(const std::string& name = "b1") {
  return {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
          {"kind", "MysqlBackup"},
          {"metadata", {{"name", name}, {"namespace", "ns"}, {"uid", "u-1"}}},
          {"spec",
           {{"clusterName", "c"},
            {"backupURL", "s3://bk/b1.xbackup.gz"},
            {"backupSecretName", "creds"}}}};
}

JobInputs inputs(json podSpec = json::object()) {
  json cluster = {{"metadata", {{"name", "c"}, {"namespace", "ns"}}},
                  {"spec", {{"podSpec", podSpec}}}};
  return JobInputs{theBackup(), cluster, "sidecar:1", kTargets};
}

TEST(BackupJob, TheContractsContainerAndBitpokesMetadata) {
  Options o;
  const json job = backupJob(inputs(), "c-mysql-1.mysql.ns", o);
  const json owner = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                      {"kind", "MysqlBackup"},
                      {"name", "b1"},
                      {"uid", "u-1"},
                      {"controller", true},
                      {"blockOwnerDeletion", true}};
  EXPECT_EQ(job["metadata"], json({{"name", "b1-backup"},
                                   {"namespace", "ns"},
                                   {"labels", {{"cluster", "c"}}},
                                   {"ownerReferences", {owner}}}));
  EXPECT_FALSE(job["spec"].contains("backoffLimit"));
  const json& pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"], json({{"cluster", "c"}}));
  const json& c = pod["containers"][0];
  EXPECT_EQ(pod["containers"].size(), 1U);
  EXPECT_EQ(c["name"], "backup");
  EXPECT_EQ(c["image"], "sidecar:1");
  EXPECT_EQ(c["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(c["args"], json({"take-backup-to", "c-mysql-1.mysql.ns", "s3://bk/b1.xbackup.gz"}));
  EXPECT_EQ(c["envFrom"], json::parse(R"([{"secretRef":{"name":"creds"}}])"));
  EXPECT_EQ(c["env"], json::parse(std::string(R"([
    {"name":"BACKUP_USER","valueFrom":{"secretKeyRef":{"name":"c-mysql-operated","key":"BACKUP_USER","optional":true}}},
    {"name":"BACKUP_PASSWORD","valueFrom":{"secretKeyRef":{"name":"c-mysql-operated","key":"BACKUP_PASSWORD","optional":true}}},
    {"name":"MYSQLOP_BACKUP_TARGETS","value":)") +
                                  json(kTargets).dump() + "}]"));
  EXPECT_FALSE(c.contains("terminationMessagePath"));  // the default /dev/termination-log
  // Default placement: away from the cluster's MySQL pods when possible.
  EXPECT_EQ(pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
               ["podAffinityTerm"]["labelSelector"]["matchLabels"]["mysql.presslabs.org/cluster"],
            "c");
}

TEST(BackupJob, PlacementUsesTheBackupFieldsThenTheClustersPodFields) {
  Options o;
  o.backoffLimit = 0;
  o.imagePullSecret = "operator-reg";
  json podSpec = {{"affinity", {{"nodeAffinity", {{"x", 1}}}}},
                  {"backupNodeSelector", {{"disk", "fast"}}},
                  {"nodeSelector", {{"disk", "slow"}}},
                  {"priorityClassName", "high"},
                  {"tolerations", json::array({{{"key", "k"}}})},
                  {"backupTolerations", json::array()},
                  {"serviceAccountName", "sa"}};
  const json job = backupJob(inputs(podSpec), "h", o);
  const json& pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
  EXPECT_EQ(pod["affinity"], podSpec["affinity"]);
  EXPECT_EQ(pod["nodeSelector"], json({{"disk", "fast"}}));
  EXPECT_EQ(pod["priorityClassName"], "high");
  EXPECT_EQ(pod["tolerations"], podSpec["tolerations"]);  // an empty backupTolerations falls back
  EXPECT_EQ(pod["serviceAccountName"], "sa");
  EXPECT_EQ(pod["imagePullSecrets"], json::parse(R"([{"name":"operator-reg"}])"));
  podSpec["imagePullSecrets"] = json::parse(R"([{"name":"cluster-reg"}])");
  EXPECT_EQ(backupJob(inputs(podSpec), "h", o)["spec"]["template"]["spec"]["imagePullSecrets"],
            podSpec["imagePullSecrets"]);
}

TEST(BackupJob, NoCatalogLeavesTheTargetsEnvOutAndNoSecretLeavesEnvFromOut) {
  JobInputs in = inputs();
  in.targetsJson = "";
  in.backup["spec"].erase("backupSecretName");
  const json c = backupJob(in, "h", Options{})["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["env"].size(), 2U);
  EXPECT_FALSE(c.contains("envFrom"));
}

TEST(CleanupJob, RemovesTheObjectWithTheSameTargetsAndSecret) {
  JobInputs in = inputs();
  in.cluster = nullptr;  // the cluster is gone: the operator's image is given
  in.image = "operator-sidecar:2";
  const json job = cleanupJob(in, Options{});
  EXPECT_EQ(job["metadata"]["name"], "b1-cleanup");
  EXPECT_EQ(job["metadata"]["labels"], json({{"backup", "b1"}, {"cleanup-job", "true"}}));
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], "u-1");
  const json& pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["name"], "delete");
  EXPECT_EQ(c["image"], "operator-sidecar:2");
  EXPECT_EQ(c["args"], json({"remove-backup", "s3://bk/b1.xbackup.gz"}));
  EXPECT_EQ(c["env"], json::parse(std::string(R"([{"name":"MYSQLOP_BACKUP_TARGETS","value":)") +
                                  json(kTargets).dump() + "}]"));
  EXPECT_EQ(c["envFrom"], json::parse(R"([{"secretRef":{"name":"creds"}}])"));
}

TEST(BackupJob, SidecarImageComesFromTheStatefulSetFirst) {
  Options o;
  o.sidecarImage = "operator:1";
  const json sts = {
      {"spec",
       {{"template",
         {{"spec",
           {{"containers", json::array({{{"name", "mysql"}, {"image", "m"}},
                                        {{"name", "sidecar"}, {"image", "s:9"}}})}}}}}}}};
  const json cluster = {{"spec", {{"sidecarImage", "spec:3"}}}};
  EXPECT_EQ(sidecarImage(sts, cluster, o), "s:9");
  EXPECT_EQ(sidecarImage(nullptr, cluster, o), "spec:3");
  EXPECT_EQ(sidecarImage(nullptr, nullptr, o), "operator:1");
}

}  // namespace
}  // namespace mysqlop::backup
