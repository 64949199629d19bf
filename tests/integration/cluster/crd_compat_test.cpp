// Specs bitpoke's CRDs accept, applied with kubectl (strict field validation, so a pruned field is
// an error) against the local API server with our CRDs: each is stored as written. Next to each,
// the closest value we still refuse, with the API server's exact message.
#include "cluster_env.h"
#include "tests/support/kube/kubectl.h"

namespace mysqlop::cluster::it {
namespace {

class CrdCompatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.start();
    ASSERT_EQ(testing::Kubectl::missing("/usr/bin/kubectl"), "");
    kubectl_ = std::make_unique<testing::Kubectl>(env_.api().kubeconfigPath());
  }

  // kubectl apply of one manifest; the stored object as JSON (null, with a failure, if refused).
  json applied(const std::string& yaml, const std::string& kind, const std::string& name) {
    auto r = kubectl_->run({"apply", "-f", "-"}, yaml);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return env_.get(kind, "default", name);
  }

  // kubectl apply of a manifest that must be refused: its stderr.
  std::string refused(const std::string& yaml) {
    auto r = kubectl_->run({"apply", "-f", "-"}, yaml);
    EXPECT_NE(r.exitCode, 0) << r.out;
    return r.err;
  }

  static std::string cluster(const std::string& name, const std::string& spec) {
    return "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlCluster\nmetadata: {name: " +
           name + "}\nspec:\n  secretName: s\n" + spec;
  }

  static std::string user(const std::string& name, const std::string& spec) {
    return "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlUser\nmetadata: {name: " + name +
           "}\nspec:\n  user: u\n  clusterRef: {name: c}\n  allowedHosts: ['%']\n" + spec;
  }

  ApiEnv env_;
  std::unique_ptr<testing::Kubectl> kubectl_;
};

TEST_F(CrdCompatTest, MysqlUserPasswordOptionalIsKept) {
  json u = applied(user("opt", "  password: {name: s, key: PASSWORD, optional: true}\n"),
                   "MysqlUser", "opt");
  EXPECT_EQ(u["spec"]["password"], json({{"name", "s"}, {"key", "PASSWORD"}, {"optional", true}}));
  EXPECT_EQ(refused(user("opt2", "  password: {name: s, key: PASSWORD, optional: maybe}\n")),
            "The MysqlUser \"opt2\" is invalid: spec.password.optional: Invalid value: "
            "\"string\": spec.password.optional in body must be of type boolean: \"string\"\n");
}

TEST_F(CrdCompatTest, MysqlUserResourceLimitsInAnyCase) {
  json u = applied(user("lim",
                        "  password: {name: s, key: PASSWORD}\n"
                        "  resourceLimits:\n    max_user_connections: 10\n"
                        "    MAX_QUERIES_PER_HOUR: 2k\n    Max_Updates_Per_Hour: '30'\n"),
                   "MysqlUser", "lim");
  EXPECT_EQ(u["spec"]["resourceLimits"], json({{"max_user_connections", 10},
                                               {"MAX_QUERIES_PER_HOUR", "2k"},
                                               {"Max_Updates_Per_Hour", "30"}}));
  // Values are quantities, as in bitpoke (the operator then requires a whole number).
  EXPECT_EQ(
      refused(user("lim2",
                   "  password: {name: s, key: PASSWORD}\n"
                   "  resourceLimits: {max_user_connections: ten}\n")),
      "The MysqlUser \"lim2\" is invalid: spec.resourceLimits.max_user_connections: Invalid "
      "value: \"ten\": spec.resourceLimits.max_user_connections in body should match "
      "'^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-"
      "9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'\n");
}

