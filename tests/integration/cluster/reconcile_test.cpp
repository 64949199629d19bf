// The real mysql-operator with the cluster plugin against the local API server: bitpoke's
// example manifests become the objects bitpoke creates, spec changes update them in place,
// deleted children come back, and invalid specs give Ready=False and a Warning Event.
#include <unistd.h>

#include <filesystem>
#include <set>

#include "cluster_env.h"
#include "operator_process.h"
#include "plugins/common/kube/base64.h"

namespace mysqlop::cluster::it {
namespace {

namespace fs = std::filesystem;

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.start();
    dir_ = fs::temp_directory_path() /
           ("cluster-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(dir_);
    op_ = std::make_unique<OperatorProcess>(dir_.string());
    op_->start(env_.api().kubeconfigPath());
  }
  void TearDown() override {
    op_->stop();
    if (HasFailure()) {
      std::cerr << "---- operator log ----\n" << op_->log() << "----\n";
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void putSecret(const std::string& name, const std::map<std::string, std::string>& data) {
    json d = json::object();
    for (const auto& [k, v] : data) {
      d[k] = kube::base64Encode(v);
    }
    HttpResult r = env_.create(
        {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name}}}, {"data", d}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  void createAll(const std::string& examplesFile) {
    for (const json& doc : loadManifests(sourcePath("examples/" + examplesFile))) {
      HttpResult r = env_.create(doc);
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  json get(const std::string& kind, const std::string& name) {
    return env_.get(kind, "default", name);
  }
  bool exists(const std::string& kind, const std::string& name) {
    return !get(kind, name).is_null();
  }
  json waitFor(const std::string& kind, const std::string& name) {
    EXPECT_TRUE(MYSQLOP_EVENTUALLY(exists(kind, name))) << kind << " " << name;
    return get(kind, name);
  }
  HttpResult patch(const std::string& kind, const std::string& name, const json& p,
                   const std::string& sub = "") {
    return env_.call("PATCH", collectionPath(kind, "default") + "/" + name + sub, p,
                     "application/merge-patch+json");
  }
  void remove(const std::string& kind, const std::string& name) {
    HttpResult r = env_.call("DELETE", collectionPath(kind, "default") + "/" + name);
    ASSERT_TRUE(r.status == 200 || r.status == 202) << r.body;
  }

  // Ready condition of a cluster as "Status/Reason/Message".
  std::string ready(const std::string& cluster) {
    const json c = get("MysqlCluster", cluster);
    for (const json& cond : c.value("status", json::object()).value("conditions", json::array())) {
      if (cond.value("type", "") == "Ready") {
        return cond.value("status", "") + "/" + cond.value("reason", "") + "/" +
               cond.value("message", "");
      }
    }
    return "";
  }

  // Events of an object as "Type/Reason/Message".
  std::set<std::string> events(const std::string& name) {
    std::set<std::string> out;
    const json list = env_.call("GET", collectionPath("Event", "default")).json();
    for (const json& e : list.value("items", json::array())) {
      if (e["involvedObject"].value("name", "") == name) {
        out.insert(e.value("type", "") + "/" + e.value("reason", "") + "/" +
                   e.value("message", ""));
      }
    }
    return out;
  }

  static const json& containerNamed(const json& list, const std::string& name) {
    for (const json& c : list) {
      if (c.value("name", "") == name) {
        return c;
      }
    }
    static const json kNone;
    ADD_FAILURE() << "no container " << name;
    return kNone;
  }

  static std::string envValue(const json& container, const std::string& name) {
    for (const json& e : container.value("env", json::array())) {
      if (e.value("name", "") == name) {
        return e.value("value", "");
      }
    }
    return "<absent>";
  }

  void expectOwnedBy(const json& obj, const json& cluster) {
    ASSERT_TRUE(obj["metadata"].contains("ownerReferences")) << obj.dump();
    EXPECT_EQ(obj["metadata"]["ownerReferences"],
              json::array({{{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                            {"kind", "MysqlCluster"},
                            {"name", cluster["metadata"]["name"]},
                            {"uid", cluster["metadata"]["uid"]},
                            {"controller", true},
                            {"blockOwnerDeletion", true}}}));
  }

  static inline int counter_ = 0;
  ApiEnv env_;
  fs::path dir_;
  std::unique_ptr<OperatorProcess> op_;
};

const json kSelector = {{"mysql.presslabs.org/cluster", "my-cluster"},
                        {"app.kubernetes.io/name", "mysql"},
                        {"app.kubernetes.io/managed-by", "mysql.presslabs.org"}};

TEST_F(ReconcileTest, BitpokeExampleClusterBecomesBitpokesObjects) {
  createAll("example-cluster-secret.yaml");
  createAll("example-cluster.yaml");
  const json sts = waitFor("StatefulSet", "my-cluster-mysql");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("PodDisruptionBudget", "my-cluster-mysql")));
  const json cluster = get("MysqlCluster", "my-cluster");
  EXPECT_EQ(cluster["metadata"]["annotations"]["mysql.presslabs.org/version"], "300");

  // StatefulSet.
  expectOwnedBy(sts, cluster);
  EXPECT_EQ(sts["spec"]["replicas"], 2);
  EXPECT_EQ(sts["spec"]["serviceName"], "mysql");
  EXPECT_EQ(sts["spec"]["selector"]["matchLabels"], kSelector);
  const json labels = sts["spec"]["template"]["metadata"]["labels"];
  EXPECT_EQ(labels, json({{"mysql.presslabs.org/cluster", "my-cluster"},
                          {"app.kubernetes.io/name", "mysql"},
                          {"app.kubernetes.io/instance", "my-cluster"},
                          {"app.kubernetes.io/version", "5.7.35"},
                          {"app.kubernetes.io/component", "database"},
                          {"app.kubernetes.io/managed-by", "mysql.presslabs.org"}}));
  const json cm = get("ConfigMap", "my-cluster-mysql");
  const json secret = get("Secret", "my-cluster-mysql-operated");
  const json annotations = sts["spec"]["template"]["metadata"]["annotations"];
  EXPECT_EQ(annotations["config_rev"], cm["metadata"]["resourceVersion"]);
  EXPECT_EQ(annotations["secret_rev"], secret["metadata"]["resourceVersion"]);
  EXPECT_EQ(annotations["prometheus.io/scrape"], "true");
  EXPECT_EQ(annotations["prometheus.io/port"], "9125");
  const json& pod = sts["spec"]["template"]["spec"];
  EXPECT_EQ(pod["securityContext"]["fsGroup"], 999);
  const json& mysql = containerNamed(pod["containers"], "mysql");
  EXPECT_EQ(mysql["image"], "docker.io/library/percona:5.7.35");
  EXPECT_EQ(mysql["ports"][0]["containerPort"], 3306);
  EXPECT_EQ(envValue(mysql, "ORCH_CLUSTER_ALIAS"), "my-cluster.default");
  EXPECT_EQ(mysql["readinessProbe"]["periodSeconds"], 2);
  EXPECT_EQ(containerNamed(pod["containers"], "sidecar")["image"], "sidecar57:test");
  EXPECT_EQ(containerNamed(pod["initContainers"], "init")["args"], json::array({"clone-and-init"}));
  EXPECT_EQ(pod["containers"].size(), 4u);

  // Services.
  const json headless = get("Service", "mysql");
  EXPECT_FALSE(headless["metadata"].contains("ownerReferences"));
  EXPECT_EQ(headless["spec"]["clusterIP"], "None");
  EXPECT_EQ(headless["spec"]["publishNotReadyAddresses"], true);
  for (const auto& [name, type, extra] :
       {std::tuple<std::string, std::string, json>{
            "my-cluster-mysql-master", "master", {{"role", "master"}}},
        {"my-cluster-mysql", "ready-nodes", {{"healthy", "yes"}}},
        {"my-cluster-mysql-replicas",
         "ready-replicas",
         {{"role", "replica"}, {"healthy", "yes"}}}}) {
    const json svc = get("Service", name);
    expectOwnedBy(svc, cluster);
    EXPECT_EQ(svc["metadata"]["labels"]["mysql.presslabs.org/service-type"], type) << name;
    json sel = kSelector;
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      sel[it.key()] = *it;
    }
    EXPECT_EQ(svc["spec"]["selector"], sel) << name;
    EXPECT_EQ(svc["spec"]["ports"][0]["port"], 3306) << name;
  }

  // ConfigMap, operated Secret, PDB.
  expectOwnedBy(cm, cluster);
  EXPECT_EQ(cm["metadata"]["labels"]["generated"], "true");
  const std::string cnf = cm["data"]["my.cnf"];
  EXPECT_NE(cnf.find("innodb-buffer-pool-size = 384M\n"), std::string::npos) << cnf;
  EXPECT_NE(cnf.find("gtid-mode = on\n"), std::string::npos);
  EXPECT_TRUE(cm["data"].contains("pre-shutdown-ha.sh"));
  expectOwnedBy(secret, cluster);
  EXPECT_EQ(*kube::base64Decode(secret["data"]["OPERATOR_USER"].get<std::string>()),
            "sys_operator");
  EXPECT_EQ(kube::base64Decode(secret["data"]["REPLICATION_PASSWORD"].get<std::string>())->size(),
            18u);
  EXPECT_EQ(*kube::base64Decode(secret["data"]["ORC_TOPOLOGY_USER"].get<std::string>()), "orc");
  const json pdb = get("PodDisruptionBudget", "my-cluster-mysql");
  expectOwnedBy(pdb, cluster);
  EXPECT_EQ(pdb["spec"]["minAvailable"], "50%");
  EXPECT_EQ(pdb["spec"]["selector"]["matchLabels"], kSelector);

  // Status and Events.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(ready("my-cluster") != ""));
  EXPECT_EQ(ready("my-cluster"), "False/StatefulSetNotReady/StatefulSet is not ready");
  EXPECT_EQ(get("MysqlCluster", "my-cluster")["status"]["readyNodes"], 0);
  bool pendingAck = false;
  const json conditions = get("MysqlCluster", "my-cluster")["status"]["conditions"];
  for (const json& cond : conditions) {
    if (cond["type"] == "PendingFailoverAck") {
      pendingAck = true;
      EXPECT_EQ(cond["status"], "False");
      EXPECT_EQ(cond["reason"], "NoPendingFailoverAckExists");
      EXPECT_EQ(cond["message"], "no pending ack");
    }
  }
  EXPECT_TRUE(pendingAck);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(events("my-cluster").size() >= 8));
  const std::set<std::string> ev = events("my-cluster");
  for (const char* want :
       {"Normal/ConfigMapSyncSuccessfull/ConfigMap default/my-cluster-mysql created successfully",
        "Normal/StatefulSetSyncSuccessfull/StatefulSet default/my-cluster-mysql created "
        "successfully",
        "Normal/MasterSVCSyncSuccessfull/Service default/my-cluster-mysql-master created "
        "successfully",
        "Normal/PDBSyncSuccessfull/PodDisruptionBudget default/my-cluster-mysql created "
        "successfully"}) {
    EXPECT_EQ(ev.count(want), 1u) << want;
  }
  // The orchestrator password never reaches an object but the operated Secret.
  EXPECT_EQ(op_->log().find("orc-secret-pw"), std::string::npos);
}

TEST_F(ReconcileTest, BitpokeInitExampleAndMariaDbExample) {
  putSecret("the-secret", {{"ROOT_PASSWORD", "pw"}});
  createAll("example-cluster-init.yaml");
  createAll("example-cluster-secret.yaml");
  createAll("example-mariadb-cluster.yaml");
  const json init = waitFor("StatefulSet", "foob2-mysql");
  const json& initC = containerNamed(init["spec"]["template"]["spec"]["initContainers"], "init");
  EXPECT_EQ(envValue(initC, "INIT_BUCKET_URI"), "gs://bucket_name/path/to/backup.xbackup.gz");
  EXPECT_EQ(initC["envFrom"][0], json({{"secretRef", {{"name", "backup-secret"}}}}));

  const json maria = waitFor("StatefulSet", "my-mariadb-mysql");
  const json cluster = get("MysqlCluster", "my-mariadb");
  EXPECT_EQ(maria["spec"]["replicas"], 3);
  const json& pod = maria["spec"]["template"]["spec"];
  EXPECT_EQ(containerNamed(pod["containers"], "mysql")["image"], "docker.io/library/mariadb:10.11");
  EXPECT_EQ(pod["initContainers"].size(), 1u);
  const json& vct = maria["spec"]["volumeClaimTemplates"][0];
  EXPECT_EQ(vct["metadata"]["name"], "data");
  expectOwnedBy(vct, cluster);
  EXPECT_EQ(vct["spec"]["resources"]["requests"]["storage"], "10Gi");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("ConfigMap", "my-mariadb-mysql")));
  const std::string cnf = get("ConfigMap", "my-mariadb-mysql")["data"]["my.cnf"];
  EXPECT_NE(cnf.find("gtid-strict-mode = on\n"), std::string::npos);
  EXPECT_NE(cnf.find("innodb-buffer-pool-size = 1344M\n"), std::string::npos) << cnf;
  EXPECT_NE(cnf.find("max-binlog-size = 1G\n"), std::string::npos);
  EXPECT_EQ(cnf.find("gtid-mode"), std::string::npos);
}

