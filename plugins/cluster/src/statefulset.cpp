#include <nlohmann/json.hpp>

#include "plugins/cluster/src/builders.h"
#include "plugins/cluster/src/mycnf.h"
#include "plugins/cluster/src/naming.h"
#include "plugins/common/kube/labels.h"

namespace mysqlop::cluster {

namespace {

using nlohmann::json;

constexpr const char* kConfVolume = "conf";
constexpr const char* kConfigMapVolume = "config-map";
constexpr const char* kDataVolume = "data";
constexpr const char* kTmpVolume = "tmp";
constexpr const char* kConfPath = "/etc/mysql";
constexpr const char* kConfigMapPath = "/mnt/conf";
constexpr const char* kDataPath = "/var/lib/mysql";
constexpr const char* kClientConf = "/etc/mysql/client.conf";
constexpr const char* kOperatorDb = "sys_operator";

json envValue(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

json envField(const std::string& name, const std::string& path) {
  return {{"name", name},
          {"valueFrom", {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", path}}}}}};
}

json envSecret(const std::string& name, const std::string& secret, const std::string& key,
               bool optional) {
  return {
      {"name", name},
      {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}, {"optional", optional}}}}}};
}

json mount(const std::string& name, const std::string& path) {
  return {{"name", name}, {"mountPath", path}};
}

std::string joinArgs(const std::vector<std::string>& args, const std::string& sep) {
  std::string out;
  for (const std::string& a : args) {
    out += (out.empty() ? "" : sep) + a;
  }
  return out;
}

json probe(const ProbeTimings& t, json handler) {
  handler["initialDelaySeconds"] = t.initialDelaySeconds;
  handler["timeoutSeconds"] = t.timeoutSeconds;
  handler["periodSeconds"] = t.periodSeconds;
  handler["successThreshold"] = t.successThreshold;
  handler["failureThreshold"] = t.failureThreshold;
  return handler;
}

// The env every operator container gets (bitpoke's getEnvFor prefix).
json commonEnv(const ClusterSpec& c, const Options& o) {
  (void)o;
  json env = json::array(
      {envField("MY_NAMESPACE", "metadata.namespace"), envField("MY_POD_NAME", "metadata.name"),
       envField("MY_POD_IP", "status.podIP"), envValue("MY_SERVICE_NAME", kHeadlessServiceName),
       envValue("MY_CLUSTER_NAME", c.name),
       envValue("MY_FQDN", "$(MY_POD_NAME).$(MY_SERVICE_NAME).$(MY_NAMESPACE)"),
       envValue("MY_MYSQL_VERSION", c.version.number())});
  if (c.version.flavor == mysql::Flavor::MariaDB) {
    // Tells our sidecar which flavor it serves (backup tool, GTID syntax); bitpoke's sidecar
    // ignores unknown variables.
    env.push_back(envValue("MY_MYSQL_FLAVOR", "mariadb"));
  }
  if (c.serverIdOffset) {
    env.push_back(envValue("MY_SERVER_ID_OFFSET", std::to_string(*c.serverIdOffset)));
  }
  return env;
}

void addArgsEnv(json& env, const char* name, const std::vector<std::string>& args) {
  if (!args.empty()) {
    env.push_back(envValue(name, joinArgs(args, " ")));
  }
}

json container(const std::string& name, const std::string& image, const ClusterSpec& c) {
  return {{"name", name}, {"image", image}, {"imagePullPolicy", c.imagePullPolicy}};
}

void addUserMounts(json& mounts, const ClusterSpec& c) {
  for (const json& m : c.extraVolumeMounts) {
    mounts.push_back(m);
  }
}

// bitpoke adds the init-only container for Percona images of versions whose entrypoint supports
// MYSQL_INIT_ONLY: >=5.7.26 <8.0.0 or >=8.0.15.
bool wantsInitOnly(const ClusterSpec& c) {
  if (!c.perconaImage || c.version.flavor != mysql::Flavor::MySQL) {
    return false;
  }
  const auto& v = c.version;
  return (v.atLeast(5, 7, 26) && !v.atLeast(8, 0, 0)) || v.atLeast(8, 0, 15);
}

json credentialsEnv(const ClusterSpec& c) {
  return json::array({envSecret("MYSQL_ROOT_PASSWORD", c.secretName, "ROOT_PASSWORD", false),
                      envSecret("MYSQL_USER", c.secretName, "USER", true),
                      envSecret("MYSQL_PASSWORD", c.secretName, "PASSWORD", true),
                      envSecret("MYSQL_DATABASE", c.secretName, "DATABASE", true)});
}

json initContainers(const ClusterSpec& c, const Options& o) {
  json out = json::array();
  for (const json& u : c.extraInitContainers) {
    out.push_back(u);
  }
  const std::string operated = operatedSecretName(c.name);
  json init = container("init", c.sidecarImage, c);
  init["args"] = json::array({"clone-and-init"});
  init["resources"] = c.resources;
  json env = commonEnv(c, o);
  if (!c.initBucketUrl.empty()) {
    env.push_back(envValue("INIT_BUCKET_URI", c.initBucketUrl));
    // The restore reads the object through the operator's backup targets (docs/backups.md).
    if (!c.backupTargetsJson.empty()) {
      env.push_back(envValue("MYSQLOP_BACKUP_TARGETS", c.backupTargetsJson));
    }
    // A failed restore says why on its stderr: the kubelet makes that the container's terminated
    // message, which the reconcile turns into a RestoreFailed Event on the cluster.
    init["terminationMessagePolicy"] = "FallbackToLogsOnError";
  }
  env.push_back(envSecret("BACKUP_USER", operated, "BACKUP_USER", true));
  env.push_back(envSecret("BACKUP_PASSWORD", operated, "BACKUP_PASSWORD", true));
  if (!c.backupCompressCommand.empty() && !c.backupDecompressCommand.empty()) {
    env.push_back(envValue("BACKUP_DECOMPRESS_COMMAND", joinArgs(c.backupDecompressCommand, " ")));
  }
  addArgsEnv(env, "RCLONE_EXTRA_ARGS", c.rcloneExtraArgs);
  addArgsEnv(env, "XBSTREAM_EXTRA_ARGS", c.xbstreamExtraArgs);
  addArgsEnv(env, "XTRABACKUP_PREPARE_EXTRA_ARGS", c.xtrabackupPrepareExtraArgs);
  if (!c.initFileExtraSql.empty()) {
    env.push_back(envValue("INITFILE_EXTRA_SQL", joinArgs(c.initFileExtraSql, ";")));
  }
  init["env"] = env;
  json envFrom = json::array();
  if (!c.initBucketSecretName.empty()) {
    envFrom.push_back({{"secretRef", {{"name", c.initBucketSecretName}}}});
  }
  envFrom.push_back({{"secretRef", {{"name", operated}}}});
  init["envFrom"] = envFrom;
  init["volumeMounts"] =
      json::array({mount(kConfVolume, kConfPath), mount(kConfigMapVolume, kConfigMapPath),
                   mount(kDataVolume, kDataPath)});
  out.push_back(init);

  if (wantsInitOnly(c)) {
    json initOnly = container("mysql-init-only", c.mysqlImage, c);
    initOnly["resources"] = c.resources;
    json ioEnv = commonEnv(c, o);
    ioEnv.push_back(envValue("MYSQL_INIT_ONLY", "1"));
    for (const json& e : credentialsEnv(c)) {
      ioEnv.push_back(e);
    }
    initOnly["env"] = ioEnv;
    json mounts = json::array({mount(kConfVolume, kConfPath), mount(kDataVolume, kDataPath)});
    addUserMounts(mounts, c);
    initOnly["volumeMounts"] = mounts;
    out.push_back(initOnly);
  }
  return out;
}

int exporterMysqlPort(const ClusterSpec& c) {
  std::string extraPort;
  long extraMax = 0;
  for (const auto& [k, v] : c.mysqlConf) {
    if (k == "extra_port" || k == "extra-port") {
      extraPort = v;
    } else if (k == "extra_max_connections" || k == "extra-max-connections") {
      extraMax = std::strtol(v.c_str(), nullptr, 10);
    }
  }
  if (!extraPort.empty() && extraMax > 1) {
    const long p = std::strtol(extraPort.c_str(), nullptr, 10);
    if (p > 0 && p < 65536) {
      return static_cast<int>(p);
    }
  }
  return kMysqlPort;
}

json ptKillArgs(const json& q) {
  json args = json::array(
      {"pt-kill", "--host=127.0.0.1", std::string("--defaults-file=") + kClientConf, "--print",
       "--wait-after-kill=1", "--busy-time", std::to_string(q.value("maxQueryTime", 0))});
  args.push_back(q.value("killMode", "") == "connection" ? "--kill" : "--kill-query");
  if (q.contains("maxIdleTime") && q["maxIdleTime"].is_number_integer()) {
    args.push_back("--idle-time");
    args.push_back(std::to_string(q["maxIdleTime"].get<long>()));
  }
  if (q.contains("kill") && q["kill"].is_string() && !q["kill"].get<std::string>().empty()) {
    args.push_back("--victims");
    args.push_back(q["kill"].get<std::string>());
  }
  for (auto [key, flag] : {std::pair<const char*, const char*>{"ignoreDb", "--ignore-db"},
                           {"ignoreCommands", "--ignore-command"},
                           {"ignoreUser", "--ignore-user"}}) {
    if (!q.contains(key) || !q[key].is_array() || q[key].empty()) {
      continue;
    }
    std::vector<std::string> items;
    for (const json& i : q[key]) {
      items.push_back(i.get<std::string>());
    }
    args.push_back(flag);
    args.push_back(joinArgs(items, "|"));
  }
  return args;
}

json containers(const ClusterSpec& c, const Options& o) {
  const ClientPrograms programs = clientPrograms(c);
  const std::string operated = operatedSecretName(c.name);

  json mysqlC = container("mysql", c.mysqlImage, c);
  mysqlC["ports"] = json::array({{{"name", "mysql"}, {"containerPort", kMysqlPort}}});
  mysqlC["resources"] = c.resources;
  json env = commonEnv(c, o);
  env.push_back(envValue("ORCH_CLUSTER_ALIAS", c.name + "." + c.namespaceName));
  env.push_back(envValue("ORCH_HTTP_API", o.orchestratorUri));
  if (wantsInitOnly(c)) {
    env.push_back(envSecret("MYSQL_ROOT_PASSWORD", c.secretName, "ROOT_PASSWORD", false));
  } else {
    for (const json& e : credentialsEnv(c)) {
      env.push_back(e);
    }
  }
  mysqlC["env"] = env;
  json mounts = json::array({mount(kConfVolume, kConfPath), mount(kDataVolume, kDataPath)});
  if (!c.tmpfsSize.is_null()) {
    mounts.push_back(mount(kTmpVolume, "/tmp"));
  }
  addUserMounts(mounts, c);
  mysqlC["volumeMounts"] = mounts;
  mysqlC["livenessProbe"] = probe(
      c.livenessProbe,
      {{"exec",
        {{"command", {programs.admin, std::string("--defaults-file=") + kClientConf, "ping"}}}}});
  const std::string readiness =
      "test $(" + programs.client + " --defaults-file=" + kClientConf +
      " -NB -e 'SELECT COUNT(*) FROM sys_operator.status WHERE name=\"configured\" AND "
      "value=\"1\"') -eq 1";
  mysqlC["readinessProbe"] =
      probe(c.readinessProbe, {{"exec", {{"command", {"/bin/sh", "-c", readiness}}}}});
  if (!c.mysqlLifecycle.is_null()) {
    mysqlC["lifecycle"] = c.mysqlLifecycle;
  } else if (o.failoverBeforeShutdown) {
    mysqlC["lifecycle"] = {
        {"preStop", {{"exec", {{"command", {"bash", "/etc/mysql/pre-shutdown-ha.sh"}}}}}}};
  }

  json sidecar = container("sidecar", c.sidecarImage, c);
  sidecar["args"] = json::array({"config-and-serve"});
  sidecar["ports"] = json::array({{{"name", "sidecar-http"}, {"containerPort", kSidecarPort}}});
  sidecar["resources"] = c.sidecarResources;
  json sEnv = commonEnv(c, o);
  addArgsEnv(sEnv, "RCLONE_EXTRA_ARGS", c.rcloneExtraArgs);
  addArgsEnv(sEnv, "XBSTREAM_EXTRA_ARGS", c.xbstreamExtraArgs);
  addArgsEnv(sEnv, "XTRABACKUP_EXTRA_ARGS", c.xtrabackupExtraArgs);
  sEnv.push_back(envValue("XTRABACKUP_TARGET_DIR", c.xtrabackupTargetDir));
  sidecar["env"] = sEnv;
  sidecar["envFrom"] = json::array({{{"secretRef", {{"name", operated}}}}});
  json sMounts = json::array({mount(kConfVolume, kConfPath), mount(kDataVolume, kDataPath)});
  addUserMounts(sMounts, c);
  sidecar["volumeMounts"] = sMounts;
  // bitpoke waits 30 s before the first check and then checks every 5 s, although /health answers
  // as soon as the sidecar serves: with OrderedReady pods that alone made a 3-node cluster take
  // minutes. Checking after 1 s and every 2 s makes a pod Ready when it is.
  sidecar["readinessProbe"] =
      probe({1, 5, 2, 1, 3},
            {{"httpGet", {{"path", "/health"}, {"port", kSidecarPort}, {"scheme", "HTTP"}}}});

  json exporter = container("metrics-exporter", o.metricsExporterImage, c);
  json eArgs = json::array({"--web.listen-address=0.0.0.0:" + std::to_string(kExporterPort),
                            "--web.telemetry-path=/metrics", "--collect.heartbeat",
                            std::string("--collect.heartbeat.database=") + kOperatorDb});
  for (const std::string& a : c.metricsExporterExtraArgs) {
    eArgs.push_back(a);
  }
  exporter["args"] = eArgs;
  exporter["ports"] = json::array({{{"name", "prometheus"}, {"containerPort", kExporterPort}}});
  exporter["resources"] = c.metricsExporterResources;
  json eEnv = commonEnv(c, o);
  eEnv.push_back(envSecret("USER", operated, "METRICS_EXPORTER_USER", false));
  eEnv.push_back(envSecret("PASSWORD", operated, "METRICS_EXPORTER_PASSWORD", false));
  eEnv.push_back(envValue("DATA_SOURCE_NAME", "$(USER):$(PASSWORD)@(127.0.0.1:" +
                                                  std::to_string(exporterMysqlPort(c)) + ")/"));
  exporter["env"] = eEnv;
  exporter["livenessProbe"] =
      probe({30, 30, 30, 1, 3},
            {{"httpGet", {{"path", "/metrics"}, {"port", kExporterPort}, {"scheme", "HTTP"}}}});

  json heartbeat = container("pt-heartbeat", c.sidecarImage, c);
  heartbeat["args"] =
      json::array({"pt-heartbeat", "--update", "--replace", "--check-read-only", "--create-table",
                   "--database", kOperatorDb, "--table", "heartbeat", "--utc", "--defaults-file",
                   "/etc/mysql/heartbeat.conf", "--fail-successive-errors=20"});
  heartbeat["resources"] = c.ptHeartbeatResources;
  heartbeat["env"] = commonEnv(c, o);
  heartbeat["volumeMounts"] = json::array({mount(kConfVolume, kConfPath)});

  json out = json::array({mysqlC, sidecar, exporter, heartbeat});
  if (!c.queryLimits.is_null()) {
    json killer = container("pt-kill", c.sidecarImage, c);
    killer["args"] = ptKillArgs(c.queryLimits);
    killer["resources"] = {{"requests", {{"cpu", "10m"}, {"memory", "32Mi"}}},
                           {"limits", {{"cpu", "100m"}}}};
    killer["env"] = commonEnv(c, o);
    killer["volumeMounts"] = json::array({mount(kConfVolume, kConfPath)});
    out.push_back(killer);
  }
  for (const json& u : c.extraContainers) {
    out.push_back(u);
  }
  return out;
}

json volumes(const ClusterSpec& c) {
  json data = {{"name", kDataVolume}};
  if (!c.pvcSpec.is_null()) {
    data["persistentVolumeClaim"] = {{"claimName", kDataVolume}};
  } else if (!c.hostPath.is_null()) {
    data["hostPath"] = c.hostPath;
  } else {
    data["emptyDir"] = c.emptyDir.is_null() ? json::object() : c.emptyDir;
  }
  json out = json::array({{{"name", kConfVolume}, {"emptyDir", json::object()}},
                          {{"name", kConfigMapVolume},
                           {"configMap", {{"name", configMapName(c.name)}, {"defaultMode", 0644}}}},
                          data});
  if (!c.tmpfsSize.is_null()) {
    out.push_back(
        {{"name", kTmpVolume}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", c.tmpfsSize}}}});
  }
  for (const json& v : c.extraVolumes) {
    out.push_back(v);
  }
  return out;
}

}  // namespace

ClientPrograms clientPrograms(const ClusterSpec& c) {
  if (c.version.flavor == mysql::Flavor::MariaDB) {
    return {"mariadb", "mariadb-admin"};
  }
  return {"mysql", "mysqladmin"};
}

json buildStatefulSet(const ClusterSpec& c, const Options& o, const std::string& configRev,
                      const std::string& secretRev) {
  kube::Labels podLabels = clusterLabels(c);
  for (const auto& [k, v] : c.podLabels) {
    podLabels[k] = v;
  }
  json annotations = json::object();
  for (const auto& [k, v] : c.podAnnotations) {
    annotations[k] = v;
  }
  annotations["config_rev"] = configRev;
  annotations["secret_rev"] = secretRev;
  annotations["prometheus.io/scrape"] = "true";
  annotations["prometheus.io/port"] = std::to_string(kExporterPort);

  json podSpec = {{"initContainers", initContainers(c, o)},
                  {"containers", containers(c, o)},
                  {"volumes", volumes(c)},
                  {"securityContext", {{"fsGroup", 999}, {"runAsUser", 999}}},
                  {"affinity", c.affinity}};
  if (!c.imagePullSecrets.empty()) {
    podSpec["imagePullSecrets"] = c.imagePullSecrets;
  }
  if (c.nodeSelector.is_object() && !c.nodeSelector.empty()) {
    podSpec["nodeSelector"] = c.nodeSelector;
  }
  if (c.tolerations.is_array() && !c.tolerations.empty()) {
    podSpec["tolerations"] = c.tolerations;
  }
  if (!c.priorityClassName.empty()) {
    podSpec["priorityClassName"] = c.priorityClassName;
  }
  if (!c.serviceAccountName.empty()) {
    podSpec["serviceAccountName"] = c.serviceAccountName;
  }

  json sts = {
      {"apiVersion", "apps/v1"},
      {"kind", "StatefulSet"},
      {"metadata",
       {{"name", statefulSetName(c.name)},
        {"namespace", c.namespaceName},
        {"ownerReferences", json::array({c.ownerRef})}}},
      {"spec",
       {{"replicas", c.replicas},
        {"selector", {{"matchLabels", kube::labelsJson(selectorLabels(c.name))}}},
        {"serviceName", kHeadlessServiceName},
        {"template",
         {{"metadata", {{"labels", kube::labelsJson(podLabels)}, {"annotations", annotations}}},
          {"spec", podSpec}}}}}};
  if (!c.pvcSpec.is_null()) {
    json claim = {{"metadata", {{"name", kDataVolume}}}, {"spec", c.pvcSpec}};
    if (!c.volumeKeepAfterDelete) {
      // Inherited by the PVCs the StatefulSet controller creates, so that deleting the cluster
      // deletes its data, unless volumeSpec.keepAfterDelete asks to keep it.
      claim["metadata"]["ownerReferences"] = json::array({c.ownerRef});
    }
    sts["spec"]["volumeClaimTemplates"] = json::array({claim});
  }
  return sts;
}

}  // namespace mysqlop::cluster
