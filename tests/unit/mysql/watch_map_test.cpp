#include "plugins/common/mysql/watch_map.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plugins/common/kube/resources.h"
#include "tests/support/mysql/memory_kube.h"

namespace mysqlop::mysql {
namespace {

using kube::res::kMysqlCluster;
using kube::res::kMysqlDatabase;
using nlohmann::json;

json cluster(const std::string& ns, const std::string& name, bool ready) {
  return {
      {"metadata", {{"namespace", ns}, {"name", name}}},
      {"status", {{"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

class WatchMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = [&](const std::string& ns, const std::string& name, json ref) {
      kube_.put(kMysqlDatabase, {{"metadata", {{"namespace", ns}, {"name", name}}},
                                 {"spec", {{"clusterRef", ref}, {"database", "x"}}}});
    };
    db("a", "same-ns", {{"name", "c"}});
    db("b", "cross", {{"name", "c"}, {"namespace", "a"}});
    db("b", "other-cluster", {{"name", "c"}});
    db("a", "no-ref", json::object());
  }
  testing::MemoryKube kube_;
};

TEST_F(WatchMapTest, ObjectsReferencingAClusterIncludeOtherNamespaces) {
  ObjectKeys keys = objectsReferencingCluster(kube_, kMysqlDatabase, "a", "c");
  EXPECT_EQ(keys, (ObjectKeys{{"a", "same-ns"}, {"b", "cross"}}));
}

TEST_F(WatchMapTest, OnlyAClusterTurningReadyRequeues) {
  ClusterReadiness r;
  EXPECT_TRUE(
      r.referencesToRequeue(kube_, kMysqlDatabase, cluster("a", "c", false).dump()).empty());
  EXPECT_EQ(r.referencesToRequeue(kube_, kMysqlDatabase, cluster("a", "c", true).dump()).size(),
            2u);
  // Status updates of a cluster that stays Ready requeue nothing.
  EXPECT_TRUE(r.referencesToRequeue(kube_, kMysqlDatabase, cluster("a", "c", true).dump()).empty());
  EXPECT_TRUE(
      r.referencesToRequeue(kube_, kMysqlDatabase, cluster("a", "c", false).dump()).empty());
  EXPECT_EQ(r.referencesToRequeue(kube_, kMysqlDatabase, cluster("a", "c", true).dump()).size(),
            2u);
  // First seen Ready: its waiting objects go.
  EXPECT_EQ(r.referencesToRequeue(kube_, kMysqlDatabase, cluster("b", "c", true).dump()),
            (ObjectKeys{{"b", "other-cluster"}}));
  // Garbage is ignored.
  EXPECT_TRUE(r.referencesToRequeue(kube_, kMysqlDatabase, "not json").empty());
}

}  // namespace
}  // namespace mysqlop::mysql
