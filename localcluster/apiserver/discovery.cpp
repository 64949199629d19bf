#include <functional>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/openapi_v2.h"

namespace mysqlop::local {

using nlohmann::json;

namespace {

const json kVerbs = {"create", "delete", "deletecollection", "get",
                     "list",   "patch",  "update",           "watch"};

json groupVersion(const std::string& group, const std::string& version) {
  return {{"groupVersion", group + "/" + version}, {"version", version}};
}

}  // namespace

json ApiServer::resourceList(const std::string& group, const std::string& version) const {
  json resources = json::array();
  for (const auto& rt : registry_.inGroupVersion(group, version)) {
    json r = {{"name", rt->plural},
              {"singularName", rt->singular},
              {"namespaced", rt->namespaced},
              {"kind", rt->kind},
              {"verbs", rt->createOnly ? json::array({"create"}) : kVerbs}};
    if (!rt->shortNames.empty()) {
      r["shortNames"] = rt->shortNames;
    }
    if (!rt->categories.empty()) {
      r["categories"] = rt->categories;
    }
    resources.push_back(r);
    if (rt->hasStatus) {
      resources.push_back({{"name", rt->plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", rt->namespaced},
                           {"kind", rt->kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (rt->scale) {
      resources.push_back({{"name", rt->plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", rt->namespaced},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
    for (const auto& sub : rt->extraSubresources) {
      if (sub == "token") {
        resources.push_back({{"name", rt->plural + "/token"},
                             {"singularName", ""},
                             {"namespaced", rt->namespaced},
                             {"group", "authentication.k8s.io"},
                             {"version", "v1"},
                             {"kind", "TokenRequest"},
                             {"verbs", {"create"}}});
      }
      if (sub == "finalize") {
        resources.push_back({{"name", rt->plural + "/finalize"},
                             {"singularName", ""},
                             {"namespaced", rt->namespaced},
                             {"kind", rt->kind},
                             {"verbs", {"update"}}});
      }
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group.empty() ? version : group + "/" + version},
          {"resources", resources}};
}

void ApiServer::serveDiscovery(const Target& t, const ApiRequest& req, ApiResponse& resp) const {
  switch (t.kind) {
    case Target::Kind::Version:
      answerJson(resp, 200,
                 {{"major", "1"},
                  {"minor", "30"},
                  {"gitVersion", "v1.30.0"},
                  {"gitCommit", "0000000000000000000000000000000000000000"},
                  {"gitTreeState", "clean"},
                  {"buildDate", "2024-04-17T00:00:00Z"},
                  {"goVersion", "go1.22.2"},
                  {"compiler", "gc"},
                  {"platform", "linux/amd64"}});
      return;
    case Target::Kind::Health:
      resp.code = 200;
      resp.contentType = "text/plain; charset=utf-8";
      resp.body = "ok";
      return;
    case Target::Kind::Api:
      answerJson(resp, 200,
                 {{"kind", "APIVersions"},
                  {"versions", {"v1"}},
                  {"serverAddressByClientCIDRs",
                   {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", options_.serverAddress}}}}});
      return;
    case Target::Kind::ApiGroupList:
    case Target::Kind::ApiGroup: {
      json groups = json::array();
      for (const auto& g : registry_.groups()) {
        if (t.kind == Target::Kind::ApiGroup && g != t.group) {
          continue;
        }
        auto versions = registry_.groupVersions(g);
        if (versions.empty()) {
          continue;
        }
        json vs = json::array();
        for (const auto& v : versions) {
          vs.push_back(groupVersion(g, v));
        }
        // The preferred version is the storage version of the group's resources.
        std::string preferred = versions.front();
        for (const auto& rt : registry_.all()) {
          if (rt->group == g) {
            preferred = rt->version;
            break;
          }
        }
        groups.push_back(
            {{"name", g}, {"versions", vs}, {"preferredVersion", groupVersion(g, preferred)}});
      }
      if (t.kind == Target::Kind::ApiGroup) {
        json g = groups.empty() ? json::object() : groups[0];
        g["kind"] = "APIGroup";
        g["apiVersion"] = "v1";
        answerJson(resp, 200, g);
      } else {
        answerJson(resp, 200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
      }
      return;
    }
    case Target::Kind::ResourceList:
      answerJson(resp, 200, resourceList(t.group, t.version));
      return;
    case Target::Kind::OpenApiV3Root: answerJson(resp, 200, openApiRoot()); return;
    case Target::Kind::OpenApiV3Doc:
      answerJson(resp, 200, openApiDocument(t.group, t.version));
      return;
    case Target::Kind::OpenApiV2:
      // kubectl <= 1.26 asks for protobuf only and decodes the body as such.
      if (req.accept.find("protobuf") != std::string::npos) {
        resp.code = 200;
        resp.contentType = kOpenApiV2Protobuf;
        resp.body = encodeOpenApiV2(openApiV2());
      } else {
        answerJson(resp, 200, openApiV2());
      }
      return;
    default: answerError(resp, errPathNotFound()); return;
  }
}

}  // namespace mysqlop::local
