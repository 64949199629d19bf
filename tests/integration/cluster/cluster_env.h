#pragma once

// Shared by the MysqlCluster integration tests: a local API server with our CRDs installed, and
// YAML manifests turned into the JSON the API takes.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/config/yaml_json.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::cluster::it {

using nlohmann::json;
using testing::HttpResult;
using testing::LocalApiServer;

inline std::string sourcePath(const std::string& rel) {
  return std::string(MYSQLOP_SOURCE_DIR) + "/" + rel;
}

// Every document of a YAML file, as JSON (empty documents skipped).
inline std::vector<json> loadManifests(const std::string& path) {
  std::vector<json> out;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
    if (doc.IsNull()) {
      continue;
    }
    out.push_back(config::yamlToJson(doc));
  }
  return out;
}

inline json yamlDoc(const std::string& text) { return config::yamlToJson(YAML::Load(text)); }

// The REST path of a kind we use in these tests.
inline std::string collectionPath(const std::string& kind, const std::string& ns) {
  struct K {
    const char* kind;
    const char* prefix;
    const char* plural;
  };
  static const K kKinds[] = {
      {"MysqlCluster", "/apis/mysql.presslabs.org/v1alpha1", "mysqlclusters"},
      {"MysqlBackup", "/apis/mysql.presslabs.org/v1alpha1", "mysqlbackups"},
      {"MysqlDatabase", "/apis/mysql.presslabs.org/v1alpha1", "mysqldatabases"},
      {"MysqlUser", "/apis/mysql.presslabs.org/v1alpha1", "mysqlusers"},
      {"Secret", "/api/v1", "secrets"},
      {"ConfigMap", "/api/v1", "configmaps"},
      {"Service", "/api/v1", "services"},
      {"Pod", "/api/v1", "pods"},
      {"PersistentVolumeClaim", "/api/v1", "persistentvolumeclaims"},
      {"Event", "/api/v1", "events"},
      {"StatefulSet", "/apis/apps/v1", "statefulsets"},
      {"PodDisruptionBudget", "/apis/policy/v1", "poddisruptionbudgets"},
      {"CustomResourceDefinition", "/apis/apiextensions.k8s.io/v1", "customresourcedefinitions"},
  };
  for (const K& k : kKinds) {
    if (kind == k.kind) {
      if (ns.empty()) {
        return std::string(k.prefix) + "/" + k.plural;
      }
      return std::string(k.prefix) + "/namespaces/" + ns + "/" + k.plural;
    }
  }
  ADD_FAILURE() << "unknown kind " << kind;
  return "";
}

class ApiEnv {
 public:
  // Starts the server and installs crds/*.yaml through the API.
  void start() {
    auto r = api_.start();
    ASSERT_TRUE(r.ok()) << r.error().message;
    for (const char* f : {"mysqlclusters", "mysqlbackups", "mysqldatabases", "mysqlusers"}) {
      for (const json& crd :
           loadManifests(sourcePath(std::string("crds/mysql.presslabs.org_") + f + ".yaml"))) {
        HttpResult res = call("POST", collectionPath("CustomResourceDefinition", ""), crd);
        ASSERT_EQ(res.status, 201) << res.body;
      }
    }
  }

  HttpResult call(const std::string& method, const std::string& path, const json& body = nullptr,
                  const std::string& contentType = "application/json") {
    auto r = api_.request(method, path, body.is_null() ? "" : body.dump(), contentType);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : HttpResult{};
  }

  // Creates an object in ns (its kind picks the path).
  HttpResult create(const json& obj, const std::string& ns = "default") {
    return call("POST", collectionPath(obj.value("kind", ""), ns), obj);
  }

  json get(const std::string& kind, const std::string& ns, const std::string& name) {
    HttpResult r = call("GET", collectionPath(kind, ns) + "/" + name);
    return r.status == 200 ? r.json() : json();
  }

  LocalApiServer& api() { return api_; }

 private:
  LocalApiServer api_;
};

using mysqlop::testing::eventually;
using mysqlop::testing::within;

}  // namespace mysqlop::cluster::it
