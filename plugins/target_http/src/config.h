#pragma once

#include <string>
#include <string_view>

#include "mysqlop/plugin.hpp"

namespace mysqlop::targethttp {

// The skeleton every HTTP target's parseOptions shares. Templates over the JSON type (the
// targets pass nlohmann::json), so that this library links no JSON library of its own.

// The plugin's `config` text as a JSON object ("" counts as {}); ConfigError "config: expected
// a JSON object" otherwise.
template <class Json>
Json configObject(std::string_view configJson) {
  auto j = Json::parse(configJson.empty() ? std::string_view("{}") : configJson, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw ConfigError("config: expected a JSON object");
  }
  return j;
}

// config.timeoutSeconds: seconds per HTTP exchange, 1 to 3600.
template <class Json>
int timeoutSeconds(const Json& v) {
  if (!v.is_number_unsigned() || v.template get<int>() < 1 || v.template get<int>() > 3600) {
    throw ConfigError("config.timeoutSeconds: expected 1 to 3600");
  }
  return v.template get<int>();
}

// ConfigError for a key the target does not know; known: "a, b, c".
[[noreturn]] inline void unknownConfigKey(const std::string& key, std::string_view known) {
  throw ConfigError("config: unknown key \"" + key + "\" (known: " + std::string(known) + ")");
}

}  // namespace mysqlop::targethttp
