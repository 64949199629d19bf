#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json_fwd.hpp>

namespace mysqlop::config {

// Converts a YAML node to JSON. Plain scalars are typed as YAML 1.2's core schema does (null,
// booleans, integers, floats); quoted scalars stay strings.
nlohmann::json yamlToJson(const YAML::Node& node);

}  // namespace mysqlop::config
