#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace mysqlop::kube {

// One status condition as controllers write it ({type, status, reason, message} plus times).
struct Condition {
  std::string type;
  std::string status;  // "True", "False" or "Unknown"
  std::string reason;
  std::string message;
};

struct ConditionOptions {
  // Also maintain lastUpdateTime (MysqlDatabase/MysqlUser style): refreshed whenever anything
  // of the condition changes.
  bool lastUpdateTime = false;
};

// Sets c in `conditions` (a JSON array, created when null). lastTransitionTime changes only when
// the status flips (or the condition is new); reason and message are replaced. Returns true when
// the array changed. `now` is an RFC 3339 time (kube::nowTime()).
bool setCondition(nlohmann::json& conditions, const Condition& c, const std::string& now,
                  ConditionOptions options = {});

// The condition of this type in `conditions`, or nullptr.
const nlohmann::json* findCondition(const nlohmann::json& conditions, std::string_view type);

// The status of the condition of this type ("True", "False", "Unknown"), or "" when absent.
std::string conditionStatus(const nlohmann::json& conditions, std::string_view type);

}  // namespace mysqlop::kube
