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

TEST(SpecValidation, DefaultsOfAMinimalCluster) {
  ClusterSpec c = validSpec({{"replicas", 1}});
  EXPECT_EQ(c.replicas, 1);
  EXPECT_EQ(c.version.describe(), "MySQL 5.7.35");
  EXPECT_EQ(c.mysqlImage, "docker.io/library/percona:5.7.35");
  EXPECT_EQ(c.sidecarImage, "sidecar57:v1");
  EXPECT_TRUE(c.perconaImage);
  EXPECT_EQ(c.minAvailable, "");  // one replica: no PDB
  EXPECT_EQ(c.resources, json({{"requests", {{"cpu", "200m"}, {"memory", "1Gi"}}}}));
  EXPECT_EQ(c.imagePullPolicy, "IfNotPresent");
  EXPECT_EQ(c.emptyDir, json::object());
  EXPECT_TRUE(c.pvcSpec.is_null());
  EXPECT_EQ(validSpec(json::object()).minAvailable, "50%");
  EXPECT_EQ(validSpec(json::object()).replicas, 2);
  json noReplicas = clusterObject(json::object());
  noReplicas["spec"].erase("replicas");
  EXPECT_EQ(parseCluster(noReplicas, testOptions()).spec->replicas, 1);
}

TEST(SpecValidation, MissingSecretName) {
  json c = clusterObject(json::object());
  c["spec"].erase("secretName");
  ParsedCluster p = parseCluster(c, testOptions());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].reason, "InvalidSecretName");
  EXPECT_EQ(p.errors[0].message, "spec.secretName: required");
  EXPECT_EQ(onlyError({{"secretName", "Bad_Name"}}),
            Err("InvalidSecretName", "spec.secretName: \"Bad_Name\" is not a valid Secret name"));
  EXPECT_EQ(onlyError({{"secretName", 5}}),
            Err("InvalidSecretName", "spec.secretName: expected a string, got a number"));
}

TEST(SpecValidation, NegativeReplicas) {
  EXPECT_EQ(onlyError({{"replicas", -1}}),
            Err("InvalidReplicas", "spec.replicas: must be 0 or more, got -1"));
  EXPECT_EQ(onlyError({{"replicas", "two"}}),
            Err("InvalidReplicas", "spec.replicas: expected an integer, got a string"));
  EXPECT_EQ(onlyError({{"replicas", 1.5}}),
            Err("InvalidReplicas", "spec.replicas: expected an integer, got a fractional number"));
}

TEST(SpecValidation, UnknownVersion) {
  EXPECT_EQ(onlyError({{"mysqlVersion", "banana"}}).first, "InvalidMysqlVersion");
  EXPECT_EQ(onlyError({{"mysqlVersion", "banana"}}).second,
            "spec.mysqlVersion \"banana\" is not a valid MySQL version (expected \"5.7\", \"8.0\", "
            "\"X.Y.Z\", \"X.Y.Z-build\" or \"mariadb-X.Y[.Z]\")");
  EXPECT_EQ(
      onlyError({{"mysqlVersion", "5.7.99"}}),
      Err("InvalidMysqlVersion",
          "spec.mysqlVersion: no image is known for MySQL 5.7.99 (\"5.7.99\"); set spec.image "
          "or map it with --mysql-versions-to-image"));
  EXPECT_EQ(onlyError({{"mysqlVersion", "mariadb-10.5"}}),
            Err("InvalidMysqlVersion",
                "spec.mysqlVersion: MariaDB 10.5.0 is not supported; MariaDB 10.6 or later is "
                "required"));
  EXPECT_EQ(onlyError({{"mysqlVersion", "9.1.0"}, {"image", "mysql:9.1"}}),
            Err("InvalidMysqlVersion",
                "spec.mysqlVersion: MySQL 9.1.0 is not supported; use 5.7, 8.0 or a mariadb- "
                "version"));
  EXPECT_EQ(onlyError({{"image", "mariadb"}}).first, "InvalidImage");
}

