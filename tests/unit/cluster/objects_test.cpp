#include <gtest/gtest.h>

#include <set>

#include "cluster_test_util.h"
#include "plugins/cluster/src/builders.h"
#include "plugins/common/kube/base64.h"

namespace mysqlop::cluster {
namespace {

using nlohmann::json;
using testing::testOptions;
using testing::validSpec;

const json kOwnerRef = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                        {"kind", "MysqlCluster"},
                        {"name", "my-cluster"},
                        {"uid", "uid-1"},
                        {"controller", true},
                        {"blockOwnerDeletion", true}};

const json kClusterLabels = {{"mysql.presslabs.org/cluster", "my-cluster"},
                             {"app.kubernetes.io/name", "mysql"},
                             {"app.kubernetes.io/instance", "my-cluster"},
                             {"app.kubernetes.io/version", "5.7.35"},
                             {"app.kubernetes.io/component", "database"},
                             {"app.kubernetes.io/managed-by", "mysql.presslabs.org"}};

const json kSelector = {{"mysql.presslabs.org/cluster", "my-cluster"},
                        {"app.kubernetes.io/name", "mysql"},
                        {"app.kubernetes.io/managed-by", "mysql.presslabs.org"}};

const json& containerNamed(const json& list, const std::string& name) {
  for (const json& c : list) {
    if (c.value("name", "") == name) {
      return c;
    }
  }
  static const json kNone;
  ADD_FAILURE() << "no container " << name;
  return kNone;
}

json envNamed(const json& container, const std::string& name) {
  for (const json& e : container.value("env", json::array())) {
    if (e.value("name", "") == name) {
      return e;
    }
  }
  return nullptr;
}

std::vector<std::string> names(const json& list) {
  std::vector<std::string> out;
  for (const json& i : list) {
    out.push_back(i.value("name", ""));
  }
  return out;
}

TEST(StatefulSet, IdentityOwnerSelectorAndTemplateMetadata) {
  ClusterSpec c =
      validSpec({{"podSpec", {{"labels", {{"team", "a"}}}, {"annotations", {{"x", "y"}}}}}});
  json sts = buildStatefulSet(c, testOptions(), "11", "22");
  EXPECT_EQ(sts["apiVersion"], "apps/v1");
  EXPECT_EQ(sts["kind"], "StatefulSet");
  EXPECT_EQ(sts["metadata"]["name"], "my-cluster-mysql");
  EXPECT_EQ(sts["metadata"]["namespace"], "default");
  EXPECT_EQ(sts["metadata"]["ownerReferences"], json::array({kOwnerRef}));
  EXPECT_EQ(sts["spec"]["replicas"], 2);
  EXPECT_EQ(sts["spec"]["serviceName"], "mysql");
  EXPECT_EQ(sts["spec"]["selector"], json({{"matchLabels", kSelector}}));
  json labels = kClusterLabels;
  labels["team"] = "a";
  EXPECT_EQ(sts["spec"]["template"]["metadata"]["labels"], labels);
  EXPECT_EQ(sts["spec"]["template"]["metadata"]["annotations"],
            json({{"x", "y"},
                  {"config_rev", "11"},
                  {"secret_rev", "22"},
                  {"prometheus.io/scrape", "true"},
                  {"prometheus.io/port", "9125"}}));
  const json& pod = sts["spec"]["template"]["spec"];
  EXPECT_EQ(pod["securityContext"], json({{"fsGroup", 999}, {"runAsUser", 999}}));
  EXPECT_EQ(
      pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0],
      json({{"weight", 100},
            {"podAffinityTerm",
             {{"topologyKey", "kubernetes.io/hostname"},
              {"labelSelector", {{"matchLabels", kClusterLabels}}}}}}));
  EXPECT_FALSE(sts["spec"].contains("volumeClaimTemplates"));
}

