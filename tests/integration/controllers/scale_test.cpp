// Larger sets, timed for the record (printed, never asserted: the machine is shared).
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "tests/integration/controllers/fixture.h"

namespace mysqlop::local::controllers::it {
namespace {

using Clock = std::chrono::steady_clock;

long long msSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

json timedSet(const std::string& name, int replicas, const std::string& policy) {
  return {
      {"apiVersion", "apps/v1"},
      {"kind", "StatefulSet"},
      {"metadata", {{"name", name}, {"namespace", kNs}}},
      {"spec",
       {{"replicas", replicas},
        {"serviceName", name},
        {"podManagementPolicy", policy},
        {"selector", {{"matchLabels", {{"app", name}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", name}}}}},
          {"spec",
           {{"containers",
             json::array({{{"name", "m"},
                           {"image", "busybox:1"},
                           {"ports", json::array({{{"name", "p"}, {"containerPort", 80}}})}}})}}}}},
        {"volumeClaimTemplates",
         json::array({{{"metadata", {{"name", "data"}}},
                       {"spec",
                        {{"accessModes", json::array({"ReadWriteOnce"})},
                         {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}})}}}};
}

using ScaleTest = ControllersTest;

TEST_F(ScaleTest, FiftyParallelPodsWithClaimsAndAService) {
  create(r::kServices, {{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", {{"name", "big"}, {"namespace", kNs}}},
                        {"spec",
                         {{"clusterIP", "None"},
                          {"selector", {{"app", "big"}}},
                          {"ports", json::array({{{"port", 80}, {"targetPort", "p"}}})}}}});
  auto start = Clock::now();
  create(r::kStatefulSets, timedSet("big", 50, "Parallel"));
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(list(r::kPods, "app=big").size() == 50));
  const long long created = msSince(start);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(list(r::kVolumes).size() == 50));
  const long long bound = msSince(start);
  start = Clock::now();
  readyAll("app=big");
  const long long kubelet = msSince(start);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      (*get(r::kStatefulSets, "big"))["status"].value("readyReplicas", 0) == 50));
  const long long ready = msSince(start);
  ASSERT_TRUE(MYSQLOP_EVENTUALLY(
      get(r::kEndpoints, "big") &&
      (*get(r::kEndpoints, "big"))["subsets"][0].value("addresses", json::array()).size() == 50));
  const long long endpoints = msSince(start);
  std::cout << "50 pods (Parallel): created in " << created << " ms, 50 claims bound by " << bound
            << " ms; test kubelet wrote 50 statuses in " << kubelet
            << " ms; readyReplicas 50 after " << ready << " ms, Endpoints with 50 addresses after "
            << endpoints << " ms\n";
}

TEST_F(ScaleTest, TenOrderedReadyPods) {
  auto start = Clock::now();
  create(r::kStatefulSets, timedSet("seq", 10, "OrderedReady"));
  ASSERT_TRUE(eventually("10 ready replicas", [&] {
    readyAll("app=seq");
    return (*get(r::kStatefulSets, "seq"))["status"].value("readyReplicas", 0) == 10;
  }));
  std::cout << "10 pods (OrderedReady, the test's kubelet polling every 20 ms): all ready after "
            << msSince(start) << " ms\n";
}

}  // namespace
}  // namespace mysqlop::local::controllers::it
