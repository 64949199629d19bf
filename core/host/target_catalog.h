#pragma once

#include <string>
#include <vector>

namespace mysqlop::host {

// One created backup target as the catalog (ABI 1.2, mysqlop.host.backup_target_catalog/1)
// describes it to another program: the sidecar loads the same library with the same config.
struct CatalogEntry {
  std::string name;        // configured name ("s3")
  std::string path;        // the library; made absolute
  std::string configJson;  // the plugin's `config`; anything but a JSON object becomes {}
};

// {"targets":[{"name","path","config"}, ...]} in the given order (contract 1 of
// docs/backups.md: the value of MYSQLOP_BACKUP_TARGETS).
std::string catalogJson(const std::vector<CatalogEntry>& entries);

}  // namespace mysqlop::host
