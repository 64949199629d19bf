#include "plugins/backup/src/options.h"

#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"

namespace mysqlop::backup {
namespace {

nlohmann::json objectOf(std::string_view text, const std::string& what) {
  if (text.empty()) {
    return nlohmann::json::object();
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    throw ConfigError(what + ": expected a JSON object");
  }
  return j;
}

void readString(const nlohmann::json& j, const char* key, const std::string& what,
                std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return;
  }
  if (!it->is_string()) {
    throw ConfigError(what + "." + key + ": expected a string");
  }
  if (!it->get<std::string>().empty()) {
    *out = it->get<std::string>();
  }
}

}  // namespace

Options parseOptions(std::string_view operatorJson, std::string_view configJson) {
  Options o;
  const nlohmann::json op = objectOf(operatorJson, "operator settings");
  const nlohmann::json cfg = objectOf(configJson, "config");
  readString(op, "sidecarImage", "operator settings", &o.sidecarImage);
  readString(op, "imagePullPolicy", "operator settings", &o.imagePullPolicy);
  readString(op, "imagePullSecret", "operator settings", &o.imagePullSecret);
  for (const auto& [key, value] : cfg.items()) {
    if (key == "sidecarImage") {
      readString(cfg, "sidecarImage", "config", &o.sidecarImage);
    } else if (key == "backoffLimit") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
          value.get<std::int64_t>() > 1000) {
        throw ConfigError("config.backoffLimit: expected an integer from 0 to 1000");
      }
      o.backoffLimit = value.get<int>();
    } else {
      throw ConfigError("config." + key + ": unknown setting (known: backoffLimit, sidecarImage)");
    }
  }
  return o;
}

}  // namespace mysqlop::backup
