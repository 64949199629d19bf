// The pod's service-account tokens: TokenRequest against the API server, as the kubelet's token
// manager does (pkg/kubelet/token): bound to the pod, refreshed at 80% of their lifetime.
#include <spdlog/spdlog.h>

#include "core/kube/client.h"
#include "localcluster/kubelet/pod_worker.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

Result<std::string> PodWorker::serviceAccountToken(const std::string& audience,
                                                   long long lifetime) {
  const std::string key = audience + "/" + std::to_string(lifetime);
  const auto now = std::chrono::system_clock::now();
  if (auto it = tokens_.find(key); it != tokens_.end() && now < it->second.refreshAt) {
    return it->second.token;
  }
  const json meta = pod_.value("metadata", json::object());
  const std::string ns = meta.value("namespace", "");
  std::string sa = pod_["spec"].value("serviceAccountName", "");
  if (sa.empty()) {
    sa = "default";
  }
  json spec = {{"expirationSeconds", lifetime},
               {"boundObjectRef",
                {{"kind", "Pod"},
                 {"apiVersion", "v1"},
                 {"name", meta.value("name", "")},
                 {"uid", meta.value("uid", "")}}}};
  if (!audience.empty()) {
    spec["audiences"] = json::array({audience});
  }
  kube::HttpRequest req;
  req.method = "POST";
  req.target = kube::Client::itemPath(res::kServiceAccounts, ns, sa, "token");
  req.contentType = "application/json";
  req.body =
      json{{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", spec}}
          .dump();
  auto resp = ctx_.client->transport().send(req);
  if (!resp.ok()) {
    return resp.error();
  }
  json body = json::parse(resp->body, nullptr, false);
  if (resp->status / 100 != 2) {
    std::string message = body.is_object() ? body.value("message", "") : "";
    return fail(
        resp->status == 404 ? Errc::NotFound : Errc::Unavailable,
        message.empty() ? "TokenRequest answered " + std::to_string(resp->status) : message);
  }
  std::string token;
  if (body.is_object() && body.contains("status") && body["status"].is_object()) {
    token = body["status"].value("token", "");
  }
  if (token.empty()) {
    return fail(Errc::Unavailable, "TokenRequest answered without a token");
  }
  // The lifetime granted is spec.expirationSeconds of the answer (the server may shorten it).
  long long granted = lifetime;
  if (body.contains("spec") && body["spec"].is_object()) {
    granted = body["spec"].value("expirationSeconds", lifetime);
  }
  tokens_[key] = {token, now + std::chrono::seconds(granted * 8 / 10)};
  return token;
}

bool PodWorker::tokenRefreshDue() {
  const auto now = std::chrono::system_clock::now();
  for (const auto& [key, t] : tokens_) {
    if (now >= t.refreshAt) {
      return true;
    }
  }
  return false;
}

}  // namespace mysqlop::local::kubelet
