#include "plugins/common/mysql/kube_gateway.h"

#include <nlohmann/json.hpp>
#include <string>

#include "plugins/common/kube/events.h"
#include "plugins/common/mysql/mysql_object.h"

namespace mysqlop::mysql {

namespace {

mysqlop::Reply adopt(mysqlop::Reply reply, nlohmann::json& obj) {
  if (reply.ok() && !reply.data.empty()) {
    nlohmann::json stored = nlohmann::json::parse(reply.data, nullptr, false);
    if (stored.is_object()) {
      obj = std::move(stored);
    }
  }
  return reply;
}

}  // namespace

mysqlop::Reply updateObject(KubeGateway& kube, const mysqlop_type_resource& r,
                            nlohmann::json& obj) {
  return adopt(kube.update(r, obj.dump()), obj);
}

mysqlop::Reply updateObjectStatus(KubeGateway& kube, const mysqlop_type_resource& r,
                                  nlohmann::json& obj) {
  return adopt(kube.updateStatus(r, obj.dump()), obj);
}

mysqlop::Outcome reportFailure(KubeGateway& kube, const mysqlop_type_resource& r,
                               std::string_view kindName, nlohmann::json& obj, bool statusChanged,
                               const std::string& error, std::string_view eventMessage,
                               mysqlop::Outcome outcome) {
  if (statusChanged) {
    mysqlop::Reply saved = updateObjectStatus(kube, r, obj);
    if (!saved.ok() && !saved.notFound()) {
      return mysqlop::Outcome::retry("updating the status of " + std::string(kindName) + " " +
                                     objectKey(obj) + ": " + saved.error + " (after: " + error +
                                     ")");
    }
    if (outcome.status == mysqlop_status_Ok || outcome.status == mysqlop_status_Retry) {
      kube.recordEvent(obj, mysqlop_event_Warning, kProvisionFailed, eventMessage);
    }
  }
  if (outcome.status != mysqlop_status_Ok && outcome.message.empty()) {
    outcome.message = error;
  }
  return outcome;
}

mysqlop::Reply CallGateway::get(const mysqlop_type_resource& r, std::string_view ns,
                                std::string_view name) {
  return call_.get(r, ns, name);
}

mysqlop::Reply CallGateway::list(const mysqlop_type_resource& r, std::string_view ns) {
  return call_.list(r, ns);
}

mysqlop::Reply CallGateway::update(const mysqlop_type_resource& r, const std::string& objectJson) {
  return call_.update(r, objectJson);
}

mysqlop::Reply CallGateway::updateStatus(const mysqlop_type_resource& r,
                                         const std::string& objectJson) {
  return call_.updateStatus(r, objectJson);
}

mysqlop::Reply CallGateway::readSecretValue(std::string_view ns, std::string_view name,
                                            std::string_view key) {
  return call_.readSecretValue(ns, name, key);
}

EndpointReply CallGateway::resolveMaster(std::string_view ns, std::string_view cluster) {
  EndpointReply r;
  r.status = call_.resolveEndpoint(ns, cluster, {}, &r.endpoint.host, &r.endpoint.port, &r.error);
  return r;
}

void CallGateway::recordEvent(const nlohmann::json& obj, mysqlop_type_event_kind kind,
                              std::string_view reason, std::string_view message) {
  (void)kube::recordEvent(call_, obj, kind, reason, message);
}

}  // namespace mysqlop::mysql