TEST_F(ReconcileTest, SpecChangesUpdateChildrenInPlace) {
  createAll("example-cluster-secret.yaml");
  createAll("example-cluster.yaml");
  const json sts = waitFor("StatefulSet", "my-cluster-mysql");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("PodDisruptionBudget", "my-cluster-mysql")));
  const json cm = get("ConfigMap", "my-cluster-mysql");
  const json secret = get("Secret", "my-cluster-mysql-operated");
  // Another writer's fields, which an update must keep.
  ASSERT_EQ(
      patch("StatefulSet", "my-cluster-mysql",
            {{"metadata", {{"annotations", {{"other/owner", "keep-me"}}}}},
             {"spec",
              {{"template",
                {{"metadata",
                  {{"annotations", {{"kubectl.kubernetes.io/restartedAt", "2024-01-01"}}}}}}}}}})
          .status,
      200);

  ASSERT_EQ(
      patch("MysqlCluster", "my-cluster",
            {{"spec",
              {{"replicas", 3},
               {"image", "percona:5.7.36"},
               {"mysqlConf", {{"max-connections", 900}}},
               {"podSpec", {{"resources", {{"requests", {{"memory", "3Gi"}, {"cpu", "1"}}}}}}}}}})
          .status,
      200);
  ASSERT_TRUE(eventually(
      "the StatefulSet to have 3 replicas of percona:5.7.36",
      [&] {
        const json s = get("StatefulSet", "my-cluster-mysql");
        return s["spec"]["replicas"] == 3 &&
               containerNamed(s["spec"]["template"]["spec"]["containers"], "mysql")["image"] ==
                   "percona:5.7.36";
      },
      [&] { return get("StatefulSet", "my-cluster-mysql")["spec"].dump(); }));
  const json after = get("StatefulSet", "my-cluster-mysql");
  EXPECT_EQ(after["metadata"]["uid"], sts["metadata"]["uid"]);
  EXPECT_EQ(after["metadata"]["annotations"]["other/owner"], "keep-me");
  EXPECT_EQ(
      after["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
      "2024-01-01");
  EXPECT_EQ(containerNamed(after["spec"]["template"]["spec"]["containers"],
                           "mysql")["resources"]["requests"]["memory"],
            "3Gi");
  const json cmAfter = get("ConfigMap", "my-cluster-mysql");
  EXPECT_EQ(cmAfter["metadata"]["uid"], cm["metadata"]["uid"]);
  const std::string cnf = cmAfter["data"]["my.cnf"];
  EXPECT_NE(cnf.find("max-connections = 900\n"), std::string::npos) << cnf;
  EXPECT_NE(cnf.find("innodb-buffer-pool-size = 2112M\n"), std::string::npos) << cnf;
  EXPECT_EQ(after["spec"]["template"]["metadata"]["annotations"]["config_rev"],
            cmAfter["metadata"]["resourceVersion"]);
  const json secretAfter = get("Secret", "my-cluster-mysql-operated");
  EXPECT_EQ(secretAfter["data"], secret["data"]);
  EXPECT_EQ(secretAfter["metadata"]["uid"], secret["metadata"]["uid"]);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      events("my-cluster")
          .count("Normal/StatefulSetSyncSuccessfull/StatefulSet default/my-cluster-mysql updated "
                 "successfully") == 1));

  // Extension: the master Service becomes a NodePort Service with annotations, in place.
  const json master = get("Service", "my-cluster-mysql-master");
  ASSERT_EQ(
      patch("MysqlCluster", "my-cluster",
            {{"spec", {{"masterService", {{"type", "NodePort"}, {"annotations", {{"a", "b"}}}}}}}})
          .status,
      200);
  ASSERT_TRUE(
      MYSQLOP_EVENTUALLY(get("Service", "my-cluster-mysql-master")["spec"]["type"] == "NodePort"));
  const json masterAfter = get("Service", "my-cluster-mysql-master");
  EXPECT_EQ(masterAfter["metadata"]["uid"], master["metadata"]["uid"]);
  EXPECT_EQ(masterAfter["metadata"]["annotations"]["a"], "b");
}

