// The Invalid* reasons of parseCluster that spec_test.cpp does not cover: each with its exact
// message, and the value on the other side of each boundary accepted.
#include <gtest/gtest.h>

#include "cluster_test_util.h"
#include "plugins/cluster/src/spec.h"

namespace mysqlop::cluster {
namespace {

using nlohmann::json;
using testing::clusterObject;
using testing::Err;
using testing::onlyError;
using testing::testOptions;
using testing::validSpec;

TEST(SpecReasons, SpecMustBeAnObject) {
  json noSpec = clusterObject(json::object());
  noSpec.erase("spec");
  ParsedCluster p = parseCluster(noSpec, testOptions());
  EXPECT_FALSE(p.spec.has_value());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "InvalidSpec");
  EXPECT_EQ(p.errors[0].message, "spec: required");

  json stringSpec = clusterObject(json::object());
  stringSpec["spec"] = "replicas: 2";
  p = parseCluster(stringSpec, testOptions());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "InvalidSpec");
  EXPECT_EQ(p.errors[0].message, "spec: required");
}

TEST(SpecReasons, ReplicasFromZeroToAThousand) {
  EXPECT_EQ(validSpec({{"replicas", 0}}).replicas, 0);
  EXPECT_EQ(validSpec({{"replicas", 1000}}).replicas, 1000);
  EXPECT_EQ(onlyError({{"replicas", 1001}}),
            Err("InvalidReplicas", "spec.replicas: must be at most 1000, got 1001"));
}

TEST(SpecReasons, ReadOnlyIsABoolean) {
  EXPECT_EQ(onlyError({{"readOnly", "yes"}}),
            Err("InvalidReadOnly", "spec.readOnly: expected true or false, got a string"));
  EXPECT_TRUE(validSpec({{"readOnly", true}}).readOnly);
  EXPECT_FALSE(validSpec(json::object()).readOnly);
}

TEST(SpecReasons, SidecarImageIsAString) {
  EXPECT_EQ(onlyError({{"sidecarImage", 7}}),
            Err("InvalidSidecarImage", "spec.sidecarImage: expected a string, got a number"));
}

TEST(SpecReasons, PodLabels) {
  EXPECT_EQ(onlyError({{"podSpec", {{"labels", "tier=db"}}}}),
            Err("InvalidPodSpecLabels", "spec.podSpec.labels: expected an object, got a string"));
  EXPECT_EQ(
      onlyError({{"podSpec", {{"labels", {{"tier", 1}}}}}}),
      Err("InvalidPodSpecLabels", "spec.podSpec.labels.tier: expected a string, got a number"));
  EXPECT_EQ(
      onlyError({{"podSpec", {{"labels", {{"tier", "a b"}}}}}}),
      Err("InvalidPodSpecLabels", "spec.podSpec.labels.tier: \"a b\" is not a valid label value"));
  EXPECT_EQ(
      onlyError({{"podSpec", {{"labels", {{"tier", "-db"}}}}}}),
      Err("InvalidPodSpecLabels", "spec.podSpec.labels.tier: \"-db\" is not a valid label value"));
  // A label value holds at most 63 characters.
  const std::string longest(63, 'v');
  EXPECT_EQ(validSpec({{"podSpec", {{"labels", {{"tier", longest}}}}}}).podLabels.at("tier"),
            longest);
  EXPECT_EQ(onlyError({{"podSpec", {{"labels", {{"tier", longest + "v"}}}}}}),
            Err("InvalidPodSpecLabels",
                "spec.podSpec.labels.tier: \"" + longest + "v\" is not a valid label value"));
  EXPECT_EQ(validSpec({{"podSpec", {{"labels", {{"tier", ""}}}}}}).podLabels.at("tier"), "");
}

TEST(SpecReasons, BackupUrlAndSecretAreStrings) {
  EXPECT_EQ(onlyError({{"backupURL", 3}}),
            Err("InvalidBackupURL", "spec.backupURL: expected a string, got a number"));
  EXPECT_EQ(
      onlyError({{"backupSecretName", true}}),
      Err("InvalidBackupSecretName", "spec.backupSecretName: expected a string, got a boolean"));
  // Only the type is checked here: the URL's scheme is the backup target's business.
  validSpec({{"backupURL", "gs://bucket/path"}, {"backupSecretName", "backup-creds"}});
}

