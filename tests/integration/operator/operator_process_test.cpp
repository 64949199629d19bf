// The real mysql-operator binary, run standalone (without Kubernetes): flags and config errors,
// /metrics, /healthz, /readyz, plugin routes, log formats, secrets never printed, clean shutdown.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Process.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/kube/operator_process.h"
#include "tests/support/read_lines.h"
#include "tests/support/wait/eventually.h"

namespace {

namespace fs = std::filesystem;
using mysqlop::testing::OperatorProcess;
using ::testing::HasSubstr;
using ::testing::Not;

std::string fixture(const std::string& name) {
  return std::string(MYSQLOP_BINARY_DIR) + "/tests/fixtures/" + name + ".so";
}

std::pair<int, std::string> httpGet(int port, const std::string& path) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::stringstream body;
  body << s.receiveResponse(resp).rdbuf();
  return {static_cast<int>(resp.getStatus()), body.str()};
}

class Operator : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mysqlop-op-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string config(const std::string& text) {
    const std::string p = (dir_ / "config.yaml").string();
    std::ofstream(p) << text;
    return p;
  }
  std::vector<std::string> standalone(const std::string& cfg) {
    return {"--standalone",   "--config",     cfg,
            "--metrics-addr", "127.0.0.1:0",  "--healthz-addr",
            "127.0.0.1:0",    "--plugin-dir", (dir_ / "no-bundled").string()};
  }
  fs::path dir_;
};

TEST_F(Operator, ServesMetricsHealthReadinessAndPluginRoutes) {
  const std::string examples = std::string(MYSQLOP_BINARY_DIR) + "/sdk/examples/";
  OperatorProcess op(standalone(config(
      "plugins:\n  - name: example-echo\n    path: " + examples +
      "mysqlop_example_reconciler.so\n  - name: good\n    path: " + fixture("good") + "\n")));
  const int metrics = op.portOf("/metrics");
  const int health = op.portOf("/healthz and /readyz");
  EXPECT_EQ(httpGet(health, "/healthz"), std::make_pair(200, std::string("ok\n")));
  // The endpoints serve before the plugins have loaded (/readyz then answers 503 "plugins are
  // loading"): readiness is asserted once the operator says loading has ended.
  ASSERT_FALSE(op.waitFor("plugins loaded: 2 of 2 enabled").empty()) << op.err();
  EXPECT_EQ(httpGet(health, "/readyz"), std::make_pair(200, std::string("ok\n")));
  auto [code, text] = httpGet(metrics, "/metrics");
  EXPECT_EQ(code, 200);
  EXPECT_THAT(text, HasSubstr("mysqlop_plugin_info{plugin=\"example-echo\",version=\"1.0.0\","
                              "kind=\"reconciler\",abi=\"1.2\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("mysqlop_plugin_info{plugin=\"good\",version=\"1.0.0\","
                              "kind=\"reconciler\",abi=\"1.2\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE process_resident_memory_bytes gauge\n"));
  EXPECT_THAT(text, HasSubstr("mysqlop_reconcile_max_workers{plugin=\"good\"} 1\n"));
  EXPECT_EQ(httpGet(metrics, "/plugins/example-echo/echoes"),
            std::make_pair(200, std::string("0\n")));
  EXPECT_EQ(httpGet(metrics, "/plugins/example-echo/nothing").first, 404);
  EXPECT_EQ(op.terminate(), 0);
  EXPECT_THAT(op.err(), HasSubstr("received signal 15, shutting down"));
  EXPECT_THAT(op.err(), HasSubstr("stopped\n"));
}

TEST_F(Operator, RefusedPluginMakesItUnreadyButTheRestRuns) {
  OperatorProcess op(
      standalone(config("plugins:\n  - name: broken\n    path: " + fixture("bad_magic") +
                        "\n  - name: good\n    path: " + fixture("good") + "\n")));
  const int metrics = op.portOf("/metrics");
  const int health = op.portOf("/healthz and /readyz");
  // The endpoints answer while the plugins load ("plugins are loading"); then only "broken" is
  // missing.
  ASSERT_FALSE(op.waitFor("plugins loaded: 1 of 2 enabled").empty()) << op.err();
  EXPECT_EQ(httpGet(health, "/readyz"),
            std::make_pair(503, std::string("plugin broken: not loaded: bad_magic\n")));
  EXPECT_EQ(httpGet(health, "/healthz").first, 200);
  EXPECT_THAT(
      httpGet(metrics, "/metrics").second,
      HasSubstr("mysqlop_plugin_load_errors_total{plugin=\"broken\",reason=\"bad_magic\"} 1\n"));
  EXPECT_THAT(op.err(), HasSubstr("refused plugin \"broken\" from " + fixture("bad_magic") +
                                  ": plugin \"broken\": bad magic 0xDEADBEEF in its descriptor "
                                  "(expected 0x4D59504C) [reason=bad_magic]"));
  EXPECT_EQ(op.terminate(), 0);
}

TEST_F(Operator, SigtermStopsTheServiceThenRemovesItsRoutesThenDestroysIt) {
  // The service fixture records its lifecycle in order, one line per call (tests/fixtures/plugins).
  const std::string order = (dir_ / "service.log").string();
  OperatorProcess op(
      standalone(config("plugins:\n  - name: service-only\n    path: " + fixture("service_only") +
                        "\n    config:\n      log: " + order + "\n")));
  auto lines = [&] { return mysqlop::testing::readLines(order); };
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(lines().size() >= 3)) << op.err();  // create, start, ...
  EXPECT_EQ(httpGet(op.portOf("/metrics"), "/plugins/service-only/ping"),
            std::make_pair(200, std::string("pong\n")));
  EXPECT_EQ(op.terminate(), 0);
  const auto l = lines();
  ASSERT_GE(l.size(), 4U);
  EXPECT_EQ(l[0], "create");
  EXPECT_EQ(l[1], "start");
  EXPECT_EQ(std::count(l.begin(), l.end(), "stop"), 1);
  EXPECT_EQ(l[l.size() - 2], "call_begin after stop: refused");
  EXPECT_EQ(l.back(), "destroy (handlers: 0)");
}

