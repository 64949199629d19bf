#pragma once

// A MysqlBackup's spec and its defaults from the MysqlCluster (bitpoke's SetDefaults, persisted
// into the spec), plus the compression the cluster asks for.

#include <nlohmann/json.hpp>
#include <string>

namespace mysqlop::backup {

enum class Compression { Gzip, Zstd };

struct CompressionChoice {
  Compression compression = Compression::Gzip;
  // Set when the cluster's annotation has a value we do not know (gzip is used then).
  std::string warning;
};

// The cluster annotation mysql.presslabs.org/backup-compression: absent or "gzip" -> gzip, "zstd"
// -> zstd, anything else -> gzip with a warning naming the value.
CompressionChoice compressionOf(const nlohmann::json& cluster);
// ".xbackup.gz" or ".xbackup.zst": the suffix the sidecar picks its compressor from.
std::string extensionOf(Compression c);
// True when url already names an artefact (ends in xbackup.gz, or .xbackup.zst).
bool namesArtefact(const std::string& url);

struct DefaultsResult {
  bool changed = false;  // spec.backupURL or spec.backupSecretName was filled
  std::string error;     // "can't get backupURL" when neither the backup nor the cluster has one
};

// Fills spec.backupURL (as is when it names an artefact, else <url without trailing
// '/'>/<backup name><extension>, else the cluster's backupURL composed the same way) and an empty
// spec.backupSecretName from the cluster's.
DefaultsResult applyDefaults(nlohmann::json& backup, const nlohmann::json& cluster,
                             Compression compression);

// spec.remoteDeletePolicy with "" and absent read as "retain".
std::string remoteDeletePolicy(const nlohmann::json& backup);

// Reads a string at obj[a][b]... ("" when absent or not a string).
std::string text(const nlohmann::json& obj, std::initializer_list<const char*> path);

}  // namespace mysqlop::backup
