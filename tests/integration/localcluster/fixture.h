#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "tests/support/kube/local_api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::it {

using nlohmann::json;
using testing::HttpResult;
using testing::LocalApiServer;

// A fresh server per test (own temp dir, free port).
class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { startServer({}); }

  void startServer(const LocalApiServer::Options& options) {
    auto r = api_.start(options);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  HttpResult call(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& contentType = "application/json") {
    auto r = api_.request(method, path, body, contentType);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : HttpResult{};
  }
  HttpResult call(const std::string& method, const std::string& path, const json& body,
                  const std::string& contentType = "application/json") {
    return call(method, path, body.dump(), contentType);
  }

  static json configMap(const std::string& name, const json& data = {{"k", "v"}}) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}}},
            {"data", data}};
  }

  std::string rv() {
    auto s = api_.status();
    EXPECT_TRUE(s.ok());
    return s.ok() ? s.value()["resourceVersion"].get<std::string>() : "";
  }

  LocalApiServer api_;
};

inline const char* kCmPath = "/api/v1/namespaces/default/configmaps";

using mysqlop::testing::eventually;
using mysqlop::testing::within;

}  // namespace mysqlop::local::it
