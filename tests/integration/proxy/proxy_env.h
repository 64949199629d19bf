#pragma once
// A real local API server, a kube::Client over its HTTPS kubeconfig and a shared InformerFactory,
// plus the writes the EndpointSlice controller would make (the tests play that controller).

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/kube/client.h"
#include "core/kube/http_transport.h"
#include "core/kube/informer_factory.h"
#include "core/kube/rest_config.h"
#include "localcluster/proxy/slices.h"
#include "tests/support/kube/local_api_server.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::local::proxy::it {

using mysqlop::testing::eventually;
using mysqlop::testing::within;
using nlohmann::json;

// One endpoint of a slice as the controller writes it.
struct Endpoint {
  std::string ip;
  std::string hostname;
  bool ready = true;
};

// One port of a Service: name, port, targetPort (a number or a container port's name).
struct ServicePort {
  std::string name;
  int port = 0;
  json targetPort;
};

class ProxyEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = api_.start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto kc = kube::loadKubeconfigFiles({api_.kubeconfigPath()}, true);
    ASSERT_TRUE(kc.ok()) << kc.error().message;
    auto rc = kube::restConfigFromKubeconfig(*kc);
    ASSERT_TRUE(rc.ok()) << rc.error().message;
    auto t = kube::HttpTransport::create(*rc);
    ASSERT_TRUE(t.ok()) << t.error().message;
    client_ = std::make_unique<kube::Client>(*t);
    informers_ = std::make_unique<kube::InformerFactory>(*client_, kube::InformerOptions{});
    char tmpl[] = "/tmp/proxy-it-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }

  void TearDown() override {
    if (informers_) {
      informers_->stop();
    }
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
    }
  }

  void startInformers() {
    informers_->start();
    ASSERT_TRUE(informers_->waitForCacheSync(std::chrono::seconds(30)));
  }

  void createNamespace(const std::string& name) {
    auto r = client_->create(
        kube::resources::kNamespaces,
        {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  // clusterIP "None" makes it headless; "" lets the server allocate one.
  json createService(const std::string& ns, const std::string& name, const std::string& clusterIp,
                     const std::vector<ServicePort>& ports = {{"", 80, 80}}) {
    json p = json::array();
    for (const auto& sp : ports) {
      json one = {{"port", sp.port}, {"protocol", "TCP"}, {"targetPort", sp.targetPort}};
      if (!sp.name.empty()) {
        one["name"] = sp.name;
      }
      p.push_back(one);
    }
    json svc = {{"apiVersion", "v1"},
                {"kind", "Service"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"spec", {{"ports", p}, {"selector", {{"app", name}}}}}};
    if (!clusterIp.empty()) {
      svc["spec"]["clusterIP"] = clusterIp;
    }
    auto r = client_->create(kube::resources::kServices, svc);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : json();
  }

  // Creates or replaces the slice <service>-slice with these endpoints and ports
  // ({name, port} as the controller resolves targetPort).
  void putSlice(const std::string& ns, const std::string& service,
                const std::vector<Endpoint>& endpoints,
                const std::vector<std::pair<std::string, int>>& ports = {{"", 80}},
                const std::string& sliceName = "") {
    std::string name = sliceName.empty() ? service + "-slice" : sliceName;
    json eps = json::array();
    for (const auto& e : endpoints) {
      json one = {
          {"addresses", {e.ip}},
          {"conditions", {{"ready", e.ready}, {"serving", e.ready}, {"terminating", false}}}};
      if (!e.hostname.empty()) {
        one["hostname"] = e.hostname;
      }
      eps.push_back(one);
    }
    json ps = json::array();
    for (const auto& [pn, port] : ports) {
      ps.push_back({{"name", pn}, {"port", port}, {"protocol", "TCP"}});
    }
    json slice = {
        {"apiVersion", "discovery.k8s.io/v1"},
        {"kind", "EndpointSlice"},
        {"metadata",
         {{"name", name},
          {"namespace", ns},
          {"labels",
           {{"kubernetes.io/service-name", service},
            {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}}}},
        {"addressType", "IPv4"},
        {"endpoints", eps},
        {"ports", ps}};
    auto existing = client_->get(kEndpointSlices, ns, name);
    if (existing.ok()) {
      slice["metadata"]["resourceVersion"] = existing.value()["metadata"]["resourceVersion"];
      auto r = client_->update(kEndpointSlices, slice);
      ASSERT_TRUE(r.ok()) << r.error().message;
    } else {
      auto r = client_->create(kEndpointSlices, slice);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
  }

  void deleteObject(const kube::Resource& r, const std::string& ns, const std::string& name) {
    auto d = client_->remove(r, ns, name);
    ASSERT_TRUE(d.ok()) << d.error().message;
  }

  mysqlop::testing::LocalApiServer api_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<kube::InformerFactory> informers_;
  std::string dir_;
};

}  // namespace mysqlop::local::proxy::it
