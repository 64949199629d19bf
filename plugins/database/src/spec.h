#pragma once

// The spec of a MysqlDatabase, validated.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

namespace mysqlop::database {

struct DatabaseSpec {
  std::string database;
  std::optional<std::string> characterSet;
  std::optional<std::string> collation;
};

// Returns the spec, or nullopt with *error naming the field (spec.database, spec.characterSet,
// spec.collation).
std::optional<DatabaseSpec> parseSpec(const nlohmann::json& obj, std::string* error);

}  // namespace mysqlop::database