TEST_F(ReconcileTest, DeletedChildrenAreRecreated) {
  createAll("example-cluster-secret.yaml");
  createAll("example-cluster.yaml");
  waitFor("StatefulSet", "my-cluster-mysql");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("PodDisruptionBudget", "my-cluster-mysql")));
  const std::vector<std::pair<std::string, std::string>> children = {
      {"StatefulSet", "my-cluster-mysql"},
      {"Service", "my-cluster-mysql-master"},
      {"Service", "my-cluster-mysql"},
      {"Service", "my-cluster-mysql-replicas"},
      {"Service", "mysql"},
      {"ConfigMap", "my-cluster-mysql"},
      {"Secret", "my-cluster-mysql-operated"},
      {"PodDisruptionBudget", "my-cluster-mysql"}};
  for (const auto& [kind, name] : children) {
    const std::string uid = get(kind, name)["metadata"].value("uid", "");
    remove(kind, name);
    EXPECT_TRUE(eventually(
        kind + " " + name + " to be recreated (a new uid)",
        [&, k = kind, n = name] {
          const json o = get(k, n);
          return !o.is_null() && o["metadata"].value("uid", "") != uid;
        },
        [&, k = kind, n = name] { return get(k, n).dump(); }));
  }
}

TEST_F(ReconcileTest, DeletingTheClusterLeavesCleanupToOwnerReferences) {
  createAll("example-cluster-secret.yaml");
  createAll("example-cluster.yaml");
  waitFor("StatefulSet", "my-cluster-mysql");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(exists("PodDisruptionBudget", "my-cluster-mysql")));
  remove("MysqlCluster", "my-cluster");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(!exists("StatefulSet", "my-cluster-mysql") &&
                                 !exists("ConfigMap", "my-cluster-mysql") &&
                                 !exists("Service", "my-cluster-mysql-master") &&
                                 !exists("Secret", "my-cluster-mysql-operated")));
  // The shared headless Service stays for the namespace's other clusters.
  EXPECT_TRUE(exists("Service", "mysql"));
  EXPECT_TRUE(exists("Secret", "my-secret"));
}

