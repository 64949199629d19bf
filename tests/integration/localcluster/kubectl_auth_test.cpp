// kubectl against RBAC and OpenAPI v3 of the local API server: `auth can-i` (yes/no and the exit
// status) for the admin, for a service account's token and with --as; `create token`;
// `explain` for a CRD and for built-in kinds. The machine's kubectl (1.32); Debian's 1.20, which
// reads /openapi/v2, is in kubectl_v2_test.cpp.
#include <fstream>

#include "tests/integration/localcluster/fixture.h"
#include "tests/support/kube/kubectl.h"

namespace mysqlop::local::it {
namespace {

using testing::CommandResult;
using testing::Kubectl;

class KubectlAuthTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    kubectl_ = std::make_unique<Kubectl>(api_.kubeconfigPath());
    ASSERT_EQ(k({"create", "namespace", "team"}).exitCode, 0);
    ASSERT_EQ(k({"-n", "team", "create", "serviceaccount", "app"}).exitCode, 0);
  }

  CommandResult k(const std::vector<std::string>& args) { return kubectl_->run(args); }

  std::unique_ptr<Kubectl> kubectl_;
};

TEST_F(KubectlAuthTest, CanIAnswersForTheAdminAndForAnImpersonatedAccount) {
  auto admin = k({"auth", "can-i", "list", "pods", "-n", "team"});
  EXPECT_EQ(admin.exitCode, 0) << admin.err;
  EXPECT_EQ(admin.out, "yes\n");

  const std::string as = "--as=system:serviceaccount:team:app";
  auto no = k({"auth", "can-i", "list", "pods", "-n", "team", as});
  EXPECT_EQ(no.exitCode, 1) << no.err;
  EXPECT_EQ(no.out, "no\n");

  ASSERT_EQ(k({"-n", "team", "create", "role", "pod-reader", "--verb=get,list", "--resource=pods"})
                .exitCode,
            0);
  ASSERT_EQ(k({"-n", "team", "create", "rolebinding", "app-reads", "--role=pod-reader",
               "--serviceaccount=team:app"})
                .exitCode,
            0);
  auto yes = k({"auth", "can-i", "list", "pods", "-n", "team", as});
  EXPECT_EQ(yes.exitCode, 0) << yes.err;
  EXPECT_EQ(yes.out, "yes\n");
  EXPECT_EQ(k({"auth", "can-i", "delete", "pods", "-n", "team", as}).out, "no\n");
  EXPECT_EQ(k({"auth", "can-i", "list", "pods", "-n", "default", as}).out, "no\n");
}

TEST_F(KubectlAuthTest, CanIWithKubectl120) {
  std::string missing = Kubectl::missing(Kubectl::debian120());
  ASSERT_EQ(missing, "") << missing;
  Kubectl old(api_.kubeconfigPath(), Kubectl::debian120());
  const std::string as = "--as=system:serviceaccount:team:app";
  auto no = old.run({"auth", "can-i", "list", "pods", "-n", "team", as});
  EXPECT_EQ(no.exitCode, 1) << no.err;
  EXPECT_EQ(no.out, "no\n");
  ASSERT_EQ(
      k({"-n", "team", "create", "role", "pod-lister", "--verb=list", "--resource=pods"}).exitCode,
      0);
  ASSERT_EQ(k({"-n", "team", "create", "rolebinding", "app-lists", "--role=pod-lister",
               "--serviceaccount=team:app"})
                .exitCode,
            0);
  auto yes = old.run({"auth", "can-i", "list", "pods", "-n", "team", as});
  EXPECT_EQ(yes.exitCode, 0) << yes.err;
  EXPECT_EQ(yes.out, "yes\n");
  auto cm = old.run({"-n", "team", "get", "configmaps", as});
  EXPECT_EQ(cm.err,
            "Error from server (Forbidden): configmaps is forbidden: User "
            "\"system:serviceaccount:team:app\" cannot list resource \"configmaps\" in API group "
            "\"\" in the namespace \"team\"\n");
}

