// Real clients against the server through the written kubeconfig: the machine's kubectl
// dispatcher (which picks kubectl 1.30 from /version) and Debian's kubectl 1.20 (which validates
// writes client-side against /openapi/v2). Each test uses a fresh kubectl cache dir.
#include "tests/support/kube/kubectl.h"
#include "tests/integration/localcluster/fixture.h"

namespace mysqlop::local::it {
namespace {

using testing::CommandResult;
using testing::Kubectl;

struct Client {
  std::string name;
  std::string binary;
  bool old;  // kubectl 1.20
};

// Printed in test names instead of the bytes of the struct.
void PrintTo(const Client& c, std::ostream* os) { *os << c.name; }

class KubectlTest : public ApiTest, public ::testing::WithParamInterface<Client> {
 protected:
  void SetUp() override {
    std::string missing = Kubectl::missing(GetParam().binary);
    ASSERT_EQ(missing, "") << missing;
    ApiTest::SetUp();
    kubectl_ = std::make_unique<Kubectl>(api_.kubeconfigPath(), GetParam().binary);
  }

  CommandResult k(const std::vector<std::string>& args, const std::string& in = "") {
    return kubectl_->run(args, in);
  }

  json object(const std::string& path) { return call("GET", path).json(); }

  std::unique_ptr<Kubectl> kubectl_;
};

const char* kSts = R"(apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  labels: {app: web}
spec:
  serviceName: web
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: a
        image: nginx:1
        env:
        - {name: X, value: "1"}
        - {name: Y, value: "2"}
      - name: b
        image: busybox:1
)";

const char* kStsV2 = R"(apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  labels: {app: web}
spec:
  serviceName: web
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: a
        image: nginx:2
        env:
        - {name: X, value: "1"}
        - {name: Z, value: "3"}
)";

