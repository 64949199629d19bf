#pragma once

// clone-and-init (bitpoke's init container): fill an empty data directory from a healthy peer
// (the replicas Service), else the master Service, else start empty on pod 0; then write the
// configuration (config_files.h).

#include <string>

#include "sidecar/env.h"

namespace mysqlop::sidecar {

// Exit codes (bitpoke's): a clone failure is 8, a configuration failure 1.
inline constexpr int kExitCloneFailed = 8;
inline constexpr int kExitConfigFailed = 1;

// The file a clone leaves in the data directory until it has prepared the data: found at the
// next start, it means that clone was killed (the sidecar itself: SIGKILL, OOM, node loss) and
// the data directory is emptied and cloned again.
inline constexpr const char* kCloneMarker = ".mysqlop-clone-incomplete";

// True when the data directory holds a server's data (<datadir>/mysql exists) and no clone
// marker.
bool hasMysqlData(const std::string& dataDir);

// Removes everything inside dir, keeping dir itself (it is the volume's mount point).
Result<void> emptyDirectory(const std::string& dir);

// GET <baseUrl>/health answered 200 within a few seconds.
bool isHealthy(const std::string& baseUrl);

// Streams <baseUrl>/xbackup into the extractor and prepares the result. On any failure (the
// stream cut, the trailer missing or not Success, the extractor or prepare failing) the data
// directory is emptied and the failure says what happened.
Result<void> cloneFrom(const Config& cfg, const std::string& baseUrl);

// Restores INIT_BUCKET_URI through its backup target (targets.h: MYSQLOP_BACKUP_TARGETS, the
// credentials from the environment): the object is read, decompressed (gzip or zstd, sniffed),
// extracted and prepared. On any failure (the target, a corrupt or truncated object, the
// extractor, the prepare) the data directory is emptied and the message names the URL and cause.
Result<void> restoreFromBucket(const Config& cfg, const EnvLookup& env);

// Where the data directory's content came from in this run.
enum class FillSource { None, Peer, Master, Bucket };

// The whole clone step: skip, choose the source (peer, master, bucket on pod 0, empty on pod 0),
// fill. Fails with the message to print.
Result<FillSource> cloneOrRestore(const Config& cfg, const EnvLookup& env);
// cloneOrRestore with the process environment, without the source.
Result<void> cloneIfNeeded(const Config& cfg);

}  // namespace mysqlop::sidecar
