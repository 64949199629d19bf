// Real `helm install`, `upgrade` and `uninstall` against the local API server. Helm keeps its
// releases in Secrets written by client-go's typed client in protobuf
// (localcluster/apiserver/protobuf_body.h decodes them).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "tests/integration/chart/chart_support.h"
#include "tests/support/kube/local_api_server.h"

namespace mysqlop::chart_test {
namespace {

using testing::Kubectl;
using testing::LocalApiServer;

class HelmRelease : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string m = helmMissing(); !m.empty()) {
      GTEST_FAIL() << m;
    }
    auto started = api_.start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    kubectl_ = std::make_unique<Kubectl>(api_.kubeconfigPath());
    ASSERT_EQ(kubectl_->run({"create", "namespace", "ops"}).exitCode, 0);
    auto rbac =
        kubectl_->run({"api-resources", "--api-group=rbac.authorization.k8s.io", "-o", "name"});
    rbacServed_ = rbac.out.find("clusterroles") != std::string::npos;
  }

  CommandResult helmHere(std::vector<std::string> args) {
    args.insert(args.end(), {"-n", "ops"});
    if (!rbacServed_) {
      args.insert(args.end(), {"--set", "rbac.create=false"});
    }
    return helm(args, api_.kubeconfigPath());
  }

  std::string get(const std::string& what, const std::string& jsonpath) {
    return kubectl_->run({"get", "-n", "ops", what, "-o", "jsonpath=" + jsonpath}).out;
  }

  LocalApiServer api_;
  std::unique_ptr<Kubectl> kubectl_;
  bool rbacServed_ = false;
};

TEST_F(HelmRelease, InstallUpgradeUninstall) {
  CommandResult r = helmHere({"install", "mysql-operator", chartDir()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("STATUS: deployed"), std::string::npos) << r.out;
  // Helm's release record, as kube-apiserver would store it.
  EXPECT_EQ(get("secret/sh.helm.release.v1.mysql-operator.v1", "{.type}"), "helm.sh/release.v1");
  EXPECT_EQ(get("secret/sh.helm.release.v1.mysql-operator.v1", "{.metadata.labels.status}"),
            "deployed");
  EXPECT_EQ(get("statefulset/mysql-operator", "{.spec.replicas}"), "1");
  const std::string password = get("secret/mysql-operator-orc", "{.data.TOPOLOGY_PASSWORD}");
  ASSERT_EQ(password.size(), 24u);
  // Something the operator would have created for a cluster: not the release's.
  ASSERT_EQ(kubectl_
                ->run({"create", "configmap", "-n", "ops", "my-cluster-mysql", "--from-literal",
                       "my.cnf=x"})
                .exitCode,
            0);

  // An upgrade with a changed value keeps the random topology password.
  r = helmHere({"upgrade", "mysql-operator", chartDir(), "--set", "replicaCount=3"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(get("statefulset/mysql-operator", "{.spec.replicas}"), "3");
  EXPECT_EQ(get("poddisruptionbudget/mysql-operator", "{.spec.maxUnavailable}"), "1");
  EXPECT_EQ(get("secret/mysql-operator-orc", "{.data.TOPOLOGY_PASSWORD}"), password);
  EXPECT_EQ(get("secret/sh.helm.release.v1.mysql-operator.v1", "{.metadata.labels.status}"),
            "superseded");
  r = helm({"list", "-n", "ops", "-o", "json"}, api_.kubeconfigPath());
  EXPECT_NE(r.out.find("\"revision\":\"2\""), std::string::npos) << r.out;

  r = helm({"uninstall", "mysql-operator", "-n", "ops"}, api_.kubeconfigPath());
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(kubectl_->run({"get", "-n", "ops", "statefulsets,secrets", "-o", "name"}).out, "");
  // What was not the release's stays.
  EXPECT_EQ(get("configmap/my-cluster-mysql", "{.data.my\\.cnf}"), "x");
}

// A length-delimited protobuf field (number < 16, length < 128).
std::string pbField(int number, const std::string& bytes) {
  return std::string(1, static_cast<char>((number << 3) | 2)) +
         std::string(1, static_cast<char>(bytes.size())) + bytes;
}

// A Secret in protobuf, as client-go sends it: every data length (padding of base64) and the
// ObjectMeta fields a client sets come back as kube-apiserver stores them.
TEST_F(HelmRelease, AProtobufSecretIsStoredAsSent) {
  const std::string meta = pbField(1, "pb") +
                           pbField(11, pbField(1, "owner") + pbField(2, "helm")) +
                           pbField(12, pbField(1, "note") + pbField(2, "x"));
  const std::string secret = pbField(1, meta) + pbField(2, pbField(1, "one") + pbField(2, "a")) +
                             pbField(2, pbField(1, "two") + pbField(2, "ab")) +
                             pbField(2, pbField(1, "three") + pbField(2, "abc")) +
                             pbField(3, "helm.sh/release.v1");
  const std::string body = std::string("k8s\0", 4) +
                           pbField(1, pbField(1, "v1") + pbField(2, "Secret")) + pbField(2, secret);
  auto r = api_.request("POST", "/api/v1/namespaces/ops/secrets", body,
                        "application/vnd.kubernetes.protobuf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r.value().status, 201) << r.value().body;
  const json got = r.value().json();
  EXPECT_EQ(got["metadata"]["name"], "pb");
  EXPECT_EQ(got["metadata"]["labels"], json({{"owner", "helm"}}));
  EXPECT_EQ(got["metadata"]["annotations"], json({{"note", "x"}}));
  EXPECT_EQ(got["type"], "helm.sh/release.v1");
  EXPECT_EQ(got["data"], json({{"one", "YQ=="}, {"two", "YWI="}, {"three", "YWJj"}}));
}

// A protobuf body of a kind the server does not decode gets kube-apiserver's 415, naming it.
TEST_F(HelmRelease, OtherProtobufKindsAreRefusedWithTheirName) {
  // "k8s\0" + runtime.Unknown{typeMeta: {apiVersion: "v1", kind: "Pod"}, raw: ""}.
  const std::string typeMeta = std::string("\x0a\x02v1\x12\x03Pod", 9);
  const std::string body = std::string("k8s\0", 4) + "\x0a" +
                           std::string(1, static_cast<char>(typeMeta.size())) + typeMeta;
  auto r = api_.request("POST", "/api/v1/namespaces/ops/pods", body,
                        "application/vnd.kubernetes.protobuf");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value().status, 415);
  EXPECT_EQ(r.value().json()["message"],
            "the body of the request was in protobuf for v1 Pod, which this server decodes only "
            "for v1 Secret, ConfigMap and DeleteOptions: send application/json");
  // A message cut short.
  r = api_.request("POST", "/api/v1/namespaces/ops/secrets", std::string("k8s\0\x0a\x20", 6),
                   "application/vnd.kubernetes.protobuf");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 400);
  EXPECT_EQ(r.value().json()["message"],
            "the body of the request could not be decoded as protobuf: a field runs past the end "
            "of its message");
}

}  // namespace
}  // namespace mysqlop::chart_test
