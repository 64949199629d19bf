#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mysqlop::cluster {

struct ClusterSpec;

using ConfEntries = std::vector<std::pair<std::string, std::string>>;

// The keys bitpoke computes from resources and the volume (compat.md 2.1.4), each only when the
// user did not set it in spec.mysqlConf: innodb-buffer-pool-size and innodb-log-file-size from
// requests.memory, innodb-buffer-pool-instances from limits.cpu (MySQL only: MariaDB 10.6
// removed the option), max-binlog-size and binlog-space-limit from the PVC storage request
// (binlog-space-limit only where the server knows it: Percona images).
ConfEntries computedMysqlConf(const ClusterSpec& c);

// The my.cnf of the ConfigMap: [mysqld] with the flavor's keys, the boolean keys, the common keys,
// then spec.mysqlConf plus the computed keys (later keys replace earlier ones in place), then
// !includedir /etc/mysql/conf.d.
std::string buildMyCnf(const ClusterSpec& c);

// The preStop script pre-shutdown-ha.sh (compat.md 2.1.6): a writable master with replicas asks
// the failover engine for a graceful takeover before it stops (best effort, when ORCH_HTTP_API is
// set), then waits until it is read-only (the engine switched over on the pod's
// deletionTimestamp), up to PRE_SHUTDOWN_WAIT_SECONDS (25) after it started.
// client is the MySQL command-line client of the image ("mysql", or "mariadb" for MariaDB,
// whose 11.x images dropped the mysql names).
std::string preShutdownScript(const std::string& client);

}  // namespace mysqlop::cluster
