// The CRDs against the local API server: bitpoke's manifests are accepted, bad specs are refused
// with the field named, subresources are what bitpoke declares.
#include <filesystem>

#include "cluster_env.h"

namespace mysqlop::cluster::it {
namespace {

class CrdTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.start(); }

  // The message of a refused create.
  std::string refusal(const json& obj) {
    HttpResult r = env_.create(obj);
    EXPECT_EQ(r.status, 422) << r.body;
    return r.json().value("message", "");
  }

  static json cluster(const json& spec, const std::string& name = "bad") {
    json c = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
              {"kind", "MysqlCluster"},
              {"metadata", {{"name", name}}},
              {"spec", {{"secretName", "s"}}}};
    for (auto it = spec.begin(); it != spec.end(); ++it) {
      c["spec"][it.key()] = *it;
    }
    return c;
  }

  ApiEnv env_;
};

TEST_F(CrdTest, EveryExampleManifestIsAccepted) {
  int created = 0;
  for (const auto& entry : std::filesystem::directory_iterator(sourcePath("examples"))) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("example-", 0) != 0) {
      continue;
    }
    for (const json& doc : loadManifests(entry.path().string())) {
      HttpResult r = env_.create(doc);
      EXPECT_EQ(r.status, 201) << name << ": " << r.body;
      ++created;
    }
  }
  EXPECT_EQ(created, 10);
  const json c = env_.get("MysqlCluster", "default", "foob2");
  EXPECT_EQ(c["spec"]["backupSchedule"], "0 1 1 * * *");
  EXPECT_EQ(c["spec"]["initBucketURL"], "gs://bucket_name/path/to/backup.xbackup.gz");
}

TEST_F(CrdTest, NegativeReplicas) {
  EXPECT_EQ(
      refusal(cluster({{"replicas", -1}})),
      "MysqlCluster.mysql.presslabs.org \"bad\" is invalid: spec.replicas: Invalid value: -1: "
      "spec.replicas in body should be greater than or equal to 0");
}

TEST_F(CrdTest, MissingSecretName) {
  json c = cluster(json::object());
  c["spec"].erase("secretName");
  EXPECT_EQ(refusal(c),
            "MysqlCluster.mysql.presslabs.org \"bad\" is invalid: spec.secretName: Required value");
}

TEST_F(CrdTest, UnknownVersionSyntax) {
  EXPECT_EQ(
      refusal(cluster({{"mysqlVersion", "banana"}})),
      "MysqlCluster.mysql.presslabs.org \"bad\" is invalid: spec.mysqlVersion: Invalid value: "
      "\"banana\": spec.mysqlVersion in body should match "
      "'^([0-9]+\\.[0-9]+|[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-"
      "9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?|mariadb-[0-9]+\\.[0-9]+(\\.[0-9]+)?)?$'");
}

TEST_F(CrdTest, UnknownBackupRemoteDeletePolicy) {
  EXPECT_EQ(refusal(cluster({{"backupRemoteDeletePolicy", "soft"}})),
            "MysqlCluster.mysql.presslabs.org \"bad\" is invalid: spec.backupRemoteDeletePolicy: "
            "Unsupported value: \"soft\": supported values: \"\", \"retain\", \"delete\"");
}

TEST_F(CrdTest, BadQuantities) {
  const std::string m =
      refusal(cluster({{"podSpec", {{"resources", {{"requests", {{"memory", "lots"}}}}}}}}));
  EXPECT_EQ(m.rfind("MysqlCluster.mysql.presslabs.org \"bad\" is invalid: "
                    "spec.podSpec.resources.requests.memory: Invalid value: \"lots\": ",
                    0),
            0u)
      << m;
  const std::string s = refusal(cluster(
      {{"volumeSpec",
        {{"persistentVolumeClaim", {{"resources", {{"requests", {{"storage", "10 GB"}}}}}}}}}}));
  EXPECT_NE(s.find("spec.volumeSpec.persistentVolumeClaim.resources.requests.storage: Invalid "
                   "value: \"10 GB\""),
            std::string::npos)
      << s;
  EXPECT_NE(refusal(cluster({{"tmpfsSize", "1X"}})).find("spec.tmpfsSize: Invalid value: \"1X\""),
            std::string::npos);
}

TEST_F(CrdTest, UnparsableBackupSchedule) {
  EXPECT_NE(refusal(cluster({{"backupSchedule", "every day"}}))
                .find("spec.backupSchedule: Invalid value: \"every day\": spec.backupSchedule in "
                      "body should match"),
            std::string::npos);
}

TEST_F(CrdTest, ScheduleTimeZonesAndDescriptorsAreAccepted) {
  // What bitpoke's cron library accepts; the backup plugin's parser decides the rest.
  int n = 0;
  for (const char* s : {"CRON_TZ=Europe/Paris 0 0 * * * *", "TZ=UTC @daily", "@every 5s",
                        "  0 30 2 * * MON-FRI  ", "CRON_TZ=America/New_York @every 1h30m"}) {
    HttpResult r = env_.create(cluster({{"backupSchedule", s}}, "tz" + std::to_string(n++)));
    EXPECT_EQ(r.status, 201) << s << ": " << r.body;
  }
  for (const char* s : {"CRON_TZ=Europe/Paris", "@every", "TZ=UTC every day"}) {
    EXPECT_NE(
        refusal(cluster({{"backupSchedule", s}})).find("spec.backupSchedule in body should match"),
        std::string::npos)
        << s;
  }
}

