// restoreFailure: what a MysqlCluster says when pod 0 cannot restore from initBucketURL.
#include "plugins/cluster/src/restore.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace mysqlop::cluster {
namespace {

using nlohmann::json;

json pod(const json& initStatus) {
  return {{"metadata", {{"name", "r-mysql-0"}, {"namespace", "ns"}}},
          {"status", {{"initContainerStatuses", json::array({initStatus})}}}};
}

const char* const kTail =
    "[info] clone-and-init: no data, restoring\n"
    "mysql-operator-sidecar: restore from file:///b/x.xbackup.gz: the object is neither gzip nor "
    "zstd (it starts with 67 61 72 62); /var/lib/mysql emptied\n\n";

TEST(RestoreFailure, TheSidecarsRestoreLineOfACrashLoopingInitContainer) {
  const json p = pod({{"name", "init"},
                      {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
                      {"lastState", {{"terminated", {{"exitCode", 8}, {"message", kTail}}}}}});
  EXPECT_EQ(restoreFailure(p),
            "pod ns/r-mysql-0: the init container exited with code 8: mysql-operator-sidecar: "
            "restore from file:///b/x.xbackup.gz: the object is neither gzip nor zstd (it starts "
            "with 67 61 72 62); /var/lib/mysql emptied");
}

TEST(RestoreFailure, TheCurrentTerminationFirstAndTheLastLineWithoutARestoreLine) {
  const json p = pod({{"name", "init"},
                      {"state", {{"terminated", {{"exitCode", 1}, {"message", "a\nb\n"}}}}},
                      {"lastState", {{"terminated", {{"exitCode", 8}, {"message", kTail}}}}}});
  EXPECT_EQ(restoreFailure(p), "pod ns/r-mysql-0: the init container exited with code 1: b");
  const json empty =
      pod({{"name", "init"},
           {"state", {{"terminated", {{"exitCode", 137}, {"reason", "Error"}, {"message", ""}}}}}});
  EXPECT_EQ(restoreFailure(empty),
            "pod ns/r-mysql-0: the init container exited with code 137: no message (reason "
            "Error)");
}

TEST(RestoreFailure, NothingWhileTheInitContainerHasNotFailed) {
  EXPECT_EQ(restoreFailure(pod({{"name", "init"}, {"state", {{"running", json::object()}}}})),
            std::nullopt);
  EXPECT_EQ(
      restoreFailure(pod(
          {{"name", "init"}, {"state", {{"terminated", {{"exitCode", 0}, {"message", "ok"}}}}}})),
      std::nullopt);
  // Another init container's failure (a user's extraInitContainers) is not a restore's.
  EXPECT_EQ(
      restoreFailure(pod({{"name", "user-init"},
                          {"state", {{"terminated", {{"exitCode", 8}, {"message", kTail}}}}}})),
      std::nullopt);
  EXPECT_EQ(restoreFailure(json::object()), std::nullopt);
  EXPECT_EQ(restoreFailure({{"status", {{"initContainerStatuses", "x"}}}}), std::nullopt);
}

}  // namespace
}  // namespace mysqlop::cluster
