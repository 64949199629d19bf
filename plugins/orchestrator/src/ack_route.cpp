#include "plugins/orchestrator/src/ack_route.h"

#include <nlohmann/json.hpp>

namespace mysqlop::orchestrator {

std::string parseAckRequest(std::string_view body, AckRequest* out) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) {
    return "the body must be a JSON object {\"cluster\": \"<namespace>/<name>\", \"id\": "
           "<recovery id>}";
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "cluster" && key != "id" && key != "comment") {
      return "unknown field \"" + key + "\" (known: cluster, id, comment)";
    }
  }
  const auto c = j.find("cluster");
  const std::string cluster = c != j.end() && c->is_string() ? c->get<std::string>() : "";
  const auto slash = cluster.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == cluster.size() ||
      cluster.find('/', slash + 1) != std::string::npos) {
    return "cluster must be <namespace>/<name>";
  }
  const auto id = j.find("id");
  if (id == j.end() || !id->is_number_integer() || id->get<std::int64_t>() <= 0) {
    return "id must be a positive integer";
  }
  if (auto m = j.find("comment"); m != j.end() && !m->is_string()) {
    return "comment must be a string";
  }
  out->ns = cluster.substr(0, slash);
  out->name = cluster.substr(slash + 1);
  out->id = id->get<std::int64_t>();
  out->comment = j.value("comment", "");
  return {};
}

}  // namespace mysqlop::orchestrator
