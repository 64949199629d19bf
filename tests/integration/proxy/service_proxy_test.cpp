// The Service proxy against a real API server: real listeners on ClusterIPs (on a bridge device
// of the test's own), real backends, EndpointSlices written through the API as the controller
// would write them.
#include <algorithm>
#include <atomic>
#include <set>

#include "localcluster/proxy/service_proxy.h"
#include "tests/integration/proxy/proxy_env.h"
#include "tests/integration/proxy/service_ip_device.h"
#include "tests/integration/proxy/test_backend.h"

namespace mysqlop::local::proxy::it {
namespace {

class ServiceProxyTest : public ProxyEnv {
 protected:
  void SetUp() override {
    ProxyEnv::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    ASSERT_TRUE(device_.ok()) << "cannot create the bridge " << device_.name();
    createNamespace("db");
    ASSERT_TRUE(a_.start("127.0.0.2", "A"));
    ASSERT_TRUE(b_.start("127.0.0.3", "B", a_.port()));
    port_ = a_.port();
  }
  void TearDown() override {
    if (proxy_) {
      proxy_->stop();
    }
    ProxyEnv::TearDown();
  }

  void startProxy(ServiceIpHooks hooks, ProxyOptions options = {}) {
    proxy_ = std::make_unique<ServiceProxy>(*informers_, std::move(hooks), options);
    proxy_->start();
    startInformers();
  }
  void startProxy() { startProxy(device_.hooks()); }

  bool listeningOn(const std::string& key) {
    auto l = proxy_->listening();
    return std::find(l.begin(), l.end(), key) != l.end();
  }
  std::string listeningText() {
    std::string out;
    for (const auto& k : proxy_->listening()) {
      out += k + " ";
    }
    return out;
  }

  ServiceIpDevice device_;
  TestBackend a_;
  TestBackend b_;
  int port_ = 0;
  std::unique_ptr<ServiceProxy> proxy_;
};

TEST_F(ServiceProxyTest, RoundRobinOverReadyEndpointsAndEcho) {
  std::string ip = device_.ip(10);
  createService("db", "api", ip, {{"", 3306, port_}});
  putSlice("db", "api", {{"127.0.0.2", ""}, {"127.0.0.3", ""}}, {{"", port_}});
  startProxy();
  ASSERT_TRUE(eventually(
      "listening on the ClusterIP", [&] { return listeningOn(ip + ":3306"); },
      [&] { return listeningText(); }));
  EXPECT_NE(device_.addresses().find(ip + "/32"), std::string::npos) << device_.addresses();
  ASSERT_TRUE(eventually("both endpoints known",
                         [&] { return backendOf(ip, 3306) != backendOf(ip, 3306); }));

  std::vector<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    seen.push_back(backendOf(ip, 3306));
  }
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.begin() + 2),
            (std::set<std::string>{"A", "B"}));
  EXPECT_EQ(seen[2], seen[0]);
  EXPECT_EQ(seen[3], seen[1]);

  // Bytes both ways, and a half-close passed on: the backend's FIN follows the client's.
  TestClient c;
  ASSERT_TRUE(c.connect(ip, 3306));
  EXPECT_FALSE(c.line().empty());
  ASSERT_TRUE(c.send("hello "));
  ASSERT_TRUE(c.send(std::string(300000, 'x')));
  c.shutdownWrite();
  EXPECT_EQ(c.rest(), "hello " + std::string(300000, 'x'));
  ASSERT_TRUE(eventually("the connection is over", [&] { return proxy_->stats().open == 0; }));
  EXPECT_GE(proxy_->stats().forwarded, 7u);
}

TEST_F(ServiceProxyTest, NotReadyAndDeadEndpointsAreSkipped) {
  std::string ip = device_.ip(11);
  createService("db", "api", ip, {{"", 3306, port_}});
  // B not ready; 127.0.0.4 "ready" but nothing listens there: connections fall through to A.
  putSlice("db", "api", {{"127.0.0.2", ""}, {"127.0.0.3", "", false}, {"127.0.0.4", ""}},
           {{"", port_}});
  startProxy();
  ASSERT_TRUE(eventually("listening", [&] { return listeningOn(ip + ":3306"); }));
  ASSERT_TRUE(eventually("A answers", [&] { return backendOf(ip, 3306) == "A"; }));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(backendOf(ip, 3306), "A");
  }
  EXPECT_EQ(b_.connections(), 0);
}

