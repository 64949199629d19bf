// Defaults from the cluster (persisted by the reconciler), compression, source host choice.
#include "plugins/backup/src/spec.h"

#include <gtest/gtest.h>

#include "plugins/backup/src/source.h"

namespace mysqlop::backup {
namespace {

using nlohmann::json;

json backup(json spec) {
  return {{"metadata", {{"name", "b1"}, {"namespace", "ns"}}}, {"spec", std::move(spec)}};
}
json cluster(json spec, json annotations = json::object()) {
  return {{"metadata", {{"name", "c"}, {"namespace", "ns"}, {"annotations", annotations}}},
          {"spec", std::move(spec)}};
}

TEST(BackupDefaults, UrlNamingAnArtefactIsKept) {
  json b = backup({{"clusterName", "c"}, {"backupURL", "s3://bk/x/my.xbackup.gz"}});
  DefaultsResult r = applyDefaults(b, cluster({{"backupURL", "s3://other"}}), Compression::Gzip);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(b["spec"]["backupURL"], "s3://bk/x/my.xbackup.gz");
  json z = backup({{"backupURL", "s3://bk/x/my.xbackup.zst"}});
  EXPECT_FALSE(applyDefaults(z, cluster(json::object()), Compression::Gzip).changed);
}

TEST(BackupDefaults, ABaseUrlGetsTheBackupNameAndExtension) {
  json b = backup({{"backupURL", "s3://bk/prefix///"}});
  EXPECT_TRUE(applyDefaults(b, cluster(json::object()), Compression::Gzip).changed);
  EXPECT_EQ(b["spec"]["backupURL"], "s3://bk/prefix/b1.xbackup.gz");
  json z = backup({{"backupURL", "gs://bk"}});
  applyDefaults(z, cluster(json::object()), Compression::Zstd);
  EXPECT_EQ(z["spec"]["backupURL"], "gs://bk/b1.xbackup.zst");
}

TEST(BackupDefaults, TheClustersUrlAndSecretAreTheFallback) {
  json b = backup({{"clusterName", "c"}});
  DefaultsResult r = applyDefaults(
      b, cluster({{"backupURL", "s3://bk/c/"}, {"backupSecretName", "creds"}}), Compression::Gzip);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(b["spec"]["backupURL"], "s3://bk/c/b1.xbackup.gz");
  EXPECT_EQ(b["spec"]["backupSecretName"], "creds");
  // A secret of its own is kept.
  json own = backup({{"backupSecretName", "mine"}, {"backupURL", "s3://a/b.xbackup.gz"}});
  EXPECT_FALSE(
      applyDefaults(own, cluster({{"backupSecretName", "creds"}}), Compression::Gzip).changed);
  EXPECT_EQ(own["spec"]["backupSecretName"], "mine");
}

TEST(BackupDefaults, NoUrlAnywhereIsBitpokesError) {
  json b = backup({{"clusterName", "c"}});
  DefaultsResult r = applyDefaults(b, cluster(json::object()), Compression::Gzip);
  EXPECT_EQ(r.error, "can't get backupURL");
  EXPECT_FALSE(b["spec"].contains("backupURL"));
}

TEST(BackupDefaults, RemoteDeletePolicyDefaultsToRetain) {
  EXPECT_EQ(remoteDeletePolicy(backup(json::object())), "retain");
  EXPECT_EQ(remoteDeletePolicy(backup({{"remoteDeletePolicy", ""}})), "retain");
  EXPECT_EQ(remoteDeletePolicy(backup({{"remoteDeletePolicy", "delete"}})), "delete");
}

TEST(BackupCompression, FromTheClusterAnnotation) {
  const char* key = "mysql.presslabs.org/backup-compression";
  EXPECT_EQ(compressionOf(cluster(json::object())).compression, Compression::Gzip);
  EXPECT_EQ(compressionOf(cluster(json::object(), {{key, "zstd"}})).compression, Compression::Zstd);
  CompressionChoice gz = compressionOf(cluster(json::object(), {{key, "gzip"}}));
  EXPECT_EQ(gz.compression, Compression::Gzip);
  EXPECT_EQ(gz.warning, "");
  CompressionChoice bad = compressionOf(cluster(json::object(), {{key, "lz4"}}));
  EXPECT_EQ(bad.compression, Compression::Gzip);
  EXPECT_EQ(bad.warning,
            "annotation mysql.presslabs.org/backup-compression: \"lz4\" is neither gzip nor "
            "zstd; the backup is compressed with gzip");
  EXPECT_EQ(extensionOf(Compression::Gzip), ".xbackup.gz");
  EXPECT_EQ(extensionOf(Compression::Zstd), ".xbackup.zst");
}

json node(const std::string& name, json conditions) {
  json out = json::array();
  for (auto& [type, status] : conditions.items()) {
    out.push_back({{"type", type}, {"status", status}});
  }
  return {{"name", name}, {"conditions", out}};
}

TEST(BackupSource, AHealthyReplicaElseTheMasterElsePodZero) {
  json c = cluster(json::object());
  EXPECT_EQ(chooseSourceHost(c), "c-mysql-0.mysql.ns");
  c["status"]["nodes"] = json::array(
      {node("m", {{"Master", "True"}, {"Replicating", "False"}, {"Lagged", "False"}}),
       node("lagged", {{"Master", "False"}, {"Replicating", "True"}, {"Lagged", "True"}}),
       node("stopped", {{"Master", "False"}, {"Replicating", "False"}, {"Lagged", "False"}}),
       node("partial", {{"Master", "False"}, {"Replicating", "True"}})});
  EXPECT_EQ(chooseSourceHost(c), "m");
  c["status"]["nodes"].push_back(
      node("r1", {{"Master", "False"}, {"Replicating", "True"}, {"Lagged", "False"}}));
  c["status"]["nodes"].push_back(
      node("r2", {{"Master", "False"}, {"Replicating", "True"}, {"Lagged", "False"}}));
  EXPECT_EQ(chooseSourceHost(c), "r1");
}

}  // namespace
}  // namespace mysqlop::backup
