// kubectl against the local API server with our CRDs: bitpoke's examples apply with strict field
// validation, and fields of bitpoke's oldest manifests are named as unknown.
#include "tests/support/kube/kubectl.h"
#include "cluster_env.h"

namespace mysqlop::cluster::it {
namespace {

class CrdKubectlTest : public ::testing::Test {
 protected:
  void SetUp() override { env_.start(); }
  ApiEnv env_;
};

TEST_F(CrdKubectlTest, KubectlAppliesTheExamplesWithStrictFieldValidation) {
  const std::string missing = testing::Kubectl::missing("/usr/bin/kubectl");
  ASSERT_EQ(missing, "");
  testing::Kubectl k(env_.api().kubeconfigPath());
  for (const char* f : {"example-cluster-secret.yaml", "example-cluster.yaml",
                        "example-cluster-init.yaml", "example-backup.yaml", "example-database.yaml",
                        "example-user.yaml", "example-mariadb-cluster.yaml"}) {
    auto r = k.run({"apply", "-f", sourcePath(std::string("examples/") + f)});
    EXPECT_EQ(r.exitCode, 0) << f << ": " << r.err;
  }
  auto r = k.run({"get", "mysql", "-o", "name"});
  EXPECT_EQ(r.out,
            "mysqlcluster.mysql.presslabs.org/foob2\nmysqlcluster.mysql.presslabs.org/my-cluster\n"
            "mysqlcluster.mysql.presslabs.org/my-mariadb\n");
  // bitpoke's oldest examples used backupUri / initBucketUri: strict validation names them.
  auto old = k.run({"apply", "-f", "-"},
                   "apiVersion: mysql.presslabs.org/v1alpha1\nkind: MysqlCluster\n"
                   "metadata: {name: old}\nspec: {secretName: s, backupUri: gs://b/}\n");
  EXPECT_NE(old.exitCode, 0);
  EXPECT_NE(old.err.find("unknown field \"spec.backupUri\""), std::string::npos) << old.err;
}

}  // namespace
}  // namespace mysqlop::cluster::it
