#pragma once

// The backup Job and the cleanup Job (contracts 3 and 5 of docs/backups.md; bitpoke's job
// syncers for names, labels, owner and the pod placement fields).

#include <nlohmann/json.hpp>
#include <string>

#include "plugins/backup/src/options.h"

namespace mysqlop::backup {

struct JobInputs {
  nlohmann::json backup;    // the MysqlBackup (defaults applied)
  nlohmann::json cluster;   // the MysqlCluster, or null when it is gone (cleanup only)
  std::string image;        // sidecarImage()
  std::string targetsJson;  // MYSQLOP_BACKUP_TARGETS ("" leaves the env out: the sidecar loads
                            // every target of its plugin directory)
};

// The image of the `sidecar` container of the cluster's StatefulSet when there is one, else
// cluster.spec.sidecarImage, else options.sidecarImage.
std::string sidecarImage(const nlohmann::json& statefulSet, const nlohmann::json& cluster,
                         const Options& options);

// Job <backup>-backup: container `backup` running take-backup-to <sourceHost> <backupURL>.
nlohmann::json backupJob(const JobInputs& in, const std::string& sourceHost,
                         const Options& options);
// Job <backup>-cleanup: container `delete` running remove-backup <backupURL>.
nlohmann::json cleanupJob(const JobInputs& in, const Options& options);

}  // namespace mysqlop::backup