TEST(SpecValidation, VersionsImagesAndSidecars) {
  ClusterSpec m8 = validSpec({{"mysqlVersion", "8.0"}});
  EXPECT_EQ(m8.mysqlImage, "docker.io/library/percona:8.0.20");
  EXPECT_EQ(m8.sidecarImage, "sidecar80:v1");
  EXPECT_EQ(m8.mysqlVersionLabel, "8.0.20");
  ClusterSpec maria = validSpec({{"mysqlVersion", "mariadb-10.11"}});
  EXPECT_EQ(maria.version.describe(), "MariaDB 10.11.0");
  EXPECT_EQ(maria.mysqlImage, "docker.io/library/mariadb:10.11");
  EXPECT_EQ(maria.sidecarImage, "sidecar57:v1");  // --sidecar-image serves MariaDB
  EXPECT_FALSE(maria.perconaImage);
  ClusterSpec byImage = validSpec({{"image", "registry.local/mariadb:10.6.16"}});
  EXPECT_EQ(byImage.version.describe(), "MariaDB 10.6.16");
  EXPECT_EQ(byImage.mysqlImage, "registry.local/mariadb:10.6.16");

  Options o = testOptions();
  o.mysqlVersionsToImage["5.7.99"] = "mysql:5.7.99";
  o.mysqlVersionsToImage["mariadb-10.11.0"] = "internal/mariadb:10.11";
  o.sidecarMariadbImage = "sidecar-maria:v1";
  EXPECT_EQ(validSpec({{"mysqlVersion", "5.7.99"}}, o).mysqlImage, "mysql:5.7.99");
  ClusterSpec mapped = validSpec({{"mysqlVersion", "mariadb-10.11"}}, o);
  EXPECT_EQ(mapped.mysqlImage, "internal/mariadb:10.11");
  EXPECT_EQ(mapped.sidecarImage, "sidecar-maria:v1");
  EXPECT_EQ(validSpec({{"sidecarImage", "mine:1"}}).sidecarImage, "mine:1");
}

TEST(SpecValidation, BadQuantity) {
  EXPECT_EQ(onlyError({{"podSpec", {{"resources", {{"requests", {{"memory", "lots"}}}}}}}}),
            Err("InvalidPodSpecResources",
                "spec.podSpec.resources.requests.memory: \"lots\" is not a valid quantity"));
  EXPECT_EQ(onlyError({{"podSpec", {{"resources", {{"limits", {{"cpu", "-1"}}}}}}}}),
            Err("InvalidPodSpecResources",
                "spec.podSpec.resources.limits.cpu: \"-1\" must not be negative"));
  EXPECT_EQ(
      onlyError(
          {{"volumeSpec",
            {{"persistentVolumeClaim", {{"resources", {{"requests", {{"storage", "10 GB"}}}}}}}}}}),
      Err("InvalidVolumeSpec",
          "spec.volumeSpec.persistentVolumeClaim.resources.requests.storage: \"10 GB\" is not "
          "a valid quantity"));
  EXPECT_EQ(onlyError({{"tmpfsSize", "1X"}}),
            Err("InvalidTmpfsSize", "spec.tmpfsSize: \"1X\" is not a valid quantity"));
  EXPECT_EQ(
      onlyError({{"podSpec", {{"metricsExporterResources", {{"limits", {{"memory", true}}}}}}}}),
      Err("InvalidPodSpecResources",
          "spec.podSpec.metricsExporterResources.limits.memory: expected a quantity such as "
          "\"1Gi\", got a boolean"));
}

TEST(SpecValidation, UnparsableBackupSchedule) {
  EXPECT_EQ(onlyError({{"backupSchedule", "every day"}}),
            Err("InvalidBackupSchedule",
                "spec.backupSchedule: \"every day\" is not a valid schedule: expected 6 fields "
                "(second minute hour day-of-month month [day-of-week]), found 2"));
  EXPECT_EQ(onlyError({{"backupSchedule", "0 61 * * * *"}}),
            Err("InvalidBackupSchedule",
                "spec.backupSchedule: \"0 61 * * * *\" is not a valid schedule: minute field "
                "\"61\": out of range 0-59"));
  // bitpoke's example schedules are valid.
  validSpec({{"backupSchedule", "0 1 1 * * *"}});
  validSpec({{"backupSchedule", "1 1 * * *"}});
  validSpec({{"backupSchedule", "@daily"}});
}

TEST(SpecValidation, UnknownBackupRemoteDeletePolicy) {
  EXPECT_EQ(onlyError({{"backupRemoteDeletePolicy", "softDelete"}}),
            Err("InvalidBackupRemoteDeletePolicy",
                "spec.backupRemoteDeletePolicy: \"softDelete\" is not one of retain, delete"));
  validSpec({{"backupRemoteDeletePolicy", "delete"}});
}

TEST(SpecValidation, NegativeHistoryLimitServerIdAndLatency) {
  EXPECT_EQ(onlyError({{"backupScheduleJobsHistoryLimit", -2}}),
            Err("InvalidBackupScheduleJobsHistoryLimit",
                "spec.backupScheduleJobsHistoryLimit: must be 0 or more, got -2"));
  EXPECT_EQ(onlyError({{"serverIDOffset", 0}}),
            Err("InvalidServerIDOffset", "spec.serverIDOffset: must be 1 or more, got 0"));
  EXPECT_EQ(onlyError({{"maxSlaveLatency", -5}}),
            Err("InvalidMaxSlaveLatency", "spec.maxSlaveLatency: must be 0 or more, got -5"));
}

