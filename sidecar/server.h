#pragma once

// config-and-serve (bitpoke's `run`): the HTTP server of a MySQL pod on :8080.
//   /health   200 "OK"
//   /xbackup  basic auth BACKUP_USER/BACKUP_PASSWORD (403 otherwise); one backup at a time (a
//             second request waits for the first, as bitpoke's maxClients semaphore); streams the
//             flavor's backup tool as application/octet-stream, chunked, with the trailer
//             X-Backup-Status: Success|Failed.
//   /xbackup/progress  200 JSON of the running (or last) backup, without credentials
//             (progress.h): {running, bytes, estimateBytes, startedAt, finishedAt, status}.

#include "sidecar/env.h"

namespace mysqlop::sidecar {

// Serves until the process is killed. Fails when the port cannot be bound.
Result<void> serve(const Config& cfg);

}  // namespace mysqlop::sidecar
