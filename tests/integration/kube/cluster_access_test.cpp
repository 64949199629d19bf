// KubeClusterAccess (the plugin host's view of Kubernetes) against the local API server: reads
// from the cache or the server, writes, status without a subresource, Secrets, and how plugins
// find the MySQL master.
#include "core/kube/cluster_access.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/kube/base64.h"
#include "tests/integration/kube/kube_env.h"
#include "tests/integration/kube/test_crd.h"

namespace mysqlop::kube::testing {
namespace {

using nlohmann::json;

host::ResourceRef ref(const Resource& r) {
  return host::ResourceRef{r.group, r.version, r.kind, r.plural, r.namespaced};
}

class ClusterAccessTest : public KubeEnv {
 protected:
  void SetUp() override {
    KubeEnv::SetUp();
    ASSERT_TRUE(createNamespace("ns1").ok());
    ASSERT_TRUE(createNamespace("ns2").ok());
  }
  void TearDown() override {
    if (informers_) {
      informers_->stop();
    }
  }
  KubeClusterAccess& access(std::vector<Resource> informed = {}, const std::string& watchNs = "",
                            EndpointMode mode = EndpointMode::PodIp) {
    InformerOptions o;
    o.namespaceName = watchNs;
    informers_ = std::make_unique<InformerFactory>(*client_, o);
    for (const Resource& r : informed) {
      informers_->forResource(r);
    }
    informers_->start();
    EXPECT_TRUE(informers_->waitForCacheSync(std::chrono::seconds(60)));
    recorder_ = std::make_unique<EventRecorder>(*client_, EventRecorder::Options{});
    access_ =
        std::make_unique<KubeClusterAccess>(*client_, informers_.get(), recorder_.get(), mode);
    return *access_;
  }
  // A pod with the given labels; ready gives it a Ready condition and an IP.
  void pod(const std::string& name, const json& labels, bool ready, const std::string& ip,
           const std::string& subdomain = "") {
    json p = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}, {"namespace", "ns1"}, {"labels", labels}}},
        {"spec", {{"containers", json::array({{{"name", "mysql"}, {"image", "percona:5.7"}}})}}}};
    if (!subdomain.empty()) {
      p["spec"]["subdomain"] = subdomain;
    }
    auto created = client_->create(resources::kPods, p);
    ASSERT_TRUE(created.ok()) << created.error().message;
    json st = *created;
    st["status"]["phase"] = ip.empty() ? "Pending" : "Running";
    if (!ip.empty()) {
      st["status"]["podIP"] = ip;
    }
    st["status"]["conditions"] =
        json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}}});
    auto updated = client_->updateStatus(resources::kPods, st);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
  }
  void masterService(const json& selector) {
    json svc = {{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata", {{"name", "mc-mysql-master"}, {"namespace", "ns1"}}},
                {"spec", {{"ports", json::array({{{"port", 3306}}})}}}};
    if (!selector.is_null()) {
      svc["spec"]["selector"] = selector;
    }
    ASSERT_TRUE(client_->create(resources::kServices, svc).ok());
  }

  std::unique_ptr<InformerFactory> informers_;
  std::unique_ptr<EventRecorder> recorder_;
  std::unique_ptr<KubeClusterAccess> access_;
};