TEST_F(ServiceProxyTest, NoReadyEndpointClosesTheClient) {
  std::string ip = device_.ip(12);
  createService("db", "api", ip, {{"", 3306, port_}});
  putSlice("db", "api", {{"127.0.0.2", "", false}}, {{"", port_}});
  startProxy();
  ASSERT_TRUE(eventually("listening", [&] { return listeningOn(ip + ":3306"); }));
  auto before = proxy_->stats().refused;
  EXPECT_EQ(backendOf(ip, 3306), "");
  ASSERT_TRUE(
      eventually("counted as refused", [&] { return proxy_->stats().refused == before + 1; }));
  EXPECT_EQ(a_.connections(), 0);
}

TEST_F(ServiceProxyTest, EndpointChangesAffectNewConnectionsOnly) {
  std::string ip = device_.ip(13);
  createService("db", "api", ip, {{"", 3306, port_}});
  putSlice("db", "api", {{"127.0.0.2", ""}}, {{"", port_}});
  startProxy();
  ASSERT_TRUE(eventually("listening", [&] { return listeningOn(ip + ":3306"); }));
  ASSERT_TRUE(eventually("A answers", [&] { return backendOf(ip, 3306) == "A"; }));
  TestClient old;
  ASSERT_TRUE(old.connect(ip, 3306));
  ASSERT_EQ(old.line(), "A");

  // As the EndpointSlice controller does when a pod's labels stop matching and another's start.
  auto changed = std::chrono::steady_clock::now();
  putSlice("db", "api", {{"127.0.0.3", ""}}, {{"", port_}});
  ASSERT_TRUE(eventually("new connections go to B", [&] { return backendOf(ip, 3306) == "B"; }));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  changed);
  std::printf("slice change -> new backend for new connections: %lld ms\n",
              static_cast<long long>(ms.count()));
  EXPECT_EQ(backendOf(ip, 3306), "B");

  ASSERT_TRUE(old.send("still A\n"));
  EXPECT_EQ(old.line(), "still A");
}

TEST_F(ServiceProxyTest, NamedTargetPortResolvedPerSlice) {
  TestBackend other;
  ASSERT_TRUE(other.start("127.0.0.3", "B-admin"));
  std::string ip = device_.ip(14);
  createService("db", "api", ip, {{"mysql", 3306, "mysql"}, {"admin", 33062, "admin"}});
  // Two slices: the pods behind them name their ports differently, as after a rollout.
  putSlice("db", "api", {{"127.0.0.2", ""}}, {{"mysql", port_}}, "api-one");
  putSlice("db", "api", {{"127.0.0.3", ""}}, {{"mysql", port_}, {"admin", other.port()}},
           "api-two");
  startProxy();
  ASSERT_TRUE(eventually(
      "both ports listen", [&] { return listeningOn(ip + ":3306") && listeningOn(ip + ":33062"); },
      [&] { return listeningText(); }));
  ASSERT_TRUE(eventually("both slices known", [&] {
    std::set<std::string> s = {backendOf(ip, 3306), backendOf(ip, 3306)};
    return s == std::set<std::string>{"A", "B"};
  }));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(backendOf(ip, 33062), "B-admin");
  }
}

TEST_F(ServiceProxyTest, RemovedPortAndDeletedServiceCloseListenersAndRemoveTheIp) {
  std::string ip = device_.ip(15);
  json svc = createService("db", "api", ip, {{"mysql", 3306, port_}, {"admin", 33062, port_}});
  putSlice("db", "api", {{"127.0.0.2", ""}}, {{"mysql", port_}, {"admin", port_}});
  startProxy();
  ASSERT_TRUE(eventually("both ports listen",
                         [&] { return listeningOn(ip + ":3306") && listeningOn(ip + ":33062"); }));
  TestClient open;
  ASSERT_TRUE(open.connect(ip, 33062));
  ASSERT_EQ(open.line(), "A");

  auto current = client_->get(kube::resources::kServices, "db", "api");
  ASSERT_TRUE(current.ok());
  json updated = current.value();
  updated["spec"]["ports"] = json::array({updated["spec"]["ports"][0]});
  ASSERT_TRUE(client_->update(kube::resources::kServices, updated).ok());
  ASSERT_TRUE(eventually(
      "the removed port is closed", [&] { return !listeningOn(ip + ":33062"); },
      [&] { return listeningText(); }));
  EXPECT_TRUE(listeningOn(ip + ":3306"));
  EXPECT_EQ(backendOf(ip, 33062), "") << "nothing listens there any more";

  deleteObject(kube::resources::kServices, "db", "api");
  ASSERT_TRUE(eventually("no listener", [&] { return proxy_->listening().empty(); }));
  // The connection opened before goes on: its ClusterIP stays on the machine until it ends.
  ASSERT_TRUE(open.send("after\n"));
  EXPECT_EQ(open.line(), "after");
  EXPECT_NE(device_.addresses().find(ip + "/32"), std::string::npos) << device_.addresses();
  open.close();
  ASSERT_TRUE(eventually(
      "the IP is removed once its last connection ended",
      [&] { return device_.addresses().find(ip + "/32") == std::string::npos; },
      [&] { return device_.addresses(); }));
}

