// The real mysql-operator binary against the local API server: configuration errors, a
// reconciler plugin driven by informers with live host callbacks (object change + Event), and
// leader election between two processes (hand-over on kill and on SIGTERM; on loss, services stop
// once, then the process exits).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/kube/kube_env.h"
#include "tests/support/kube/operator_process.h"
#include "tests/support/read_lines.h"

namespace mysqlop::kube::testing {

using mysqlop::testing::OperatorProcess;
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const Resource kFixtureWidgets{"fixtures.mysqlop.io", "v1", "Widget", "widgets", true};
const Resource kCrds{"apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                     "customresourcedefinitions", false};

std::string fixture(const std::string& name) {
  return std::string(MYSQLOP_BINARY_DIR) + "/tests/fixtures/" + name + ".so";
}
std::string echoPlugin() {
  return std::string(MYSQLOP_BINARY_DIR) + "/sdk/examples/mysqlop_example_reconciler.so";
}

// MicroTime "2024-05-01T12:03:10.123456Z" -> microseconds since the epoch.
long long micros(const std::string& t) {
  std::tm tm{};
  strptime(t.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  long long us = static_cast<long long>(timegm(&tm)) * 1000000;
  if (t.size() > 20 && t[19] == '.') {
    us += std::stoll(t.substr(20, 6));
  }
  return us;
}

class OperatorKubeTest : public KubeEnv {
 protected:
  void SetUp() override {
    KubeEnv::SetUp();
    dir_ = api_.dataDir() + "/operator-test";
    std::filesystem::create_directories(dir_);
    leaseName_ = "lease-" + std::to_string(::getpid());
  }
  std::string writeConfig(const std::string& text) {
    const std::string p = dir_ + "/operator.yaml";
    std::ofstream(p) << text;
    return p;
  }
  std::vector<std::string> args(const std::string& config, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"--kubeconfig",
                                  api_.kubeconfigPath(),
                                  "--config",
                                  config,
                                  "--metrics-addr",
                                  "127.0.0.1:0",
                                  "--healthz-addr",
                                  "127.0.0.1:0",
                                  "--plugin-dir",
                                  dir_ + "/no-bundled-plugins",
                                  "--leader-election-namespace",
                                  "default",
                                  "--leader-election-id",
                                  leaseName_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  Result<json> lease() {
    return client_->get(Resource{"coordination.k8s.io", "v1", "Lease", "leases", true}, "default",
                        leaseName_);
  }
  std::string holder() {
    auto l = lease();
    return l.ok() ? (*l)["spec"].value("holderIdentity", "") : "";
  }
  static std::string identity(OperatorProcess& op) {
    return op.waitFor("leader election on Lease default/[a-z0-9-]+ as ([^\\s]+)");
  }

  std::string dir_;
  std::string leaseName_;
};

TEST(OperatorKubeConfig, NoKubernetesConfigurationExitsWith2AndOneLine) {
  const std::string home =
      std::filesystem::temp_directory_path() / ("mysqlop-nohome-" + std::to_string(::getpid()));
  OperatorProcess op({"--metrics-addr", "127.0.0.1:0", "--healthz-addr", "127.0.0.1:0"},
                     Poco::Process::Env{{"HOME", home},
                                        {"KUBECONFIG", ""},
                                        {"KUBERNETES_SERVICE_HOST", ""},
                                        {"KUBERNETES_SERVICE_PORT", ""}});
  EXPECT_EQ(op.wait(), 2);
  EXPECT_EQ(op.err(),
            "mysql-operator: no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, "
            "run in a cluster (KUBERNETES_SERVICE_HOST), create ~/.kube/config, or use "
            "--standalone\n");
}

TEST(OperatorKubeConfig, BrokenKubeconfigExitsWith2AndOneLine) {
  const std::string path =
      std::filesystem::temp_directory_path() / ("mysqlop-badkc-" + std::to_string(::getpid()));
  std::ofstream(path)
      << "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
         "clusters:\n- name: k\n  cluster: {server: 'https://127.0.0.1:1'}\n"
         "users:\n- name: u\n  user:\n    exec: {command: aws}\n";
  OperatorProcess op({"--kubeconfig", path});
  EXPECT_EQ(op.wait(), 2);
  EXPECT_EQ(op.err(), "mysql-operator: kubeconfig " + path +
                          ": user \"u\" uses an exec credential plugin, which mysql-operator does "
                          "not support; use token, tokenFile or a client certificate\n");
  std::filesystem::remove(path);
}

TEST_F(OperatorKubeTest, ReconcilerPluginWithLiveCallbacks) {
  // The "good" fixture reconciles fixtures.mysqlop.io Widgets; serve them.
  json crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", "widgets.fixtures.mysqlop.io"}}},
      {"spec",
       {{"group", "fixtures.mysqlop.io"},
        {"scope", "Namespaced"},
        {"names",
         {{"plural", "widgets"},
          {"singular", "widget"},
          {"kind", "Widget"},
          {"listKind", "WidgetList"}}},
        {"versions", json::array({{{"name", "v1"},
                                   {"served", true},
                                   {"storage", true},
                                   {"schema",
                                    {{"openAPIV3Schema",
                                      {{"type", "object"},
                                       {"x-kubernetes-preserve-unknown-fields", true}}}}}}})}}}};
  ASSERT_TRUE(client_->create(kCrds, crd).ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(client_->list(kFixtureWidgets, "default").ok()));
  // An object that exists before the operator starts is reconciled from the initial list.
  json before = configMap("default", "before");
  before["metadata"]["annotations"] = {{"example.mysqlop.io/echo", "from the list"}};
  ASSERT_TRUE(client_->create(resources::kConfigMaps, before).ok());

  OperatorProcess op(
      args(writeConfig("plugins:\n  - name: example-echo\n    path: " + echoPlugin() +
                       "\n  - name: good\n    path: " + fixture("good") + "\n")));
  ASSERT_FALSE(identity(op).empty()) << op.err();
  ASSERT_FALSE(op.waitFor("leading: starting the reconcilers").empty()) << op.err();

  auto echoOf = [&](const std::string& name) {
    auto cm = client_->get(resources::kConfigMaps, "default", name);
    return cm.ok() && cm->contains("data") && (*cm)["data"].is_object()
               ? (*cm)["data"].value("echo", "")
               : std::string();
  };
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(echoOf("before") == "from the list")) << op.err();

  json cm = configMap("default", "greeting");
  cm["metadata"]["annotations"] = {{"example.mysqlop.io/echo", "hello"}};
  ASSERT_TRUE(client_->create(resources::kConfigMaps, cm).ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(echoOf("greeting") == "hello")) << op.err();
  // A change of the annotation is seen through the watch and echoed again.
  auto cur = client_->get(resources::kConfigMaps, "default", "greeting");
  (*cur)["metadata"]["annotations"]["example.mysqlop.io/echo"] = "hello again";
  ASSERT_TRUE(client_->update(resources::kConfigMaps, *cur).ok());
  EXPECT_TRUE(MYSQLOP_EVENTUALLY(echoOf("greeting") == "hello again")) << op.err();

  // The plugin's Event, through the recorder: one Event counted twice for "greeting".
  auto echoedEvent = [&]() -> json {
    auto evs = client_->list(resources::kEvents, "default");
    for (const json& e : evs.ok() ? *evs : std::vector<json>{}) {
      if (e["involvedObject"]["name"] == "greeting" && e["reason"] == "Echoed") {
        return e;
      }
    }
    return nullptr;
  };
  ASSERT_TRUE(eventually(
      "the Echoed Event to count 2",
      [&] {
        auto e = echoedEvent();
        return !e.is_null() && e["count"] == 2;
      },
      [&] { return echoedEvent().dump(); }));
  const json e = echoedEvent();
  EXPECT_EQ(e["type"], "Normal");
  EXPECT_EQ(e["message"], "copied the echo annotation to data");
  EXPECT_EQ(e["source"]["component"], "mysql-operator");
  EXPECT_EQ(e["involvedObject"]["kind"], "ConfigMap");

  // A Terminal result becomes a Warning Event on the primary object (the host's ReconcileFailed).
  json widget = {{"apiVersion", "fixtures.mysqlop.io/v1"},
                 {"kind", "Widget"},
                 {"metadata", {{"name", "terminal"}, {"namespace", "default"}}}};
  ASSERT_TRUE(client_->create(kFixtureWidgets, widget).ok());
  auto failedEvent = [&]() -> json {
    auto evs = client_->list(resources::kEvents, "default");
    for (const json& ev : evs.ok() ? *evs : std::vector<json>{}) {
      if (ev["involvedObject"]["name"] == "terminal" && ev["reason"] == "ReconcileFailed") {
        return ev;
      }
    }
    return nullptr;
  };
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!failedEvent().is_null())) << op.err();
  EXPECT_EQ(failedEvent()["type"], "Warning");
  EXPECT_EQ(failedEvent()["message"], "fixture gave up on default/terminal");
  EXPECT_EQ(failedEvent()["involvedObject"]["kind"], "Widget");

