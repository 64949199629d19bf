#include "plugins/common/kube/labels.h"

#include <nlohmann/json.hpp>

namespace mysqlop::kube {

std::string selectorString(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) {
      out += ',';
    }
    out.append(k).append("=").append(v);
  }
  return out;
}

bool hasLabels(const nlohmann::json& obj, const Labels& want) {
  if (!obj.is_object() || !obj.contains("metadata")) {
    return want.empty();
  }
  const auto& meta = obj["metadata"];
  auto labels = meta.find("labels");
  for (const auto& [k, v] : want) {
    if (labels == meta.end() || !labels->is_object()) {
      return false;
    }
    auto it = labels->find(k);
    if (it == labels->end() || !it->is_string() || it->get<std::string>() != v) {
      return false;
    }
  }
  return true;
}

nlohmann::json labelsJson(const Labels& labels) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : labels) {
    j[k] = v;
  }
  return j;
}

}  // namespace mysqlop::kube