TEST(StatefulSet, ContainersVolumesAndMounts) {
  ClusterSpec c = validSpec(json::object());
  const json pod = buildStatefulSet(c, testOptions(), "1", "2")["spec"]["template"]["spec"];
  EXPECT_EQ(names(pod["initContainers"]), (std::vector<std::string>{"init", "mysql-init-only"}));
  EXPECT_EQ(names(pod["containers"]),
            (std::vector<std::string>{"mysql", "sidecar", "metrics-exporter", "pt-heartbeat"}));
  EXPECT_EQ(pod["volumes"],
            json::array({{{"name", "conf"}, {"emptyDir", json::object()}},
                         {{"name", "config-map"},
                          {"configMap", {{"name", "my-cluster-mysql"}, {"defaultMode", 420}}}},
                         {{"name", "data"}, {"emptyDir", json::object()}}}));
  const json& init = containerNamed(pod["initContainers"], "init");
  EXPECT_EQ(init["image"], "sidecar57:v1");
  EXPECT_EQ(init["args"], json::array({"clone-and-init"}));
  EXPECT_EQ(init["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(init["resources"], c.resources);
  EXPECT_EQ(init["volumeMounts"],
            json::array({{{"name", "conf"}, {"mountPath", "/etc/mysql"}},
                         {{"name", "config-map"}, {"mountPath", "/mnt/conf"}},
                         {{"name", "data"}, {"mountPath", "/var/lib/mysql"}}}));
  EXPECT_EQ(init["envFrom"],
            json::array({{{"secretRef", {{"name", "my-cluster-mysql-operated"}}}}}));
  EXPECT_EQ(envNamed(init, "BACKUP_PASSWORD"), json({{"name", "BACKUP_PASSWORD"},
                                                     {"valueFrom",
                                                      {{"secretKeyRef",
                                                        {{"name", "my-cluster-mysql-operated"},
                                                         {"key", "BACKUP_PASSWORD"},
                                                         {"optional", true}}}}}}));

  const json& initOnly = containerNamed(pod["initContainers"], "mysql-init-only");
  EXPECT_EQ(initOnly["image"], "docker.io/library/percona:5.7.35");
  EXPECT_EQ(envNamed(initOnly, "MYSQL_INIT_ONLY"),
            json({{"name", "MYSQL_INIT_ONLY"}, {"value", "1"}}));

  const json& mysql = containerNamed(pod["containers"], "mysql");
  EXPECT_EQ(mysql["image"], "docker.io/library/percona:5.7.35");
  EXPECT_EQ(mysql["ports"], json::array({{{"name", "mysql"}, {"containerPort", 3306}}}));
  EXPECT_EQ(mysql["volumeMounts"],
            json::array({{{"name", "conf"}, {"mountPath", "/etc/mysql"}},
                         {{"name", "data"}, {"mountPath", "/var/lib/mysql"}}}));
  EXPECT_EQ(mysql["livenessProbe"],
            json({{"exec",
                   {{"command", {"mysqladmin", "--defaults-file=/etc/mysql/client.conf", "ping"}}}},
                  {"initialDelaySeconds", 60},
                  {"timeoutSeconds", 5},
                  {"periodSeconds", 5},
                  {"successThreshold", 1},
                  {"failureThreshold", 3}}));
  EXPECT_EQ(mysql["readinessProbe"]["exec"]["command"][2],
            "test $(mysql --defaults-file=/etc/mysql/client.conf -NB -e 'SELECT COUNT(*) FROM "
            "sys_operator.status WHERE name=\"configured\" AND value=\"1\"') -eq 1");
  EXPECT_EQ(mysql["readinessProbe"]["periodSeconds"], 2);
  EXPECT_EQ(
      mysql["lifecycle"],
      json({{"preStop", {{"exec", {{"command", {"bash", "/etc/mysql/pre-shutdown-ha.sh"}}}}}}}));
  EXPECT_EQ(envNamed(mysql, "ORCH_CLUSTER_ALIAS")["value"], "my-cluster.default");
  EXPECT_EQ(envNamed(mysql, "MYSQL_ROOT_PASSWORD"),
            json({{"name", "MYSQL_ROOT_PASSWORD"},
                  {"valueFrom",
                   {{"secretKeyRef",
                     {{"name", "my-secret"}, {"key", "ROOT_PASSWORD"}, {"optional", false}}}}}}));
  EXPECT_EQ(envNamed(mysql, "MY_FQDN")["value"],
            "$(MY_POD_NAME).$(MY_SERVICE_NAME).$(MY_NAMESPACE)");
  EXPECT_EQ(
      envNamed(mysql, "MY_POD_IP"),
      json({{"name", "MY_POD_IP"},
            {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", "status.podIP"}}}}}}));
  EXPECT_EQ(envNamed(mysql, "MY_MYSQL_VERSION")["value"], "5.7.35");
  EXPECT_TRUE(envNamed(mysql, "MY_SERVER_ID_OFFSET").is_null());
  EXPECT_TRUE(envNamed(mysql, "MYSQL_USER").is_null());  // the init-only container creates users

  const json& sidecar = containerNamed(pod["containers"], "sidecar");
  EXPECT_EQ(sidecar["args"], json::array({"config-and-serve"}));
  EXPECT_EQ(sidecar["ports"], json::array({{{"name", "sidecar-http"}, {"containerPort", 8080}}}));
  EXPECT_EQ(sidecar["readinessProbe"]["httpGet"],
            json({{"path", "/health"}, {"port", 8080}, {"scheme", "HTTP"}}));
  EXPECT_EQ(sidecar["resources"], json({{"requests", {{"cpu", "10m"}, {"memory", "64Mi"}}}}));
  EXPECT_EQ(envNamed(sidecar, "XTRABACKUP_TARGET_DIR")["value"], "/tmp/xtrabackup_backupfiles/");

  const json& exporter = containerNamed(pod["containers"], "metrics-exporter");
  EXPECT_EQ(exporter["image"], "exporter:v1");
  EXPECT_EQ(exporter["args"],
            json::array({"--web.listen-address=0.0.0.0:9125", "--web.telemetry-path=/metrics",
                         "--collect.heartbeat", "--collect.heartbeat.database=sys_operator"}));
  EXPECT_EQ(exporter["ports"], json::array({{{"name", "prometheus"}, {"containerPort", 9125}}}));
  EXPECT_EQ(envNamed(exporter, "DATA_SOURCE_NAME")["value"],
            "$(USER):$(PASSWORD)@(127.0.0.1:3306)/");
  EXPECT_EQ(exporter["livenessProbe"]["timeoutSeconds"], 30);
  EXPECT_EQ(exporter["resources"], json({{"requests", {{"cpu", "10m"}, {"memory", "32Mi"}}},
                                         {"limits", {{"cpu", "100m"}, {"memory", "128Mi"}}}}));

  const json& heartbeat = containerNamed(pod["containers"], "pt-heartbeat");
  EXPECT_EQ(heartbeat["args"][0], "pt-heartbeat");
  EXPECT_EQ(heartbeat["args"].back(), "--fail-successive-errors=20");
  EXPECT_EQ(heartbeat["volumeMounts"],
            json::array({{{"name", "conf"}, {"mountPath", "/etc/mysql"}}}));
}

TEST(StatefulSet, OptionalPartsFollowTheSpec) {
  ClusterSpec c = validSpec(
      {{"serverIDOffset", 200},
       {"initBucketURL", "s3://b/x.xbackup.gz"},
       {"initBucketSecretName", "bucket"},
       {"backupCompressCommand", {"pigz", "--stdout"}},
       {"backupDecompressCommand", {"pigz", "--decompress"}},
       {"initFileExtraSQL", {"CREATE USER a", "CREATE USER b"}},
       {"tmpfsSize", "1Gi"},
       {"queryLimits",
        {{"maxQueryTime", 60}, {"killMode", "connection"}, {"ignoreUser", {"a", "b"}}}},
       {"mysqlConf", {{"extra_port", "3307"}, {"extra_max_connections", "10"}}},
       {"metricsExporterExtraArgs", {"--collect.info_schema.userstats"}},
       {"volumeSpec",
        {{"persistentVolumeClaim", {{"resources", {{"requests", {{"storage", "8Gi"}}}}}}}}},
       {"podSpec",
        {{"imagePullSecrets", {{{"name", "regcred"}}}},
         {"nodeSelector", {{"disk", "ssd"}}},
         {"tolerations", {{{"key", "k"}, {"operator", "Exists"}}}},
         {"priorityClassName", "high"},
         {"serviceAccountName", "mysql"},
         {"mysqlLifecycle", {{"preStop", {{"exec", {{"command", {"/scripts/demote"}}}}}}}},
         {"volumes", {{{"name", "extra"}, {"emptyDir", json::object()}}}},
         {"volumeMounts", {{{"name", "extra"}, {"mountPath", "/extra"}}}},
         {"initContainers", {{{"name", "volume-permissions"}, {"image", "busybox"}}}},
         {"containers", {{{"name", "log-shipper"}, {"image", "fluent"}}}}}}});
  json sts = buildStatefulSet(c, testOptions(), "1", "2");
  const json& pod = sts["spec"]["template"]["spec"];
  EXPECT_EQ(names(pod["initContainers"]),
            (std::vector<std::string>{"volume-permissions", "init", "mysql-init-only"}));
  EXPECT_EQ(names(pod["containers"]),
            (std::vector<std::string>{"mysql", "sidecar", "metrics-exporter", "pt-heartbeat",
                                      "pt-kill", "log-shipper"}));
  EXPECT_EQ(pod["imagePullSecrets"], json::array({{{"name", "regcred"}}}));
  EXPECT_EQ(pod["nodeSelector"], json({{"disk", "ssd"}}));
  EXPECT_EQ(pod["priorityClassName"], "high");
  EXPECT_EQ(pod["serviceAccountName"], "mysql");
  EXPECT_EQ(names(pod["volumes"]),
            (std::vector<std::string>{"conf", "config-map", "data", "tmp", "extra"}));
  EXPECT_EQ(pod["volumes"][2],
            json({{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}));
  EXPECT_EQ(pod["volumes"][3],
            json({{"name", "tmp"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "1Gi"}}}}));
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"],
            json::array({{{"metadata", {{"name", "data"}, {"ownerReferences", {kOwnerRef}}}},
                          {"spec",
                           {{"accessModes", {"ReadWriteOnce"}},
                            {"resources", {{"requests", {{"storage", "8Gi"}}}}}}}}}));

  const json& init = containerNamed(pod["initContainers"], "init");
  EXPECT_EQ(envNamed(init, "INIT_BUCKET_URI")["value"], "s3://b/x.xbackup.gz");
  EXPECT_EQ(envNamed(init, "BACKUP_DECOMPRESS_COMMAND")["value"], "pigz --decompress");
  EXPECT_EQ(envNamed(init, "INITFILE_EXTRA_SQL")["value"], "CREATE USER a;CREATE USER b");
  EXPECT_EQ(envNamed(init, "MY_SERVER_ID_OFFSET")["value"], "200");
  EXPECT_EQ(init["envFrom"],
            json::array({{{"secretRef", {{"name", "bucket"}}}},
                         {{"secretRef", {{"name", "my-cluster-mysql-operated"}}}}}));
  const json& mysql = containerNamed(pod["containers"], "mysql");
  EXPECT_EQ(mysql["lifecycle"],
            json({{"preStop", {{"exec", {{"command", {"/scripts/demote"}}}}}}}));
  EXPECT_EQ(mysql["volumeMounts"].back(), json({{"name", "extra"}, {"mountPath", "/extra"}}));
  EXPECT_EQ(mysql["volumeMounts"][2], json({{"name", "tmp"}, {"mountPath", "/tmp"}}));
  const json& exporter = containerNamed(pod["containers"], "metrics-exporter");
  EXPECT_EQ(envNamed(exporter, "DATA_SOURCE_NAME")["value"],
            "$(USER):$(PASSWORD)@(127.0.0.1:3307)/");
  EXPECT_EQ(exporter["args"].back(), "--collect.info_schema.userstats");
  const json& killer = containerNamed(pod["containers"], "pt-kill");
  EXPECT_EQ(killer["args"],
            json::array({"pt-kill", "--host=127.0.0.1", "--defaults-file=/etc/mysql/client.conf",
                         "--print", "--wait-after-kill=1", "--busy-time", "60", "--kill",
                         "--ignore-user", "a|b"}));

  // Values bitpoke accepts that Kubernetes defaults or validates itself: "" for the pull policy
  // and a toleration operator, pt-kill's kill/killMode unset, a HugePages emptyDir.
  ClusterSpec empties =
      validSpec({{"queryLimits", {{"maxQueryTime", 9}, {"kill", ""}, {"killMode", ""}}},
                 {"volumeSpec", {{"emptyDir", {{"medium", "HugePages-2Mi"}}}}},
                 {"podSpec",
                  {{"imagePullPolicy", ""},
                   {"tolerations", {{{"key", "k"}, {"operator", ""}, {"value", "v"}}}}}}});
  const json epod = buildStatefulSet(empties, testOptions(), "1", "2")["spec"]["template"]["spec"];
  for (const json& container : epod["containers"]) {
    EXPECT_EQ(container["imagePullPolicy"], "IfNotPresent") << container["name"];
  }
  EXPECT_EQ(epod["tolerations"], json::array({{{"key", "k"}, {"operator", ""}, {"value", "v"}}}));
  EXPECT_EQ(containerNamed(epod["containers"], "pt-kill")["args"],
            json::array({"pt-kill", "--host=127.0.0.1", "--defaults-file=/etc/mysql/client.conf",
                         "--print", "--wait-after-kill=1", "--busy-time", "9", "--kill-query"}));
  EXPECT_EQ(epod["volumes"][2],
            json({{"name", "data"}, {"emptyDir", {{"medium", "HugePages-2Mi"}}}}));

  // keepAfterDelete: the claims get no owner, so they outlive the cluster.
  ClusterSpec keep = validSpec(
      {{"volumeSpec", {{"persistentVolumeClaim", json::object()}, {"keepAfterDelete", true}}}});
  EXPECT_FALSE(
      buildStatefulSet(keep, testOptions(), "1", "2")["spec"]["volumeClaimTemplates"][0]["metadata"]
          .contains("ownerReferences"));
}

TEST(StatefulSet, ARestoringClusterGivesItsInitContainerTheBackupTargets) {
  const std::string catalog =
      R"({"targets":[{"name":"s3","path":"/p/mysqlop_target_s3.so","config":{}}]})";
  ClusterSpec restoring = validSpec({{"initBucketURL", "s3://b/x.xbackup.gz"}});
  restoring.backupTargetsJson = catalog;
  const json pod = buildStatefulSet(restoring, testOptions(), "1", "2")["spec"]["template"]["spec"];
  EXPECT_EQ(envNamed(containerNamed(pod["initContainers"], "init"), "MYSQLOP_BACKUP_TARGETS"),
            json({{"name", "MYSQLOP_BACKUP_TARGETS"}, {"value", catalog}}));
  // Without initBucketURL the init container reads no backup, so the catalog stays out (and a
  // change of the operator's targets never rolls the pods of such a cluster).
  ClusterSpec plain = validSpec(json::object());
  plain.backupTargetsJson = catalog;
  const json other = buildStatefulSet(plain, testOptions(), "1", "2")["spec"]["template"]["spec"];
  EXPECT_EQ(envNamed(containerNamed(other["initContainers"], "init"), "MYSQLOP_BACKUP_TARGETS"),
            nullptr);
}

TEST(StatefulSet, MariaDbPods) {
  ClusterSpec c = validSpec({{"mysqlVersion", "mariadb-10.11"}});
  const json pod = buildStatefulSet(c, testOptions(), "1", "2")["spec"]["template"]["spec"];
  EXPECT_EQ(names(pod["initContainers"]), (std::vector<std::string>{"init"}));
  const json& mysql = containerNamed(pod["containers"], "mysql");
  EXPECT_EQ(mysql["image"], "docker.io/library/mariadb:10.11");
  EXPECT_EQ(mysql["livenessProbe"]["exec"]["command"][0], "mariadb-admin");
  EXPECT_EQ(
      mysql["readinessProbe"]["exec"]["command"][2].get<std::string>().rfind("test $(mariadb ", 0),
      0u);
  EXPECT_EQ(envNamed(mysql, "MY_MYSQL_FLAVOR")["value"], "mariadb");
  EXPECT_EQ(envNamed(mysql, "MY_MYSQL_VERSION")["value"], "10.11.0");
  EXPECT_FALSE(
      envNamed(mysql, "MYSQL_USER").is_null());  // no init-only container: mysql creates them
}

TEST(StatefulSet, ProbeTimingsAndNoPreStopWithoutFailover) {
  ClusterSpec c = validSpec(
      {{"podSpec", {{"mysqlReadinessProbe", {{"timeoutSeconds", 15}, {"failureThreshold", 10}}}}}});
  Options o = testOptions();
  o.failoverBeforeShutdown = false;
  const json pod = buildStatefulSet(c, o, "1", "2")["spec"]["template"]["spec"];
  const json& mysql = containerNamed(pod["containers"], "mysql");
  EXPECT_EQ(mysql["readinessProbe"]["timeoutSeconds"], 15);
  EXPECT_EQ(mysql["readinessProbe"]["failureThreshold"], 10);
  EXPECT_EQ(mysql["readinessProbe"]["initialDelaySeconds"],
            1);  // ours; bitpoke: 5 (docs/cluster.md)
  EXPECT_FALSE(mysql.contains("lifecycle"));
}

TEST(Services, HeadlessIsSharedAndOwnerless) {
  json svc = buildHeadlessService("ns1");
  EXPECT_EQ(svc["metadata"], json({{"name", "mysql"},
                                   {"namespace", "ns1"},
                                   {"labels",
                                    {{"app.kubernetes.io/name", "mysql"},
                                     {"app.kubernetes.io/managed-by", "mysql.presslabs.org"},
                                     {"mysql.presslabs.org/service-type", "namespace-nodes"}}}}));
  EXPECT_EQ(svc["spec"]["clusterIP"], "None");
  EXPECT_EQ(svc["spec"]["publishNotReadyAddresses"], true);
  EXPECT_EQ(svc["spec"]["selector"],
            json({{"app.kubernetes.io/name", "mysql"},
                  {"app.kubernetes.io/managed-by", "mysql.presslabs.org"}}));
  EXPECT_EQ(
      svc["spec"]["ports"],
      json::array(
          {{{"name", "mysql"}, {"port", 3306}, {"targetPort", 3306}, {"protocol", "TCP"}},
           {{"name", "prometheus"}, {"port", 9125}, {"targetPort", 9125}, {"protocol", "TCP"}}}));
}

TEST(Services, MasterHealthyAndReplicas) {
  ClusterSpec c = validSpec(json::object());
  json master = buildMasterService(c);
  json healthy = buildHealthyService(c);
  json replicas = buildReplicasService(c);
  EXPECT_EQ(master["metadata"]["name"], "my-cluster-mysql-master");
  EXPECT_EQ(healthy["metadata"]["name"], "my-cluster-mysql");
  EXPECT_EQ(replicas["metadata"]["name"], "my-cluster-mysql-replicas");
  for (const json* s : {&master, &healthy, &replicas}) {
    EXPECT_EQ((*s)["metadata"]["ownerReferences"], json::array({kOwnerRef}));
    EXPECT_EQ((*s)["spec"]["type"], "ClusterIP");
  }
  json labels = kClusterLabels;
  labels["mysql.presslabs.org/service-type"] = "master";
  EXPECT_EQ(master["metadata"]["labels"], labels);
  labels["mysql.presslabs.org/service-type"] = "ready-nodes";
  EXPECT_EQ(healthy["metadata"]["labels"], labels);
  labels["mysql.presslabs.org/service-type"] = "ready-replicas";
  EXPECT_EQ(replicas["metadata"]["labels"], labels);

  json sel = kSelector;
  sel["role"] = "master";
  EXPECT_EQ(master["spec"]["selector"], sel);
  sel.erase("role");
  sel["healthy"] = "yes";
  EXPECT_EQ(healthy["spec"]["selector"], sel);
  sel["role"] = "replica";
  EXPECT_EQ(replicas["spec"]["selector"], sel);
  EXPECT_EQ(names(master["spec"]["ports"]), (std::vector<std::string>{"mysql", "sidecar-http"}));
  EXPECT_EQ(names(healthy["spec"]["ports"]), (std::vector<std::string>{"mysql"}));
  EXPECT_EQ(names(replicas["spec"]["ports"]), (std::vector<std::string>{"mysql", "sidecar-http"}));
}

TEST(Services, MasterServiceShapeExtension) {
  ClusterSpec c =
      validSpec({{"masterService",
                  {{"type", "LoadBalancer"},
                   {"annotations", {{"lb/internal", "true"}}},
                   {"labels", {{"expose", "yes"}, {"mysql.presslabs.org/cluster", "hijack"}}},
                   {"loadBalancerSourceRanges", {"10.0.0.0/8"}},
                   {"externalTrafficPolicy", "Local"}}}});
  json master = buildMasterService(c);
  EXPECT_EQ(master["spec"]["type"], "LoadBalancer");
  EXPECT_EQ(master["metadata"]["annotations"], json({{"lb/internal", "true"}}));
  EXPECT_EQ(master["metadata"]["labels"]["expose"], "yes");
  EXPECT_EQ(master["metadata"]["labels"]["mysql.presslabs.org/cluster"], "my-cluster");
  EXPECT_EQ(master["spec"]["loadBalancerSourceRanges"], json::array({"10.0.0.0/8"}));
  EXPECT_EQ(master["spec"]["externalTrafficPolicy"], "Local");
}

TEST(ConfigMap, DataAndLabels) {
  json cm = buildConfigMap(validSpec(json::object()));
  EXPECT_EQ(cm["metadata"]["name"], "my-cluster-mysql");
  EXPECT_EQ(cm["metadata"]["ownerReferences"], json::array({kOwnerRef}));
  json labels = kClusterLabels;
  labels["generated"] = "true";
  EXPECT_EQ(cm["metadata"]["labels"], labels);
  EXPECT_EQ(cm["data"]["my.cnf"].get<std::string>().rfind("[mysqld]\n", 0), 0u);
  EXPECT_TRUE(cm["data"].contains("pre-shutdown-ha.sh"));
  json custom =
      buildConfigMap(validSpec({{"podSpec", {{"mysqlLifecycle", {{"preStop", json::object()}}}}}}));
  EXPECT_FALSE(custom["data"].contains("pre-shutdown-ha.sh"));
}

TEST(OperatedSecret, RandomPasswordsStayOnceWritten) {
  ClusterSpec c = validSpec(json::object());
  json first = buildOperatedSecret(c, testOptions(), nullptr);
  EXPECT_EQ(first["metadata"]["name"], "my-cluster-mysql-operated");
  EXPECT_EQ(first["metadata"]["ownerReferences"], json::array({kOwnerRef}));
  EXPECT_EQ(first["type"], "Opaque");
  const json& d = first["data"];
  std::set<std::string> keys;
  for (auto it = d.begin(); it != d.end(); ++it) {
    keys.insert(it.key());
  }
  EXPECT_EQ(keys,
            (std::set<std::string>{"OPERATOR_USER", "OPERATOR_PASSWORD", "REPLICATION_USER",
                                   "REPLICATION_PASSWORD", "METRICS_EXPORTER_USER",
                                   "METRICS_EXPORTER_PASSWORD", "BACKUP_USER", "BACKUP_PASSWORD",
                                   "ORC_TOPOLOGY_USER", "ORC_TOPOLOGY_PASSWORD"}));
  auto decoded = [&](const json& data, const char* k) {
    return *kube::base64Decode(data[k].get<std::string>());
  };
  EXPECT_EQ(decoded(d, "OPERATOR_USER"), "sys_operator");
  EXPECT_EQ(decoded(d, "REPLICATION_USER"), "sys_replication");
  EXPECT_EQ(decoded(d, "METRICS_EXPORTER_USER"), "sys_exporter");
  EXPECT_EQ(decoded(d, "BACKUP_USER"), "sys_backups");
  EXPECT_EQ(decoded(d, "ORC_TOPOLOGY_USER"), "orc");
  EXPECT_EQ(decoded(d, "ORC_TOPOLOGY_PASSWORD"), "orcpw");
  const std::string pw = decoded(d, "OPERATOR_PASSWORD");
  EXPECT_EQ(pw.size(), 18u);
  for (char ch : pw) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << pw;
  }
  EXPECT_NE(decoded(d, "OPERATOR_PASSWORD"), decoded(d, "REPLICATION_PASSWORD"));

  // Re-built from the stored data: every password is kept, the topology pair follows the flags.
  Options o = testOptions();
  o.orchestratorTopologyPassword = "rotated";
  json again = buildOperatedSecret(c, o, first["data"]);
  for (const char* k : {"OPERATOR_PASSWORD", "REPLICATION_PASSWORD", "METRICS_EXPORTER_PASSWORD",
                        "BACKUP_PASSWORD"}) {
    EXPECT_EQ(again["data"][k], first["data"][k]) << k;
  }
  EXPECT_EQ(decoded(again["data"], "ORC_TOPOLOGY_PASSWORD"), "rotated");
}

TEST(Pdb, MinAvailableAsIntOrPercent) {
  json pdb = buildPodDisruptionBudget(validSpec(json::object()));
  EXPECT_EQ(pdb["apiVersion"], "policy/v1");
  EXPECT_EQ(pdb["metadata"]["name"], "my-cluster-mysql");
  EXPECT_EQ(pdb["metadata"]["ownerReferences"], json::array({kOwnerRef}));
  EXPECT_EQ(pdb["spec"],
            json({{"minAvailable", "50%"}, {"selector", {{"matchLabels", kSelector}}}}));
  EXPECT_EQ(buildPodDisruptionBudget(validSpec({{"minAvailable", "1"}}))["spec"]["minAvailable"],
            1);
}

TEST(Random, Base64RoundTripAndAlphabet) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "not-so-secure", std::string("\0\xff", 2)}) {
    EXPECT_EQ(*kube::base64Decode(kube::base64Encode(s)), s);
  }
  EXPECT_EQ(kube::base64Encode("not-so-secure"), "bm90LXNvLXNlY3VyZQ==");
  EXPECT_FALSE(kube::base64Decode("bm90*").has_value());
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    seen.insert(kube::randomAlphanumeric(18));
  }
  EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace mysqlop::cluster
