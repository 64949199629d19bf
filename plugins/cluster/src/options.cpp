#include "plugins/cluster/src/options.h"

#include <nlohmann/json.hpp>

#include "mysqlop/plugin.hpp"

namespace mysqlop::cluster {

namespace {

nlohmann::json parseConfigObject(std::string_view text, const char* what) {
  if (text.empty()) {
    return nlohmann::json::object();
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) {
    throw ConfigError(std::string(what) + ": expected a JSON object");
  }
  return j;
}

void readString(const nlohmann::json& j, const char* key, const char* where, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return;
  }
  if (!it->is_string()) {
    throw ConfigError(std::string(where) + "." + key + ": expected a string");
  }
  if (!it->get<std::string>().empty()) {
    *out = it->get<std::string>();
  }
}

}  // namespace

Options parseOptions(std::string_view operatorJson, std::string_view configJson) {
  Options o;
  const nlohmann::json op = parseConfigObject(operatorJson, "operator settings");
  const nlohmann::json cfg = parseConfigObject(configJson, "config");
  readString(op, "sidecarImage", "operator", &o.sidecarImage);
  readString(op, "sidecarMysql8Image", "operator", &o.sidecarMysql8Image);
  readString(op, "metricsExporterImage", "operator", &o.metricsExporterImage);
  readString(op, "imagePullPolicy", "operator", &o.imagePullPolicy);
  readString(op, "imagePullSecret", "operator", &o.imagePullSecret);
  readString(op, "orchestratorUri", "operator", &o.orchestratorUri);
  readString(op, "orchestratorTopologyUser", "operator", &o.orchestratorTopologyUser);
  readString(op, "orchestratorTopologyPassword", "operator", &o.orchestratorTopologyPassword);
  readString(op, "namespace", "operator", &o.watchNamespace);
  if (auto it = op.find("failoverBeforeShutdown"); it != op.end() && it->is_boolean()) {
    o.failoverBeforeShutdown = it->get<bool>();
  }
  if (auto it = op.find("mysqlVersionsToImage"); it != op.end() && it->is_object()) {
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      if (!kv->is_string()) {
        throw ConfigError("operator.mysqlVersionsToImage." + kv.key() + ": expected a string");
      }
      o.mysqlVersionsToImage[kv.key()] = kv->get<std::string>();
    }
  }
  // The plugin config may also override the operator's images (for example in tests).
  readString(cfg, "sidecarImage", "config", &o.sidecarImage);
  readString(cfg, "sidecarMysql8Image", "config", &o.sidecarMysql8Image);
  readString(cfg, "metricsExporterImage", "config", &o.metricsExporterImage);
  o.sidecarMariadbImage = o.sidecarImage;
  readString(cfg, "sidecarMariadbImage", "config", &o.sidecarMariadbImage);
  return o;
}

}  // namespace mysqlop::cluster