TEST_F(CrdCompatTest, MysqlVersionWithASemverBuild) {
  for (const char* v : {"8.0.32-24", "5.7.44-48", "8.0.32-rc.1+build-7", "8.0.32+b1"}) {
    const std::string name = "v" + std::to_string(std::string(v).size());
    json c = applied(cluster(name, std::string("  mysqlVersion: '") + v +
                                       "'\n  image: percona/percona-server:8.0.32-24\n"),
                     "MysqlCluster", name);
    EXPECT_EQ(c["spec"]["mysqlVersion"], v);
  }
  EXPECT_EQ(
      refused(cluster("v-bad", "  mysqlVersion: 8.0.32_24\n")),
      "The MysqlCluster \"v-bad\" is invalid: spec.mysqlVersion: Invalid value: \"8.0.32_24\": "
      "spec.mysqlVersion in body should match "
      "'^([0-9]+\\.[0-9]+|[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-"
      "z-]+(\\.[0-9A-Za-z-]+)*)?|mariadb-[0-9]+\\.[0-9]+(\\.[0-9]+)?)?$'\n");
  // A build needs the three numbers (semver).
  EXPECT_NE(refused(cluster("v-two", "  mysqlVersion: 8.0-24\n"))
                .find("spec.mysqlVersion: Invalid value: \"8.0-24\""),
            std::string::npos);
}

TEST_F(CrdCompatTest, EmptyDirHugePages) {
  for (const char* medium : {"HugePages", "HugePages-2Mi", "HugePages-1Gi", "Memory", ""}) {
    const std::string name = "hp" + std::to_string(std::string(medium).size());
    json c = applied(
        cluster(name, std::string("  volumeSpec:\n    emptyDir: {medium: '") + medium + "'}\n"),
        "MysqlCluster", name);
    EXPECT_EQ(c["spec"]["volumeSpec"]["emptyDir"]["medium"], medium);
  }
  EXPECT_EQ(refused(cluster("hp-bad", "  volumeSpec:\n    emptyDir: {medium: Disk}\n")),
            "The MysqlCluster \"hp-bad\" is invalid: spec.volumeSpec.emptyDir.medium: Invalid "
            "value: \"Disk\": spec.volumeSpec.emptyDir.medium in body should match "
            "'^(|Memory|HugePages|HugePages-.+)$'\n");
}

TEST_F(CrdCompatTest, EmptyStringsOfGeneratedManifests) {
  json c = applied(cluster("empties",
                           "  podSpec:\n    imagePullPolicy: ''\n"
                           "    tolerations: [{key: k, operator: '', value: v}]\n"
                           "    backupTolerations: [{key: k, operator: ''}]\n"
                           "    imagePullSecrets: [{name: ''}, {}]\n"
                           "  queryLimits: {maxQueryTime: 5, kill: '', killMode: ''}\n"
                           "  backupRemoteDeletePolicy: ''\n"),
                   "MysqlCluster", "empties");
  EXPECT_EQ(c["spec"]["podSpec"]["imagePullPolicy"], "");
  EXPECT_EQ(c["spec"]["podSpec"]["tolerations"][0]["operator"], "");
  EXPECT_EQ(c["spec"]["podSpec"]["backupTolerations"][0]["operator"], "");
  EXPECT_EQ(c["spec"]["podSpec"]["imagePullSecrets"],
            json::array({{{"name", ""}}, json::object()}));
  EXPECT_EQ(c["spec"]["queryLimits"]["kill"], "");
  json b = applied(
      "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\nmetadata: {name: b}\n"
      "spec: {clusterName: empties, remoteDeletePolicy: ''}\n",
      "MysqlBackup", "b");
  EXPECT_EQ(b["spec"]["remoteDeletePolicy"], "");
  // Other values of those enums are still refused.
  EXPECT_EQ(refused(cluster("ipp", "  podSpec: {imagePullPolicy: Sometimes}\n")),
            "The MysqlCluster \"ipp\" is invalid: spec.podSpec.imagePullPolicy: Unsupported value: "
            "\"Sometimes\": supported values: \"\", \"Always\", \"IfNotPresent\", \"Never\"\n");
  EXPECT_EQ(refused(cluster("tol", "  podSpec:\n    tolerations: [{key: k, operator: In}]\n")),
            "The MysqlCluster \"tol\" is invalid: spec.podSpec.tolerations[0].operator: "
            "Unsupported value: \"In\": supported values: \"\", \"Exists\", \"Equal\"\n");
  EXPECT_EQ(refused("apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlBackup\n"
                    "metadata: {name: b2}\nspec: {clusterName: c, remoteDeletePolicy: soft}\n"),
            "The MysqlBackup \"b2\" is invalid: spec.remoteDeletePolicy: Unsupported value: "
            "\"soft\": supported values: \"\", \"retain\", \"delete\"\n");
}

}  // namespace
}  // namespace mysqlop::cluster::it