  const std::string metrics = op.get("/metrics");
  EXPECT_THAT(metrics,
              HasSubstr("mysqlop_informer_events_total{resource=\"configmaps\",event=\"add\"}"));
  EXPECT_THAT(metrics,
              HasSubstr("mysqlop_rest_client_requests_total{verb=\"patch\",code=\"200\"}"));
  EXPECT_THAT(metrics,
              HasSubstr("mysqlop_leader_election_master_status{name=\"" + leaseName_ + "\"} 1"));
  EXPECT_EQ(op.terminate(), 0);
  EXPECT_THAT(op.err(), HasSubstr("leader election: released lease default/" + leaseName_));
  EXPECT_THAT(op.err(), Not(HasSubstr(api_.token())));
}

TEST_F(OperatorKubeTest, LeadershipHandsOverWhenTheLeaderDies) {
  const std::string cfg =
      writeConfig("plugins:\n  - name: example-echo\n    path: " + echoPlugin() + "\n");
  auto a = std::make_unique<OperatorProcess>(args(cfg));
  const std::string idA = identity(*a);
  ASSERT_FALSE(a->waitFor("leading: starting").empty()) << a->err();
  ASSERT_EQ(holder(), idA);
  OperatorProcess b(args(cfg));
  const std::string idB = identity(b);
  ASSERT_FALSE(idB.empty());
  ASSERT_NE(idA, idB);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(b.waitFor("the leader is now ([^\\s]+)") == idA));
  const std::string gauge = "mysqlop_leader_election_master_status{name=\"" + leaseName_ + "\"}";
  EXPECT_EQ(b.metric(gauge), 0);
  EXPECT_EQ(a->metric(gauge), 1);

  // Only the leader reconciles.
  json cm = configMap("default", "one");
  cm["metadata"]["annotations"] = {{"example.mysqlop.io/echo", "1"}};
  ASSERT_TRUE(client_->create(resources::kConfigMaps, cm).ok());
  const std::string echoes = "mysqlop_reconcile_total{plugin=\"example-echo\",result=\"success\"}";
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(a->metric(echoes) >= 1));
  EXPECT_LE(b.metric(echoes), 0);

  const auto before = *lease();
  a->killHard();
  const json last = *lease();  // the dead leader's last renew
  ASSERT_EQ(last["spec"]["holderIdentity"], idA);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(within(120s), holder() == idB)) << b.err();
  const json taken = *lease();
  const long long lastRenew = micros(last["spec"]["renewTime"]);
  const long long acquired = micros(taken["spec"]["acquireTime"]);
  // Safety: the follower waited a whole lease duration after it last saw the lease change.
  EXPECT_GE(acquired - lastRenew, 15LL * 1000000);
  EXPECT_EQ(taken["spec"]["leaseTransitions"].get<int>(),
            before["spec"]["leaseTransitions"].get<int>() + 1);
  std::printf(
      "[ metric   ] hand-over after the leader was killed: %.2f s after its last renew "
      "(lease duration 15 s)\n",
      static_cast<double>(acquired - lastRenew) / 1e6);
  ASSERT_FALSE(b.waitFor("leading: starting").empty());
  EXPECT_EQ(b.metric(gauge), 1);
  json two = configMap("default", "two");
  two["metadata"]["annotations"] = {{"example.mysqlop.io/echo", "2"}};
  ASSERT_TRUE(client_->create(resources::kConfigMaps, two).ok());
  EXPECT_TRUE(eventually(
      "ConfigMap default/two to be echoed by the new leader",
      [&] {
        auto c = client_->get(resources::kConfigMaps, "default", "two");
        return c.ok() && c->contains("data") && (*c)["data"].value("echo", "") == "2";
      },
      [&] {
        auto c = client_->get(resources::kConfigMaps, "default", "two");
        return c.ok() ? c->dump() : c.error().message;
      }));
  EXPECT_EQ(b.terminate(), 0);
}