TEST(SpecValidation, MinAvailable) {
  EXPECT_EQ(onlyError({{"minAvailable", "half"}}),
            Err("InvalidMinAvailable",
                "spec.minAvailable: \"half\" must be a count such as \"1\" or a percentage such as "
                "\"50%\""));
  EXPECT_EQ(onlyError({{"minAvailable", "150%"}}).first, "InvalidMinAvailable");
  EXPECT_EQ(validSpec({{"minAvailable", "1"}}).minAvailable, "1");
  EXPECT_EQ(validSpec({{"minAvailable", 2}}).minAvailable, "2");
}

TEST(SpecValidation, MysqlConf) {
  EXPECT_EQ(
      onlyError({{"mysqlConf", {{"bad key", "1"}}}}),
      Err("InvalidMysqlConf",
          "spec.mysqlConf: \"bad key\" is not an option name (letters, digits, '-', '_', '.')"));
  EXPECT_EQ(onlyError({{"mysqlConf", {{"max-connections", json::array()}}}}),
            Err("InvalidMysqlConf",
                "spec.mysqlConf.max-connections: expected a string or an integer, got a list"));
  EXPECT_EQ(
      onlyError({{"mysqlConf", {{"init-connect", "a\nb"}}}}),
      Err("InvalidMysqlConf", "spec.mysqlConf.init-connect: the value must be a single line"));
}

// bitpoke parses mysqlVersion as semver: a Percona build (8.0.32-24) comes with spec.image; the
// operator works with 8.0.32 and looks the full string up in --mysql-versions-to-image first.
TEST(SpecValidation, MysqlVersionWithABuildSuffix) {
  ClusterSpec c =
      validSpec({{"mysqlVersion", "8.0.32-24"}, {"image", "percona/percona-server:8.0.32-24"}});
  EXPECT_EQ(c.version.describe(), "MySQL 8.0.32");
  EXPECT_EQ(c.mysqlVersionLabel, "8.0.32");
  EXPECT_EQ(c.mysqlImage, "percona/percona-server:8.0.32-24");
  EXPECT_TRUE(c.perconaImage);
  EXPECT_EQ(c.sidecarImage, testOptions().sidecarMysql8Image);
  EXPECT_EQ(onlyError({{"mysqlVersion", "8.0.32-24"}}),
            Err("InvalidMysqlVersion",
                "spec.mysqlVersion: no image is known for MySQL 8.0.32 (\"8.0.32-24\"); set "
                "spec.image or map it with --mysql-versions-to-image"));
  Options mapped = testOptions();
  mapped.mysqlVersionsToImage["8.0.32-24"] = "percona:8.0.32-24";
  EXPECT_EQ(validSpec({{"mysqlVersion", "8.0.32-24"}}, mapped).mysqlImage, "percona:8.0.32-24");
  EXPECT_EQ(onlyError({{"mysqlVersion", "8.0.32-"}}).second,
            "spec.mysqlVersion \"8.0.32-\" is not a valid MySQL version (expected \"5.7\", "
            "\"8.0\", \"X.Y.Z\", \"X.Y.Z-build\" or \"mariadb-X.Y[.Z]\")");
}

// Generated manifests carry "" for unset enums; bitpoke accepts them and so do we, as the default.
TEST(SpecValidation, EmptyStringsAreUnset) {
  ClusterSpec c = validSpec({{"podSpec", {{"imagePullPolicy", ""}}},
                             {"backupRemoteDeletePolicy", ""},
                             {"queryLimits", {{"maxQueryTime", 5}, {"kill", ""}, {"killMode", ""}}},
                             {"masterService", {{"type", ""}, {"externalTrafficPolicy", ""}}}});
  EXPECT_EQ(c.imagePullPolicy, "IfNotPresent");
  EXPECT_EQ(c.masterService.type, "ClusterIP");
  EXPECT_EQ(c.masterService.externalTrafficPolicy, "");
  // Pull secrets without a name are dropped; with none left, the operator's default applies.
  EXPECT_EQ(
      validSpec({{"podSpec",
                  {{"imagePullSecrets", {{{"name", ""}}, json::object(), {{"name", "regcred"}}}}}}})
          .imagePullSecrets,
      json::array({{{"name", "regcred"}}}));
  Options withDefault = testOptions();
  withDefault.imagePullSecret = "operator-cred";
  EXPECT_EQ(validSpec({{"podSpec", {{"imagePullSecrets", {{{"name", ""}}}}}}}, withDefault)
                .imagePullSecrets,
            json::array({{{"name", "operator-cred"}}}));
  EXPECT_EQ(validSpec({{"podSpec", {{"imagePullSecrets", {{{"name", ""}}}}}}}).imagePullSecrets,
            json::array());
  Options always = testOptions();
  always.imagePullPolicy = "Always";
  EXPECT_EQ(validSpec({{"podSpec", {{"imagePullPolicy", ""}}}}, always).imagePullPolicy, "Always");
}