TEST_F(KubectlAuthTest, AServiceAccountTokenAsksForItself) {
  auto token = k({"-n", "team", "create", "token", "app"});
  ASSERT_EQ(token.exitCode, 0) << token.err;
  std::string t = token.out.substr(0, token.out.find('\n'));
  ASSERT_EQ(
      k({"-n", "team", "create", "clusterrole", "cm-list", "--verb=list", "--resource=configmaps"})
          .exitCode,
      0);
  ASSERT_EQ(k({"create", "clusterrolebinding", "app-cm", "--clusterrole=cm-list",
               "--serviceaccount=team:app"})
                .exitCode,
            0);
  auto yes = k({"--token=" + t, "auth", "can-i", "list", "configmaps", "-n", "default"});
  EXPECT_EQ(yes.exitCode, 0) << yes.err;
  EXPECT_EQ(yes.out, "yes\n");
  auto no = k({"--token=" + t, "auth", "can-i", "create", "configmaps", "-n", "default"});
  EXPECT_EQ(no.exitCode, 1);
  EXPECT_EQ(no.out, "no\n");
  // --list: SelfSubjectRulesReview, with the bound rule and the self-review rules.
  auto list = k({"--token=" + t, "auth", "can-i", "--list", "-n", "default"});
  EXPECT_EQ(list.exitCode, 0) << list.err;
  EXPECT_NE(list.out.find("configmaps "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("selfsubjectaccessreviews.authorization.k8s.io"), std::string::npos)
      << list.out;
  auto get = k({"--token=" + t, "-n", "team", "get", "pods"});
  EXPECT_NE(get.exitCode, 0);
  EXPECT_EQ(get.err,
            "Error from server (Forbidden): pods is forbidden: User "
            "\"system:serviceaccount:team:app\" cannot list resource \"pods\" in API group \"\" "
            "in the namespace \"team\"\n");
  auto whoami = k({"--token=" + t, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
  EXPECT_EQ(whoami.out, "system:serviceaccount:team:app") << whoami.err;
}

TEST_F(KubectlAuthTest, ExplainPrintsBuiltInAndCustomResourceFields) {
  auto pods = k({"explain", "pods.spec"});
  ASSERT_EQ(pods.exitCode, 0) << pods.err;
  EXPECT_NE(pods.out.find("FIELD: spec <PodSpec>"), std::string::npos) << pods.out;
  EXPECT_NE(pods.out.find("containers\t<[]Container> -required-"), std::string::npos) << pods.out;
  auto env = k({"explain", "statefulsets.spec.template.spec.containers.env"});
  EXPECT_EQ(env.exitCode, 0) << env.err;
  EXPECT_NE(env.out.find("FIELD: env <[]EnvVar>"), std::string::npos) << env.out;
  for (const char* kind :
       {"services.spec", "jobs.spec", "configmaps", "secrets", "leases.spec", "events"}) {
    auto r = k({"explain", kind});
    EXPECT_EQ(r.exitCode, 0) << kind << ": " << r.err;
  }

  ASSERT_EQ(k({"apply", "-f", std::string(MYSQLOP_SOURCE_DIR) + "/crds"}).exitCode, 0);
  auto cr = k({"explain", "mysqlcluster.spec"});
  ASSERT_EQ(cr.exitCode, 0) << cr.err;
  EXPECT_NE(cr.out.find("GROUP:      mysql.presslabs.org"), std::string::npos) << cr.out;
  EXPECT_NE(cr.out.find("replicas\t<integer>"), std::string::npos) << cr.out;

  // A CRD's new field is explained at once (the document's hash changes with it).
  const std::string crd =
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
 "metadata":{"name":"widgets.example.com"},
 "spec":{"group":"example.com","scope":"Namespaced",
  "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
  "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{
   "type":"object","properties":{"spec":{"type":"object","description":"The widget.",
   "properties":{"size":{"type":"integer","description":"How big."}FIELD}}}}}}]}})";
  auto withField = [&](const std::string& extra) {
    std::string text = crd;
    text.replace(text.find("FIELD"), 5, extra);
    return text;
  };
  ASSERT_EQ(kubectl_->run({"apply", "-f", "-"}, withField("")).exitCode, 0);
  ASSERT_TRUE(eventually("widget explained", [&] {
    return k({"explain", "widgets.spec"}).out.find("size\t<integer>") != std::string::npos;
  }));
  ASSERT_EQ(kubectl_
                ->run({"apply", "-f", "-"},
                      withField(R"(,"color":{"type":"string","description":"Its color."})"))
                .exitCode,
            0);
  ASSERT_TRUE(eventually("new field explained", [&] {
    return k({"explain", "widgets.spec"}).out.find("color\t<string>") != std::string::npos;
  }));
}

}  // namespace
}  // namespace mysqlop::local::it
