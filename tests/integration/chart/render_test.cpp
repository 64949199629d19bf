// helm template for the default values and for every value that changes a template; each set is
// applied to the local API server with `kubectl apply --dry-run=server` and checked for the
// objects it must hold. The rendered operator config file is read by the operator's own parser.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/config/operator_config.h"
#include "tests/integration/chart/chart_support.h"
#include "tests/support/kube/local_api_server.h"

namespace mysqlop::chart_test {
namespace {

namespace fs = std::filesystem;
using testing::Kubectl;
using testing::LocalApiServer;

// A minimal prometheus-operator ServiceMonitor CRD, so the chart's ServiceMonitors can be applied.
constexpr const char* kServiceMonitorCrd = R"({"apiVersion": "apiextensions.k8s.io/v1",
 "kind": "CustomResourceDefinition",
 "metadata": {"name": "servicemonitors.monitoring.coreos.com"},
 "spec": {"group": "monitoring.coreos.com", "scope": "Namespaced",
  "names": {"kind": "ServiceMonitor", "listKind": "ServiceMonitorList",
            "plural": "servicemonitors", "singular": "servicemonitor"},
  "versions": [{"name": "v1", "served": true, "storage": true,
   "schema": {"openAPIV3Schema": {"type": "object", "properties": {
     "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}})";

class ChartRender : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!helmMissing().empty()) {
      return;
    }
    api_ = std::make_unique<LocalApiServer>();
    auto started = api_->start();
    if (!started.ok()) {
      startError_ = started.error().message;
      return;
    }
    kubectl_ = std::make_unique<Kubectl>(api_->kubeconfigPath());
    for (const char* ns : {"ops", "apps"}) {
      auto r = kubectl_->run({"create", "namespace", ns});
      if (r.exitCode != 0) {
        startError_ = r.err;
      }
    }
    auto crds = kubectl_->run({"apply", "-f", sourceDir() + "/crds"});
    auto sm = kubectl_->run({"apply", "-f", "-"}, kServiceMonitorCrd);
    if (crds.exitCode != 0 || sm.exitCode != 0) {
      startError_ = crds.err + sm.err;
    }
    auto rbac =
        kubectl_->run({"api-resources", "--api-group=rbac.authorization.k8s.io", "-o", "name"});
    rbacServed_ = rbac.out.find("clusterroles") != std::string::npos;
  }
  static void TearDownTestSuite() {
    kubectl_.reset();
    api_.reset();
  }

  void SetUp() override {
    if (std::string m = helmMissing(); !m.empty()) {
      GTEST_FAIL() << m;
    }
    ASSERT_TRUE(startError_.empty()) << startError_;
  }

  // Applies every rendered object with a server-side dry run and checks the server answered
  // with each of them. RBAC objects only when the server serves rbac.authorization.k8s.io.
  void applyDryRun(const std::vector<json>& docs) {
    std::vector<json> apply;
    for (const json& d : docs) {
      const bool rbac = d.value("apiVersion", "").rfind("rbac.authorization.k8s.io/", 0) == 0;
      if (!rbac || rbacServed_) {
        apply.push_back(d);
      }
    }
    auto r = kubectl_->run({"apply", "--dry-run=server", "-o", "json", "-f", "-"}, toYaml(apply));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    json out = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(out.is_discarded()) << r.out;
    std::vector<json> items =
        out.value("kind", "") == "List" ? out["items"].get<std::vector<json>>() : std::vector{out};
    EXPECT_EQ(kindsAndNames(items), kindsAndNames(apply));
    // A dry run stores nothing.
    auto sts = kubectl_->run({"get", "statefulsets", "-n", "ops", "-o", "name"});
    EXPECT_EQ(sts.out, "");
  }

  // The rendered config file, read by the operator's own parser (core/config).
  static config::OperatorConfig parseOperatorConfig(const std::vector<json>& docs) {
    const std::string text = operatorConfigText(docs, "r-mysql-operator");
    std::string path = (fs::temp_directory_path() /
                        ("mysqlop-chart-config-" + std::to_string(::getpid()) + ".yaml"))
                           .string();
    std::ofstream(path) << text;
    config::OperatorConfig cfg;
    try {
      config::applyConfigFile(path, &cfg);
    } catch (const config::ConfigError& e) {
      ADD_FAILURE() << e.what() << "\n" << text;
    }
    fs::remove(path);
    return cfg;
  }

  static const json& statefulSet(const std::vector<json>& docs) {
    const json* sts = findObject(docs, "StatefulSet", "r-mysql-operator");
    static const json empty = json::object();
    EXPECT_NE(sts, nullptr);
    return sts ? *sts : empty;
  }

  static std::unique_ptr<LocalApiServer> api_;
  static std::unique_ptr<Kubectl> kubectl_;
  static std::string startError_;
  static bool rbacServed_;
};

std::unique_ptr<LocalApiServer> ChartRender::api_;
std::unique_ptr<Kubectl> ChartRender::kubectl_;
std::string ChartRender::startError_;
bool ChartRender::rbacServed_ = false;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_F(ChartRender, DefaultValues) {
  auto docs = render({});
  EXPECT_EQ(sorted(kindsAndNames(docs)),
            sorted({"ServiceAccount/r-mysql-operator", "Secret/r-mysql-operator-orc",
                    "ConfigMap/r-mysql-operator", "ClusterRole/r-mysql-operator",
                    "ClusterRoleBinding/r-mysql-operator", "Service/r-mysql-operator",
                    "Service/r-mysql-operator-headless", "StatefulSet/r-mysql-operator"}));
  const json& sts = statefulSet(docs);
  const json& pod = sts["spec"]["template"]["spec"];
  EXPECT_EQ(sts["spec"]["replicas"], 1);
  EXPECT_EQ(pod["serviceAccountName"], "r-mysql-operator");
  ASSERT_EQ(pod["containers"].size(), 1u) << "no orchestrator container";
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["name"], "operator");
  EXPECT_EQ(c["image"], "docker.io/mysqlop/mysql-operator:0.1.0");
  EXPECT_EQ(c["args"], json::array({"--config=/etc/mysql-operator/config.yaml"}));
  EXPECT_EQ(c["env"][0]["name"], "ORC_TOPOLOGY_USER");
  EXPECT_EQ(c["env"][0]["valueFrom"]["secretKeyRef"]["name"], "r-mysql-operator-orc");
  EXPECT_EQ(c["env"][1]["valueFrom"]["secretKeyRef"]["key"], "TOPOLOGY_PASSWORD");
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"], "/readyz");
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(sts["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
                .get<std::string>()
                .size(),
            64u);
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"], "data");
  EXPECT_EQ(c["volumeMounts"][1]["mountPath"], "/var/lib/mysql-operator");

  config::OperatorConfig cfg = parseOperatorConfig(docs);
  EXPECT_EQ(cfg.watchNamespace, "");
  EXPECT_TRUE(cfg.leaderElection);
  EXPECT_EQ(cfg.leaderElectionNamespace, "ops");
  EXPECT_EQ(cfg.sidecarImage, "docker.io/mysqlop/mysql-operator-sidecar-5.7:0.1.0");
  EXPECT_EQ(cfg.sidecarMysql8Image, "docker.io/mysqlop/mysql-operator-sidecar-8.0:0.1.0");
  EXPECT_EQ(cfg.metricsExporterImage, "docker.io/prom/mysqld-exporter:v0.13.0");
  EXPECT_TRUE(cfg.failoverBeforeShutdown);
  ASSERT_EQ(cfg.pluginOverrides.size(), 2u);
  EXPECT_EQ(cfg.pluginOverrides[0].name, "cluster");
  EXPECT_EQ(json::parse(cfg.pluginOverrides[0].configJson),
            json({{"sidecarMariadbImage", "docker.io/mysqlop/mysql-operator-sidecar:0.1.0"}}));
  EXPECT_EQ(cfg.pluginOverrides[1].name, "orchestrator");
  // The audit store on the persistent volume (orchestrator.persistence.enabled by default).
  EXPECT_EQ(json::parse(cfg.pluginOverrides[1].configJson),
            json({{"instancePollSeconds", 5},
                  {"recoveryPeriodBlockSeconds", 300},
                  {"auditPath", "/var/lib/mysql-operator/orchestrator-audit.db"}}));
  applyDryRun(docs);
}

TEST_F(ChartRender, WatchNamespaceGivesRolesInsteadOfAClusterRole) {
  auto docs = render({"watchNamespace=apps"});
  EXPECT_EQ(findObject(docs, "ClusterRole", "r-mysql-operator"), nullptr);
  const json* role = findObject(docs, "Role", "r-mysql-operator");
  ASSERT_NE(role, nullptr);
  EXPECT_EQ((*role)["metadata"]["namespace"], "apps");
  const json* binding = findObject(docs, "RoleBinding", "r-mysql-operator");
  ASSERT_NE(binding, nullptr);
  EXPECT_EQ((*binding)["metadata"]["namespace"], "apps");
  EXPECT_EQ((*binding)["subjects"][0],
            json({{"kind", "ServiceAccount"}, {"name", "r-mysql-operator"}, {"namespace", "ops"}}));
  const json* le = findObject(docs, "Role", "r-mysql-operator-leader-election");
  ASSERT_NE(le, nullptr);
  EXPECT_EQ((*le)["metadata"]["namespace"], "ops");
  EXPECT_EQ((*le)["rules"][0]["resources"], json::array({"leases"}));
  EXPECT_NE(findObject(docs, "RoleBinding", "r-mysql-operator-leader-election"), nullptr);
  EXPECT_EQ(parseOperatorConfig(docs).watchNamespace, "apps");
  applyDryRun(docs);

  // Watching the release's own namespace: one Role holds everything.
  docs = render({"watchNamespace=ops"});
  EXPECT_EQ(objectsOfKind(docs, "Role").size(), 1u);
  EXPECT_EQ(findObject(docs, "Role", "r-mysql-operator-leader-election"), nullptr);
  applyDryRun(docs);
}

TEST_F(ChartRender, RbacCreateFalseRendersNoRbac) {
  auto docs = render({"rbac.create=false"});
  for (const char* kind : {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}) {
    EXPECT_TRUE(objectsOfKind(docs, kind).empty()) << kind;
  }
  EXPECT_NE(findObject(docs, "StatefulSet", "r-mysql-operator"), nullptr);
  applyDryRun(docs);
}

TEST_F(ChartRender, ServiceMonitors) {
  auto docs = render({"serviceMonitor.enabled=true", "serviceMonitor.interval=30s",
                      "mysqlClustersGlobalServiceMonitor.enabled=true"});
  const json* op = findObject(docs, "ServiceMonitor", "r-mysql-operator");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ((*op)["spec"]["endpoints"][0]["port"], "prometheus");
  EXPECT_EQ((*op)["spec"]["endpoints"][0]["interval"], "30s");
  const json* svc = findObject(docs, "Service", "r-mysql-operator");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(
      (*svc)["spec"]["ports"][1],
      json({{"name", "prometheus"}, {"port", 9125}, {"targetPort", "http"}, {"protocol", "TCP"}}));
  const json* all = findObject(docs, "ServiceMonitor", "r-mysql-operator-mysql-clusters");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ((*all)["spec"]["namespaceSelector"], json({{"any", true}}));
  EXPECT_EQ((*all)["spec"]["selector"]["matchLabels"]["app.kubernetes.io/managed-by"],
            "mysql.presslabs.org");
  applyDryRun(docs);
  EXPECT_TRUE(objectsOfKind(render({}), "ServiceMonitor").empty());
}

TEST_F(ChartRender, ReplicaCountOneAndThree) {
  auto one = render({"replicaCount=1"});
  EXPECT_EQ(statefulSet(one)["spec"]["replicas"], 1);
  EXPECT_TRUE(objectsOfKind(one, "PodDisruptionBudget").empty());
  applyDryRun(one);

  auto three = render({"replicaCount=3"});
  EXPECT_EQ(statefulSet(three)["spec"]["replicas"], 3);
  const json* pdb = findObject(three, "PodDisruptionBudget", "r-mysql-operator");
  ASSERT_NE(pdb, nullptr);
  EXPECT_EQ((*pdb)["spec"]["maxUnavailable"], 1);
  applyDryRun(three);

  EXPECT_TRUE(objectsOfKind(render({"replicaCount=3", "podDisruptionBudget.enabled=false"}),
                            "PodDisruptionBudget")
                  .empty());
}

// Without the persistent volume the engine keeps its audit in a temporary store (no auditPath),
// and the pods mount no data volume.
TEST_F(ChartRender, WithoutPersistenceTheAuditPathIsNotSet) {
  auto docs = render({"orchestrator.persistence.enabled=false"});
  config::OperatorConfig cfg = parseOperatorConfig(docs);
  ASSERT_EQ(cfg.pluginOverrides.size(), 2u);
  EXPECT_EQ(cfg.pluginOverrides[1].name, "orchestrator");
  EXPECT_FALSE(json::parse(cfg.pluginOverrides[1].configJson).contains("auditPath"))
      << cfg.pluginOverrides[1].configJson;
  EXPECT_FALSE(statefulSet(docs)["spec"].contains("volumeClaimTemplates"));
  applyDryRun(docs);
}

TEST_F(ChartRender, PluginsAreConfiguredByName) {
  const std::string values = R"(
plugins:
  user: {enabled: false}
  database: {workers: 4, config: {requeueSeconds: 120}}
  orchestrator: {config: {failureDetectionGraceSeconds: 2, instancePollSeconds: 3}}
  thirdParty:
    - name: mybackend
      file: libmybackend.so
      image: {repository: example/mybackend-plugin, tag: "1.0", path: /plugins}
      config: {endpoint: https://store.example}
    - name: other
      file: lib/libother.so
      volume: {persistentVolumeClaim: {claimName: my-plugins}}
orchestrator:
  config: {InstancePollSeconds: 2, RecoveryPeriodBlockSeconds: 60, Debug: true, kubeSemiSync: true}
)";
  std::string file =
      (fs::temp_directory_path() / ("mysqlop-chart-values-" + std::to_string(::getpid()) + ".yaml"))
          .string();
  std::ofstream(file) << values;
  auto docs = render({}, {"-f", file});
  fs::remove(file);

  config::OperatorConfig cfg = parseOperatorConfig(docs);
  std::vector<std::string> names;
  for (const auto& p : cfg.pluginOverrides) {
    names.push_back(p.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cluster", "orchestrator", "database", "user",
                                             "mybackend", "other"}));
  // bitpoke's keys mapped, the engine's own passed, plugins.orchestrator.config on top; Debug
  // (no equivalent) dropped.
  EXPECT_EQ(json::parse(cfg.pluginOverrides[1].configJson),
            json({{"instancePollSeconds", 3},
                  {"recoveryPeriodBlockSeconds", 60},
                  {"failureDetectionGraceSeconds", 2},
                  {"kubeSemiSync", true},
                  {"auditPath", "/var/lib/mysql-operator/orchestrator-audit.db"}}));
  EXPECT_EQ(cfg.pluginOverrides[2].workers, 4);
  EXPECT_EQ(json::parse(cfg.pluginOverrides[2].configJson), json({{"requeueSeconds", 120}}));
  EXPECT_TRUE(cfg.pluginOverrides[3].hasEnabled);
  EXPECT_FALSE(cfg.pluginOverrides[3].enabled);
  EXPECT_EQ(cfg.pluginOverrides[4].path,
            "/var/lib/mysql-operator-plugins/mybackend/libmybackend.so");
  EXPECT_EQ(json::parse(cfg.pluginOverrides[4].configJson),
            json({{"endpoint", "https://store.example"}}));
  EXPECT_EQ(cfg.pluginOverrides[5].path, "/var/lib/mysql-operator-plugins/other/lib/libother.so");

  const json& pod = statefulSet(docs)["spec"]["template"]["spec"];
  ASSERT_EQ(pod["initContainers"].size(), 1u);
  EXPECT_EQ(pod["initContainers"][0]["name"], "plugin-mybackend");
  EXPECT_EQ(pod["initContainers"][0]["image"], "example/mybackend-plugin:1.0");
  EXPECT_EQ(pod["initContainers"][0]["command"].back(), "/plugins");
  const json& mounts = pod["containers"][0]["volumeMounts"];
  EXPECT_NE(std::find(mounts.begin(), mounts.end(),
                      json({{"name", "plugins"},
                            {"mountPath", "/var/lib/mysql-operator-plugins/mybackend"},
                            {"subPath", "mybackend"},
                            {"readOnly", true}})),
            mounts.end());
  EXPECT_NE(std::find(mounts.begin(), mounts.end(),
                      json({{"name", "plugin-other"},
                            {"mountPath", "/var/lib/mysql-operator-plugins/other"},
                            {"readOnly", true}})),
            mounts.end());
  EXPECT_NE(std::find(pod["volumes"].begin(), pod["volumes"].end(),
                      json({{"name", "plugin-other"},
                            {"persistentVolumeClaim", {{"claimName", "my-plugins"}}}})),
            pod["volumes"].end());
  applyDryRun(docs);
}

TEST_F(ChartRender, AConfigChangeChangesThePodTemplateChecksum) {
  auto a = render({});
  auto b = render({"plugins.user.enabled=false"});
  auto checksum = [](const std::vector<json>& docs) {
    return statefulSet(docs)["spec"]["template"]["metadata"]["annotations"]["checksum/config"];
  };
  EXPECT_EQ(checksum(a), checksum(render({})));
  EXPECT_NE(checksum(a), checksum(b));
}

TEST_F(ChartRender, TopologySecret) {
  // Given: exactly that.
  auto docs = render({"orchestrator.topologyUser=orc", "orchestrator.topologyPassword=s3cret"});
  const json* secret = findObject(docs, "Secret", "r-mysql-operator-orc");
  ASSERT_NE(secret, nullptr);
  EXPECT_EQ((*secret)["data"]["TOPOLOGY_USER"], "b3Jj");
  EXPECT_EQ((*secret)["data"]["TOPOLOGY_PASSWORD"], "czNjcmV0");
  // Unset and no cluster to read from: random, 16 characters.
  auto p1 =
      (*findObject(render({}), "Secret", "r-mysql-operator-orc"))["data"]["TOPOLOGY_PASSWORD"];
  auto p2 =
      (*findObject(render({}), "Secret", "r-mysql-operator-orc"))["data"]["TOPOLOGY_PASSWORD"];
  EXPECT_NE(p1, p2);
  EXPECT_EQ(p1.get<std::string>().size(), 24u);  // base64 of 16 bytes
  // orchestrator.secretName: the user's Secret, none rendered.
  docs = render({"orchestrator.secretName=my-orc"});
  EXPECT_TRUE(objectsOfKind(docs, "Secret").empty());
  EXPECT_EQ(statefulSet(docs)["spec"]["template"]["spec"]["containers"][0]["env"][0]["valueFrom"]
                             ["secretKeyRef"]["name"],
            "my-orc");
  applyDryRun(docs);
}

// The random password is kept across upgrades: with a cluster to read, the chart renders the
// installed Secret's password (helm's `lookup`, as `helm upgrade` does; here through
// `helm template --dry-run=server`).
TEST_F(ChartRender, TheRandomPasswordIsKeptAcrossUpgrades) {
  auto first = render({"orchestrator.topologyUser=orc"}, {"--show-only", "templates/secret.yaml"});
  ASSERT_EQ(first.size(), 1u);
  auto created = kubectl_->run({"create", "-f", "-"}, toYaml(first));
  ASSERT_EQ(created.exitCode, 0) << created.err;
  const json password = first[0]["data"]["TOPOLOGY_PASSWORD"];
  for (int i = 0; i < 2; ++i) {
    CommandResult r = helm({"template", "r", chartDir(), "-n", "ops", "--dry-run=server",
                            "--show-only", "templates/secret.yaml"},
                           api_->kubeconfigPath());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto again = parseDocs(r.out);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0]["data"]["TOPOLOGY_PASSWORD"], password);
  }
  // A password given in the values wins over the installed one.
  CommandResult r =
      helm({"template", "r", chartDir(), "-n", "ops", "--dry-run=server", "--show-only",
            "templates/secret.yaml", "--set", "orchestrator.topologyPassword=s3cret"},
           api_->kubeconfigPath());
  EXPECT_EQ(parseDocs(r.out).at(0)["data"]["TOPOLOGY_PASSWORD"], "czNjcmV0");
  kubectl_->run({"delete", "secret", "-n", "ops", "r-mysql-operator-orc"});
}

// helm's own server-side dry run of an install (discovery, the release's objects checked by the
// server). The RBAC objects need the server to serve rbac.authorization.k8s.io.
TEST_F(ChartRender, HelmInstallServerDryRun) {
  std::vector<std::string> args = {"install", "r", chartDir(), "-n", "apps", "--dry-run=server"};
  if (!rbacServed_) {
    args.insert(args.end(), {"--set", "rbac.create=false"});
  }
  CommandResult r = helm(args, api_->kubeconfigPath());
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("STATUS: pending-install"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kubectl -n apps rollout status statefulset/r-mysql-operator"),
            std::string::npos)
      << "NOTES.txt";
  EXPECT_EQ(r.out.find("has no effect"), std::string::npos);

  // bitpoke's orchestrator container values install, and NOTES.txt says they do nothing.
  args.insert(args.end(), {"--set", "orchestrator.image.repository=bitpoke/orchestrator", "--set",
                           "orchestrator.resources.limits.cpu=1"});
  r = helm(args, api_->kubeconfigPath());
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("Note: orchestrator.image has no effect: the failover engine runs inside "
                       "the operator (no orchestrator container)."),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Note: orchestrator.resources has no effect"), std::string::npos);
  EXPECT_EQ(r.out.find("Note: orchestrator.extraEnv"), std::string::npos);
}

// bitpoke's orchestrator.service and orchestrator.ingress now front the engine's page and API.
TEST_F(ChartRender, OrchestratorServiceAndIngress) {
  auto docs = render({"orchestrator.service.type=NodePort", "orchestrator.service.port=3000",
                      "orchestrator.service.nodePort=30080", "orchestrator.ingress.enabled=true",
                      "orchestrator.ingress.className=nginx"});
  const json* svc = findObject(docs, "Service", "r-mysql-operator");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ((*svc)["spec"]["type"], "NodePort");
  EXPECT_EQ((*svc)["spec"]["ports"][0], json({{"name", "http"},
                                              {"port", 3000},
                                              {"targetPort", "http"},
                                              {"protocol", "TCP"},
                                              {"nodePort", 30080}}));
  const json* ing = findObject(docs, "Ingress", "r-mysql-operator");
  ASSERT_NE(ing, nullptr);
  EXPECT_EQ((*ing)["spec"]["ingressClassName"], "nginx");
  EXPECT_EQ((*ing)["spec"]["rules"][0]["host"], "chart-example.local");
  EXPECT_EQ((*ing)["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"],
            json({{"name", "r-mysql-operator"}, {"port", {{"name", "http"}}}}));
  // The local API server serves no networking.k8s.io: the Service is applied alone.
  applyDryRun({*svc});
  EXPECT_TRUE(objectsOfKind(render({}), "Ingress").empty());
}

TEST_F(ChartRender, RbacObjectsApplyWithServerDryRun) {
  ASSERT_TRUE(rbacServed_) << "the local API server does not serve rbac.authorization.k8s.io";
  for (const std::vector<std::string>& sets :
       {std::vector<std::string>{}, std::vector<std::string>{"watchNamespace=apps"}}) {
    auto docs = render(sets);
    std::vector<json> rbac;
    for (const json& d : docs) {
      if (d.value("apiVersion", "").rfind("rbac.authorization.k8s.io/", 0) == 0) {
        rbac.push_back(d);
      }
    }
    ASSERT_FALSE(rbac.empty());
    applyDryRun(rbac);
  }
}

}  // namespace
}  // namespace mysqlop::chart_test
