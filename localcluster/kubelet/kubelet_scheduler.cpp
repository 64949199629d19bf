// The scheduler of a one-node cluster: every pod without a node that asks for the default
// scheduler is bound to this node through pods/NAME/binding, as kube-scheduler binds.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "localcluster/kubelet/kubelet_internal.h"

namespace mysqlop::local::kubelet {

using nlohmann::json;

bool wantsScheduling(const json& pod) {
  const json spec = pod.value("spec", json::object());
  if (!spec.value("nodeName", "").empty()) {
    return false;
  }
  std::string scheduler = spec.value("schedulerName", "");
  if (!scheduler.empty() && scheduler != "default-scheduler") {
    return false;  // another scheduler's pod: not ours to place
  }
  return !pod.value("metadata", json::object()).contains("deletionTimestamp");
}

namespace {

// POST pods/NAME/binding. NotFound/Unsupported with a body that is not about the pod means the
// server has no binding subresource (an older local API server).
Result<bool> postBinding(const KubeletContext& ctx, const json& pod) {
  const json& meta = pod["metadata"];
  json binding = {
      {"apiVersion", "v1"},
      {"kind", "Binding"},
      {"metadata",
       {{"name", meta.value("name", "")},
        {"namespace", meta.value("namespace", "")},
        {"uid", meta.value("uid", "")}}},
      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", ctx.options.nodeName}}}};
  kube::HttpRequest req;
  req.method = "POST";
  req.target = kube::Client::itemPath(kube::resources::kPods, meta.value("namespace", ""),
                                      meta.value("name", ""), "binding");
  req.body = binding.dump();
  req.contentType = "application/json";
  auto resp = ctx.client->transport().send(req);
  if (!resp.ok()) {
    return resp.error();
  }
  if (resp->status >= 200 && resp->status < 300) {
    return true;
  }
  json body = json::parse(resp->body, nullptr, false);
  std::string message = body.is_object() ? body.value("message", resp->body) : resp->body;
  if (resp->status == 405 ||
      (resp->status == 404 && message.find("binding") != std::string::npos) ||
      (resp->status == 404 && message.find(meta.value("name", "")) == std::string::npos)) {
    return false;  // no binding subresource here
  }
  Errc code = resp->status == 404   ? Errc::NotFound
              : resp->status == 409 ? Errc::Conflict
                                    : Errc::Invalid;
  return fail(code, message);
}

Result<void> updateNodeName(const KubeletContext& ctx, const json& pod) {
  const json& meta = pod["metadata"];
  auto r = kube::retryOnConflict([&]() -> Result<json> {
    auto cur = ctx.client->get(kube::resources::kPods, meta.value("namespace", ""),
                               meta.value("name", ""));
    if (!cur.ok()) {
      return cur.error();
    }
    if ((*cur)["metadata"].value("uid", "") != meta.value("uid", "")) {
      return fail(Errc::NotFound, "pod " + meta.value("name", "") + " was replaced");
    }
    if (!wantsScheduling(*cur)) {
      return *cur;  // bound meanwhile
    }
    json updated = *cur;
    updated["spec"]["nodeName"] = ctx.options.nodeName;
    return ctx.client->update(kube::resources::kPods, updated);
  });
  if (!r.ok()) {
    return r.error();
  }
  return {};
}

}  // namespace

Result<void> bindPod(const KubeletContext& ctx, const json& pod) {
  auto bound = postBinding(ctx, pod);
  if (!bound.ok()) {
    return bound.error();
  }
  if (!*bound) {
    auto u = updateNodeName(ctx, pod);
    if (!u.ok()) {
      return u;
    }
  }
  json ref = podReference(pod);
  const json& meta = pod["metadata"];
  // The scheduler's event, from the scheduler's point of view.
  recordEvent(ctx, pod, "Normal", "Scheduled",
              "Successfully assigned " + meta.value("namespace", "") + "/" +
                  meta.value("name", "") + " to " + ctx.options.nodeName);
  return {};
}

}  // namespace mysqlop::local::kubelet