TEST_F(ServiceProxyTest, StopClosesConnectionsAndRemovesIps) {
  std::string ip = device_.ip(16);
  createService("db", "api", ip, {{"", 3306, port_}});
  putSlice("db", "api", {{"127.0.0.2", ""}}, {{"", port_}});
  startProxy();
  ASSERT_TRUE(eventually("listening", [&] { return listeningOn(ip + ":3306"); }));
  ASSERT_TRUE(eventually("A answers", [&] { return backendOf(ip, 3306) == "A"; }));
  TestClient open;
  ASSERT_TRUE(open.connect(ip, 3306));
  ASSERT_EQ(open.line(), "A");
  proxy_->stop();
  EXPECT_EQ(open.rest(), "");  // EOF: the proxy closed it
  EXPECT_TRUE(proxy_->listening().empty());
  EXPECT_EQ(proxy_->stats().open, 0u);
  EXPECT_EQ(device_.addresses().find(ip + "/32"), std::string::npos) << device_.addresses();
}

TEST_F(ServiceProxyTest, DefaultKubernetesGoesToTheApiServer) {
  std::string ip = device_.ip(1);
  // A server that made default/kubernetes itself gave it the first IP of its own range.
  (void)client_->remove(kube::resources::kServices, "default", "kubernetes");
  ASSERT_TRUE(eventually("no default/kubernetes", [&] {
    return client_->get(kube::resources::kServices, "default", "kubernetes").is(Errc::NotFound);
  }));
  json k = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", "kubernetes"}, {"namespace", "default"}}},
      {"spec",
       {{"clusterIP", ip},
        {"ports",
         {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", api_.port()}}}}}}};
  auto created = client_->create(kube::resources::kServices, k);
  ASSERT_TRUE(created.ok()) << created.error().message;
  ProxyOptions options;
  options.apiServerPort = api_.port();
  startProxy(device_.hooks(), options);
  ASSERT_TRUE(eventually(
      "listening on 443", [&] { return listeningOn(ip + ":443"); },
      [&] { return listeningText(); }));

  // A client of the API through the ClusterIP, as a pod's in-cluster config would reach it.
  kube::RestConfig rc;
  rc.server = "https://" + ip + ":443";
  rc.insecureSkipTlsVerify = true;  // the serving certificate may not name this test's IP
  rc.token = api_.token();
  auto t = kube::HttpTransport::create(rc);
  ASSERT_TRUE(t.ok()) << t.error().message;
  kube::Client viaProxy(*t);
  auto ns = viaProxy.get(kube::resources::kNamespaces, "", "db");
  ASSERT_TRUE(ns.ok()) << ns.error().message;
  EXPECT_EQ(ns.value()["metadata"]["name"], "db");
}

TEST_F(ServiceProxyTest, IpThatCannotBeAddedIsRetried) {
  std::string ip = device_.ip(17);
  createService("db", "api", ip, {{"", 3306, port_}});
  putSlice("db", "api", {{"127.0.0.2", ""}}, {{"", port_}});
  std::atomic<int> attempts{0};
  ServiceIpHooks real = device_.hooks();
  ServiceIpHooks flaky{[&](const std::string& i) -> Result<void> {
                         if (attempts++ < 2) {
                           return fail(Errc::Unavailable, "not yet");
                         }
                         return real.add(i);
                       },
                       real.remove};
  startProxy(flaky);
  ASSERT_TRUE(eventually("listening after the retries", [&] { return listeningOn(ip + ":3306"); }));
  EXPECT_GE(attempts.load(), 3);
  EXPECT_EQ(backendOf(ip, 3306), "A");
}

}  // namespace
}  // namespace mysqlop::local::proxy::it
