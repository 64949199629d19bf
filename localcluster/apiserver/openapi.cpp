// /openapi/v3 and its per-group-version documents (openapi.h).
#include "localcluster/apiserver/openapi.h"

#include <cstdio>
#include <functional>

#include "localcluster/apiserver/api_server.h"
#include "localcluster/apiserver/openapi_v2.h"

namespace mysqlop::local {

using nlohmann::json;

std::string customSchemaName(const std::string& group, const std::string& version,
                             const std::string& kind) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= group.size()) {
    std::size_t j = group.find('.', i);
    parts.push_back(group.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) {
      break;
    }
    i = j + 1;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += *it + ".";
  }
  return out + version + "." + kind;
}

json customKindSchema(const json& crd, const std::string& version) {
  const json spec = crd.value("spec", json::object());
  json schema;
  for (const auto& v : spec.value("versions", json::array())) {
    if (v.value("name", "") == version && v.contains("schema") &&
        v["schema"].contains("openAPIV3Schema")) {
      schema = v["schema"]["openAPIV3Schema"];
    }
  }
  if (!schema.is_object()) {
    return nullptr;
  }
  if (!schema.contains("properties") || !schema["properties"].is_object()) {
    schema["properties"] = json::object();
  }
  json& props = schema["properties"];
  props["apiVersion"] = {
      {"type", "string"},
      {"description",
       "APIVersion defines the versioned schema of this representation of an object. Servers "
       "should convert recognized schemas to the latest internal value, and may reject "
       "unrecognized values."}};
  props["kind"] = {{"type", "string"},
                   {"description",
                    "Kind is a string value representing the REST resource this object "
                    "represents. Servers may infer this from the endpoint the client submits "
                    "requests to. Cannot be updated. In CamelCase."}};
  props["metadata"] = {{"allOf", json::array({{{"$ref", objectMetaRef()}}})},
                       {"default", json::object()},
                       {"description", "Standard object's metadata."}};
  if (!schema.contains("type")) {
    schema["type"] = "object";
  }
  const std::string group = spec.value("group", "");
  const std::string kind = spec.value("names", json::object()).value("kind", "");
  schema["x-kubernetes-group-version-kind"] =
      json::array({{{"group", group}, {"version", version}, {"kind", kind}}});
  return schema;
}

json ApiServer::openApiDocument(const std::string& group, const std::string& version) const {
  json paths = json::object();
  json schemas = json::object();
  std::string prefix = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  std::vector<std::pair<std::string, std::string>> builtinKinds;
  for (const auto& rt : registry_.inGroupVersion(group, version)) {
    if (rt->createOnly) {
      continue;
    }
    std::string item = rt->namespaced ? prefix + "/namespaces/{namespace}/" + rt->plural + "/{name}"
                                      : prefix + "/" + rt->plural + "/{name}";
    // The patch operation declares the fieldValidation parameter, which makes kubectl >= 1.27
    // rely on server-side validation; no request body (see openapi.h).
    json op = {
        {"x-kubernetes-group-version-kind",
         {{"group", group}, {"version", version}, {"kind", rt->kind}}},
        {"parameters",
         json::array(
             {{{"name", "fieldValidation"}, {"in", "query"}, {"schema", {{"type", "string"}}}}})},
        {"responses", {{"200", {{"description", "OK"}}}}}};
    paths[item] = {{"patch", op}};
    if (!rt->custom) {
      builtinKinds.emplace_back(rt->kind, rt->kind + " is a " + rt->singular + " object.");
      continue;
    }
    ObjPtr crd =
        store_.get("apiextensions.k8s.io/customresourcedefinitions", "", rt->plural + "." + group);
    if (!crd) {
      continue;
    }
    json s = customKindSchema(crd->json, version);
    if (!s.is_null()) {
      addObjectMetaSchema(schemas);
      schemas[customSchemaName(group, version, rt->kind)] = s;
    }
  }
  addBuiltinSchemas(group, version, builtinKinds, schemas);
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.30.0"}}},
          {"components", {{"schemas", schemas}}},
          {"paths", paths}};
}

json ApiServer::openApiV2() const {
  // Built-in kinds (io.k8s.api.*) are left out: their tables are partial (openapi_v2.h).
  json definitions = json::object();
  auto addFrom = [&](const json& v3) {
    for (const auto& [name, schema] : v3["components"]["schemas"].items()) {
      if (name.rfind("io.k8s.api.", 0) != 0 && !definitions.contains(name)) {
        definitions[name] = openApiV2Schema(schema);
      }
    }
  };
  json meta = json::object();
  addObjectMetaSchema(meta);
  addFrom({{"components", {{"schemas", meta}}}});
  json paths = json::object();
  std::vector<std::pair<std::string, std::string>> groupVersions = {{"", "v1"}};
  for (const auto& g : registry_.groups()) {
    for (const auto& v : registry_.groupVersions(g)) {
      groupVersions.emplace_back(g, v);
    }
  }
  for (const auto& [g, v] : groupVersions) {
    bool custom = false;
    const std::string prefix = g.empty() ? "/api/" + v : "/apis/" + g + "/" + v;
    for (const auto& rt : registry_.inGroupVersion(g, v)) {
      if (rt->createOnly) {
        continue;
      }
      custom = custom || rt->custom;
      paths[rt->namespaced ? prefix + "/namespaces/{namespace}/" + rt->plural + "/{name}"
                           : prefix + "/" + rt->plural + "/{name}"] =
          openApiV2PatchPath(g, v, rt->kind, !rt->custom);
    }
    if (custom) {
      addFrom(openApiDocument(g, v));
    }
  }
  return openApiV2Document(definitions, paths);
}

json ApiServer::openApiRoot() const {
  // The hash changes with the document (a CRD's schema changed): kubectl caches by it.
  auto hashOf = [&](const std::string& group, const std::string& version) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llX",
                  static_cast<unsigned long long>(
                      std::hash<std::string>{}(openApiDocument(group, version).dump())));
    return std::string(buf);
  };
  json paths = json::object();
  paths["api/v1"] = {{"serverRelativeURL", "/openapi/v3/api/v1?hash=" + hashOf("", "v1")}};
  for (const auto& g : registry_.groups()) {
    for (const auto& v : registry_.groupVersions(g)) {
      paths["apis/" + g + "/" + v] = {
          {"serverRelativeURL", "/openapi/v3/apis/" + g + "/" + v + "?hash=" + hashOf(g, v)}};
    }
  }
  return {{"paths", paths}};
}

}  // namespace mysqlop::local
