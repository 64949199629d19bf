#pragma once

#include <nlohmann/json.hpp>
#include <optional>

namespace mysqlop::cluster {

// bitpoke's orchestrator controller adds this finalizer to every MysqlCluster and removes it
// after unregistering the cluster from orchestrator. Our failover engine needs no registration,
// so nothing else would ever remove it from a cluster adopted from bitpoke's operator, and its
// deletion would wait forever.
inline constexpr const char* kBitpokeOrchestratorFinalizer =
    "mysql.presslabs.org/registered-in-orchestrator";

// The cluster's finalizers without bitpoke's orchestrator finalizer, when it has it; nullopt
// when there is nothing to remove.
std::optional<nlohmann::json> finalizersWithoutBitpokes(const nlohmann::json& cluster);

}  // namespace mysqlop::cluster
