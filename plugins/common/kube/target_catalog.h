#pragma once

#include <string>

#include "mysqlop/plugin.hpp"

namespace mysqlop::kube {

// The host's backup-target catalog (ABI 1.2, mysqlop.host.backup_target_catalog/1) as JSON
// ({"targets":[{name,path,config}]}): the value of MYSQLOP_BACKUP_TARGETS for the sidecar
// containers that read or write backups. "" when the host has no catalog (an older host): the env
// is then left out and the sidecar loads every target of its plugin directory.
std::string backupTargetCatalog(const mysqlop::Host& host, mysqlop::Call& call);

}  // namespace mysqlop::kube
