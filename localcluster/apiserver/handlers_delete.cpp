#include <algorithm>
#include <chrono>
#include <ctime>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/query_params.h"
#include "localcluster/apiserver/request_selectors.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

constexpr const char* kOrphan = "orphan";
constexpr const char* kForeground = "foregroundDeletion";
constexpr const char* kJobWarning =
    "299 - \"child pods are preserved by default when jobs are deleted; set "
    "propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this "
    "warning\"";

std::string timeAfter(long long seconds) {
  std::time_t t = std::time(nullptr) + seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

ApiServer::DeleteOptions parseDeleteOptions(const ApiRequest& req, bool* orphanDefaultUsed) {
  ApiServer::DeleteOptions o;
  json body;
  if (!req.body.empty()) {
    body = parseBody(req.body);
    if (!body.is_object()) {
      raise(errBadRequest("DeleteOptions must be a JSON object"));
    }
  }
  o.propagationPolicy = body.is_object() ? body.value("propagationPolicy", "") : "";
  if (o.propagationPolicy.empty()) {
    o.propagationPolicy = req.param("propagationPolicy");
  }
  if (body.is_object() && body.contains("orphanDependents") &&
      body["orphanDependents"].is_boolean()) {
    o.propagationPolicy = body["orphanDependents"].get<bool>() ? "Orphan" : "Background";
  } else if (auto orphan = queryBool(req, "orphanDependents")) {
    o.propagationPolicy = *orphan ? "Orphan" : "Background";
  }
  if (!o.propagationPolicy.empty() && o.propagationPolicy != "Orphan" &&
      o.propagationPolicy != "Background" && o.propagationPolicy != "Foreground") {
    raise(
        errInvalid("DeleteOptions", "meta.k8s.io", "",
                   {fieldNotSupported("propagationPolicy", o.propagationPolicy,
                                      {"\"Foreground\"", "\"Background\"", "\"Orphan\"", "nil"})}));
  }
  if (body.is_object() && body.contains("gracePeriodSeconds") &&
      body["gracePeriodSeconds"].is_number()) {
    o.gracePeriodSeconds = body["gracePeriodSeconds"].get<long long>();
  } else if (auto seconds = queryInt64(req, "gracePeriodSeconds")) {
    o.gracePeriodSeconds = *seconds;
  }
  if (body.is_object() && body.contains("preconditions") && body["preconditions"].is_object()) {
    o.preconditionUid = body["preconditions"].value("uid", "");
    o.preconditionRv = body["preconditions"].value("resourceVersion", "");
  }
  o.dryRun = req.param("dryRun") == "All" || (body.is_object() && body.contains("dryRun") &&
                                              body["dryRun"].is_array() && !body["dryRun"].empty());
  *orphanDefaultUsed = o.propagationPolicy.empty();
  return o;
}

}  // namespace

