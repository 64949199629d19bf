#include "plugins/cluster/src/adoption.h"

namespace mysqlop::cluster {

std::optional<nlohmann::json> finalizersWithoutBitpokes(const nlohmann::json& cluster) {
  const auto meta = cluster.find("metadata");
  if (meta == cluster.end() || !meta->is_object()) {
    return std::nullopt;
  }
  const auto list = meta->find("finalizers");
  if (list == meta->end() || !list->is_array()) {
    return std::nullopt;
  }
  nlohmann::json kept = nlohmann::json::array();
  bool found = false;
  for (const nlohmann::json& f : *list) {
    if (f.is_string() && f.get<std::string>() == kBitpokeOrchestratorFinalizer) {
      found = true;
    } else {
      kept.push_back(f);
    }
  }
  return found ? std::optional<nlohmann::json>(kept) : std::nullopt;
}

}  // namespace mysqlop::cluster
