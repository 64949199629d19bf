// The Node "local", its Lease, and the scheduling of unbound pods.
#include "tests/integration/kubelet/kubelet_env.h"

namespace mysqlop::local::kubelet::it {
namespace {

const kube::Resource kNodes{"", "v1", "Node", "nodes", false};

TEST_F(KubeletEnv, RegistersTheNodeReadyWithTheBridgeGatewayAndMachineCapacity) {
  auto node = client_->get(kNodes, "", "local");
  ASSERT_TRUE(node.ok()) << node.error().message;
  const json status = (*node)["status"];
  std::string ready;
  for (const auto& c : status["conditions"]) {
    if (c["type"] == "Ready") {
      ready = c["status"];
      EXPECT_FALSE(c.value("lastHeartbeatTime", "").empty());
    }
  }
  EXPECT_EQ(ready, "True");
  bool internal = false;
  for (const auto& a : status["addresses"]) {
    if (a["type"] == "InternalIP") {
      internal = true;
      EXPECT_EQ(a["address"], network_->subnets().gateway);
    }
  }
  EXPECT_TRUE(internal) << status.dump();
  EXPECT_EQ(status["capacity"]["pods"], "110");
  EXPECT_EQ(status["capacity"]["cpu"], std::to_string(std::thread::hardware_concurrency()));
  EXPECT_NE(status["allocatable"]["memory"].get<std::string>().find("Ki"), std::string::npos);
  auto lease = client_->get(kube::resources::kLeases, "kube-node-lease", "local");
  ASSERT_TRUE(lease.ok()) << lease.error().message;
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "local");
}

TEST_F(KubeletEnv, RenewsItsLease) {
  auto first = client_->get(kube::resources::kLeases, "kube-node-lease", "local");
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::string renewed = (*first)["spec"].value("renewTime", "");
  // Every 10 s: within the default bound of eventually.
  EXPECT_TRUE(eventually("a later renewTime", [&] {
    auto l = client_->get(kube::resources::kLeases, "kube-node-lease", "local");
    return l.ok() && (*l)["spec"].value("renewTime", "") > renewed;
  }));
}

TEST_F(KubeletEnv, BindsUnscheduledPodsAndLeavesOtherSchedulersPodsAlone) {
  create(shellPod("bound", "sleep 1000"));
  json other = shellPod("other", "sleep 1000");
  other["spec"]["schedulerName"] = "someone-else";
  create(other);
  ASSERT_TRUE(waitPod("bound", "bound to local", [](const json& p) {
    return p.value("spec", json::object()).value("nodeName", "") == "local" &&
           condition(p, "PodScheduled") == "True";
  }));
  EXPECT_TRUE(eventually("Scheduled event", [&] {
    return hasEvent("bound", "Scheduled", "Successfully assigned default/bound to local");
  }));
  EXPECT_EQ(pod("other")["spec"].value("nodeName", ""), "");
  EXPECT_EQ(phase(pod("other")), "Pending");
}

}  // namespace
}  // namespace mysqlop::local::kubelet::it
