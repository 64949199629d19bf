#pragma once

// Names and labels of what the backup plugin creates, as bitpoke names them.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace mysqlop::backup {

inline constexpr const char* kFinalizer = "backups.mysql.presslabs.org/remote-storage-cleanup";
inline constexpr const char* kClusterLabel = "cluster";
inline constexpr const char* kRecurrentLabel = "recurrent";
inline constexpr const char* kBackupLabel = "backup";
inline constexpr const char* kCleanupJobLabel = "cleanup-job";
// Cluster annotations read by the plugin (documented in docs/backups.md).
inline constexpr const char* kCompressionAnnotation = "mysql.presslabs.org/backup-compression";
inline constexpr const char* kRetentionAnnotation = "mysql.presslabs.org/backup-retention-age";
// The work-queue keys of the scheduler: "<ns>/<kSchedulePrefix><cluster>". A MysqlBackup name is
// a DNS subdomain, so it never contains ':' and the two kinds of keys cannot collide.
inline constexpr std::string_view kSchedulePrefix = "schedule:";

// FNV-1a 32 of s (the hash of bitpoke's long-name truncation), as 8 lower-case hex digits.
std::string fnv32aHex(std::string_view s);

// <backup>-backup; a name of 56 characters or more becomes <name[:44]>-<fnv32a(name)>-backup, so
// the Job name (and its pods' job-name label) stays within 63 characters.
std::string backupJobName(const std::string& backup);
// <backup>-cleanup; from 55 characters on, <name[:44]>-<fnv32a(name)>-cleanup.
std::string cleanupJobName(const std::string& backup);
// <cluster>-auto-<YYYY-MM-DDtHH-MM-SS> of time t in UTC (bitpoke's Go layout 2006-01-02t15-04-05).
std::string autoBackupName(const std::string& cluster, std::time_t t);
// <cluster>-mysql-operated: BACKUP_USER / BACKUP_PASSWORD for the sidecar's /xbackup.
std::string operatedSecretName(const std::string& cluster);
// <cluster>-mysql: the StatefulSet whose sidecar image the Jobs use.
std::string statefulSetName(const std::string& cluster);

}  // namespace mysqlop::backup
