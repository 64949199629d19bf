#include "plugins/orchestrator/src/engine_options.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "mysqlop/plugin.hpp"
#include "plugins/orchestrator/src/gather.h"

namespace mysqlop::orchestrator {

const std::vector<std::string_view> kEngineKeys = {"staticClusters",
                                                   "failureDetectionGraceSeconds",
                                                   "replicaLostSeconds",
                                                   "replicaHeartbeatSeconds",
                                                   "recoveryPeriodBlockSeconds",
                                                   "promotionWaitSeconds",
                                                   "fencing",
                                                   "kubeSemiSync",
                                                   "failoverAckSeconds",
                                                   "takeoverWaitSeconds"};

namespace {

double numberKey(const nlohmann::json& cfg, const char* key, double fallback, double min,
                 double max) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) {
    return fallback;
  }
  if (!it->is_number() || it->get<double>() < min || it->get<double>() > max) {
    auto show = [](double v) {
      return v == std::floor(v) ? std::to_string(static_cast<long long>(v))
                                : nlohmann::json(v).dump();
    };
    const std::string range = show(min) + " to " + show(max);
    throw mysqlop::ConfigError("config." + std::string(key) + " must be a number from " + range);
  }
  return it->get<double>();
}

std::string textKey(const nlohmann::json& obj, const std::string& where, const char* key,
                    bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) {
      throw mysqlop::ConfigError(where + "." + key + " is required");
    }
    return {};
  }
  if (!it->is_string()) {
    throw mysqlop::ConfigError(where + "." + key + " must be a string");
  }
  return it->get<std::string>();
}

StaticCluster parseCluster(const nlohmann::json& c, const std::string& where) {
  if (!c.is_object()) {
    throw mysqlop::ConfigError(where + " must be an object");
  }
  static const std::set<std::string> known = {
      "name", "hosts", "user", "password", "replicationUser", "replicationPassword", "readOnly"};
  for (const auto& [k, v] : c.items()) {
    if (known.count(k) == 0) {
      throw mysqlop::ConfigError(where + "." + k +
                                 " is not a setting of a static cluster (known: name, hosts, user, "
                                 "password, replicationUser, replicationPassword, readOnly)");
    }
  }
  StaticCluster s;
  s.name = textKey(c, where, "name", true);
  s.user = textKey(c, where, "user", true);
  s.password = textKey(c, where, "password", false);
  s.replicationUser = textKey(c, where, "replicationUser", true);
  s.replicationPassword = textKey(c, where, "replicationPassword", false);
  if (auto ro = c.find("readOnly"); ro != c.end() && !ro->is_null()) {
    if (!ro->is_boolean()) {
      throw mysqlop::ConfigError(where + ".readOnly must be true or false");
    }
    s.readOnly = ro->get<bool>();
  }
  auto hosts = c.find("hosts");
  if (hosts == c.end() || !hosts->is_array() || hosts->empty()) {
    throw mysqlop::ConfigError(where + ".hosts must be a non-empty list of \"host:port\"");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < hosts->size(); ++i) {
    const auto& h = (*hosts)[i];
    const std::string at = where + ".hosts[" + std::to_string(i) + "]";
    if (!h.is_string() || !parseHostPort(h.get<std::string>())) {
      throw mysqlop::ConfigError(at + " must be \"host:port\"");
    }
    if (!seen.insert(h.get<std::string>()).second) {
      throw mysqlop::ConfigError(at + " repeats " + h.get<std::string>());
    }
    s.hosts.push_back(h.get<std::string>());
  }
  return s;
}

}  // namespace

EngineOptions parseEngineOptions(std::string_view configJson) {
  nlohmann::json cfg = configJson.empty() ? nlohmann::json::object()
                                          : nlohmann::json::parse(configJson, nullptr, false);
  if (!cfg.is_object()) {
    throw mysqlop::ConfigError("config is not a JSON object");
  }
  EngineOptions o;
  o.pollInterval = std::chrono::milliseconds(
      std::llround(numberKey(cfg, "instancePollSeconds", 5, 0.05, 3600) * 1000));
  o.failureDetectionGraceSeconds = numberKey(cfg, "failureDetectionGraceSeconds", 1.0, 0.1, 3600);
  o.replicaLostSeconds = numberKey(cfg, "replicaLostSeconds", 1.0, 0.1, 3600);
  o.replicaHeartbeatMs = static_cast<int>(
      std::llround(numberKey(cfg, "replicaHeartbeatSeconds", 0.2, 0.05, 60) * 1000));
  o.recoveryPeriodBlockSeconds = numberKey(cfg, "recoveryPeriodBlockSeconds", 3600, 0, 86400);
  o.promotionWaitSeconds = static_cast<int>(numberKey(cfg, "promotionWaitSeconds", 10, 1, 3600));
  o.failoverAckSeconds = numberKey(cfg, "failoverAckSeconds", 600, 0, 864000);
  o.takeoverWaitSeconds = numberKey(cfg, "takeoverWaitSeconds", 300, 0, 86400);
  const std::string fencing = cfg.value("fencing", nlohmann::json("semi-sync")).is_string()
                                  ? cfg.value("fencing", std::string("semi-sync"))
                                  : std::string("?");
  if (fencing != "semi-sync" && fencing != "none") {
    throw mysqlop::ConfigError("config.fencing must be \"semi-sync\" or \"none\"");
  }
  o.semiSyncFencing = fencing == "semi-sync";
  if (auto k = cfg.find("kubeSemiSync"); k != cfg.end() && !k->is_null()) {
    if (!k->is_boolean()) {
      throw mysqlop::ConfigError("config.kubeSemiSync must be true or false");
    }
    o.kubeSemiSync = k->get<bool>();
  }
  if (auto sc = cfg.find("staticClusters"); sc != cfg.end() && !sc->is_null()) {
    if (!sc->is_array()) {
      throw mysqlop::ConfigError("config.staticClusters must be a list");
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < sc->size(); ++i) {
      const std::string where = "config.staticClusters[" + std::to_string(i) + "]";
      StaticCluster c = parseCluster((*sc)[i], where);
      if (!names.insert(c.name).second) {
        throw mysqlop::ConfigError(where + ".name repeats " + c.name);
      }
      o.staticClusters.push_back(std::move(c));
    }
  }
  return o;
}

}  // namespace mysqlop::orchestrator
