#include "localcluster/apiserver/table.h"

#include <gtest/gtest.h>

namespace mysqlop::local {
namespace {

using nlohmann::json;

TEST(Table, HumanAge) {
  std::time_t t0 = 1700000000;  // 2023-11-14T22:13:20Z
  const std::string ts = "2023-11-14T22:13:20Z";
  EXPECT_EQ(humanAge(ts, t0 + 5), "5s");
  EXPECT_EQ(humanAge(ts, t0 + 119), "119s");
  EXPECT_EQ(humanAge(ts, t0 + 150), "2m30s");
  EXPECT_EQ(humanAge(ts, t0 + 600), "10m");
  EXPECT_EQ(humanAge(ts, t0 + 3 * 3600 + 60 * 5), "3h5m");
  EXPECT_EQ(humanAge(ts, t0 + 20 * 3600), "20h");
  EXPECT_EQ(humanAge(ts, t0 + 3 * 86400 + 3600), "3d1h");
  EXPECT_EQ(humanAge(ts, t0 + 30 * 86400), "30d");
  EXPECT_EQ(humanAge(ts, t0 + 800 * 86400), "2y70d");
  EXPECT_EQ(humanAge(ts, t0 - 1), "0s");
  EXPECT_EQ(humanAge("garbage", t0), "<unknown>");
}

TEST(Table, WantsTable) {
  EXPECT_TRUE(wantsTable("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
  EXPECT_FALSE(wantsTable("application/json"));
}

TEST(Table, PrinterColumnsOfACrd) {
  ResourceType rt;
  rt.custom = true;
  rt.printerColumns =
      json::parse(R"([{"name":"Ready","type":"string","jsonPath":".status.conditions[0].status"},
      {"name":"Replicas","type":"integer","jsonPath":".spec.replicas"},
      {"name":"Engine","type":"string","jsonPath":".spec['engine']"}])");
  json obj = json::parse(
      R"({"metadata":{"name":"mc","namespace":"ns"},"spec":{"replicas":3,"engine":"mariadb"},
      "status":{"conditions":[{"type":"Ready","status":"True"}]}})");
  json t = makeTable(rt, {&obj}, json{{"resourceVersion", "5"}}, true);
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(t["metadata"]["resourceVersion"], "5");
  ASSERT_EQ(t["columnDefinitions"].size(), 4u);
  EXPECT_EQ(t["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(t["rows"][0]["cells"], json::parse(R"(["mc","True",3,"mariadb"])"));
  EXPECT_EQ(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(t["rows"][0]["object"]["metadata"]["namespace"], "ns");
  json noCols = makeTable(rt, {&obj}, json(), false);
  EXPECT_FALSE(noCols.contains("columnDefinitions"));
}

// bitpoke's MysqlCluster column: .status.conditions[?(@.type == 'Ready')].status
TEST(Table, PrinterColumnWithAFilter) {
  ResourceType rt;
  rt.custom = true;
  rt.printerColumns = json::parse(R"([
      {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type == 'Ready')].status"},
      {"name":"RO","type":"string","jsonPath":".status.conditions[?(@.type==\"ReadOnly\")].reason"},
      {"name":"Other","type":"string","jsonPath":".status.conditions[?(@.type != 'Ready')].type"},
      {"name":"None","type":"string","jsonPath":".status.conditions[?(@.type == 'Gone')].status"},
      {"name":"Bad","type":"string","jsonPath":".status.conditions[?(@.type ~ 'x')].status"}])");
  json obj = json::parse(R"({"metadata":{"name":"mc"},"status":{"conditions":[
      {"type":"PendingFailoverAck","status":"False","reason":"NoPendingFailoverAckExists"},
      {"type":"Ready","status":"True","reason":"ClusterReady"},
      {"type":"ReadOnly","status":"False","reason":"ClusterReadOnlyFalse"}]}})");
  json t = makeTable(rt, {&obj}, json(), true);
  EXPECT_EQ(t["rows"][0]["cells"],
            json::parse(R"(["mc","True","ClusterReadOnlyFalse","PendingFailoverAck",null,null])"));
}

TEST(Table, BuiltinColumns) {
  ResourceType pods;
  pods.plural = "pods";
  json pod = json::parse(R"({"metadata":{"name":"p","creationTimestamp":"2023-11-14T22:13:20Z"},
      "spec":{"containers":[{"name":"a"},{"name":"b"}]},
      "status":{"phase":"Running","containerStatuses":[{"ready":true,"restartCount":2},{"ready":false,"restartCount":1}]}})");
  json t = makeTable(pods, {&pod}, json(), true);
  EXPECT_EQ(t["rows"][0]["cells"][1], "1/2");
  EXPECT_EQ(t["rows"][0]["cells"][2], "Running");
  EXPECT_EQ(t["rows"][0]["cells"][3], "3");
  ResourceType svc;
  svc.plural = "services";
  json s =
      json::parse(R"({"metadata":{"name":"db"},"spec":{"type":"ClusterIP","clusterIP":"10.96.0.10",
      "ports":[{"port":3306,"protocol":"TCP"}]}})");
  json st = makeTable(svc, {&s}, json(), true);
  EXPECT_EQ(st["rows"][0]["cells"],
            json::parse(R"(["db","ClusterIP","10.96.0.10","<none>","3306/TCP","<unknown>"])"));
}

}  // namespace
}  // namespace mysqlop::local