// A cluster adopted from bitpoke's operator carries its orchestrator finalizer: it is removed,
// so deleting the cluster does not wait forever (with only the operator's own reconcile).
TEST_F(ReconcileTest, AnAdoptedClusterWithBitpokesFinalizerCanBeDeleted) {
  createAll("example-cluster-secret.yaml");
  for (json doc : loadManifests(sourcePath("examples/example-cluster.yaml"))) {
    doc["metadata"]["finalizers"] = {"mysql.presslabs.org/registered-in-orchestrator"};
    HttpResult r = env_.create(doc);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  waitFor("StatefulSet", "my-cluster-mysql");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      get("MysqlCluster", "my-cluster")["metadata"].value("finalizers", json::array()).empty()));
  remove("MysqlCluster", "my-cluster");
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(!exists("MysqlCluster", "my-cluster")));
}

// Pods and PVCs as the StatefulSet controller makes them.
json podObject(int i) {
  json labels = kSelector;
  labels["app.kubernetes.io/instance"] = "my-cluster";
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "my-cluster-mysql-" + std::to_string(i)}, {"labels", labels}}},
          {"spec", {{"containers", {{{"name", "mysql"}, {"image", "percona:5.7.35"}}}}}}};
}

json nodeStatus(int i, bool master, bool replicating) {
  auto cond = [](const char* type, bool v) {
    return json({{"type", type},
                 {"status", v ? "True" : "False"},
                 {"lastTransitionTime", "2024-01-01T00:00:00Z"}});
  };
  return {{"name", "my-cluster-mysql-" + std::to_string(i) + ".mysql.default"},
          {"conditions",
           {cond("Master", master), cond("Replicating", replicating), cond("Lagged", false),
            cond("ReadOnly", !master)}}};
}