TEST(SpecValidation, PodSpecEnumsAndProbes) {
  EXPECT_EQ(onlyError({{"podSpec", {{"imagePullPolicy", "Sometimes"}}}}),
            Err("InvalidPodSpecImagePullPolicy",
                "spec.podSpec.imagePullPolicy: \"Sometimes\" is not one of Always, IfNotPresent, "
                "Never"));
  EXPECT_EQ(onlyError({{"podSpec", {{"mysqlReadinessProbe", {{"periodSeconds", 0}}}}}}),
            Err("InvalidPodSpecProbes",
                "spec.podSpec.mysqlReadinessProbe.periodSeconds: must be 1 or more, got 0"));
  EXPECT_EQ(onlyError({{"podSpec", {{"containers", {{{"image", "x"}}}}}}}),
            Err("InvalidPodSpec", "spec.podSpec.containers[0].name: required"));
  ClusterSpec c = validSpec(
      {{"podSpec",
        {{"mysqlLivenessProbe", {{"initialDelaySeconds", 300}, {"timeoutSeconds", 20}}}}}});
  EXPECT_EQ(c.livenessProbe.initialDelaySeconds, 300);
  EXPECT_EQ(c.livenessProbe.timeoutSeconds, 20);
  EXPECT_EQ(c.livenessProbe.periodSeconds, 5);
}

TEST(SpecValidation, QueryLimitsAndServices) {
  EXPECT_EQ(onlyError({{"queryLimits", {{"kill", "oldest"}}}}),
            Err("InvalidQueryLimits", "spec.queryLimits.maxQueryTime: required"));
  EXPECT_EQ(onlyError({{"queryLimits", {{"maxQueryTime", 10}, {"killMode", "hard"}}}}),
            Err("InvalidQueryLimits",
                "spec.queryLimits.killMode: \"hard\" is not one of connection, query"));
  EXPECT_EQ(onlyError({{"masterService", {{"type", "ExternalName"}}}}),
            Err("InvalidMasterService",
                "spec.masterService.type: \"ExternalName\" is not one of ClusterIP, NodePort, "
                "LoadBalancer"));
}

TEST(SpecValidation, VolumeSpec) {
  EXPECT_EQ(onlyError({{"volumeSpec", {{"hostPath", json::object()}}}}),
            Err("InvalidVolumeSpec", "spec.volumeSpec.hostPath.path: required"));
  EXPECT_EQ(
      onlyError({{"volumeSpec", {{"persistentVolumeClaim", {{"accessModes", {"Sometimes"}}}}}}}),
      Err("InvalidVolumeSpec",
          "spec.volumeSpec.persistentVolumeClaim.accessModes: \"Sometimes\" is not an access "
          "mode"));
  ClusterSpec c = validSpec(
      {{"volumeSpec", {{"persistentVolumeClaim", json::object()}, {"keepAfterDelete", true}}}});
  EXPECT_EQ(c.pvcSpec, json({{"accessModes", {"ReadWriteOnce"}},
                             {"resources", {{"requests", {{"storage", "1Gi"}}}}}}));
  EXPECT_TRUE(c.volumeKeepAfterDelete);
}

TEST(SpecValidation, NameLimits) {
  EXPECT_EQ(onlyError(json::object(), testOptions(), std::string(47, 'a')).first, "InvalidName");
  EXPECT_EQ(
      onlyError(json::object(), testOptions(), "abcdefghijklmnopqrstuvwxyz-0123456789",
                "a-long-namespace-name"),
      Err("InvalidName",
          "metadata.name: the pod host name "
          "\"abcdefghijklmnopqrstuvwxyz-0123456789-mysql-1.mysql.a-long-namespace-name\" has 73 "
          "characters; MySQL 5.7 allows at most 60 in MASTER_HOST"));
  // MySQL 8 and MariaDB take longer host names.
  ParsedCluster p =
      parseCluster(clusterObject({{"mysqlVersion", "8.0"}}, "abcdefghijklmnopqrstuvwxyz-0123456789",
                                 "a-long-namespace-name"),
                   testOptions());
  EXPECT_TRUE(p.spec.has_value());
}

TEST(SpecValidation, EveryErrorIsReported) {
  ParsedCluster p = parseCluster(
      clusterObject({{"replicas", -3}, {"backupRemoteDeletePolicy", "x"}, {"tmpfsSize", "?"}}),
      testOptions());
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[0].reason, "InvalidReplicas");
  EXPECT_EQ(p.errors[1].reason, "InvalidTmpfsSize");
  EXPECT_EQ(p.errors[2].reason, "InvalidBackupRemoteDeletePolicy");
}

}  // namespace
}  // namespace mysqlop::cluster