TEST_F(OperatorKubeTest, SigtermReleasesTheLeaseForAQuickHandOver) {
  const std::string cfg = writeConfig("plugins: []\n");
  OperatorProcess a(args(cfg));
  const std::string idA = identity(a);
  ASSERT_FALSE(a.waitFor("leading: starting").empty()) << a.err();
  OperatorProcess b(args(cfg));
  const std::string idB = identity(b);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(b.waitFor("the leader is now ([^\\s]+)") == idA));
  const json last = *lease();
  EXPECT_EQ(a.terminate(), 0);
  EXPECT_THAT(a.err(), HasSubstr("leader election: released lease default/" + leaseName_));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(within(120s), holder() == idB)) << b.err();
  const json taken = *lease();
  const long long lastRenewOfA = micros(last["spec"]["renewTime"]);
  const long long acquired = micros(taken["spec"]["acquireTime"]);
  // B did not wait for A's lease to expire: the release let it in before that.
  EXPECT_LT(acquired, lastRenewOfA + 15LL * 1000000 + 2LL * 1000000);
  std::printf("[ metric   ] hand-over after SIGTERM: %.2f s after the leader's last renew\n",
              static_cast<double>(acquired - lastRenewOfA) / 1e6);
  EXPECT_EQ(b.terminate(), 0);
}

