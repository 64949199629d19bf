#pragma once

// The configuration clone-and-init writes for the mysql container (compat.md 4,
// RunConfigCommand): <conf>/my.cnf copied from the ConfigMap, conf.d/10-identity.cnf,
// conf.d/operator-init.sql with conf.d/10-init-file.cnf, client.conf and heartbeat.conf.

#include <string>

#include "sidecar/env.h"

namespace mysqlop::sidecar {

std::string identityCnf(const Config& cfg);
std::string initFileCnf(const Config& cfg);
std::string clientConf(const Config& cfg, const std::string& user, const std::string& password);

// Writes every file. The heartbeat password is made here (10 random alphanumerics per run, as
// bitpoke). Fails naming the file that cannot be read or written.
Result<void> writeConfigFiles(const Config& cfg);
// The same; restoredFromBucket adds RESET SLAVE ALL to the init-file (bitpoke: a restored backup
// of a replica would otherwise replicate from that replica's old master).
Result<void> writeConfigFiles(const Config& cfg, bool restoredFromBucket);

}  // namespace mysqlop::sidecar