TEST_F(CrdTest, EnumsAndMinimumsOfOtherFields) {
  EXPECT_NE(refusal(cluster({{"minAvailable", "half"}}))
                .find("spec.minAvailable: Invalid value: \"half\""),
            std::string::npos);
  EXPECT_NE(refusal(cluster({{"podSpec", {{"imagePullPolicy", "Sometimes"}}}}))
                .find("spec.podSpec.imagePullPolicy: Unsupported value: \"Sometimes\": supported "
                      "values: \"\", \"Always\", \"IfNotPresent\", \"Never\""),
            std::string::npos);
  EXPECT_NE(
      refusal(cluster({{"serverIDOffset", 0}}))
          .find("spec.serverIDOffset: Invalid value: 0: spec.serverIDOffset in body should be "
                "greater than or equal to 1"),
      std::string::npos);
  EXPECT_NE(refusal(cluster({{"queryLimits", {{"kill", "oldest"}}}}))
                .find("spec.queryLimits.maxQueryTime: Required value"),
            std::string::npos);
  EXPECT_NE(refusal(cluster({{"masterService", {{"type", "ExternalName"}}}}))
                .find("spec.masterService.type: Unsupported value: \"ExternalName\""),
            std::string::npos);
  EXPECT_NE(refusal(cluster({{"podSpec", {{"mysqlReadinessProbe", {{"periodSeconds", 0}}}}}}))
                .find("spec.podSpec.mysqlReadinessProbe.periodSeconds: Invalid value: 0"),
            std::string::npos);
}

TEST_F(CrdTest, OtherKindsRequireTheirFields) {
  EXPECT_EQ(
      refusal({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
               {"kind", "MysqlBackup"},
               {"metadata", {{"name", "bad"}}},
               {"spec", {{"remoteDeletePolicy", "keep"}}}}),
      "MysqlBackup.mysql.presslabs.org \"bad\" is invalid: [spec.clusterName: Required value, "
      "spec.remoteDeletePolicy: Unsupported value: \"keep\": supported values: \"\", "
      "\"retain\", \"delete\"]");
  EXPECT_EQ(refusal({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                     {"kind", "MysqlDatabase"},
                     {"metadata", {{"name", "bad"}}},
                     {"spec", {{"clusterRef", {{"name", "c"}}}}}}),
            "MysqlDatabase.mysql.presslabs.org \"bad\" is invalid: spec.database: Required value");
  EXPECT_EQ(
      refusal({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
               {"kind", "MysqlUser"},
               {"metadata", {{"name", "bad"}}},
               {"spec",
                {{"user", "u"},
                 {"clusterRef", {{"name", "c"}}},
                 {"password", {{"name", "s"}, {"key", "PASSWORD"}}},
                 {"allowedHosts", json::array()}}}}),
      "MysqlUser.mysql.presslabs.org \"bad\" is invalid: spec.allowedHosts: Invalid value: 0: "
      "spec.allowedHosts in body should have at least 1 items");
}

TEST_F(CrdTest, SubresourcesAsBitpokeDeclaresThem) {
  ASSERT_EQ(env_.create(cluster({{"replicas", 3}}, "c1")).status, 201);
  HttpResult scale = env_.call("GET", collectionPath("MysqlCluster", "default") + "/c1/scale");
  ASSERT_EQ(scale.status, 200) << scale.body;
  EXPECT_EQ(scale.json()["spec"]["replicas"], 3);
  // status is a subresource: a status write does not touch the spec.
  json c = env_.get("MysqlCluster", "default", "c1");
  c["spec"]["replicas"] = 7;
  c["status"] = {{"readyNodes", 2}};
  HttpResult st = env_.call("PUT", collectionPath("MysqlCluster", "default") + "/c1/status", c);
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(st.json()["spec"]["replicas"], 3);
  EXPECT_EQ(st.json()["status"]["readyNodes"], 2);
  EXPECT_EQ(env_.call("GET", collectionPath("MysqlCluster", "default") + "/c1/scale")
                .json()["status"]["replicas"],
            2);
  // MysqlBackup has none (bitpoke persists its status through the main resource).
  ASSERT_EQ(env_.create({{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                         {"kind", "MysqlBackup"},
                         {"metadata", {{"name", "b1"}}},
                         {"spec", {{"clusterName", "c1"}}}})
                .status,
            201);
  EXPECT_EQ(env_.call("GET", collectionPath("MysqlBackup", "default") + "/b1/status").status, 404);
  json b = env_.get("MysqlBackup", "default", "b1");
  b["status"] = {{"completed", true}};
  HttpResult upd = env_.call("PUT", collectionPath("MysqlBackup", "default") + "/b1", b);
  ASSERT_EQ(upd.status, 200) << upd.body;
  EXPECT_EQ(upd.json()["status"]["completed"], true);
}

}  // namespace
}  // namespace mysqlop::cluster::it