TEST_F(Operator, ConfigErrorExitsWithOneLine) {
  const std::string cfg = config("plugins:\n  - name: x\n    wokers: 2\n");
  OperatorProcess op({"--config", cfg});
  EXPECT_EQ(op.wait(), 2);
  EXPECT_EQ(op.err(), "mysql-operator: " + cfg +
                          ":3:5: plugins[0].wokers: unknown key (expected one of: config, enabled, "
                          "name, path, workers)\n");
}

TEST_F(Operator, UnknownFlagExitsWithOneLine) {
  OperatorProcess op({"--metrics-adress=:9"});
  EXPECT_EQ(op.wait(), 2);
  EXPECT_EQ(op.err(), "mysql-operator: unknown flag --metrics-adress (see --help)\n");
}

TEST_F(Operator, PortInUseExitsNonZeroNamingTheAddress) {
  OperatorProcess first(standalone(config("")));
  const int port = first.portOf("/metrics");
  auto args = standalone(config(""));
  args[4] = "127.0.0.1:" + std::to_string(port);
  OperatorProcess second(args);
  EXPECT_EQ(second.wait(), 1);
  EXPECT_THAT(
      second.err(),
      HasSubstr("metrics server: cannot listen on 127.0.0.1:" + std::to_string(port) + ": "));
  EXPECT_EQ(first.terminate(), 0);
}

TEST_F(Operator, JsonLogLinesAndNoSecretAnywhere) {
  const std::string orcPassword = "orc-S3cr3t-from-env";
  const std::string cfgPassword = "cfg-Pa55-in-config";
  Poco::Process::Env env{{"ORC_TOPOLOGY_USER", "orchestrator"},
                         {"ORC_TOPOLOGY_PASSWORD", orcPassword}};
  auto args =
      standalone(config("plugins:\n  - name: logs-secrets\n    path: " + fixture("logs_secrets") +
                        "\n    config:\n      password: " + cfgPassword + "\n      note: plain\n"));
  args.emplace_back("--log-format=json");
  OperatorProcess op(args, env);
  const int metrics = op.portOf("/metrics");
  const std::string text = httpGet(metrics, "/metrics").second;
  EXPECT_EQ(op.terminate(), 0);
  const std::string log = op.err();
  EXPECT_THAT(log, HasSubstr("orchestratorTopologyUser\\\":\\\"orchestrator"));  // it did log them
  EXPECT_THAT(log, HasSubstr("note\\\":\\\"plain"));
  EXPECT_THAT(log, Not(HasSubstr(orcPassword)));
  EXPECT_THAT(log, Not(HasSubstr(cfgPassword)));
  EXPECT_THAT(text, Not(HasSubstr(orcPassword)));
  std::istringstream lines(log);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(j.is_object()) << line;
    ++count;
  }
  EXPECT_GE(count, 5);
}

TEST_F(Operator, HelpPrintsUsageAndExitsZero) {
  OperatorProcess op({"--help"});
  EXPECT_EQ(op.wait(), 0);
}

}  // namespace