TEST_F(ClusterAccessTest, ReadsComeFromTheCacheWhenItCoversThem) {
  ASSERT_TRUE(
      client_->create(resources::kConfigMaps, configMap("ns1", "a", {}, {{"app", "x"}})).ok());
  ASSERT_TRUE(
      client_->create(resources::kConfigMaps, configMap("ns2", "b", {}, {{"app", "x"}})).ok());
  KubeClusterAccess& a = access({resources::kConfigMaps}, "ns1");
  EXPECT_TRUE(a.servedFromCache(resources::kConfigMaps, "ns1"));
  EXPECT_FALSE(a.servedFromCache(resources::kConfigMaps, "ns2"));  // outside watchNamespace
  EXPECT_FALSE(a.servedFromCache(resources::kConfigMaps, ""));
  EXPECT_FALSE(a.servedFromCache(resources::kSecrets, "ns1"));  // not informed

  auto cached = a.get(ref(resources::kConfigMaps), "ns1", "a");
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(json::parse(*cached)["metadata"]["name"], "a");
  EXPECT_EQ(json::parse(*cached)["kind"], "ConfigMap");
  auto fromServer = a.get(ref(resources::kConfigMaps), "ns2", "b");
  ASSERT_TRUE(fromServer.ok());
  EXPECT_EQ(json::parse(*fromServer)["metadata"]["name"], "b");
  // NotFound reads the same from the cache as from the server.
  auto missCache = a.get(ref(resources::kConfigMaps), "ns1", "zz");
  auto missServer = a.get(ref(resources::kConfigMaps), "ns2", "zz");
  EXPECT_EQ(missCache.code(), Errc::NotFound);
  EXPECT_EQ(missCache.error().message, "configmaps \"zz\" not found");
  EXPECT_EQ(missServer.error().message, missCache.error().message);

  auto listCached = a.list(ref(resources::kConfigMaps), "ns1", "app=x");
  ASSERT_TRUE(listCached.ok());
  const json l1 = json::parse(*listCached);
  ASSERT_EQ(l1.size(), 1u);
  EXPECT_EQ(l1[0]["metadata"]["name"], "a");
  auto listAll = a.list(ref(resources::kConfigMaps), "", "app=x");
  ASSERT_TRUE(listAll.ok());
  const json l2 = json::parse(*listAll);
  ASSERT_EQ(l2.size(), 2u);
  EXPECT_EQ(l2[1]["kind"], "ConfigMap");  // list items get their type too
  // The cache refuses a bad selector with the API server's own words.
  EXPECT_EQ(a.list(ref(resources::kConfigMaps), "ns1", "app in (").error().message,
            "unable to parse requirement: found '', expected: ',', ')' or identifier");
}

TEST_F(ClusterAccessTest, WritesGoToTheServer) {
  KubeClusterAccess& a = access({resources::kConfigMaps});
  auto created = a.create(ref(resources::kConfigMaps), configMap("ns1", "w", {{"k", "1"}}).dump());
  ASSERT_TRUE(created.ok()) << created.error().message;
  json obj = json::parse(*created);
  obj["data"]["k"] = "2";
  auto updated = a.update(ref(resources::kConfigMaps), obj.dump());
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  auto stale = a.update(ref(resources::kConfigMaps), obj.dump());
  EXPECT_EQ(stale.code(), Errc::Conflict);
  auto patched = a.patch(ref(resources::kConfigMaps), "ns1", "w", "", host::PatchKind::Merge,
                         R"({"data":{"k":"3"}})", "mysql-operator/test");
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(json::parse(*patched)["data"]["k"], "3");
  auto applied = a.patch(
      ref(resources::kConfigMaps), "ns1", "w", "", host::PatchKind::Apply,
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w","namespace":"ns1"},"data":{"k":"4"}})",
      "mysql-operator/test");
  ASSERT_TRUE(applied.ok()) << applied.error().message;  // forced over the other managers
  EXPECT_EQ(json::parse(*applied)["data"]["k"], "4");
  ASSERT_TRUE(eventually(
      "the cache to hold ConfigMap ns1/w with k=4",
      [&] {
        auto g = a.get(ref(resources::kConfigMaps), "ns1", "w");
        return g.ok() && json::parse(*g)["data"]["k"] == "4";
      },
      [&] {
        auto g = a.get(ref(resources::kConfigMaps), "ns1", "w");
        return g.ok() ? *g : g.error().message;
      }));
  ASSERT_TRUE(a.remove(ref(resources::kConfigMaps), "ns1", "w", "").ok());
  EXPECT_EQ(a.remove(ref(resources::kConfigMaps), "ns1", "w", "").code(), Errc::NotFound);
  EXPECT_EQ(a.create(ref(resources::kConfigMaps), "{").error().message,
            "create: the object is not valid JSON");
}

