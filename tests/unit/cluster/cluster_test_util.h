#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "plugins/cluster/src/options.h"
#include "plugins/cluster/src/spec.h"

namespace mysqlop::cluster::testing {

// A MysqlCluster object as the API server would return it, with `spec` merged in.
inline nlohmann::json clusterObject(const nlohmann::json& spec,
                                    const std::string& name = "my-cluster",
                                    const std::string& ns = "default") {
  nlohmann::json c = {{"apiVersion", "mysql.presslabs.org/v1alpha1"},
                      {"kind", "MysqlCluster"},
                      {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-1"}}},
                      {"spec", {{"replicas", 2}, {"secretName", "my-secret"}}}};
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    c["spec"][it.key()] = *it;
  }
  return c;
}

inline Options testOptions() {
  return parseOptions(R"({"sidecarImage":"sidecar57:v1","sidecarMysql8Image":"sidecar80:v1",
                          "metricsExporterImage":"exporter:v1","imagePullPolicy":"IfNotPresent",
                          "orchestratorTopologyUser":"orc","orchestratorTopologyPassword":"orcpw",
                          "failoverBeforeShutdown":true,"mysqlVersionsToImage":{}})",
                      "{}");
}

// Parses a cluster that must be valid.
inline ClusterSpec validSpec(const nlohmann::json& spec, const Options& o = testOptions()) {
  ParsedCluster p = parseCluster(clusterObject(spec), o);
  if (!p.spec) {
    std::string all;
    for (const auto& e : p.errors) {
      all += e.message + "\n";
    }
    throw std::runtime_error("unexpectedly invalid: " + all);
  }
  return *p.spec;
}

using Err = std::pair<std::string, std::string>;

// The single error a spec produces: reason and exact message (a test failure unless there is
// exactly one error and no spec).
inline Err onlyError(const nlohmann::json& spec, const Options& o = testOptions(),
                     const std::string& name = "my-cluster", const std::string& ns = "default") {
  ParsedCluster p = parseCluster(clusterObject(spec, name, ns), o);
  EXPECT_FALSE(p.spec.has_value());
  EXPECT_EQ(p.errors.size(), 1u);
  if (p.errors.empty()) {
    return {};
  }
  return {p.errors[0].reason, p.errors[0].message};
}

}  // namespace mysqlop::cluster::testing
