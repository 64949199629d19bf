#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mysqlop::kube {

// obj[key] when it is a string, else empty: metadata fields read from objects that the API server
// sent, where a missing or mistyped field is treated as unset rather than an error.
inline std::string stringField(const nlohmann::json& obj, const char* key) {
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace mysqlop::kube