TEST_F(ClusterAccessTest, StatusWithAndWithoutASubresource) {
  ASSERT_TRUE(client_->create(kCrds, testCrd(true)).ok());
  ASSERT_TRUE(client_->create(kCrds, testCrd(false)).ok());
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(client_->list(kWidgets, "ns1").ok() &&
                                 client_->list(kGadgets, "ns1").ok()));
  KubeClusterAccess& a = access();
  for (const Resource& r : {kWidgets, kGadgets}) {
    json obj = {{"apiVersion", "test.mysqlop.io/v1"},
                {"kind", r.kind},
                {"metadata", {{"name", "x"}, {"namespace", "ns1"}}},
                {"spec", {{"replicas", 1}}}};
    auto created = a.create(ref(r), obj.dump());
    ASSERT_TRUE(created.ok()) << created.error().message;
    json withStatus = json::parse(*created);
    withStatus["status"] = {{"phase", "Done"}};
    auto st = a.updateStatus(ref(r), withStatus.dump());
    ASSERT_TRUE(st.ok()) << r.kind << ": " << st.error().message;
    EXPECT_EQ(json::parse(*st)["status"]["phase"], "Done") << r.kind;
    EXPECT_EQ((*client_->get(r, "ns1", "x"))["status"]["phase"], "Done");
  }
  json missing = {{"apiVersion", "test.mysqlop.io/v1"},
                  {"kind", "Widget"},
                  {"metadata", {{"name", "nope"}, {"namespace", "ns1"}}}};
  auto r = a.updateStatus(ref(kWidgets), missing.dump());
  EXPECT_EQ(r.code(), Errc::NotFound);
  EXPECT_EQ(r.error().message, "widgets.test.mysqlop.io \"nope\" not found");
}

TEST_F(ClusterAccessTest, SecretValues) {
  json s = {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata", {{"name", "creds"}, {"namespace", "ns1"}}},
            {"data", {{"ROOT_PASSWORD", encodeBase64("s3cr3t-pass")}, {"EMPTY", ""}}}};
  ASSERT_TRUE(client_->create(resources::kSecrets, s).ok());
  for (bool cached : {false, true}) {
    KubeClusterAccess& a = cached ? access({resources::kSecrets}) : access();
    EXPECT_EQ(a.servedFromCache(resources::kSecrets, "ns1"), cached);
    EXPECT_EQ(a.readSecretValue("ns1", "creds", "ROOT_PASSWORD").value(), "s3cr3t-pass");
    EXPECT_EQ(a.readSecretValue("ns1", "creds", "EMPTY").value(), "");
    auto noKey = a.readSecretValue("ns1", "creds", "USER");
    EXPECT_EQ(noKey.code(), Errc::NotFound);
    EXPECT_EQ(noKey.error().message, "Secret ns1/creds has no key \"USER\"");
    auto noSecret = a.readSecretValue("ns1", "nope", "USER");
    EXPECT_EQ(noSecret.code(), Errc::NotFound);
    EXPECT_EQ(noSecret.error().message, "Secret ns1/nope not found");
    informers_->stop();
  }
}

TEST_F(ClusterAccessTest, MasterEndpointThroughTheService) {
  KubeClusterAccess& a = access({resources::kPods, resources::kServices});
  auto noSvc = a.resolveMysqlEndpoint("ns1", "mc", "");
  EXPECT_EQ(noSvc.code(), Errc::Unavailable);
  EXPECT_EQ(noSvc.error().message, "Service ns1/mc-mysql-master not found");

  masterService({{"mysql.presslabs.org/cluster", "mc"}, {"role", "master"}});
  const std::string sel = "mysql.presslabs.org/cluster=mc,role=master";
  auto none = [&] { return a.resolveMysqlEndpoint("ns1", "mc", ""); };
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!none().is(Errc::NotFound) &&
                                 none().error().message.find("not found") == std::string::npos));
  EXPECT_EQ(none().error().message,
            "no ready pod is selected by Service ns1/mc-mysql-master (selector " + sel +
                "): no pod matches");

  pod("mc-mysql-0", {{"mysql.presslabs.org/cluster", "mc"}, {"role", "master"}}, false,
      "10.0.0.10");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(none().error().message.find("1 pod") != std::string::npos));
  EXPECT_EQ(none().error().message,
            "no ready pod is selected by Service ns1/mc-mysql-master (selector " + sel +
                "): 1 pod matches but is not ready (mc-mysql-0: not Ready)");

  pod("mc-mysql-1", {{"mysql.presslabs.org/cluster", "mc"}, {"role", "master"}}, true, "10.0.0.11");
  pod("mc-mysql-2", {{"mysql.presslabs.org/cluster", "mc"}, {"role", "replica"}}, true,
      "10.0.0.12");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(none().ok()));
  EXPECT_EQ(none()->host, "10.0.0.11");
  EXPECT_EQ(none()->port, 3306);

  pod("mc-mysql-3", {{"mysql.presslabs.org/cluster", "mc"}, {"role", "master"}}, true, "10.0.0.13");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(!none().ok()));
  EXPECT_EQ(none().error().message,
            "Service ns1/mc-mysql-master selects 2 ready pods (mc-mysql-1, mc-mysql-3); expected "
            "one master");
}