ApiServer::DeleteResult ApiServer::doDelete(const ResourceType& rt, const std::string& ns,
                                            const std::string& name, const DeleteOptions& opts) {
  DeleteResult result;
  bool isNamespace = rt.group.empty() && rt.plural == "namespaces";
  bool isPod = rt.group.empty() && rt.plural == "pods";
  auto out = store_.mutate(rt.storageKey(), ns, name, [&](const ObjPtr& cur) {
    Store::Decision d;
    if (!cur) {
      raise(errNotFound(rt.gr(), name));
    }
    const json& old = cur->json;
    const json& om = old["metadata"];
    if (!opts.preconditionUid.empty() && opts.preconditionUid != om.value("uid", "")) {
      raise(errConflict(rt.gr(), name,
                        "Precondition failed: UID in precondition: " + opts.preconditionUid +
                            ", UID in object meta: " + om.value("uid", "")));
    }
    if (!opts.preconditionRv.empty() && opts.preconditionRv != om.value("resourceVersion", "")) {
      raise(errConflict(
          rt.gr(), name,
          "Precondition failed: ResourceVersion in precondition: " + opts.preconditionRv +
              ", ResourceVersion in meta: " + om.value("resourceVersion", "")));
    }
    checkWriteFault(rt, name);
    json obj = old;
    json& meta = obj["metadata"];
    json fin = meta.value("finalizers", json::array());
    auto has = [&](const char* f) { return std::find(fin.begin(), fin.end(), f) != fin.end(); };
    auto drop = [&](const char* f) {
      fin.erase(std::remove(fin.begin(), fin.end(), f), fin.end());
    };
    std::string policy = opts.propagationPolicy;
    if (policy.empty() && rt.orphanByDefault && !om.contains("deletionTimestamp")) {
      policy = "Orphan";
    }
    if (policy == "Orphan") {
      if (!has(kOrphan)) {
        fin.push_back(kOrphan);
      }
      drop(kForeground);
    } else if (policy == "Foreground") {
      if (!has(kForeground)) {
        fin.push_back(kForeground);
      }
      drop(kOrphan);
    } else if (policy == "Background") {
      drop(kOrphan);
      drop(kForeground);
    }
    long long grace = 0;
    if (isPod) {
      grace = opts.gracePeriodSeconds.value_or(
          old.value("spec", json::object()).value("terminationGracePeriodSeconds", 30LL));
      if (old.value("spec", json::object()).value("nodeName", "").empty()) {
        grace = 0;  // never scheduled: nothing to stop
      }
      if (grace < 0) {
        grace = 0;
      }
    }
    bool specFinalizers = isNamespace && old.contains("spec") &&
                          old["spec"].value("finalizers", json::array()).size() > 0;
    if (om.contains("deletionTimestamp")) {
      // Already being deleted: only a shorter grace period (pods) or dropped GC finalizers act.
      if (isPod && fin.empty() && (grace == 0 || opts.gracePeriodSeconds.value_or(1) == 0)) {
        d.kind = Store::Decision::Kind::Delete;
        result.deletedNow = true;
        return d;
      }
      if (fin != meta.value("finalizers", json::array()) && !fin.empty()) {
        meta["finalizers"] = fin;
        d.kind = Store::Decision::Kind::Put;
        d.object = obj;
        return d;
      }
      return d;
    }
    if (fin.empty() && grace == 0 && !specFinalizers) {
      d.kind = opts.dryRun ? Store::Decision::Kind::NoOp : Store::Decision::Kind::Delete;
      result.deletedNow = true;
      return d;
    }
    meta["deletionTimestamp"] = grace > 0 ? timeAfter(grace) : nowRfc3339();
    meta["deletionGracePeriodSeconds"] = grace;
    if (!fin.empty()) {
      meta["finalizers"] = fin;
    } else {
      meta.erase("finalizers");
    }
    if (meta.contains("generation") && meta["generation"].is_number() &&
        meta["generation"].get<long long>() > 0) {
      meta["generation"] = meta["generation"].get<long long>() + 1;
    }
    if (isNamespace) {
      obj["status"]["phase"] = "Terminating";
    }
    if (opts.dryRun) {
      return d;
    }
    d.kind = Store::Decision::Kind::Put;
    d.object = std::move(obj);
    return d;
  });
  if (!out.ok()) {
    raise(errInternal(out.error().message));
  }
  result.object = out->object;
  if (out->written) {
    afterWrite(rt, out->object, result.deletedNow);
  }
  return result;
}

void ApiServer::deleteObject(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  bool defaulted = false;
  DeleteOptions opts = parseDeleteOptions(req, &defaulted);
  bool existed = store_.get(t.rt->storageKey(), t.ns, t.name) != nullptr;
  auto r = doDelete(*t.rt, t.ns, t.name, opts);
  if (t.rt->orphanByDefault && defaulted && existed) {
    resp.headers.emplace_back("Warning", kJobWarning);
  }
  if (r.deletedNow && !t.rt->returnDeletedObject) {
    json details = {{"name", t.name}, {"kind", t.rt->plural}};
    if (!t.rt->group.empty()) {
      details["group"] = t.rt->group;
    }
    if (r.object) {
      details["uid"] = metaString(r.object->json, "uid");
    }
    answerJson(resp, 200,
               {{"kind", "Status"},
                {"apiVersion", "v1"},
                {"metadata", json::object()},
                {"status", "Success"},
                {"details", details}});
    return;
  }
  answerObject(resp, 200, r.object, *t.rt);
}

void ApiServer::deleteCollection(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  bool defaulted = false;
  DeleteOptions opts = parseDeleteOptions(req, &defaulted);
  const RequestSelectors selectors = parseRequestSelectors(req, *t.rt);
  auto snap = store_.list(t.rt->storageKey(), t.ns);
  json items = json::array();
  for (const auto& o : snap.items) {
    const json& meta = o->json["metadata"];
    if (!selectors.matches(o->json)) {
      continue;
    }
    try {
      auto r = doDelete(*t.rt, meta.value("namespace", ""), meta.value("name", ""), opts);
      if (r.object) {
        items.push_back(asServed(r.object->json, *t.rt));
      }
    } catch (const ApiException& e) {
      if (e.error().code != 404) {
        throw;
      }
    }
  }
  answerJson(resp, 200,
             {{"kind", t.rt->listKind},
              {"apiVersion", t.rt->apiVersion()},
              {"metadata", {{"resourceVersion", std::to_string(store_.currentRv())}}},
              {"items", items}});
}

}  // namespace mysqlop::local
