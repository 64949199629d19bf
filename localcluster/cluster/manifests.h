#pragma once
// Manifests for `up --apply`: YAML or JSON files (multi-document), or directories of them (their
// *.yaml, *.yml and *.json files in name order, not recursive), as kubectl apply -f reads them.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/common/result.h"

namespace mysqlop::local::cluster {

struct Manifest {
  nlohmann::json object;
  std::string source;  // "FILE (document N)" for messages
};

// Reads every object of the paths in order; a List (kind ending in "List") is expanded into its
// items; empty documents are skipped. Errors name the file, the document and the cause.
Result<std::vector<Manifest>> loadManifests(const std::vector<std::string>& paths);

}  // namespace mysqlop::local::cluster
