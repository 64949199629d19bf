#include "plugins/common/kube/conditions.h"

#include <nlohmann/json.hpp>

namespace mysqlop::kube {

bool setCondition(nlohmann::json& conditions, const Condition& c, const std::string& now,
                  ConditionOptions options) {
  if (!conditions.is_array()) {
    conditions = nlohmann::json::array();
  }
  for (auto& existing : conditions) {
    if (!existing.is_object() || existing.value("type", "") != c.type) {
      continue;
    }
    const bool flipped = existing.value("status", "") != c.status;
    const bool changed = flipped || existing.value("reason", "") != c.reason ||
                         existing.value("message", "") != c.message;
    if (!changed) {
      return false;
    }
    existing["status"] = c.status;
    existing["reason"] = c.reason;
    existing["message"] = c.message;
    if (flipped || !existing.contains("lastTransitionTime")) {
      existing["lastTransitionTime"] = now;
    }
    if (options.lastUpdateTime) {
      existing["lastUpdateTime"] = now;
    }
    return true;
  }
  nlohmann::json added = {{"type", c.type},
                          {"status", c.status},
                          {"lastTransitionTime", now},
                          {"reason", c.reason},
                          {"message", c.message}};
  if (options.lastUpdateTime) {
    added["lastUpdateTime"] = now;
  }
  conditions.push_back(std::move(added));
  return true;
}

const nlohmann::json* findCondition(const nlohmann::json& conditions, std::string_view type) {
  if (!conditions.is_array()) {
    return nullptr;
  }
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) {
      return &c;
    }
  }
  return nullptr;
}

std::string conditionStatus(const nlohmann::json& conditions, std::string_view type) {
  const nlohmann::json* c = findCondition(conditions, type);
  return c ? c->value("status", "") : "";
}

}  // namespace mysqlop::kube
