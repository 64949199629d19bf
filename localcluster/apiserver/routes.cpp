#include <algorithm>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/query_params.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) {
      j = path.size();
    }
    if (j > i) {
      out.push_back(path.substr(i, j - i));
    }
    i = j + 1;
  }
  return out;
}

// Media types the client accepts; JSON is the only representation served.
bool acceptsJson(const std::string& accept) {
  if (accept.empty()) {
    return true;
  }
  std::size_t i = 0;
  while (i <= accept.size()) {
    std::size_t j = accept.find(',', i);
    std::string part = accept.substr(i, j == std::string::npos ? std::string::npos : j - i);
    std::string type = part.substr(0, part.find(';'));
    type.erase(0, type.find_first_not_of(" \t"));
    type.erase(type.find_last_not_of(" \t") + 1);
    if (type == "application/json" || type == "*/*" || type == "application/*" ||
        type == "application/yaml" || type == "application/json;stream=watch") {
      return true;
    }
    if (j == std::string::npos) {
      break;
    }
    i = j + 1;
  }
  return false;
}

}  // namespace

ApiServer::Target ApiServer::route(const ApiRequest& req) const {
  Target t;
  auto segs = split(req.path);
  if (segs.empty()) {
    return t;
  }
  if (segs[0] == "_local") {
    t.kind = Target::Kind::Admin;
    return t;
  }
  if (segs.size() == 1 && segs[0] == "version") {
    t.kind = Target::Kind::Version;
    return t;
  }
  if (segs[0] == "healthz" || segs[0] == "livez" || segs[0] == "readyz") {
    t.kind = Target::Kind::Health;
    return t;
  }
  if (segs[0] == "openapi") {
    if (segs.size() == 2 && segs[1] == "v3") {
      t.kind = Target::Kind::OpenApiV3Root;
    } else if (segs.size() == 2 && segs[1] == "v2") {
      t.kind = Target::Kind::OpenApiV2;
    } else if (segs.size() >= 3 && segs[1] == "v3") {
      if (segs.size() == 4 && segs[2] == "api" && segs[3] == "v1") {
        t.kind = Target::Kind::OpenApiV3Doc;
        t.version = "v1";
      } else if (segs.size() == 5 && segs[2] == "apis") {
        t.kind = Target::Kind::OpenApiV3Doc;
        t.group = segs[3];
        t.version = segs[4];
        if (registry_.inGroupVersion(t.group, t.version).empty()) {
          t.kind = Target::Kind::NotFound;
        }
      }
    }
    return t;
  }
  std::size_t rest;
  if (segs[0] == "api") {
    if (segs.size() == 1) {
      t.kind = Target::Kind::Api;
      return t;
    }
    if (segs[1] != "v1") {
      return t;
    }
    t.version = "v1";
    rest = 2;
  } else if (segs[0] == "apis") {
    if (segs.size() == 1) {
      t.kind = Target::Kind::ApiGroupList;
      return t;
    }
    t.group = segs[1];
    auto versions = registry_.groupVersions(t.group);
    if (versions.empty()) {
      return t;
    }
    if (segs.size() == 2) {
      t.kind = Target::Kind::ApiGroup;
      return t;
    }
    t.version = segs[2];
    if (std::find(versions.begin(), versions.end(), t.version) == versions.end()) {
      return t;
    }
    rest = 3;
  } else {
    return t;
  }
  if (segs.size() == rest) {
    t.kind = Target::Kind::ResourceList;
    return t;
  }
  std::vector<std::string> r(segs.begin() + static_cast<std::ptrdiff_t>(rest), segs.end());
  std::string resource;
  if (r[0] == "namespaces" && r.size() >= 3 &&
      !(r.size() == 3 && t.group.empty() && (r[2] == "status" || r[2] == "finalize"))) {
    if (r.size() > 5) {
      return t;
    }
    t.ns = r[1];
    resource = r[2];
    t.name = r.size() > 3 ? r[3] : "";
    t.sub = r.size() > 4 ? r[4] : "";
  } else {
    if (r.size() > 3) {
      return t;
    }
    resource = r[0];
    t.name = r.size() > 1 ? r[1] : "";
    t.sub = r.size() > 2 ? r[2] : "";
  }
  t.rt = registry_.find(t.group, t.version, resource);
  if (!t.rt) {
    return t;
  }
  if (!t.rt->namespaced && !t.ns.empty()) {
    return t;
  }
  if (t.rt->namespaced && t.ns.empty() && !t.name.empty()) {
    return t;
  }
  t.kind = Target::Kind::Resource;
  return t;
}

void ApiServer::serveResource(const Target& t, const ApiRequest& req, ApiResponse& resp,
                              WatchStream* stream) {
  if (t.sub == "log" && !t.name.empty() && t.rt->plural == "pods" && t.rt->group.empty()) {
    podLog(t, req, resp, stream);  // text/plain, whatever the Accept header says
    return;
  }
  if (!acceptsJson(req.accept)) {
    raise(errNotAcceptable());
  }
  const std::string& m = req.method;
  if (t.name.empty()) {
    if (m == "GET") {
      if (queryFlag(req, "watch")) {  // watch=True, =1, =yes... as kube-apiserver (query_params.h)
        if (!stream) {
          raise(errBadRequest("watch is not supported on this connection"));
        }
        watchObjects(t, req, *stream);
        resp.streamed = true;
        return;
      }
      listObjects(t, req, resp);
      return;
    }
    if (m == "POST") {
      if (t.rt->namespaced && t.ns.empty()) {
        raise(errMethodNotAllowed());
      }
      createObject(t, req, resp);
      return;
    }
    if (m == "DELETE") {
      deleteCollection(t, req, resp);
      return;
    }
    raise(errMethodNotAllowed());
  }
  if (t.sub.empty()) {
    if (m == "GET") {
      getObject(t, req, resp);
    } else if (m == "PUT") {
      updateObject(t, req, resp);
    } else if (m == "PATCH") {
      patchObject(t, req, resp);
    } else if (m == "DELETE") {
      deleteObject(t, req, resp);
    } else {
      raise(errMethodNotAllowed());
    }
    return;
  }
  if (t.sub == "status" && t.rt->hasStatus) {
    if (m == "GET") {
      getObject(t, req, resp);
    } else if (m == "PUT") {
      updateObject(t, req, resp);
    } else if (m == "PATCH") {
      patchObject(t, req, resp);
    } else {
      raise(errMethodNotAllowed());
    }
    return;
  }
  if (t.sub == "scale" && t.rt->scale) {
    if (m == "GET") {
      getScale(t, resp);
    } else if (m == "PUT" || m == "PATCH") {
      writeScale(t, req, resp);
    } else {
      raise(errMethodNotAllowed());
    }
    return;
  }
  if (t.sub == "binding" && t.rt->plural == "pods" && t.rt->group.empty()) {
    if (m != "POST") {
      raise(errMethodNotAllowed());
    }
    bindPod(t, req, resp);
    return;
  }
  if (t.sub == "finalize" && t.rt->plural == "namespaces" && t.rt->group.empty()) {
    if (m != "PUT") {
      raise(errMethodNotAllowed());
    }
    finalizeNamespace(t, req, resp);
    return;
  }
  raise(errPathNotFound());
}

}  // namespace mysqlop::local
