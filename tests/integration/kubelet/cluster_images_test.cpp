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

// The sidecar images run the image's dispatch: the sidecar's subcommands reach our
// mysql-operator-sidecar (from ${binDir}), anything else runs as a host program (pt-heartbeat of
// percona-toolkit); each container's /tmp is its own (a scratch directory, mode 1777), never the
// host's or another container's.
TEST_F(KubeletEnv, SidecarImagesDispatchAndKeepTheirTmpToThemselves) {
  const std::string out = dir_ + "/out";  // an emptyDir shared by the containers
  auto sidecar = [&](const std::string& name, const std::string& image, json args) {
    return json{{"name", name},
                {"image", image},
                {"args", std::move(args)},
                {"volumeMounts", json::array({{{"name", "out"}, {"mountPath", out}}})}};
  };
  json p = shellPod("tools", "", "Never");
  p["spec"]["volumes"] = json::array({{{"name", "out"}, {"emptyDir", json::object()}}});
  p["spec"]["containers"] = json::array(
      {sidecar("dispatch", "bitpoke/mysql-operator-sidecar-5.7:latest",
               json::array({"clone-and-init"})),
       sidecar("program", "docker.io/bitpoke/mysql-operator-sidecar-8.0:latest",
               json::array({"sh", "-c", "pt-heartbeat --version > " + out + "/program"})),
       sidecar("scratch-a", "docker.io/mysqlop/mysql-operator-sidecar:latest",
               json::array({"sh", "-c",
                            "echo a > /tmp/scratch-mark && stat -c %a /tmp > " + out +
                                "/a && touch " + out + "/a-done"})),
       sidecar(
           "scratch-b", "quay.io/presslabs/mysql-operator-sidecar:0.4.0",
           json::array({"sh", "-c",
                        "while [ ! -e " + out +
                            "/a-done ]; do sleep 0.1; done; "
                            "if [ -e /tmp/scratch-mark ]; then echo shared; else echo own; fi > " +
                            out + "/b"}))});
  create(p);
  ASSERT_TRUE(waitPod("tools", "Failed (the dispatch container exits 1)",
                      [](const json& q) { return phase(q) == "Failed"; }));
  const json q = pod("tools");
  const json dispatch = containerStatus(q, "dispatch")["state"]["terminated"];
  EXPECT_EQ(dispatch["exitCode"], 1) << dispatch.dump();
  for (const char* c : {"program", "scratch-a", "scratch-b"}) {
    EXPECT_EQ(containerStatus(q, c)["state"]["terminated"]["exitCode"], 0) << c;
  }
  const std::string volume = dir_ + "/pods/" + q["metadata"].value("uid", "") + "/volumes/out/";
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  EXPECT_EQ(read(volume + "program").rfind("pt-heartbeat 3.", 0), 0u) << read(volume + "program");
  EXPECT_EQ(read(volume + "a"), "1777\n");
  EXPECT_EQ(read(volume + "b"), "own\n");
  EXPECT_FALSE(std::filesystem::exists("/tmp/scratch-mark"));
  // The sidecar's own refusal (clone-and-init reached the binary): its log says why.
  std::string log;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/pods")) {
    if (e.path().string().find("/dispatch/") != std::string::npos) {
      log += read(e.path().string());
    }
  }
  EXPECT_NE(log.find("HOSTNAME=\"tools\": no pod ordinal at its end (want <cluster>-mysql-<N>)"),
            std::string::npos)
      << log;
}

// A scratch directory is emptied when its container starts again (a new writable layer).
TEST_F(KubeletEnv, ScratchDirectoriesStartEmptyAtEveryRestart) {
  const std::string out = dir_ + "/out";
  json p = shellPod("again", "", "OnFailure");
  p["spec"]["volumes"] = json::array({{{"name", "out"}, {"emptyDir", json::object()}}});
  json& c = p["spec"]["containers"][0];
  c["image"] = "bitpoke/mysql-operator-sidecar-5.7";
  c.erase("command");
  // Fails its first run (exit 1: restarted at once), succeeds its second.
  c["args"] = json::array({"sh", "-c",
                           "if [ -e /tmp/mark ]; then echo kept; else echo fresh; fi >> " + out +
                               "/runs; echo x > /tmp/mark; [ $(wc -l < " + out + "/runs) -ge 2 ]"});
  c["volumeMounts"] = json::array({{{"name", "out"}, {"mountPath", out}}});
  create(p);
  ASSERT_TRUE(waitPod("again", "Succeeded", [](const json& q) { return phase(q) == "Succeeded"; }));
  const json q = pod("again");
  EXPECT_EQ(containerStatus(q)["restartCount"], 1);
  std::ifstream in(dir_ + "/pods/" + q["metadata"].value("uid", "") + "/volumes/out/runs");
  std::stringstream runs;
  runs << in.rdbuf();
  EXPECT_EQ(runs.str(), "fresh\nfresh\n");
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