TEST_F(ReconcileTest, PodLabelsAndStatusFollowTheNodes) {
  createAll("example-cluster-secret.yaml");
  createAll("example-cluster.yaml");
  waitFor("StatefulSet", "my-cluster-mysql");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(env_.create(podObject(i)).status, 201);
  }
  // What the StatefulSet controller and the failover engine would write.
  ASSERT_EQ(patch("StatefulSet", "my-cluster-mysql",
                  {{"status", {{"replicas", 2}, {"readyReplicas", 2}}}}, "/status")
                .status,
            200);
  ASSERT_EQ(
      patch("MysqlCluster", "my-cluster",
            {{"status", {{"nodes", {nodeStatus(0, true, false), nodeStatus(1, false, true)}}}}},
            "/status")
          .status,
      200);
  EXPECT_TRUE(eventually(
      "pod 0 labelled a healthy master and pod 1 a healthy replica",
      [&] {
        const json p0 = get("Pod", "my-cluster-mysql-0")["metadata"]["labels"];
        const json p1 = get("Pod", "my-cluster-mysql-1")["metadata"]["labels"];
        return p0.value("role", "") == "master" && p0.value("healthy", "") == "yes" &&
               p1.value("role", "") == "replica" && p1.value("healthy", "") == "yes";
      },
      [&] {
        return get("Pod", "my-cluster-mysql-0")["metadata"]["labels"].dump() + " " +
               get("Pod", "my-cluster-mysql-1")["metadata"]["labels"].dump();
      }));
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(ready("my-cluster") == "True/ClusterReady/Cluster is ready"))
      << ready("my-cluster");
  const json status = get("MysqlCluster", "my-cluster")["status"];
  EXPECT_EQ(status["readyNodes"], 2);
  bool readOnly = false;
  for (const json& c : status["conditions"]) {
    if (c["type"] == "ReadOnly") {
      readOnly = true;
      EXPECT_EQ(c["status"], "False");
      EXPECT_EQ(c["reason"], "ClusterReadOnlyFalse");
      EXPECT_EQ(c["message"], "writable nodes: my-cluster-mysql-0.mysql.default");
    }
  }
  EXPECT_TRUE(readOnly);

  // A failover: the labels follow, and a recreated pod gets its labels back.
  ASSERT_EQ(
      patch("MysqlCluster", "my-cluster",
            {{"status", {{"nodes", {nodeStatus(0, false, false), nodeStatus(1, true, false)}}}}},
            "/status")
          .status,
      200);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      get("Pod", "my-cluster-mysql-1")["metadata"]["labels"].value("role", "") == "master" &&
      get("Pod", "my-cluster-mysql-0")["metadata"]["labels"].value("healthy", "") == "no"));
  remove("Pod", "my-cluster-mysql-1");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!exists("Pod", "my-cluster-mysql-1")));
  ASSERT_EQ(env_.create(podObject(1)).status, 201);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      get("Pod", "my-cluster-mysql-1")["metadata"]["labels"].value("role", "") == "master"));
}

