#include "core/host/target_catalog.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace mysqlop::host {

std::string catalogJson(const std::vector<CatalogEntry>& entries) {
  nlohmann::json targets = nlohmann::json::array();
  for (const CatalogEntry& e : entries) {
    nlohmann::json config = nlohmann::json::parse(e.configJson, nullptr, false);
    if (!config.is_object()) {
      config = nlohmann::json::object();
    }
    std::error_code ec;
    std::filesystem::path path = std::filesystem::absolute(e.path, ec);
    targets.push_back({{"name", e.name},
                       {"path", ec ? e.path : path.lexically_normal().string()},
                       {"config", std::move(config)}});
  }
  return nlohmann::json{{"targets", std::move(targets)}}.dump();
}

}  // namespace mysqlop::host
