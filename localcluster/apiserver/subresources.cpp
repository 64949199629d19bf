// The scale subresource (autoscaling/v1 Scale) and namespaces/finalize.
#include "core/kube/selector.h"
#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/patch.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

json::json_pointer pointerOf(const std::string& path) {
  std::string p = path;
  for (auto& c : p) {
    if (c == '.') {
      c = '/';
    }
  }
  if (p.empty() || p[0] != '/') {
    p = "/" + p;
  }
  return json::json_pointer(p);
}

json valueAt(const json& obj, const std::string& path) {
  if (path.empty()) {
    return nullptr;
  }
  auto ptr = pointerOf(path);
  return obj.contains(ptr) ? obj[ptr] : json();
}

json scaleOf(const ResourceType& rt, const json& obj) {
  const ScaleSpec& s = *rt.scale;
  json meta = {{"name", metaString(obj, "name")},
               {"uid", metaString(obj, "uid")},
               {"resourceVersion", metaString(obj, "resourceVersion")},
               {"creationTimestamp", metaString(obj, "creationTimestamp")}};
  if (rt.namespaced) {
    meta["namespace"] = metaString(obj, "namespace");
  }
  json specReplicas = valueAt(obj, s.specReplicasPath);
  json statusReplicas = valueAt(obj, s.statusReplicasPath);
  json status = {{"replicas", statusReplicas.is_number() ? statusReplicas : json(0)}};
  if (rt.custom) {
    json sel = valueAt(obj, s.labelSelectorPath);
    if (sel.is_string() && !sel.get<std::string>().empty()) {
      status["selector"] = sel;
    }
  } else if (obj.contains("spec") && obj["spec"].contains("selector")) {
    auto sel = kube::LabelSelector::fromJson(obj["spec"]["selector"]);
    if (sel.ok() && !sel->empty()) {
      status["selector"] = sel->toString();
    }
  }
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", meta},
          {"spec", {{"replicas", specReplicas.is_number() ? specReplicas : json(0)}}},
          {"status", status}};
}

}  // namespace

void ApiServer::getScale(const Target& t, ApiResponse& resp) {
  auto obj = store_.get(t.rt->storageKey(), t.ns, t.name);
  if (!obj) {
    raise(errNotFound(t.rt->gr(), t.name));
  }
  answerJson(resp, 200, scaleOf(*t.rt, obj->json));
}

void ApiServer::writeScale(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  const ResourceType& rt = *t.rt;
  json body = parseBody(req.body);
  std::string ct = mediaType(req.contentType);
  bool dryRun = req.query.count("dryRun") && req.query.at("dryRun") == "All";
  auto compute = [&](const json& old) {
    json scale = scaleOf(rt, old);
    json next;
    if (req.method == "PUT") {
      next = body;
    } else if (ct == "application/json-patch+json") {
      auto r = applyJsonPatch(scale, body);
      if (!r.ok()) {
        raise(r.code() == Errc::Invalid
                  ? errBadRequest(r.error().message)
                  : errGeneric(422, "Invalid",
                               "the server rejected our request due to an error in our request"));
      }
      next = r.value();
    } else if (ct == "application/merge-patch+json" ||
               ct == "application/strategic-merge-patch+json") {
      auto r = ct == "application/merge-patch+json" ? applyMergePatch(scale, body)
                                                    : applyStrategicMergePatch(scale, body);
      if (!r.ok()) {
        raise(errBadRequest(r.error().message));
      }
      next = r.value();
    } else {
      raise(errUnsupportedMediaType(
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json-patch+json, application/merge-patch+json, "
          "application/strategic-merge-patch+json"));
    }
    json replicas = next.contains("spec") && next["spec"].is_object()
                        ? next["spec"].value("replicas", json(0))
                        : json(0);
    if (!replicas.is_number_integer() || replicas.get<long long>() < 0) {
      raise(errInvalid(
          "Scale", "autoscaling", t.name,
          {fieldInvalid("spec.replicas", replicas, "must be greater than or equal to 0")}));
    }
    json obj = old;
    obj[pointerOf(rt.scale->specReplicasPath)] = replicas;
    std::string rv = metaString(next, "resourceVersion");
    obj["metadata"]["resourceVersion"] = rv.empty() ? metaString(old, "resourceVersion") : rv;
    return obj;
  };
  auto r = doUpdate(rt, t.ns, t.name, "", compute, false, dryRun, "");
  answerJson(resp, 200, scaleOf(rt, r.object->json));
}

void ApiServer::finalizeNamespace(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  json body = parseBody(req.body);
  json finalizers = body.is_object() && body.contains("spec") && body["spec"].is_object()
                        ? body["spec"].value("finalizers", json::array())
                        : json::array();
  std::string rv = metaString(body, "resourceVersion");
  auto r = doUpdate(
      *t.rt, "", t.name, "finalize",
      [&](const json& old) {
        json obj = old;
        obj["spec"]["finalizers"] = finalizers;
        if (!rv.empty()) {
          obj["metadata"]["resourceVersion"] = rv;
        }
        return obj;
      },
      false, false, "");
  if (r.deleted) {
    answerJson(resp, 200, r.answer);
    return;
  }
  answerObject(resp, 200, r.object, *t.rt);
}

}  // namespace mysqlop::local