json claimObject(int i, const json& cluster, bool owned) {
  json c = {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata", {{"name", "data-my-cluster-mysql-" + std::to_string(i)}, {"labels", kSelector}}},
      {"spec",
       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
  if (owned) {
    c["metadata"]["ownerReferences"] = {{{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                                         {"kind", "MysqlCluster"},
                                         {"name", "my-cluster"},
                                         {"uid", cluster["metadata"]["uid"]},
                                         {"controller", true}}};
  }
  return c;
}

TEST_F(ReconcileTest, ScaleDownCleansClaimsButPodZerosAndKeptOnes) {
  createAll("example-cluster-secret.yaml");
  json c = loadManifests(sourcePath("examples/example-cluster.yaml"))[0];
  c["spec"]["replicas"] = 3;
  ASSERT_EQ(env_.create(c).status, 201);
  waitFor("StatefulSet", "my-cluster-mysql");
  const json cluster = get("MysqlCluster", "my-cluster");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(env_.create(claimObject(i, cluster, true)).status, 201);
  }
  // A claim without owner (volumeSpec.keepAfterDelete) is never touched.
  json kept = claimObject(4, cluster, false);
  ASSERT_EQ(env_.create(kept).status, 201);
  ASSERT_EQ(patch("MysqlCluster", "my-cluster", {{"spec", {{"replicas", 1}}}}).status, 200);
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(!exists("PersistentVolumeClaim", "data-my-cluster-mysql-1") &&
                                 !exists("PersistentVolumeClaim", "data-my-cluster-mysql-2")));
  EXPECT_TRUE(exists("PersistentVolumeClaim", "data-my-cluster-mysql-0"));
  EXPECT_TRUE(exists("PersistentVolumeClaim", "data-my-cluster-mysql-4"));
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(
      events("my-cluster")
          .count("Normal/SuccessfulPVCCleanup/delete Claim data-my-cluster-mysql-2 in "
                 "StatefulSet "
                 "my-cluster-mysql successful") == 1));
  // One replica: no PDB any more.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(!exists("PodDisruptionBudget", "my-cluster-mysql")));
}

