// The Service proxy on the local cluster's real network (node::Network): the ClusterIP on the
// cluster's Service device, a backend in one pod's namespace, clients on the host and in another
// pod (whose default route goes through the bridge to the host).
#include <fcntl.h>
#include <sched.h>

#include <thread>

#include "localcluster/node/network.h"
#include "localcluster/node/records.h"
#include "localcluster/proxy/service_proxy.h"
#include "tests/integration/node/node_fixture.h"
#include "tests/integration/proxy/proxy_env.h"
#include "tests/integration/proxy/service_ip_device.h"
#include "tests/integration/proxy/test_backend.h"

namespace mysqlop::local::proxy::it {
namespace {

// Runs f on a thread inside the named network namespace: sockets it makes belong there, and
// threads it starts stay there.
template <class F>
void inNetns(const std::string& netns, F&& f) {
  std::thread t([&] {
    int fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0) << netns;
    ASSERT_EQ(::setns(fd, CLONE_NEWNET), 0) << netns;
    ::close(fd);
    f();
  });
  t.join();
}

class ProxyOverNetworkTest : public ProxyEnv {
 protected:
  // The proxy's listeners but default/kubernetes's (the API server makes that Service itself, at
  // the first address of its Service CIDR, which may fall into this test's /24).
  std::vector<std::string> testListeners() const {
    std::vector<std::string> out;
    for (const auto& l : proxy_->listening()) {
      if (l.size() < 4 || l.compare(l.size() - 4, 4, ":443") != 0) {
        out.push_back(l);
      }
    }
    return out;
  }

  void SetUp() override {
    ProxyEnv::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    createNamespace("db");
    auto records = node::Records::open(dir_);
    ASSERT_TRUE(records.ok()) << records.error().message;
    records_ = std::move(records.value());
    node::NetworkOptions options;
    options.dataDir = dir_;
    auto network = node::Network::setUp(options, *records_);
    ASSERT_TRUE(network.ok()) << network.error().message;
    network_ = std::move(network.value());
  }

  void TearDown() override {
    if (proxy_) {
      proxy_->stop();
    }
    backend_.stop();  // its sockets live in a pod's namespace
    if (network_) {
      int slot = network_->subnets().slot;
      auto r = network_->tearDown();
      EXPECT_TRUE(r.ok()) << r.error().message;
      network_.reset();
      node::it::expectSlotClean(slot);
    }
    ProxyEnv::TearDown();
  }

  // "198.19.N.<host>" of this cluster's Service subnet.
  std::string serviceIp(int host) {
    std::string subnet = network_->subnets().serviceSubnet;  // "198.19.N.0/24"
    return subnet.substr(0, subnet.rfind('.') + 1) + std::to_string(host);
  }

  std::unique_ptr<node::Records> records_;
  std::unique_ptr<node::Network> network_;
  TestBackend backend_;
  std::unique_ptr<ServiceProxy> proxy_;
};

TEST_F(ProxyOverNetworkTest, HostAndPodsReachAPodThroughItsClusterIp) {
  auto a = network_->addPod("aaaaaaaaaaaa0001");
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = network_->addPod("bbbbbbbbbbbb0002");
  ASSERT_TRUE(b.ok()) << b.error().message;
  bool started = false;
  inNetns(a->netns, [&] { started = backend_.start(a->ip, "pod-a", 8080); });
  ASSERT_TRUE(started);

  std::string ip = serviceIp(10);
  createService("db", "api", ip, {{"", 80, 8080}});
  putSlice("db", "api", {{a->ip, ""}}, {{"", 8080}});
  proxy_ = std::make_unique<ServiceProxy>(*informers_, *network_, ProxyOptions{});
  proxy_->start();
  startInformers();
  ASSERT_TRUE(eventually("listening on the ClusterIP", [&] {
    auto l = proxy_->listening();
    return std::find(l.begin(), l.end(), ip + ":80") != l.end();
  }));

  EXPECT_EQ(backendOf(ip, 80), "pod-a");  // from the host
  std::string fromPod;
  inNetns(b->netns, [&] { fromPod = backendOf(ip, 80); });
  EXPECT_EQ(fromPod, "pod-a");

  // Deleted: the listener closes and the IP leaves the cluster's Service device. (No client
  // tries it afterwards: with nothing routing the Service subnet, a SYN from a pod would be
  // dropped by the host and wait out TCP's retries.)
  std::string device = network_->subnets().bridge + "svc";
  EXPECT_NE(addressesOf(device).find(ip + "/32"), std::string::npos) << addressesOf(device);
  deleteObject(kube::resources::kServices, "db", "api");
  ASSERT_TRUE(eventually("the listener is closed", [&] { return testListeners().empty(); }));
  ASSERT_TRUE(eventually(
      "the IP is removed",
      [&] { return addressesOf(device).find(ip + "/32") == std::string::npos; },
      [&] { return addressesOf(device); }));
}

TEST_F(ProxyOverNetworkTest, AClusterIpOutsideTheClusterSubnetIsNotListenedOn) {
  std::string ip = "198.19.254.77";  // in the Service range, not this cluster's /24
  if (network_->subnets().serviceSubnet == "198.19.254.0/24") {
    ip = "198.19.253.77";
  }
  createService("db", "api", ip, {{"", 80, 8080}});
  createService("db", "ok", serviceIp(11), {{"", 80, 8080}});
  proxy_ = std::make_unique<ServiceProxy>(*informers_, *network_, ProxyOptions{});
  proxy_->start();
  startInformers();
  ASSERT_TRUE(eventually("the valid one listens", [&] {
    auto l = proxy_->listening();
    return std::find(l.begin(), l.end(), serviceIp(11) + ":80") != l.end();
  }));
  EXPECT_EQ(testListeners(), std::vector<std::string>{serviceIp(11) + ":80"});
}

}  // namespace
}  // namespace mysqlop::local::proxy::it
