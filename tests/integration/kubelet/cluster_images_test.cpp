// The images the cluster plugin puts in a MySQL pod, on a real node with the shipped profiles
// (issue 11): the metrics exporter runs Debian's prometheus-mysqld-exporter with the plugin's
// arguments; a Percona or MySQL server image waits with a message that says to use MariaDB.
#include "kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

// The metrics-exporter container as plugins/cluster/src/statefulset.cpp builds it (no MySQL to
// reach here: the exporter still serves, with mysql_up 0).
TEST_F(KubeletEnv, MetricsExporterImageServesMetrics) {
  json p = shellPod("exporter", "");
  json& c = p["spec"]["containers"][0];
  c["name"] = "metrics-exporter";
  c["image"] = "prom/mysqld-exporter:v0.13.0";
  c.erase("command");
  c["args"] = json::array({"--web.listen-address=0.0.0.0:9125", "--web.telemetry-path=/metrics",
                           "--collect.heartbeat", "--collect.heartbeat.database=sys_operator"});
  c["env"] = json::array({{{"name", "DATA_SOURCE_NAME"}, {"value", "u:p@(127.0.0.1:1)/"}}});
  c["ports"] = json::array({{{"name", "prometheus"}, {"containerPort", 9125}}});
  // The plugin's liveness probe path, and a readiness check that it is the exporter answering.
  c["livenessProbe"] = {{"httpGet", {{"path", "/metrics"}, {"port", 9125}}}, {"periodSeconds", 2}};
  c["readinessProbe"] = {
      {"exec",
       {{"command",
         json::array(
             {"sh", "-c", "curl -sf http://127.0.0.1:9125/metrics | grep -q '^mysql_up 0$'"})}}},
      {"periodSeconds", 1}};
  create(p);
  ASSERT_TRUE(waitPod("exporter", "Ready with mysql_up in its metrics",
                      [](const json& q) { return condition(q, "Ready") == "True"; }));
  json s = containerStatus(pod("exporter"), "metrics-exporter");
  EXPECT_EQ(s["restartCount"], 0);
  EXPECT_TRUE(s["state"].contains("running")) << s.dump();
}

TEST_F(KubeletEnv, PerconaAndMysqlImagesWaitSayingToUseMariaDb) {
  for (const char* image : {"docker.io/library/percona:5.7.35", "mysql:8.0"}) {
    const std::string name =
        std::string(image).find("percona") != std::string::npos ? "percona" : "mysql";
    json p = shellPod(name, "true");
    p["spec"]["containers"][0]["name"] = "mysql";
    p["spec"]["containers"][0]["image"] = image;
    create(p);
    ASSERT_TRUE(waitPod(name, "ImageNotAvailableLocally", [](const json& q) {
      return waitingReason(q, "mysql") == "ImageNotAvailableLocally";
    }));
    json q = pod(name);
    EXPECT_EQ(containerStatus(q, "mysql")["state"]["waiting"]["message"],
              std::string("image \"") + image +
                  "\" is not available locally: MySQL and Percona Server images do not run on "
                  "the local cluster, which runs MariaDB only: use a MariaDB version for local "
                  "clusters (spec.mysqlVersion: \"mariadb-10.11\")");
    EXPECT_EQ(phase(q), "Pending");
  }
}

// The cluster plugin's pods start with the sidecar's init container; with a Percona server image
// in the pod nothing starts (the init container would only fail on a server that never runs), and
// the Percona containers say why, the init-only one included.
TEST_F(KubeletEnv, APodWithAPerconaImageStartsNothing) {
  const std::string marker = dir_ + "/init-ran";
  json p = shellPod("cluster-0", "exec sleep 100021");
  p["spec"]["containers"][0]["name"] = "mysql";
  p["spec"]["containers"][0]["image"] = "percona:5.7.35";
  p["spec"]["containers"].push_back({{"name", "helper"},
                                     {"image", "busybox"},
                                     {"command", json::array({"sh", "-c", "exec sleep 100022"})}});
  p["spec"]["initContainers"] =
      json::array({{{"name", "init"},
                    {"image", "busybox"},
                    {"command", json::array({"sh", "-c", "touch " + marker})}},
                   {{"name", "mysql-init-only"},
                    {"image", "docker.io/library/percona:5.7.35"},
                    {"command", json::array({"true"})}}});
  create(p);
  const std::string why =
      "\" is not available locally: MySQL and Percona Server images do not run on the local "
      "cluster, which runs MariaDB only: use a MariaDB version for local clusters "
      "(spec.mysqlVersion: \"mariadb-10.11\")";
  ASSERT_TRUE(waitPod("cluster-0", "ImageNotAvailableLocally on mysql", [](const json& q) {
    return waitingReason(q, "mysql") == "ImageNotAvailableLocally";
  }));
  ASSERT_TRUE(waitPod("cluster-0", "the Warning event", [&](const json&) {
    return hasEvent("cluster-0", "Failed", "Error: image \"");
  }));
  json q = pod("cluster-0");
  EXPECT_EQ(containerStatus(q, "mysql")["state"]["waiting"]["message"],
            "image \"percona:5.7.35" + why);
  json initOnly = containerStatus(q, "mysql-init-only", "initContainerStatuses");
  EXPECT_EQ(initOnly["state"]["waiting"]["reason"], "ImageNotAvailableLocally") << initOnly;
  EXPECT_EQ(initOnly["state"]["waiting"]["message"],
            "image \"docker.io/library/percona:5.7.35" + why);
  json init = containerStatus(q, "init", "initContainerStatuses");
  EXPECT_EQ(init["state"]["waiting"]["reason"], "ContainerCreating") << init;  // never created
  EXPECT_EQ(waitingReason(q, "helper"), "PodInitializing");
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_TRUE(pidsWith("100022").empty());
  EXPECT_EQ(phase(q), "Pending");
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