TEST_P(KubectlTest, VersionAndDiscovery) {
  auto v = k({"version", "-o", "json"});
  ASSERT_EQ(v.exitCode, 0) << v.err;
  EXPECT_EQ(json::parse(v.out)["serverVersion"]["minor"], "30");
  auto r = k({"api-resources", "-o", "name"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("statefulsets.apps\n"), std::string::npos);
  EXPECT_NE(r.out.find("leases.coordination.k8s.io\n"), std::string::npos);
  auto ns = k({"get", "namespaces", "-o", "name"});
  EXPECT_EQ(ns.out,
            "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\n"
            "namespace/kube-system\n");
}

TEST_P(KubectlTest, BuiltinApplyPatchScaleDelete) {
  std::string sts = "/apis/apps/v1/namespaces/default/statefulsets/web";
  auto a = k({"apply", "-f", "-"}, kSts);
  ASSERT_EQ(a.exitCode, 0) << a.err;
  EXPECT_EQ(a.out, "statefulset.apps/web created\n");
  json created = object(sts);
  EXPECT_EQ(created["spec"]["template"]["spec"]["containers"].size(), 2u);
  EXPECT_TRUE(created["metadata"]["annotations"].contains(
      "kubectl.kubernetes.io/last-applied-configuration"));

  // Re-apply: strategic merge patch with $setElementOrder and $patch: delete.
  auto b = k({"apply", "-f", "-"}, kStsV2);
  ASSERT_EQ(b.exitCode, 0) << b.err;
  EXPECT_EQ(b.out, "statefulset.apps/web configured\n");
  json updated = object(sts);
  json containers = updated["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0]["image"], "nginx:2");
  EXPECT_EQ(containers[0]["env"],
            json::parse(R"([{"name":"X","value":"1"},{"name":"Z","value":"3"}])"));
  EXPECT_EQ(updated["metadata"]["generation"], 2);
  auto same = k({"apply", "-f", "-"}, kStsV2);
  EXPECT_EQ(same.out, "statefulset.apps/web unchanged\n");
  EXPECT_EQ(object(sts)["metadata"]["resourceVersion"], updated["metadata"]["resourceVersion"]);

  auto scale = k({"scale", "statefulset", "web", "--replicas=3"});
  ASSERT_EQ(scale.exitCode, 0) << scale.err;
  EXPECT_EQ(scale.out, "statefulset.apps/web scaled\n");
  EXPECT_EQ(object(sts)["spec"]["replicas"], 3);

  auto merge =
      k({"patch", "sts", "web", "--type=merge", "-p", R"({"metadata":{"labels":{"m":"1"}}})"});
  ASSERT_EQ(merge.exitCode, 0) << merge.err;
  EXPECT_EQ(merge.out, "statefulset.apps/web patched\n");
  auto jsonPatch = k({"patch", "sts", "web", "--type=json", "-p",
                      R"([{"op":"replace","path":"/spec/replicas","value":2}])"});
  ASSERT_EQ(jsonPatch.exitCode, 0) << jsonPatch.err;
  auto strategic =
      k({"patch", "statefulset", "web", "-p",
         R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"nginx:3"}]}}}})"});
  ASSERT_EQ(strategic.exitCode, 0) << strategic.err;
  json patched = object(sts);
  EXPECT_EQ(patched["metadata"]["labels"]["m"], "1");
  EXPECT_EQ(patched["spec"]["replicas"], 2);
  EXPECT_EQ(patched["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:3");
  EXPECT_EQ(patched["spec"]["template"]["spec"]["containers"][0]["env"].size(), 2u);

  auto get = k({"get", "sts", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation}"});
  EXPECT_EQ(get.out, "2 5");

  auto del = k({"delete", "statefulset", "web"});
  ASSERT_EQ(del.exitCode, 0) << del.err;
  EXPECT_EQ(del.out, "statefulset.apps \"web\" deleted\n");
  EXPECT_EQ(call("GET", sts).status, 404);
  auto missing = k({"get", "sts", "web"});
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_EQ(missing.err, "Error from server (NotFound): statefulsets.apps \"web\" not found\n");
}

TEST_P(KubectlTest, CreateGetWatchDelete) {
  auto c = k({"create", "-f", "-"},
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\ndata:\n  k: v\n");
  ASSERT_EQ(c.exitCode, 0) << c.err;
  EXPECT_EQ(c.out, "configmap/c1 created\n");
  auto dup = k({"create", "-f", "-"},
               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\ndata:\n  k: v\n");
  EXPECT_EQ(dup.exitCode, 1);
  EXPECT_NE(dup.err.find("Error from server (AlreadyExists)"), std::string::npos) << dup.err;
  EXPECT_NE(dup.err.find("configmaps \"c1\" already exists"), std::string::npos) << dup.err;
  auto get = k({"get", "configmap", "c1", "-o", "json"});
  ASSERT_EQ(get.exitCode, 0) << get.err;
  EXPECT_EQ(json::parse(get.out)["data"]["k"], "v");
  auto names = k({"get", "cm", "-o", "name"});
  EXPECT_EQ(names.out, "configmap/c1\n");
  auto table = k({"get", "cm"});
  EXPECT_EQ(table.out.substr(0, table.out.find('\n')), "NAME   DATA   AGE");
  EXPECT_EQ(table.out.substr(table.out.find('\n') + 1, 12), "c1     1    ");

  auto watch = kubectl_->start({"get", "configmaps", "-w", "-o", "name"});
  ASSERT_TRUE(watch->waitForOutput("configmap/c1\n")) << watch->err();
  call("POST", kCmPath, configMap("c2"));
  EXPECT_TRUE(watch->waitForOutput("configmap/c2\n")) << watch->out() << watch->err();
  auto stopped = watch->stop();
  EXPECT_EQ(stopped.err, "");

  auto label = k({"label", "cm", "c1", "tier=db"});
  ASSERT_EQ(label.exitCode, 0) << label.err;
  auto selected = k({"get", "cm", "-l", "tier=db", "-o", "name"});
  EXPECT_EQ(selected.out, "configmap/c1\n");
  auto del = k({"delete", "cm", "c1", "c2"});
  ASSERT_EQ(del.exitCode, 0) << del.err;
  EXPECT_EQ(del.out, "configmap \"c1\" deleted\nconfigmap \"c2\" deleted\n");
  EXPECT_EQ(call("GET", kCmPath).json()["items"].size(), 0u);
}

const char* kCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.example.com
spec:
  group: test.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              replicas: {type: integer, minimum: 0, default: 1}
              color: {type: string, enum: [red, blue]}
          status:
            type: object
            properties:
              replicas: {type: integer}
)";

TEST_P(KubectlTest, CustomResourceLifecycle) {
  auto crd = k({"apply", "-f", "-"}, kCrd);
  ASSERT_EQ(crd.exitCode, 0) << crd.err;
  EXPECT_EQ(crd.out,
            "customresourcedefinition.apiextensions.k8s.io/widgets.test.example.com created\n");
  std::string base = "/apis/test.example.com/v1/namespaces/default/widgets";
  auto cr = k({"apply", "-f", "-"},
              "apiVersion: test.example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n"
              "  color: red\n");
  ASSERT_EQ(cr.exitCode, 0) << cr.err;
  EXPECT_EQ(cr.out, "widget.test.example.com/w1 created\n");
  EXPECT_EQ(object(base + "/w1")["spec"]["replicas"], 1);  // schema default

  auto reapply = k({"apply", "-f", "-"},
                   "apiVersion: test.example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n"
                   "  color: blue\n");
  ASSERT_EQ(reapply.exitCode, 0) << reapply.err;
  EXPECT_EQ(reapply.out, "widget.test.example.com/w1 configured\n");
  EXPECT_EQ(object(base + "/w1")["spec"]["color"], "blue");

  auto invalid = k({"apply", "-f", "-"},
                   "apiVersion: test.example.com/v1\nkind: Widget\nmetadata:\n  name: w2\nspec:\n"
                   "  color: green\n");
  EXPECT_EQ(invalid.exitCode, 1);
  EXPECT_EQ(invalid.err,
            "The Widget \"w2\" is invalid: spec.color: Unsupported value: \"green\": supported "
            "values: \"red\", \"blue\"\n");

  // Server-side printing: the CRD's printer columns.
  auto table = k({"get", "widgets"});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_EQ(table.out.substr(0, table.out.find('\n')), "NAME   COLOR   REPLICAS   AGE");
  EXPECT_EQ(table.out.substr(table.out.find('\n') + 1, 20), "w1     blue    1    ");
  auto shortName = k({"get", "wdg", "-o", "name"});
  ASSERT_EQ(shortName.exitCode, 0) << shortName.err;
  EXPECT_EQ(shortName.out, "widget.test.example.com/w1\n");
  auto merge = k({"patch", "widget", "w1", "--type=merge", "-p", R"({"spec":{"replicas":2}})"});
  ASSERT_EQ(merge.exitCode, 0) << merge.err;
  auto strategic = k({"patch", "widget", "w1", "-p", R"({"spec":{"replicas":4}})"});
  EXPECT_EQ(strategic.exitCode, 1);
  const std::string unsupported =
      "the body of the request was in an unknown format - accepted media types include: "
      "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
  if (GetParam().old) {
    EXPECT_EQ(strategic.err, "Error from server (UnsupportedMediaType): " + unsupported + "\n");
  } else {
    EXPECT_NE(strategic.err.find("application/strategic-merge-patch+json is not supported by "
                                 "test.example.com/v1, Kind=Widget: " +
                                 unsupported),
              std::string::npos)
        << strategic.err;
  }
  auto scale = k({"scale", "widget", "w1", "--replicas=5"});
  ASSERT_EQ(scale.exitCode, 0) << scale.err;
  EXPECT_EQ(scale.out, "widget.test.example.com/w1 scaled\n");
  json w = object(base + "/w1");
  EXPECT_EQ(w["spec"]["replicas"], 5);
  EXPECT_EQ(w["metadata"]["generation"], 4);
  if (!GetParam().old) {
    auto status = k({"patch", "widget", "w1", "--subresource=status", "--type=merge", "-p",
                     R"({"status":{"replicas":5}})"});
    ASSERT_EQ(status.exitCode, 0) << status.err;
    EXPECT_EQ(object(base + "/w1")["status"]["replicas"], 5);
    EXPECT_EQ(object(base + "/w1")["metadata"]["generation"], 4);
  }
  auto del = k({"delete", "widget", "w1"});
  ASSERT_EQ(del.exitCode, 0) << del.err;
  EXPECT_EQ(del.out, "widget.test.example.com \"w1\" deleted\n");
  EXPECT_EQ(call("GET", base + "/w1").status, 404);
  auto delCrd = k({"delete", "crd", "widgets.test.example.com"});
  ASSERT_EQ(delCrd.exitCode, 0) << delCrd.err;
  EXPECT_EQ(call("GET", base).status, 404);
}

TEST_P(KubectlTest, ServerSideApply) {
  std::string cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: v\n";
  auto a = k({"apply", "--server-side", "-f", "-"}, cm);
  ASSERT_EQ(a.exitCode, 0) << a.err;
  EXPECT_EQ(a.out, "configmap/ssa serverside-applied\n");
  auto other = k({"apply", "--server-side", "--field-manager=other", "-f", "-"},
                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: w\n");
  EXPECT_EQ(other.exitCode, 1);
  EXPECT_NE(other.err.find("conflict with \"kubectl\": .data.k"), std::string::npos) << other.err;
  auto forced =
      k({"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"},
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: w\n");
  ASSERT_EQ(forced.exitCode, 0) << forced.err;
  EXPECT_EQ(object(std::string(kCmPath) + "/ssa")["data"]["k"], "w");
}

INSTANTIATE_TEST_SUITE_P(Clients, KubectlTest,
                         ::testing::Values(Client{"dispatcher", "/usr/bin/kubectl", false},
                                           Client{"debian120", Kubectl::debian120(), true}),
                         [](const ::testing::TestParamInfo<Client>& i) { return i.param.name; });

}  // namespace
}  // namespace mysqlop::local::it
