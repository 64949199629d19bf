// A StatefulSet of small servers on a real local cluster: readiness gates, names and ClusterIPs
// resolve and forward from other pods, scaling keeps PVCs, and `down` leaves nothing behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/local_up/manifests.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"

namespace mysqlop::testing {
namespace {

TEST(LocalUp, StatefulSetServesByEveryNameScalesAndLeavesNothingBehind) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  CommandResult applied = k.run({"apply", "-f", "-"}, manifests::webStatefulSet(3));
  ASSERT_EQ(applied.exitCode, 0) << applied.err;

  EXPECT_EQ(waitForJsonpath(k, "-n web statefulset web", "{.status.readyReplicas}", "3",
                            std::chrono::seconds(90)),
            "");
  EXPECT_EQ(waitForJsonpath(k, "-n web pod web-2", "{.status.phase}", "Running"), "");
  const std::string ip0 = jsonpath(k, "-n web pod web-0", "{.status.podIP}");
  EXPECT_EQ(ip0.rfind("198.18.", 0), 0u) << ip0;
  const std::string clusterIp = jsonpath(k, "-n web service front", "{.spec.clusterIP}");
  EXPECT_EQ(clusterIp.rfind("198.19.", 0), 0u) << clusterIp;

  // Every DNS form of a pod of the headless Service, the Service's names and its ClusterIP.
  const std::string targets =
      "web-0.web.web.svc.cluster.local:8080 web-1.web.web.svc:8080 web-2.web.web:8080 "
      "web-1.web:8080 front front.web front.web.svc front.web.svc.cluster.local " +
      clusterIp + " " + ip0 + ":8080";
  applied = k.run({"apply", "-f", "-"}, manifests::fetchJob("fetch", targets));
  ASSERT_EQ(applied.exitCode, 0) << applied.err;
  EXPECT_EQ(waitForJsonpath(k, "-n web job fetch", "{.status.succeeded}", "1"), "")
      << k.run({"-n", "web", "describe", "pods", "-l", "job-name=fetch"}).out;

  // The host reaches pod IPs and ClusterIPs directly.
  CommandResult direct = runCommand({"/usr/bin/python3", "-c",
                                     "import urllib.request,sys;print(urllib.request.urlopen("
                                     "'http://'+sys.argv[1]+'/boots',timeout=5).read().decode())",
                                     clusterIp + ":80"});
  EXPECT_EQ(direct.exitCode, 0) << direct.err;
  EXPECT_NE(direct.out.find("started"), std::string::npos) << direct.out;

  CommandResult status = cluster.status();
  EXPECT_EQ(status.exitCode, 0) << status.err;
  EXPECT_NE(status.out.find("web-0"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(ip0), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(clusterIp), std::string::npos) << status.out;

  // Scale 3 -> 5 -> 2: PVCs of removed ordinals stay.
  ASSERT_EQ(k.run({"-n", "web", "scale", "statefulset", "web", "--replicas=5"}).exitCode, 0);
  EXPECT_EQ(waitForJsonpath(k, "-n web statefulset web", "{.status.readyReplicas}", "5",
                            std::chrono::seconds(90)),
            "");
  ASSERT_EQ(k.run({"-n", "web", "scale", "statefulset", "web", "--replicas=2"}).exitCode, 0);
  EXPECT_EQ(waitForJsonpath(k, "-n web statefulset web", "{.status.replicas}", "2",
                            std::chrono::seconds(90)),
            "");
  EXPECT_EQ(
      waitForJsonpath(k, "-n web pods -l app=web", "{.items[*].metadata.name}", "web-0 web-1"), "");
  EXPECT_EQ(jsonpath(k, "-n web pvc", "{.items[*].status.phase}"), "Bound Bound Bound Bound Bound");

  const std::string prefix = cluster.machinePrefix();
  ASSERT_FALSE(prefix.empty());
  EXPECT_FALSE(machineLeftovers(prefix, cluster.dataDir()).empty()) << "the cluster made nothing?";
  CommandResult down = cluster.down();
  EXPECT_EQ(down.exitCode, 0) << down.err;
  EXPECT_EQ(down.out, "stopped the local cluster in " + cluster.dataDir() + "\n");
  std::vector<std::string> left = machineLeftovers(prefix, cluster.dataDir());
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
}

}  // namespace
}  // namespace mysqlop::testing