// Invalid specs the CRD lets through: Ready=False naming the field, a Warning Event, and nothing
// created.
class InvalidSpecTest : public ReconcileTest {
 protected:
  void expectRefused(const json& spec, const std::string& reason, const std::string& message,
                     const std::string& name = "bad") {
    json c = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
              {"kind", "MysqlCluster"},
              {"metadata", {{"name", name}}},
              {"spec", {{"replicas", 2}, {"secretName", "my-secret"}}}};
    for (auto it = spec.begin(); it != spec.end(); ++it) {
      c["spec"][it.key()] = *it;
    }
    HttpResult r = env_.create(c);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_TRUE(MYSQLOP_EVENTUALLY(ready(name) != ""));
    EXPECT_EQ(ready(name), "False/" + reason + "/" + message);
    EXPECT_TRUE(eventually(
        "a Warning " + reason + " Event on " + name,
        [&] {
          for (const std::string& e : events(name)) {
            if (e.rfind("Warning/" + reason + "/", 0) == 0) {
              return true;
            }
          }
          return false;
        },
        [&] {
          std::string all;
          for (const std::string& e : events(name)) {
            all += "\n  " + e;
          }
          return "Events:" + all;
        }));
    EXPECT_FALSE(exists("StatefulSet", name + "-mysql"));
    EXPECT_FALSE(exists("ConfigMap", name + "-mysql"));
    EXPECT_FALSE(exists("Secret", name + "-mysql-operated"));
    EXPECT_FALSE(exists("Service", name + "-mysql-master"));
  }
  void SetUp() override {
    ReconcileTest::SetUp();
    putSecret("my-secret", {{"ROOT_PASSWORD", "pw"}});
  }
};

