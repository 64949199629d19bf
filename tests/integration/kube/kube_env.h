#pragma once

// A local API server (the project's own, through tests/support/kube) plus a client of ours built
// from the kubeconfig it writes, exactly as the operator builds one.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "core/kube/rest_config.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::kube::testing {

inline Result<RestConfig> restConfigOf(const mysqlop::testing::LocalApiServer& api) {
  auto kc = loadKubeconfigFiles({api.kubeconfigPath()}, true);
  if (!kc.ok()) {
    return kc.error();
  }
  return restConfigFromKubeconfig(*kc);
}

using mysqlop::testing::eventually;
using mysqlop::testing::within;

inline nlohmann::json configMap(const std::string& ns, const std::string& name,
                                const nlohmann::json& data = nlohmann::json::object(),
                                const nlohmann::json& labels = nlohmann::json::object()) {
  nlohmann::json cm = {{"apiVersion", "v1"},
                       {"kind", "ConfigMap"},
                       {"metadata", {{"name", name}, {"namespace", ns}}},
                       {"data", data}};
  if (!labels.empty()) {
    cm["metadata"]["labels"] = labels;
  }
  return cm;
}

class KubeEnv : public ::testing::Test {
 protected:
  void SetUp() override { startServer({}); }

  void startServer(const mysqlop::testing::LocalApiServer::Options& options) {
    auto s = api_.start(options);
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto rc = restConfigOf(api_);
    ASSERT_TRUE(rc.ok()) << rc.error().message;
    rest_ = *rc;
    auto t = HttpTransport::create(rest_);
    ASSERT_TRUE(t.ok()) << t.error().message;
    transport_ = *t;
    client_ = std::make_unique<Client>(transport_);
  }

  Result<nlohmann::json> createNamespace(const std::string& name) {
    return client_->create(
        Resource{"", "v1", "Namespace", "namespaces", false},
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  }

  mysqlop::testing::LocalApiServer api_;
  RestConfig rest_;
  std::shared_ptr<HttpTransport> transport_;
  std::unique_ptr<Client> client_;
};

}  // namespace mysqlop::kube::testing
