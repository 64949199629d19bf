// Debian's kubectl 1.20 against /openapi/v2 (gnostic protobuf), unchanged: no --validate=false.
// It validates writes client-side against the custom kinds' schemas (the exact error of an
// unknown field and of a wrong type), learns from the document that --dry-run=server is
// supported, explains a custom kind down to its fields, and leaves built-in kinds to the server
// (their tables are partial: openapi_v2.h).
#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/kubectl.h"

namespace mysqlop::local::it {
namespace {

using testing::CommandResult;
using testing::Kubectl;

class KubectlV2Test : public ApiTest {
 protected:
  void SetUp() override {
    std::string missing = Kubectl::missing(Kubectl::debian120());
    ASSERT_EQ(missing, "") << missing;
    ApiTest::SetUp();
    kubectl_ = std::make_unique<Kubectl>(api_.kubeconfigPath(), Kubectl::debian120());
    auto crds = k({"apply", "-f", std::string(MYSQLOP_SOURCE_DIR) + "/crds"});
    ASSERT_EQ(crds.exitCode, 0) << crds.err;
  }

  CommandResult k(const std::vector<std::string>& args, const std::string& in = "") {
    return kubectl_->run(args, in);
  }

  std::unique_ptr<Kubectl> kubectl_;
};

const char* kCluster = R"(apiVersion: v1
kind: Secret
metadata: {name: my-secret}
stringData: {ROOT_PASSWORD: not-a-real-password}
---
apiVersion: mysql.presslabs.org/v1alpha1
kind: MysqlCluster
metadata: {name: my-cluster, labels: {team: a}}
spec:
  replicas: 2
  secretName: my-secret
  mysqlConf: {max_connections: "100"}
  podSpec:
    resources: {requests: {memory: 1Gi}}
    tolerations: [{key: k, operator: Exists}]
)";

TEST_F(KubectlV2Test, ApplyValidatesCustomKindsClientSide) {
  auto ok = k({"apply", "-f", "-"}, kCluster);
  ASSERT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_EQ(ok.out,
            "secret/my-secret created\nmysqlcluster.mysql.presslabs.org/my-cluster created\n");
  EXPECT_EQ(call("GET",
                 "/apis/mysql.presslabs.org/v1alpha1/namespaces/default/mysqlclusters/"
                 "my-cluster")
                .json()["spec"]["replicas"],
            2);
  auto again = k({"apply", "-f", "-"}, kCluster);
  EXPECT_EQ(again.exitCode, 0) << again.err;
  EXPECT_NE(again.out.find("mysqlcluster.mysql.presslabs.org/my-cluster unchanged"),
            std::string::npos)
      << again.out;

  auto unknown = k({"apply", "-f", "-"}, R"(apiVersion: mysql.presslabs.org/v1alpha1
kind: MysqlCluster
metadata: {name: bad}
spec: {replicas: 2, secretName: s, replica: 3}
)");
  EXPECT_EQ(unknown.exitCode, 1);
  EXPECT_EQ(unknown.err,
            "error: error validating \"STDIN\": error validating data: "
            "ValidationError(MysqlCluster.spec): unknown field \"replica\" in "
            "org.presslabs.mysql.v1alpha1.MysqlCluster.spec; if you choose to ignore these "
            "errors, turn validation off with --validate=false\n");
  auto wrongType = k({"apply", "-f", "-"}, R"(apiVersion: mysql.presslabs.org/v1alpha1
kind: MysqlCluster
metadata: {name: bad}
spec: {replicas: two, secretName: s}
)");
  EXPECT_EQ(wrongType.exitCode, 1);
  EXPECT_EQ(wrongType.err,
            "error: error validating \"STDIN\": error validating data: "
            "ValidationError(MysqlCluster.spec.replicas): invalid type for "
            "org.presslabs.mysql.v1alpha1.MysqlCluster.spec.replicas: got \"string\", expected "
            "\"integer\"; if you choose to ignore these errors, turn validation off with "
            "--validate=false\n");
  EXPECT_EQ(
      call("GET", "/apis/mysql.presslabs.org/v1alpha1/namespaces/default/mysqlclusters/bad").status,
      404);
}

TEST_F(KubectlV2Test, DryRunOnTheServerIsSupportedForEveryKind) {
  auto r = k({"apply", "--dry-run=server", "-f", "-"}, std::string(kCluster) + R"(---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: busybox}]}
)");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out,
            "secret/my-secret created (server dry run)\n"
            "mysqlcluster.mysql.presslabs.org/my-cluster created (server dry run)\n"
            "configmap/settings created (server dry run)\n"
            "statefulset.apps/web created (server dry run)\n");
  EXPECT_EQ(call("GET", "/api/v1/namespaces/default/configmaps/settings").status, 404);
}

TEST_F(KubectlV2Test, ExplainDescribesCustomKindsToTheirFields) {
  auto spec = k({"explain", "mysqlcluster.spec"});
  ASSERT_EQ(spec.exitCode, 0) << spec.err;
  EXPECT_NE(spec.out.find("VERSION:  mysql.presslabs.org/v1alpha1"), std::string::npos) << spec.out;
  EXPECT_NE(spec.out.find("   replicas\t<integer>"), std::string::npos) << spec.out;
  auto meta = k({"explain", "mysqlbackup.metadata.ownerReferences"});
  ASSERT_EQ(meta.exitCode, 0) << meta.err;
  EXPECT_NE(meta.out.find("   uid\t<string> -required-"), std::string::npos) << meta.out;
  // A built-in kind has no schema in v2 (its table is partial): kubectl says so.
  auto pods = k({"explain", "pods"});
  EXPECT_EQ(pods.exitCode, 1);
  EXPECT_EQ(pods.err, "error: couldn't find resource for \"/v1, Kind=Pod\"\n");
}

}  // namespace
}  // namespace mysqlop::local::it
