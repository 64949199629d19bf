// The real orchestrator plugin in the real plugin host without Kubernetes (as `mysql-operator
// --standalone` runs it): its routes answer from the audit store, its metric families are
// registered, an unusable auditPath refuses it with the exact message, and the temporary default
// store is removed with the plugin.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/config/operator_config.h"
#include "core/host/cluster_access.h"
#include "core/host/plugin_manager.h"
#include "core/http/router.h"
#include "core/metrics/registry.h"
#include "plugins/orchestrator/src/audit_parts.h"
#include "tests/support/temp_dir.h"

namespace mysqlop::orchestrator {
namespace {

using mysqlop::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

struct Standalone {
  metrics::Registry registry;
  http::Router router;
  host::UnavailableClusterAccess cluster;
  host::PluginManager manager{registry, router, cluster, "{}"};

  explicit Standalone(const json& config) {
    config::PluginEntry e;
    e.name = "orchestrator";
    e.path = std::string(MYSQLOP_BINARY_DIR) + "/bin/plugins/mysqlop_orchestrator.so";
    e.configJson = config.dump();
    e.origin = "test";
    manager.loadAll({e});
  }
  ~Standalone() { manager.destroyAll(); }

  http::Response get(const std::string& path, const std::string& query = "") {
    http::Request req;
    req.method = "GET";
    req.path = path;
    req.query = query;
    http::Response resp;
    router.dispatch(req, resp);
    return resp;
  }
  http::Response post(const std::string& path, const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.path = path;
    req.body = body;
    http::Response resp;
    router.dispatch(req, resp);
    return resp;
  }
  std::string loadError() const { return manager.plugins().at(0)->loadError.message; }
};

TEST(OrchestratorStandaloneHost, RoutesAndMetricsWithoutKubernetes) {
  TempDir dir;
  const std::string path = dir.file("audit.db");
  {
    auto store = AuditStore::open({path, 7});
    ASSERT_TRUE(store.ok()) << store.error;
    auto id = store.value->beginRecovery({"bench", "DeadMaster", "127.0.0.1:3306", {}, 0, 0});
    ASSERT_TRUE(id.ok());
    ASSERT_EQ(store.value->endRecovery(id.value, true, "127.0.0.2:3306", {}, ""), "");
  }
  Standalone host(json{{"auditPath", path}});
  ASSERT_EQ(host.loadError(), "");

  http::Response r = host.get("/plugins/orchestrator/api/recoveries");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/json");
  const json j = json::parse(r.body);
  ASSERT_EQ(j["recoveries"].size(), 1u);
  EXPECT_EQ(j["recoveries"][0]["cluster"], "bench");
  EXPECT_EQ(j["recoveries"][0]["successorHost"], "127.0.0.2:3306");

  r = host.get("/plugins/orchestrator/api/topology");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"clusters":[]})");

  r = host.get("/plugins/orchestrator/api/recoveries", "limit=x");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "limit must be an integer from 1 to 1000\n");

  r = host.get("/plugins/orchestrator/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/html; charset=utf-8");

  const std::string metrics = host.registry.render();
  for (const char* family : {"# TYPE mysqlop_orchestrator_probe_seconds histogram",
                             "# TYPE mysqlop_orchestrator_probe_errors_total counter",
                             "# TYPE mysqlop_orchestrator_detections_total counter",
                             "# TYPE mysqlop_orchestrator_recoveries_total counter",
                             "# TYPE mysqlop_orchestrator_recovery_seconds histogram"}) {
    EXPECT_NE(metrics.find(family), std::string::npos) << family << "\n" << metrics;
  }
}

TEST(OrchestratorStandaloneHost, UnusableAuditPathRefusesThePlugin) {
  TempDir dir;
  Standalone host(json{{"auditPath", dir.path()}});
  EXPECT_EQ(host.loadError(),
            "plugin \"orchestrator\": create failed (InvalidConfig): config.auditPath: cannot open "
            "the audit store " +
                dir.path() + ": " + dir.path() + " is a directory");
  // Its routes are gone with it.
  EXPECT_EQ(host.get("/plugins/orchestrator/api/topology").status, 404);
}

TEST(OrchestratorStandaloneHost, TemporaryDefaultStoreIsRemovedWithThePlugin) {
  // Outside a pod the data volume directory is not looked at, even when the machine has one (a
  // local pod's mount point may leave it).
  ASSERT_EQ(std::getenv("KUBERNETES_SERVICE_HOST"), nullptr) << "this test runs outside a pod";
  TempDir tmp;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  {
    Standalone host(json::object());
    ::setenv("TMPDIR", saved.c_str(), 1);
    ASSERT_EQ(host.loadError(), "");
    std::vector<fs::path> made(fs::directory_iterator(tmp.path()), fs::directory_iterator());
    ASSERT_EQ(made.size(), 1u);
    EXPECT_EQ(made[0].filename().string().rfind("mysqlop-orchestrator-", 0), 0u);
    EXPECT_TRUE(fs::exists(made[0] / "audit.db"));
    EXPECT_EQ(host.get("/plugins/orchestrator/api/recoveries").body, R"({"recoveries":[]})");
  }
  if (saved.empty()) {
    ::unsetenv("TMPDIR");
  }
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

// The switchover routes (README "Planned switchover") without Kubernetes and without a static
// cluster: every bad body and an unknown cluster, with the exact messages.
TEST(OrchestratorStandaloneHost, SwitchoverRoutesRefuseBadRequests) {
  TempDir dir;
  Standalone host(json{{"auditPath", dir.file("audit.db")}});
  ASSERT_EQ(host.loadError(), "");
  const std::string route = "/plugins/orchestrator/api/switchover";
  http::Response r = host.post(route, "not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "the body must be a JSON object: {\"cluster\": ..., \"to\": ...}\n");
  r = host.post(route, R"({"to": "auto"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body,
            "\"cluster\" must be a non-empty string: <namespace>/<name> or a static cluster's "
            "name\n");
  r = host.post(route, R"({"cluster": "default/db", "to": 3})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "\"to\" must be a string: a pod name, host:port or \"auto\"\n");
  r = host.post(route, R"({"cluster": "default/db", "force": true})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "unknown field \"force\" (known: cluster, to)\n");
  r = host.post(route, R"({"cluster": "nosuch"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "no cluster nosuch (a MysqlCluster <namespace>/<name> or a static cluster)\n");
  r = host.post(route, R"({"cluster": "default/db", "to": "db-mysql-1"})");
  EXPECT_EQ(r.status, 404);  // no Kubernetes here: no MysqlCluster can be read
  r = host.get("/plugins/orchestrator/api/master/db.default");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"Code":"ERROR","Message":"no cluster db.default"})");
  r = host.get("/plugins/orchestrator/api/graceful-master-takeover-auto/db.default");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"Code":"ERROR","Message":"no cluster db.default"})");
}

}  // namespace
}  // namespace mysqlop::orchestrator