TEST(SpecReasons, InitBucket) {
  EXPECT_EQ(onlyError({{"initBucketURL", json::array()}}),
            Err("InvalidInitBucketURL", "spec.initBucketURL: expected a string, got a list"));
  // bitpoke's older spelling is read when initBucketURL is not set, with the same reason.
  EXPECT_EQ(onlyError({{"initBucketURI", json::object()}}),
            Err("InvalidInitBucketURL", "spec.initBucketURI: expected a string, got an object"));
  EXPECT_EQ(onlyError({{"initBucketSecretName", 1.5}}),
            Err("InvalidInitBucketSecretName",
                "spec.initBucketSecretName: expected a string, got a fractional number"));
  EXPECT_EQ(validSpec({{"initBucketURI", "s3://b/old"}}).initBucketUrl, "s3://b/old");
  ClusterSpec both = validSpec({{"initBucketURL", "s3://b/new"},
                                {"initBucketURI", "s3://b/old"},
                                {"initBucketSecretName", "init-creds"}});
  EXPECT_EQ(both.initBucketUrl, "s3://b/new");
  EXPECT_EQ(both.initBucketSecretName, "init-creds");
}

TEST(SpecReasons, ExtraArgsAreListsOfStrings) {
  for (const char* key :
       {"backupCompressCommand", "backupDecompressCommand", "metricsExporterExtraArgs",
        "rcloneExtraArgs", "xbstreamExtraArgs", "xtrabackupExtraArgs", "xtrabackupPrepareExtraArgs",
        "initFileExtraSQL"}) {
    SCOPED_TRACE(key);
    const std::string path = std::string("spec.") + key;
    EXPECT_EQ(onlyError({{key, "--flag"}}),
              Err("InvalidExtraArgs", path + ": expected a list, got a string"));
    EXPECT_EQ(onlyError({{key, {"--flag", 5}}}),
              Err("InvalidExtraArgs", path + "[1]: expected a string, got a number"));
  }
  EXPECT_EQ(onlyError({{"xtrabackupTargetDir", 5}}),
            Err("InvalidExtraArgs", "spec.xtrabackupTargetDir: expected a string, got a number"));
  ClusterSpec c = validSpec({{"rcloneExtraArgs", {"--transfers", "8"}},
                             {"backupCompressCommand", {"zstd", "-c"}},
                             {"xtrabackupTargetDir", "/tmp/xb"}});
  EXPECT_EQ(c.rcloneExtraArgs, (std::vector<std::string>{"--transfers", "8"}));
  EXPECT_EQ(c.backupCompressCommand, (std::vector<std::string>{"zstd", "-c"}));
  EXPECT_EQ(c.xtrabackupTargetDir, "/tmp/xb");
}

TEST(SpecReasons, ReplicasService) {
  EXPECT_EQ(
      onlyError({{"replicasService", "LoadBalancer"}}),
      Err("InvalidReplicasService", "spec.replicasService: expected an object, got a string"));
  EXPECT_EQ(onlyError({{"replicasService", {{"type", "ExternalName"}}}}),
            Err("InvalidReplicasService",
                "spec.replicasService.type: \"ExternalName\" is not one of ClusterIP, NodePort, "
                "LoadBalancer"));
  EXPECT_EQ(onlyError({{"replicasService", {{"externalTrafficPolicy", "Nearest"}}}}),
            Err("InvalidReplicasService",
                "spec.replicasService.externalTrafficPolicy: \"Nearest\" is not one of Cluster, "
                "Local"));
  EXPECT_EQ(onlyError({{"replicasService", {{"annotations", {{"a", 1}}}}}}),
            Err("InvalidReplicasService",
                "spec.replicasService.annotations.a: expected a string, got a number"));
  EXPECT_EQ(onlyError({{"replicasService", {{"loadBalancerSourceRanges", {"10.0.0.0/8", 1}}}}}),
            Err("InvalidReplicasService",
                "spec.replicasService.loadBalancerSourceRanges[1]: expected a string, got a "
                "number"));
  ClusterSpec c =
      validSpec({{"replicasService", {{"type", "NodePort"}, {"externalTrafficPolicy", "Local"}}}});
  EXPECT_EQ(c.replicasService.type, "NodePort");
  EXPECT_EQ(c.replicasService.externalTrafficPolicy, "Local");
}

}  // namespace
}  // namespace mysqlop::cluster
