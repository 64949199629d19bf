#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugins/cluster/src/options.h"
#include "plugins/common/mysql/flavor.h"

namespace mysqlop::cluster {

// One invalid field: the condition reason (Invalid<Field>), and a message that starts with the
// field path, so that status, Event and log all name it.
struct FieldError {
  std::string reason;
  std::string message;
};

// Probe timings a user may override (an extension: bitpoke's are fixed, see compat.md 9 #13).
struct ProbeTimings {
  int initialDelaySeconds = 0;
  int timeoutSeconds = 0;
  int periodSeconds = 0;
  int successThreshold = 1;
  int failureThreshold = 3;
};

// A Service the user may shape (an extension, compat.md 9 #12): type, annotations, labels.
struct ServiceShape {
  std::string type = "ClusterIP";
  std::map<std::string, std::string> annotations;
  std::map<std::string, std::string> labels;
  nlohmann::json loadBalancerSourceRanges;  // null or array
  std::string externalTrafficPolicy;        // "" = server default
};

// The MysqlCluster as the builders need it: parsed, validated and defaulted in memory (bitpoke
// never writes defaults back, and neither do we).
struct ClusterSpec {
  // Identity.
  std::string name;
  std::string namespaceName;
  std::string uid;
  nlohmann::json ownerRef;  // controller reference to the MysqlCluster
  std::map<std::string, std::string> annotations;

  // Server.
  mysql::ServerVersion version;
  std::string mysqlVersionLabel;  // app.kubernetes.io/version ("5.7.35", "10.11.0")
  std::string mysqlImage;
  std::string sidecarImage;
  bool perconaImage = false;  // image name contains "percona"

  std::int32_t replicas = 1;
  std::string secretName;
  bool readOnly = false;
  std::optional<std::int64_t> serverIdOffset;
  std::string minAvailable;  // "" = no PDB
  bool volumeKeepAfterDelete = false;

  // mysqlConf as given, keys in order, values rendered as text.
  std::vector<std::pair<std::string, std::string>> mysqlConf;

  // podSpec parts (pass-through JSON, already shape-checked).
  nlohmann::json resources = nlohmann::json::object();  // mysql container
  std::string imagePullPolicy;
  nlohmann::json imagePullSecrets = nlohmann::json::array();
  std::map<std::string, std::string> podLabels;
  std::map<std::string, std::string> podAnnotations;
  nlohmann::json affinity;  // defaulted to the preferred anti-affinity
  nlohmann::json nodeSelector;
  nlohmann::json tolerations;
  std::string priorityClassName;
  std::string serviceAccountName;
  nlohmann::json mysqlLifecycle;  // null = default preStop
  nlohmann::json extraVolumes = nlohmann::json::array();
  nlohmann::json extraVolumeMounts = nlohmann::json::array();
  nlohmann::json extraInitContainers = nlohmann::json::array();
  nlohmann::json extraContainers = nlohmann::json::array();
  nlohmann::json metricsExporterResources;
  nlohmann::json sidecarResources;
  nlohmann::json ptHeartbeatResources;
  ProbeTimings livenessProbe{60, 5, 5, 1, 3};
  // bitpoke waits 5 s before the first readiness check; a node is configured within about a
  // second of its server's start, so 1 s makes each pod Ready ~4 s sooner (12 s for 3 nodes).
  ProbeTimings readinessProbe{1, 5, 2, 1, 3};

  // Data volume: exactly one of these is set.
  nlohmann::json pvcSpec;    // persistentVolumeClaim
  nlohmann::json hostPath;   // hostPath
  nlohmann::json emptyDir;   // emptyDir
  nlohmann::json tmpfsSize;  // null or quantity string

  // Backups and init (passed to containers as env).
  std::string initBucketUrl;
  std::string initBucketSecretName;
  // MYSQLOP_BACKUP_TARGETS of the init container when initBucketUrl is set: the host's
  // backup-target catalog (set by the reconciler, not read from the spec; "" leaves it out).
  std::string backupTargetsJson;
  std::vector<std::string> backupCompressCommand;
  std::vector<std::string> backupDecompressCommand;
  std::vector<std::string> metricsExporterExtraArgs;
  std::vector<std::string> rcloneExtraArgs;
  std::vector<std::string> xbstreamExtraArgs;
  std::vector<std::string> xtrabackupExtraArgs;
  std::vector<std::string> xtrabackupPrepareExtraArgs;
  std::string xtrabackupTargetDir = "/tmp/xtrabackup_backupfiles/";
  std::vector<std::string> initFileExtraSql;
  nlohmann::json queryLimits;  // null = no pt-kill

  ServiceShape masterService;
  ServiceShape replicasService;
};

struct ParsedCluster {
  std::optional<ClusterSpec> spec;
  std::vector<FieldError> errors;  // empty when spec is set
};

// Parses and validates a MysqlCluster object (its JSON). Every invalid field is reported, in spec
// order; nothing is built from an invalid cluster.
ParsedCluster parseCluster(const nlohmann::json& cluster, const Options& options);

}  // namespace mysqlop::cluster
