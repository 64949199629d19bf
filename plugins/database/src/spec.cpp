#include "plugins/database/src/spec.h"

#include <nlohmann/json.hpp>

#include "plugins/common/mysql/identifiers.h"
#include "plugins/common/mysql/mysql_object.h"

namespace mysqlop::database {

std::optional<DatabaseSpec> parseSpec(const nlohmann::json& obj, std::string* error) {
  const nlohmann::json spec =
      obj.contains("spec") && obj["spec"].is_object() ? obj["spec"] : nlohmann::json::object();
  DatabaseSpec out;
  auto database = mysql::stringField(spec, "database", "spec.database", error);
  if (!database || database->empty()) {
    if (error->empty()) {
      *error = "spec.database is required";
    }
    return std::nullopt;
  }
  if (auto e = mysql::checkDatabaseName(*database)) {
    *error = "spec.database " + mysql::shown(*database) + " " + *e;
    return std::nullopt;
  }
  out.database = *database;
  for (const auto& [key, slot] :
       {std::pair{"characterSet", &out.characterSet}, std::pair{"collation", &out.collation}}) {
    const std::string field = std::string("spec.") + key;
    auto value = mysql::stringField(spec, key, field, error);
    if (!error->empty()) {
      return std::nullopt;
    }
    if (value && !value->empty()) {
      if (auto e = mysql::checkCharsetName(*value)) {
        *error = field + " " + mysql::shown(*value) + " " + *e;
        return std::nullopt;
      }
      *slot = *value;
    }
  }
  return out;
}

}  // namespace mysqlop::database
