#include "plugins/common/kube/events.h"

#include <nlohmann/json.hpp>

namespace mysqlop::kube {

nlohmann::json objectReference(const nlohmann::json& obj) {
  const auto& meta = obj.at("metadata");
  nlohmann::json ref = {
      {"apiVersion", obj.value("apiVersion", "")},
      {"kind", obj.value("kind", "")},
      {"metadata", {{"name", meta.value("name", "")}, {"uid", meta.value("uid", "")}}}};
  if (meta.contains("namespace")) {
    ref["metadata"]["namespace"] = meta.value("namespace", "");
  }
  return ref;
}

mysqlop::Reply recordEvent(mysqlop::Call& call, const nlohmann::json& obj,
                           mysqlop_type_event_kind kind, std::string_view reason,
                           std::string_view message) {
  const std::string ref = objectReference(obj).dump();
  return call.recordEvent(ref, kind, reason, message);
}

}  // namespace mysqlop::kube
