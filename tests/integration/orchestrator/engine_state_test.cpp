// The failover engine's state in its Lease against the real local API server, the real operator
// (only the orchestrator plugin) and three real mariadbd (observer_env.h): a write from a stale
// view (another leader wrote since this process read) is refused by the resourceVersion, logged,
// and the state read again; nothing the other writer recorded is lost (README "Engine state and
// leader takeover").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/orchestrator/observer_env.h"
#include "tests/support/wait/eventually.h"

namespace mysqlop::testing::orchestrator {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kLeases =
    std::string("/apis/coordination.k8s.io/v1/namespaces/") + kNamespace + "/leases";
constexpr const char* kAnnotation = "mysql.presslabs.org/failover-state";

json recovery(int id, const std::string& uid) {
  return {{"id", id}, {"uid", uid}, {"success", true}, {"startedAtMs", 1000}, {"acked", false}};
}

json leaseState(ObserverEnv& env) {
  auto r = env.api().request("GET", kLeases + "/st-mysql-failover");
  if (!r.ok() || r->status != 200) {
    return nullptr;
  }
  const json ann = r->json()["metadata"].value("annotations", json::object());
  return json::parse(ann.value(kAnnotation, ""), nullptr, false);
}

std::string condition(ObserverEnv& env, const std::string& type, const std::string& field) {
  for (const json& c :
       env.cluster("st").value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == type) {
      return c.value(field, "");
    }
  }
  return "";
}

TEST(OrchestratorEngineState, StaleWriteIsRefusedAndTheStateReadAgain) {
  ObserverEnv env;
  env.createCluster("st", 3);
  // Recorded by an earlier leader: recovery 1, not acknowledged.
  const json first = {{"version", 1}, {"nextId", 2}, {"recent", {recovery(1, "one")}}};
  auto created = env.api().request(
      "POST", kLeases,
      json{{"apiVersion", "coordination.k8s.io/v1"},
           {"kind", "Lease"},
           {"metadata",
            {{"name", "st-mysql-failover"}, {"annotations", {{kAnnotation, first.dump()}}}}},
           {"spec", json::object()}}
          .dump());
  ASSERT_TRUE(created.ok() && created->status == 201) << (created.ok() ? created->body : "");
  env.startOperator(1, "failoverAckSeconds: 1");

  // The operator read it (its condition lists recovery 1); no Ready condition: no ack yet.
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(
      within(40s), condition(env, "PendingFailoverAck", "message") ==
                       "{id: 1, uid: one, success: true, time: 1970-01-01T00:00:01Z}"))
      << condition(env, "PendingFailoverAck", "message") << "\n"
      << env.operatorLog();
  EXPECT_EQ(condition(env, "PendingFailoverAck", "reason"), "PendingFailoverAckExists");

  // Another leader writes the Lease meanwhile: recovery 2.
  auto got = env.api().request("GET", kLeases + "/st-mysql-failover");
  ASSERT_TRUE(got.ok() && got->status == 200);
  json lease = got->json();
  const json second = {
      {"version", 1}, {"nextId", 3}, {"recent", {recovery(1, "one"), recovery(2, "two")}}};
  lease["metadata"]["annotations"][kAnnotation] = second.dump();
  auto put = env.api().request("PUT", kLeases + "/st-mysql-failover", lease.dump());
  ASSERT_TRUE(put.ok() && put->status == 200) << (put.ok() ? put->body : "");

  // Ready=True since long ago: the operator's next pass acks recovery 1 from its old view; the
  // write is refused; it reads the Lease again and acks both.
  auto patched = env.api().request("PATCH",
                                   std::string("/apis/mysql.presslabs.org/v1alpha1/namespaces/") +
                                       kNamespace + "/mysqlclusters/st/status",
                                   json{{"status",
                                         {{"conditions",
                                           {{{"type", "Ready"},
                                             {"status", "True"},
                                             {"reason", "ClusterReady"},
                                             {"message", "Cluster is ready"},
                                             {"lastTransitionTime", "2020-01-01T00:00:00Z"}}}}}}}
                                       .dump(),
                                   "application/merge-patch+json");
  ASSERT_TRUE(patched.ok() && patched->status == 200) << (patched.ok() ? patched->body : "");
  ASSERT_TRUE(MYSQLOP_EVENTUALLY_WITHIN(within(40s),
                                        condition(env, "PendingFailoverAck", "status") == "False"))
      << condition(env, "PendingFailoverAck", "message") << "\n"
      << env.operatorLog();
  EXPECT_EQ(condition(env, "PendingFailoverAck", "message"), "no pending ack");
  EXPECT_NE(env.operatorLog().find("another leader wrote the failover state; this process stops "
                                   "acting on the cluster and reads it again"),
            std::string::npos)
      << env.operatorLog();
  const json after = leaseState(env);
  ASSERT_TRUE(after.is_object()) << after;
  ASSERT_EQ(after["recent"].size(), 2U) << after;
  EXPECT_EQ(after["recent"][1]["uid"], "two") << after;  // the other writer's record kept
  EXPECT_EQ(after["recent"][0]["acked"], true) << after;
  EXPECT_EQ(after["recent"][1]["acked"], true) << after;
  EXPECT_EQ(after["nextId"], 3) << after;
  // Owned by the cluster from the operator's first write on.
  auto owned = env.api().request("GET", kLeases + "/st-mysql-failover");
  ASSERT_TRUE(owned.ok());
  EXPECT_EQ(owned->json()["metadata"]["ownerReferences"][0].value("kind", ""), "MysqlCluster");
  EXPECT_EQ(owned->json()["metadata"]["ownerReferences"][0].value("uid", ""),
            env.cluster("st")["metadata"].value("uid", "?"));
}

}  // namespace
}  // namespace mysqlop::testing::orchestrator
