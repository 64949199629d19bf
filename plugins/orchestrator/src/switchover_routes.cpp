#include "plugins/orchestrator/src/switchover_routes.h"

#include "plugins/orchestrator/src/gather.h"

namespace mysqlop::orchestrator {

using nlohmann::json;

std::string parseSwitchoverBody(std::string_view body, std::string* cluster, std::string* to) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) {
    return "the body must be a JSON object: {\"cluster\": ..., \"to\": ...}";
  }
  for (const auto& [k, v] : j.items()) {
    if (k != "cluster" && k != "to") {
      return "unknown field \"" + k + "\" (known: cluster, to)";
    }
  }
  if (!j.contains("cluster") || !j["cluster"].is_string() ||
      j["cluster"].get<std::string>().empty()) {
    return "\"cluster\" must be a non-empty string: <namespace>/<name> or a static cluster's name";
  }
  if (j.contains("to") && !j["to"].is_string()) {
    return "\"to\" must be a string: a pod name, host:port or \"auto\"";
  }
  *cluster = j["cluster"].get<std::string>();
  *to = j.contains("to") ? j["to"].get<std::string>() : std::string();
  return {};
}

std::string clusterKeyOfAlias(const std::string& alias) {
  const std::size_t dot = alias.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == alias.size()) {
    return {};
  }
  return alias.substr(dot + 1) + "/" + alias.substr(0, dot);
}

json orchestratorInstance(const std::string& id) {
  // Node ids are "host:port" (gather.h); anything else is shown whole, on MySQL's port.
  if (const auto ep = parseHostPort(id)) {
    return {{"Key", {{"Hostname", ep->host}, {"Port", ep->port}}}};
  }
  return {{"Key", {{"Hostname", id}, {"Port", 3306}}}};
}

SwitchoverRoutes::SwitchoverRoutes(const mysqlop::Host& host, SwitchoverBackend backend)
    : host_(host), backend_(std::move(backend)) {}

void SwitchoverRoutes::registerAll() {
  host_.registerRoute("POST", "/api/switchover", &SwitchoverRoutes::post, this);
  host_.registerRoute("GET", "/api/master/*", &SwitchoverRoutes::master, this);
  host_.registerRoute("GET", "/api/graceful-master-takeover-auto/*", &SwitchoverRoutes::takeover,
                      this);
}

void SwitchoverRoutes::respond(mysqlop_http_response_host_ptr response, int code,
                               std::string_view type, const std::string& body) const {
  host_.table()->http_respond(response, static_cast<std::uint16_t>(code), mysqlop::toStr(type),
                              mysqlop::toStr(body));
}

std::string SwitchoverRoutes::aliasOf(std::string_view path, std::string_view prefix) {
  const std::size_t at = path.find(prefix);
  return at == std::string_view::npos ? std::string()
                                      : std::string(path.substr(at + prefix.size()));
}

mysqlop_type_status SwitchoverRoutes::post(void* self, mysqlop_call_host_ptr raw,
                                           const mysqlop_type_http_request* request,
                                           mysqlop_http_response_host_ptr response) {
  auto* me = static_cast<SwitchoverRoutes*>(self);
  std::string cluster, to;
  if (std::string bad = parseSwitchoverBody(mysqlop::toView(request->body), &cluster, &to);
      !bad.empty()) {
    me->respond(response, 400, "text/plain; charset=utf-8", bad + "\n");
    return mysqlop_status_Ok;
  }
  mysqlop::Call call(me->host_.table(), raw);
  const std::optional<SwitchoverAnswer> a = me->backend_.run(call, cluster, to);
  if (!a) {
    me->respond(
        response, 404, "text/plain; charset=utf-8",
        "no cluster " + cluster + " (a MysqlCluster <namespace>/<name> or a static cluster)\n");
    return mysqlop_status_Ok;
  }
  if (a->status == 200 || a->status == 500) {
    // Done or failed while acting: the result says what happened, step by step.
    json j = switchoverJson(cluster, a->result);
    me->respond(response, a->status, "application/json", j.dump());
    return mysqlop_status_Ok;
  }
  me->respond(response, a->status, "text/plain; charset=utf-8", a->error + "\n");
  return mysqlop_status_Ok;
}

mysqlop_type_status SwitchoverRoutes::master(void* self, mysqlop_call_host_ptr raw,
                                             const mysqlop_type_http_request* request,
                                             mysqlop_http_response_host_ptr response) {
  auto* me = static_cast<SwitchoverRoutes*>(self);
  const std::string alias = aliasOf(mysqlop::toView(request->path), "/api/master/");
  mysqlop::Call call(me->host_.table(), raw);
  const std::optional<std::string> m = me->backend_.master(call, alias);
  if (!m) {
    me->respond(response, 404, "application/json",
                json{{"Code", "ERROR"}, {"Message", "no cluster " + alias}}.dump());
  } else if (m->empty()) {
    me->respond(response, 500, "application/json",
                json{{"Code", "ERROR"}, {"Message", "cluster " + alias + " has no master"}}.dump());
  } else {
    me->respond(response, 200, "application/json", orchestratorInstance(*m).dump());
  }
  return mysqlop_status_Ok;
}

mysqlop_type_status SwitchoverRoutes::takeover(void* self, mysqlop_call_host_ptr raw,
                                               const mysqlop_type_http_request* request,
                                               mysqlop_http_response_host_ptr response) {
  auto* me = static_cast<SwitchoverRoutes*>(self);
  const std::string alias =
      aliasOf(mysqlop::toView(request->path), "/api/graceful-master-takeover-auto/");
  mysqlop::Call call(me->host_.table(), raw);
  const std::optional<SwitchoverAnswer> a = me->backend_.run(call, alias, "auto");
  if (!a) {
    me->respond(response, 404, "application/json",
                json{{"Code", "ERROR"}, {"Message", "no cluster " + alias}}.dump());
    return mysqlop_status_Ok;
  }
  if (a->status != 200) {
    me->respond(response, a->status, "application/json",
                json{{"Code", "ERROR"}, {"Message", a->error}}.dump());
    return mysqlop_status_Ok;
  }
  // orchestrator: {"Code": "OK", "Message": "graceful-master-takeover: successor: ...",
  // "Details": <the successor instance>}.
  me->respond(response, 200, "application/json",
              json{{"Code", "OK"},
                   {"Message", "graceful-master-takeover: successor: " + a->result.newMaster},
                   {"Details", orchestratorInstance(a->result.newMaster)}}
                  .dump());
  return mysqlop_status_Ok;
}

}  // namespace mysqlop::orchestrator