TEST_F(InvalidSpecTest, UnknownVersion) {
  expectRefused(
      {{"mysqlVersion", "5.7.99"}}, "InvalidMysqlVersion",
      "spec.mysqlVersion: no image is known for MySQL 5.7.99 (\"5.7.99\"); set spec.image "
      "or map it with --mysql-versions-to-image");
}

TEST_F(InvalidSpecTest, MariaDbTooOld) {
  expectRefused({{"mysqlVersion", "mariadb-10.5"}}, "InvalidMysqlVersion",
                "spec.mysqlVersion: MariaDB 10.5.0 is not supported; MariaDB 10.6 or later is "
                "required");
}

TEST_F(InvalidSpecTest, SecretWithoutRootPassword) {
  putSecret("no-root", {{"USER", "app"}});
  expectRefused({{"secretName", "no-root"}}, "InvalidSecretName",
                "spec.secretName: ROOT_PASSWORD not set in Secret \"no-root\"");
}

TEST_F(InvalidSpecTest, MissingSecretThenCreated) {
  expectRefused({{"secretName", "later"}}, "InvalidSecretName",
                "spec.secretName: Secret \"later\" not found in namespace \"default\"");
  putSecret("later", {{"ROOT_PASSWORD", "pw"}});
  // The plugin looks again (user Secrets are not watched) and builds the cluster.
  EXPECT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(within(std::chrono::seconds(90)),
                                        exists("StatefulSet", "bad-mysql")));
  EXPECT_TRUE(
      MYSQLOP_EVENTUALLY(ready("bad") == "False/StatefulSetNotReady/StatefulSet is not ready"));
}

TEST_F(InvalidSpecTest, UnparsableBackupSchedule) {
  expectRefused({{"backupSchedule", "0 61 * * * *"}}, "InvalidBackupSchedule",
                "spec.backupSchedule: \"0 61 * * * *\" is not a valid schedule: minute field "
                "\"61\": out of range 0-59");
}

TEST_F(InvalidSpecTest, BadMysqlConfKey) {
  expectRefused(
      {{"mysqlConf", {{"bad key", "1"}}}}, "InvalidMysqlConf",
      "spec.mysqlConf: \"bad key\" is not an option name (letters, digits, '-', '_', '.')");
}

TEST_F(InvalidSpecTest, QuantityTooLarge) {
  expectRefused(
      {{"podSpec",
        {{"resources", {{"requests", {{"memory", "99999999999999999999999999999999999Ei"}}}}}}}},
      "InvalidPodSpecResources",
      "spec.podSpec.resources.requests.memory: \"99999999999999999999999999999999999Ei\" "
      "is too large");
}

TEST_F(InvalidSpecTest, NameTooLongForMysql57HostNames) {
  expectRefused(
      json::object(), "InvalidName",
      "metadata.name: the pod host name "
      "\"a-rather-long-cluster-name-for-mysql-57-mysql-1.mysql.default\" has 61 characters; "
      "MySQL 5.7 allows at most 60 in MASTER_HOST",
      "a-rather-long-cluster-name-for-mysql-57");
}

TEST_F(InvalidSpecTest, FixingTheSpecBuildsTheCluster) {
  expectRefused(
      {{"backupRemoteDeletePolicy", "delete"}, {"mysqlVersion", "5.7.99"}}, "InvalidMysqlVersion",
      "spec.mysqlVersion: no image is known for MySQL 5.7.99 (\"5.7.99\"); set spec.image "
      "or map it with --mysql-versions-to-image");
  ASSERT_EQ(patch("MysqlCluster", "bad", {{"spec", {{"mysqlVersion", "8.0"}}}}).status, 200);
  const json sts = waitFor("StatefulSet", "bad-mysql");
  EXPECT_EQ(containerNamed(sts["spec"]["template"]["spec"]["containers"], "mysql")["image"],
            "docker.io/library/percona:8.0.20");
  EXPECT_TRUE(
      MYSQLOP_EVENTUALLY(ready("bad") == "False/StatefulSetNotReady/StatefulSet is not ready"));
}

}  // namespace
}  // namespace mysqlop::cluster::it
