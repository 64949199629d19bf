#include <random>

#include "localcluster/apiserver/api_server.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

std::string randomSuffix() {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string s;
  for (int i = 0; i < 5; ++i) {
    s += kAlphabet[pick(rng)];
  }
  return s;
}

bool isCrd(const ResourceType& rt) {
  return rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions";
}

}  // namespace

// Checks apiVersion and kind of a request body against the URL; fills them when absent.
void checkTypeMeta(const ResourceType& rt, json& obj) {
  std::string av = obj.value("apiVersion", "");
  std::string kind = obj.value("kind", "");
  if (av.empty()) {
    obj["apiVersion"] = rt.apiVersion();
  } else if (av != rt.apiVersion()) {
    bool otherServed = false;
    for (const auto& v : rt.versions) {
      otherServed = otherServed || av == (rt.group.empty() ? v : rt.group + "/" + v);
    }
    if (!otherServed) {
      raise(errBadRequest("the API version in the data (" + av +
                          ") does not match the expected API version (" + rt.apiVersion() + ")"));
    }
  }
  if (kind.empty()) {
    obj["kind"] = rt.kind;
  } else if (kind != rt.kind) {
    raise(errBadRequest("the kind in the data (" + kind + ") does not match the expected kind (" +
                        rt.kind + ")"));
  }
}

void crdStatus(json& crd) {
  std::string now = nowRfc3339();
  json names = crd["spec"]["names"];
  std::string storage;
  for (const auto& v : crd["spec"].value("versions", json::array())) {
    if (v.value("storage", false)) {
      storage = v.value("name", "");
    }
  }
  json stored = crd.contains("status") && crd["status"].contains("storedVersions")
                    ? crd["status"]["storedVersions"]
                    : json::array();
  if (!storage.empty() && std::find(stored.begin(), stored.end(), storage) == stored.end()) {
    stored.push_back(storage);
  }
  json conditions = json::array({{{"type", "NamesAccepted"},
                                  {"status", "True"},
                                  {"reason", "NoConflicts"},
                                  {"message", "no conflicts found"},
                                  {"lastTransitionTime", now}},
                                 {{"type", "Established"},
                                  {"status", "True"},
                                  {"reason", "InitialNamesAccepted"},
                                  {"message", "the initial names have been accepted"},
                                  {"lastTransitionTime", now}}});
  // Keep transition times of unchanged conditions, so that a no-op update stays a no-op.
  if (crd.contains("status") && crd["status"].contains("conditions")) {
    for (auto& c : conditions) {
      for (const auto& o : crd["status"]["conditions"]) {
        if (o.value("type", "") == c["type"] && o.value("status", "") == c["status"]) {
          c["lastTransitionTime"] = o.value("lastTransitionTime", now);
        }
      }
    }
  }
  crd["status"] = {
      {"conditions", conditions}, {"acceptedNames", names}, {"storedVersions", stored}};
}

ApiServer::UpdateResult ApiServer::doCreate(const ResourceType& rt, const std::string& ns, json obj,
                                            bool dryRun, const std::string& fieldValidation) {
  if (!obj.is_object()) {
    raise(errBadRequest("the body of the request must be a JSON object"));
  }
  checkTypeMeta(rt, obj);
  if (!obj.contains("metadata") || obj["metadata"].is_null()) {
    obj["metadata"] = json::object();
  }
  json& meta = obj["metadata"];
  if (!meta.is_object()) {
    raise(errBadRequest("metadata must be an object"));
  }
  if (rt.namespaced) {
    std::string bodyNs = meta.value("namespace", "");
    if (!bodyNs.empty() && bodyNs != ns) {
      raise(
          errBadRequest("the namespace of the provided object does not match the namespace "
                        "sent on the request"));
    }
    meta["namespace"] = ns;
  } else {
    meta.erase("namespace");
  }
  if (!metaString(obj, "resourceVersion").empty()) {
    raise(errInternal("resourceVersion should not be set on objects to be created"));
  }
  std::string generateName = meta.value("generateName", "");
  bool generated = metaString(obj, "name").empty() && !generateName.empty();
  if (metaString(obj, "name").empty() && generateName.empty()) {
    raise(errInvalid(rt.kind, rt.group, "",
                     {fieldRequired("metadata.name", "name or generateName is required")}));
  }
  if (generated) {
    meta["name"] = generateName.substr(0, 58) + randomSuffix();
  }
  checkWriteFault(rt, metaString(obj, "name"));
  checkNamespaceForCreate(rt, ns, metaString(obj, "name"));
  prepareForCreate(rt, obj);
  ServiceIpAllocator::Reservation ips;  // until the object is stored (or not)
  finishObject(rt, nullptr, obj, fieldValidation, ips);
  if (isCrd(rt)) {
    json fin = obj["metadata"].value("finalizers", json::array());
    if (std::find(fin.begin(), fin.end(), "customresourcecleanup.apiextensions.k8s.io") ==
        fin.end()) {
      fin.push_back("customresourcecleanup.apiextensions.k8s.io");
    }
    obj["metadata"]["finalizers"] = fin;
  }
  validateObject(rt, nullptr, obj);
  if (isCrd(rt)) {
    crdStatus(obj);
  }
  UpdateResult result;
  result.created = true;
  if (dryRun) {
    auto o = std::make_shared<StoredObject>();
    o->json = obj;
    o->data = obj.dump();
    result.object = o;
    result.answer = obj;
    return result;
  }
  for (int attempt = 0;; ++attempt) {
    std::string name = metaString(obj, "name");
    bool exists = false;
    auto out = store_.mutate(rt.storageKey(), ns, name, [&](const ObjPtr& cur) {
      Store::Decision d;
      if (cur) {
        exists = true;
        return d;
      }
      d.kind = Store::Decision::Kind::Put;
      d.object = obj;
      return d;
    });
    if (!out.ok()) {
      raise(errInternal(out.error().message));
    }
    if (exists) {
      if (generated && attempt < 7) {
        obj["metadata"]["name"] = generateName.substr(0, 58) + randomSuffix();
        continue;
      }
      ApiError e = errAlreadyExists(rt.gr(), name);
      if (generated) {
        e.retryAfterSeconds = 1;
        e.details["retryAfterSeconds"] = 1;
      }
      raise(e);
    }
    result.object = out->object;
    result.answer = out->object->json;
    afterWrite(rt, out->object, false);
    return result;
  }
}

void ApiServer::createObject(const Target& t, const ApiRequest& req, ApiResponse& resp) {
  json obj = parseBody(req.body);
  bool dryRun = req.query.count("dryRun") && req.query.at("dryRun") == "All";
  std::string fv = req.query.count("fieldValidation") ? req.query.at("fieldValidation") : "";
  auto r = doCreate(*t.rt, t.ns, std::move(obj), dryRun, fv);
  answerObject(resp, 201, r.object, *t.rt);
}

}  // namespace mysqlop::local
