#pragma once

// Which MySQL pod a backup Job reads /xbackup from (bitpoke's getBackupCandidate).

#include <nlohmann/json.hpp>
#include <string>

namespace mysqlop::backup {

// The first node of cluster.status.nodes with Master=False, Replicating=True and Lagged=False (all
// three present); otherwise the node with Master=True; otherwise pod 0's FQDN
// <cluster>-mysql-0.mysql.<ns>.
std::string chooseSourceHost(const nlohmann::json& cluster);

}  // namespace mysqlop::backup