TEST_F(OperatorKubeTest, LosingTheLeaseExitsNonZeroAtOnce) {
  OperatorProcess a(args(writeConfig("plugins: []\n")));
  ASSERT_FALSE(a.waitFor("leading: starting").empty()) << a.err();
  api_.stop();  // renewals fail until the renew deadline (10 s) passes
  EXPECT_EQ(a.wait(), 1);
  EXPECT_THAT(a.err(),
              HasSubstr("failed to renew lease default/" + leaseName_ + " within 10000 ms"));
  EXPECT_THAT(a.err(), HasSubstr("lost the leader-election lease: exiting"));
}

TEST_F(OperatorKubeTest, LosingTheLeaseStopsTheServiceOnceThenExits) {
  // The service fixture records its lifecycle, one line per call (tests/fixtures/plugins).
  const std::string order = dir_ + "/service-only.log";
  std::filesystem::remove(order);
  OperatorProcess a(
      args(writeConfig("plugins:\n  - name: service-only\n    path: " + fixture("service_only") +
                       "\n    config:\n      log: " + order + "\n")));
  ASSERT_FALSE(a.waitFor("leading: starting").empty()) << a.err();
  auto lines = [&] { return mysqlop::testing::readLines(order); };
  auto has = [&](const std::string& line) {
    const auto l = lines();
    return std::find(l.begin(), l.end(), line) != l.end();
  };
  ASSERT_TRUE(eventually("the service fixture logged \"start\"", [&] { return has("start"); }))
      << a.err();
  api_.stop();  // renewals fail until the renew deadline (10 s) passes
  EXPECT_EQ(a.wait(), 1);
  EXPECT_THAT(a.err(), HasSubstr("lost the leader-election lease: exiting"));
  const auto l = lines();
  EXPECT_EQ(std::count(l.begin(), l.end(), "start"), 1);
  EXPECT_EQ(std::count(l.begin(), l.end(), "stop"), 1);
  ASSERT_FALSE(l.empty());
  // Stopped, then the process exited: nothing was destroyed.
  EXPECT_EQ(l.back(), "call_begin after stop: refused");
}

TEST_F(OperatorKubeTest, InClusterConfigurationAndThePodNamespace) {
  // A service-account mount as the kubelet writes it, through the test override of its path.
  const std::string sa = dir_ + "/serviceaccount";
  std::filesystem::create_directories(sa);
  std::ofstream(sa + "/token") << api_.token() << "\n";
  std::filesystem::copy_file(api_.caFile(), sa + "/ca.crt");
  std::ofstream(sa + "/namespace") << "ops";
  ASSERT_TRUE(createNamespace("ops").ok());
  std::vector<std::string> a = {"--config",
                                writeConfig("plugins: []\n"),
                                "--metrics-addr",
                                "127.0.0.1:0",
                                "--healthz-addr",
                                "127.0.0.1:0",
                                "--plugin-dir",
                                dir_ + "/none",
                                "--leader-election-id",
                                leaseName_};
  OperatorProcess op(a, Poco::Process::Env{{"KUBERNETES_SERVICE_HOST", "127.0.0.1"},
                                           {"KUBERNETES_SERVICE_PORT", std::to_string(api_.port())},
                                           {"MYSQLOP_TEST_SERVICEACCOUNT_DIR", sa},
                                           {"KUBECONFIG", ""},
                                           {"KUBE_NAMESPACE", ""},
                                           {"MY_POD_NAMESPACE", ""},
                                           {"HOME", dir_}});
  ASSERT_FALSE(op.waitFor("leading: starting").empty()) << op.err();
  EXPECT_THAT(op.err(), HasSubstr("Kubernetes API server https://127.0.0.1:" +
                                  std::to_string(api_.port()) + " (in-cluster (" + sa + "))"));
  // The Lease lives in the pod's namespace, read from the service-account mount.
  EXPECT_THAT(op.err(), HasSubstr("leader election on Lease ops/" + leaseName_));
  auto l = client_->get(Resource{"coordination.k8s.io", "v1", "Lease", "leases", true}, "ops",
                        leaseName_);
  ASSERT_TRUE(l.ok()) << l.error().message;
  EXPECT_EQ(op.terminate(), 0);
  EXPECT_THAT(op.err(), Not(HasSubstr(api_.token())));
}

TEST_F(OperatorKubeTest, LeaderElectionDisabledStartsAtOnce) {
  OperatorProcess a(args(writeConfig("plugins: []\n"), {"--leader-election=false"}));
  ASSERT_FALSE(a.waitFor("leading: starting").empty()) << a.err();
  EXPECT_THAT(a.err(), HasSubstr("leader election is disabled (--leader-election=false)"));
  EXPECT_EQ(lease().code(), Errc::NotFound);
  EXPECT_EQ(a.terminate(), 0);
}

}  // namespace
}  // namespace mysqlop::kube::testing
