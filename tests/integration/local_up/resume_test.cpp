// A crash of `up` (SIGKILL) leaves namespaces and processes; the next `up` removes them first,
// runs the pods again with their PVC data, and `down` then leaves nothing.
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/local_up/cluster_steps.h"
#include "tests/integration/local_up/manifests.h"
#include "tests/support/kube/kubectl.h"
#include "tests/support/kube/local_cluster_process.h"
#include "tests/support/process/child_process.h"

namespace mysqlop::testing {
namespace {

int lineCount(const std::string& text) {
  int n = 0;
  for (char c : text) {
    n += c == '\n' ? 1 : 0;
  }
  return n;
}

TEST(LocalUp, ResumesAfterACrashWithPodsAndPvcData) {
  LocalClusterProcess cluster;
  ASSERT_TRUE(cluster.start().ok());
  Kubectl k(cluster.kubeconfigPath());
  ASSERT_EQ(k.run({"apply", "-f", "-"}, manifests::webStatefulSet(1)).exitCode, 0);
  ASSERT_EQ(waitForJsonpath(k, "-n web statefulset web", "{.status.readyReplicas}", "1",
                            std::chrono::seconds(90)),
            "");
  const std::string pv = jsonpath(k, "-n web pvc data-web-0", "{.spec.volumeName}");
  const std::string ip = jsonpath(k, "-n web pod web-0", "{.status.podIP}");
  const std::string uid = jsonpath(k, "-n web pod web-0", "{.metadata.uid}");
  const std::string boots = cluster.dataDir() + "/pv/" + pv + "/boots";
  EXPECT_EQ(lineCount(readFile(boots)), 1) << boots;

  const std::string prefix = cluster.machinePrefix();
  cluster.kill();
  EXPECT_FALSE(machineLeftovers(prefix, "").empty()) << "a crash leaves the namespaces behind";

  ASSERT_TRUE(cluster.start().ok());
  EXPECT_EQ(waitForJsonpath(k, "-n web statefulset web", "{.status.readyReplicas}", "1",
                            std::chrono::seconds(90)),
            "");
  EXPECT_EQ(waitForJsonpath(k, "-n web pod web-0", "{.status.phase}", "Running"), "");
  EXPECT_EQ(jsonpath(k, "-n web pod web-0", "{.metadata.uid}"), uid) << "the same pod resumed";
  EXPECT_EQ(jsonpath(k, "-n web pod web-0", "{.status.podIP}"), ip);
  EXPECT_EQ(lineCount(readFile(boots)), 2) << readFile(boots);

  // A deleted pod comes back with the same name and its PVC data.
  ASSERT_EQ(k.run({"-n", "web", "delete", "pod", "web-0"}).exitCode, 0);
  EXPECT_EQ(waitForJsonpath(k, "-n web statefulset web", "{.status.readyReplicas}", "1",
                            std::chrono::seconds(90)),
            "");
  EXPECT_NE(jsonpath(k, "-n web pod web-0", "{.metadata.uid}"), uid);
  EXPECT_EQ(lineCount(readFile(boots)), 3) << readFile(boots);

  EXPECT_EQ(cluster.down().exitCode, 0);
  std::vector<std::string> left = machineLeftovers(prefix, cluster.dataDir());
  EXPECT_TRUE(left.empty()) << ::testing::PrintToString(left);
}

}  // namespace
}  // namespace mysqlop::testing