TEST_F(ClusterAccessTest, ServiceWithoutSelector) {
  KubeClusterAccess& a = access();
  masterService(nullptr);
  auto r = a.resolveMysqlEndpoint("ns1", "mc", "");
  EXPECT_EQ(r.code(), Errc::Unavailable);
  EXPECT_EQ(r.error().message, "Service ns1/mc-mysql-master has no selector");
}

TEST_F(ClusterAccessTest, PodEndpointsAndServiceDnsMode) {
  pod("p-ready", {{"a", "b"}}, true, "10.0.0.20", "mysql");
  pod("p-new", {{"a", "b"}}, false, "");
  KubeClusterAccess& a = access();
  EXPECT_EQ(a.resolveMysqlEndpoint("ns1", "mc", "p-ready")->host, "10.0.0.20");
  auto noIp = a.resolveMysqlEndpoint("ns1", "mc", "p-new");
  EXPECT_EQ(noIp.code(), Errc::Unavailable);
  EXPECT_EQ(noIp.error().message, "Pod ns1/p-new has no IP yet (phase Pending)");
  auto missing = a.resolveMysqlEndpoint("ns1", "mc", "p-missing");
  EXPECT_EQ(missing.code(), Errc::NotFound);
  EXPECT_EQ(missing.error().message, "Pod ns1/p-missing not found");

  KubeClusterAccess& dns = access({}, "", EndpointMode::ServiceDns);
  auto master = dns.resolveMysqlEndpoint("ns1", "mc", "");
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(master->host, "mc-mysql-master.ns1");
  EXPECT_EQ(master->port, 3306);
  EXPECT_EQ(dns.resolveMysqlEndpoint("ns1", "mc", "p-ready")->host, "p-ready.mysql.ns1");
  EXPECT_EQ(dns.resolveMysqlEndpoint("ns1", "mc", "p-new").error().message,
            "Pod ns1/p-new has no IP yet (phase Pending)");  // no subdomain: falls back to the IP
  EXPECT_EQ(parseEndpointMode("dns").error().message,
            "--mysql-endpoint-mode: expected pod-ip or service-dns, got \"dns\"");
}

TEST_F(ClusterAccessTest, EventsThroughTheRecorder) {
  KubeClusterAccess& a = access();
  auto cm = client_->create(resources::kConfigMaps, configMap("ns1", "subject"));
  ASSERT_TRUE(cm.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.recordEvent(cm->dump(), "Normal", "Echoed", "copied").ok());
  }
  auto evs = client_->list(resources::kEvents, "ns1");
  ASSERT_TRUE(evs.ok());
  ASSERT_EQ(evs->size(), 1u);
  EXPECT_EQ((*evs)[0]["count"], 3);
  KubeClusterAccess noRecorder(*client_, nullptr, nullptr);
  EXPECT_EQ(noRecorder.recordEvent(cm->dump(), "Normal", "R", "m").error().message,
            "no Event recorder is configured");
}

}  // namespace
}  // namespace mysqlop::kube::testing
