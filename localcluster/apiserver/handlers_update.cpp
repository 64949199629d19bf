#include <yaml-cpp/yaml.h>

#include "core/config/yaml_json.h"
#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/apply.h"
#include "localcluster/apiserver/patch.h"
#include "localcluster/apiserver/query_params.h"

namespace mysqlop::local {

using nlohmann::json;

void checkTypeMeta(const ResourceType& rt, json& obj);  // handlers_create.cpp
void crdStatus(json& crd);                              // handlers_create.cpp

namespace {

bool emptyFinalizers(const json& obj, bool isNamespace) {
  const json& meta = obj["metadata"];
  bool metaEmpty =
      !meta.contains("finalizers") || !meta["finalizers"].is_array() || meta["finalizers"].empty();
  if (!isNamespace) {
    return metaEmpty;
  }
  bool specEmpty = !obj.contains("spec") || !obj["spec"].is_object() ||
                   !obj["spec"].contains("finalizers") || !obj["spec"]["finalizers"].is_array() ||
                   obj["spec"]["finalizers"].empty();
  return metaEmpty && specEmpty;
}

}  // namespace

ApiServer::UpdateResult ApiServer::doUpdate(const ResourceType& rt, const std::string& ns,
                                            const std::string& name, const std::string& sub,
                                            const Compute& compute, bool isPut, bool dryRun,
                                            const std::string& fieldValidation) {
  UpdateResult result;
  bool isNamespace = rt.group.empty() && rt.plural == "namespaces";
  ServiceIpAllocator::Reservation ips;  // until the object is stored (or not)
  auto out = store_.mutate(rt.storageKey(), ns, name, [&](const ObjPtr& cur) {
    Store::Decision d;
    if (!cur) {
      raise(errNotFound(rt.gr(), name));
    }
    const json& old = cur->json;
    json obj = compute(old);
    if (!obj.is_object()) {
      raise(errBadRequest("the body of the request must be a JSON object"));
    }
    checkTypeMeta(rt, obj);
    if (!obj.contains("metadata") || !obj["metadata"].is_object()) {
      obj["metadata"] = json::object();
    }
    json& meta = obj["metadata"];
    std::string bodyName = meta.value("name", "");
    if (!bodyName.empty() && bodyName != name) {
      raise(errBadRequest("the name of the object (" + bodyName +
                          ") does not match the name on the URL (" + name + ")"));
    }
    if (rt.namespaced) {
      std::string bodyNs = meta.value("namespace", "");
      if (!bodyNs.empty() && bodyNs != ns) {
        raise(
            errBadRequest("the namespace of the provided object does not match the namespace "
                          "sent on the request"));
      }
    }
    std::string rvIn = meta.contains("resourceVersion") && meta["resourceVersion"].is_string()
                           ? meta["resourceVersion"].get<std::string>()
                           : "";
    if (!rvIn.empty() && rvIn != metaString(old, "resourceVersion")) {
      raise(errOptimisticLock(rt.gr(), name));
    }
    if (rvIn.empty() && isPut && !rt.allowUnconditionalUpdate) {
      raise(errInvalid(rt.kind, rt.group, name,
                       {{"FieldValueInvalid", "metadata.resourceVersion",
                         "Invalid value: 0x0: must be specified for an update"}}));
    }
    checkWriteFault(rt, name);
    if (sub == "status") {
      // Only status changes through /status (metadata and spec are the stored ones).
      json merged = old;
      if (obj.contains("status")) {
        merged["status"] = obj["status"];
      } else {
        merged.erase("status");
      }
      if (meta.contains("managedFields")) {
        merged["metadata"]["managedFields"] = meta["managedFields"];
      }
      obj = std::move(merged);
    } else if (rt.hasStatus && sub != "binding") {
      // (pods/binding sets the PodScheduled condition with spec.nodeName, in one write.)
      if (old.contains("status")) {
        obj["status"] = old["status"];
      } else {
        obj.erase("status");
      }
    }
    json& m = obj["metadata"];
    const json& om = old["metadata"];
    m["name"] = name;
    if (rt.namespaced) {
      m["namespace"] = ns;
    } else {
      m.erase("namespace");
    }
    if (!m.contains("uid") || m["uid"] == "") {
      m["uid"] = om.value("uid", "");
    }
    for (const char* k :
         {"creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
      if (om.contains(k)) {
        m[k] = om[k];
      } else {
        m.erase(k);
      }
    }
    m.erase("selfLink");
    if (!m.contains("managedFields") && om.contains("managedFields")) {
      m["managedFields"] = om["managedFields"];
    }
    if (m.contains("managedFields") && m["managedFields"] == json::array({json::object()})) {
      m.erase("managedFields");
    }
    finishObject(rt, &old, obj, fieldValidation, ips);
    if (rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" &&
        sub != "status") {
      crdStatus(obj);
    }
    validateObject(rt, &old, obj);
    if (rt.tracksGeneration && sub != "status") {
      bool changed;
      if (rt.custom) {
        json a = old;
        json b = obj;
        a.erase("metadata");
        b.erase("metadata");
        if (rt.hasStatus) {
          a.erase("status");
          b.erase("status");
        }
        changed = a != b;
      } else {
        changed = old.value("spec", json()) != obj.value("spec", json());
      }
      if (changed) {
        obj["metadata"]["generation"] = om.value("generation", 0) + 1;
      }
    }
    obj["metadata"]["resourceVersion"] = metaString(old, "resourceVersion");
    if (om.contains("deletionTimestamp") && emptyFinalizers(obj, isNamespace) &&
        om.value("deletionGracePeriodSeconds", 0) == 0) {
      // The update that removes the last finalizer deletes the object.
      result.answer = obj;
      result.deleted = true;
      if (dryRun) {
        return d;
      }
      d.kind = Store::Decision::Kind::Delete;
      return d;
    }
    if (dryRun) {
      result.answer = obj;
      return d;
    }
    if (obj == old) {
      return d;  // no-op: no write, no event, same resourceVersion
    }
    d.kind = Store::Decision::Kind::Put;
    d.object = std::move(obj);
    return d;
  });
  if (!out.ok()) {
    raise(errInternal(out.error().message));
  }
  if (result.deleted) {
    if (!dryRun) {
      afterWrite(rt, out->object, true);
    }
    return result;
  }
  if (dryRun) {
    auto o = std::make_shared<StoredObject>();
    o->json = result.answer;
    o->data = o->json.dump();
    result.object = o;
    return result;
  }
  result.object = out->object;
  result.answer = out->object->json;
  if (out->written) {
    afterWrite(rt, out->object, false);
  }
  return result;
}

void ApiServer::updateObject(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  json body = parseBody(req.body);
  bool dryRun = req.param("dryRun") == "All";
  std::string fv = req.param("fieldValidation");
  if (t.rt->createOnUpdate && t.sub.empty() && !store_.get(t.rt->storageKey(), t.ns, t.name)) {
    if (body.is_object() && !body.contains("metadata")) {
      body["metadata"] = json::object();
    }
    if (body.is_object() && body["metadata"].is_object() &&
        body["metadata"].value("name", "").empty()) {
      body["metadata"]["name"] = t.name;
    }
    auto r = doCreate(*t.rt, t.ns, std::move(body), dryRun, fv);
    answerObject(resp, 201, r.object, *t.rt);
    return;
  }
  auto r = doUpdate(
      *t.rt, t.ns, t.name, t.sub, [&](const json&) { return body; }, true, dryRun, fv);
  if (r.deleted) {
    answerJson(resp, 200, asServed(r.answer, *t.rt));
    return;
  }
  answerObject(resp, 200, r.object, *t.rt);
}

void ApiServer::patchObject(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  const ResourceType& rt = *t.rt;
  std::string ct = mediaType(req.contentType);
  bool force = queryFlag(req, "force");
  std::string manager = req.param("fieldManager");
  bool dryRun = req.param("dryRun") == "All";
  std::string fv = req.param("fieldValidation");
  const bool isApply = ct == "application/apply-patch+yaml" || ct == "application/apply-patch+cbor";
  std::string accepted =
      "the body of the request was in an unknown format - accepted media types include: "
      "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
  if (rt.strategicMerge) {
    accepted += ", application/strategic-merge-patch+json";
  }
  if (ct != "application/json-patch+json" && ct != "application/merge-patch+json" &&
      ct != "application/strategic-merge-patch+json" && ct != "application/apply-patch+yaml") {
    raise(errUnsupportedMediaType(accepted));
  }
  if (ct == "application/strategic-merge-patch+json" && !rt.strategicMerge) {
    raise(errUnsupportedMediaType(accepted));
  }
  if (force && !isApply) {
    raise(errInvalid("PatchOptions", "meta.k8s.io", "",
                     {fieldForbidden("force", "may not be specified for non-apply patch")}));
  }
  if (isApply && manager.empty()) {
    raise(errInvalid("PatchOptions", "meta.k8s.io", "",
                     {fieldRequired("fieldManager", "is required for apply patch")}));
  }
  json patch;
  if (isApply) {
    try {
      patch = config::yamlToJson(YAML::Load(req.body));
    } catch (const YAML::Exception& e) {
      raise(errBadRequest(std::string("error decoding YAML: ") + e.what()));
    }
    if (!patch.is_object()) {
      raise(errBadRequest("error decoding YAML: the apply configuration must be an object"));
    }
  } else {
    try {
      patch = json::parse(req.body);
    } catch (const json::parse_error& e) {
      raise(errBadRequest(std::string("error decoding patch: ") + e.what()));
    }
  }
  if (ct == "application/json-patch+json" && patch.is_array() && patch.size() > 10000) {
    raise(errRequestEntityTooLarge("The allowed maximum operations in a JSON patch is 10000, got " +
                                   std::to_string(patch.size())));
  }
  std::string now = nowRfc3339();
  Compute compute = [&](const json& old) -> json {
    if (ct == "application/json-patch+json") {
      auto r = applyJsonPatch(old, patch);
      if (!r.ok()) {
        if (r.code() == Errc::Invalid) {
          raise(errBadRequest(r.error().message));
        }
        raise(errGeneric(422, "Invalid",
                         "the server rejected our request due to an error in our request"));
      }
      return r.value();
    }
    if (ct == "application/merge-patch+json") {
      auto r = applyMergePatch(old, patch);
      if (!r.ok()) {
        raise(errBadRequest(r.error().message));
      }
      return r.value();
    }
    if (ct == "application/strategic-merge-patch+json") {
      auto r = applyStrategicMergePatch(old, patch);
      if (!r.ok()) {
        raise(errBadRequest(r.error().message));
      }
      return r.value();
    }
    ApplyRequest ar;
    ar.current = &old;
    ar.applied = patch;
    ar.manager = manager;
    ar.force = force;
    ar.apiVersion = rt.apiVersion();
    ar.now = now;
    ar.subresource = t.sub;
    std::string rvIn = metaString(patch, "resourceVersion");
    json merged = serverSideApply(ar);
    merged["metadata"]["resourceVersion"] =
        rvIn.empty() ? metaString(old, "resourceVersion") : rvIn;
    return merged;
  };
  if (isApply && t.sub.empty() && !store_.get(rt.storageKey(), t.ns, t.name)) {
    if (!metaString(patch, "resourceVersion").empty()) {
      raise(errInternal("resourceVersion should not be set on objects to be created"));
    }
    ApplyRequest ar;
    ar.applied = patch;
    ar.manager = manager;
    ar.force = force;
    ar.apiVersion = rt.apiVersion();
    ar.now = now;
    json obj = serverSideApply(ar);
    obj["apiVersion"] = patch.value("apiVersion", rt.apiVersion());
    obj["kind"] = patch.value("kind", rt.kind);
    obj["metadata"]["name"] = t.name;
    auto r = doCreate(rt, t.ns, std::move(obj), dryRun, fv);
    answerObject(resp, 201, r.object, rt);
    return;
  }
  auto r = doUpdate(rt, t.ns, t.name, t.sub, compute, false, dryRun, fv);
  if (r.deleted) {
    answerJson(resp, 200, asServed(r.answer, rt));
    return;
  }
  answerObject(resp, 200, r.object, rt);
}

}  // namespace mysqlop::local
